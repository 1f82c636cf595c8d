import BPF
import KmonBPFObjects
import KmonTcpreq
import Testing

/// The base-object check on bytes (`ExternalObject(elf:path:variant:)`, which `load(path:)` and
/// the fuzz target `object-layout` use): this build's own object fits, anything else is refused
/// with one error naming the file and why. Opening parses only: no privileges needed.
@Suite("base-object layout check")
struct ExternalObjectTests {
    @Test func ownObjectFits() throws {
        let elf = try #require(EmbeddedBPF.object(named: ProbeVariant.sock.objectName))
        let object = try ExternalObject(elf: elf, path: "base/tcpreq_sock.bpf.o", variant: .sock)
        #expect(object.elf == elf && object.path == "base/tcpreq_sock.bpf.o")
    }

    @Test func bytesLibbpfCannotOpenAreRefused() {
        let error = #expect(throws: TcpreqError.self) {
            try ExternalObject(elf: Array("not an ELF file".utf8), path: "base/tcpreq_sock.bpf.o", variant: .sock)
        }
        #expect(error?.description.contains("base/tcpreq_sock.bpf.o is not a BPF object libbpf can open") == true)
    }

    @Test func anotherObjectIsRefusedWithEachDifference() throws {
        let empty = try #require(EmbeddedBPF.object(named: ProbeVariant.empty.objectName))
        let error = #expect(throws: TcpreqError.self) {
            try ExternalObject(elf: empty, path: "base/tcpreq_sock.bpf.o", variant: .sock)
        }
        let text = error?.description ?? ""
        #expect(text.contains("base/tcpreq_sock.bpf.o does not fit this build's tcpreq_sock"))
        #expect(text.contains("is missing"))
        #expect(!text.contains("\n"))
    }

    /// A build from before the in-flight index (issue 25) lacks its map: the bench compares it in
    /// place all the same, and the session closes nothing at stop with it. Any other map missing,
    /// or the index in another shape, still refuses it.
    @Test func aBaseWithoutTheInFlightIndexFits() throws {
        let elf = try #require(EmbeddedBPF.object(named: ProbeVariant.sock.objectName))
        let ours = ObjectLayout(try BPFObject(elf: elf, name: "ours"), structPrefixes: ["tcpreq_"])
        var older = ours
        older.maps["inflight"] = nil
        #expect(ours.differences(from: older) == ["map inflight is missing"])
        #expect(ours.differences(from: older, mayLack: ["inflight"]).isEmpty)
        older.maps["listeners"] = nil
        #expect(ours.differences(from: older, mayLack: ["inflight"]) == ["map listeners is missing"])
        var reshaped = ours
        reshaped.maps["inflight"]?.valueSize = 96
        #expect(ours.differences(from: reshaped, mayLack: ["inflight"]).count == 1)
    }

    /// Found by the fuzz target object-layout: two programs of one name trapped in ObjectLayout
    /// (Dictionary(uniqueKeysWithValues:)), killing `bench --base-objects` with SIGILL. The first
    /// is kept, as libbpf's lookup by name finds it, and the object is refused, not a crash.
    @Test func twoProgramsOfOneNameAreCheckedNotATrap() throws {
        let elf = try #require(EmbeddedBPF.object(named: ProbeVariant.empty.objectName))
        let renamed = Self.replacing(Array("tcpreq_send".utf8), with: Array("tcpreq_recv".utf8), in: elf)
        let object = try BPFObject(elf: renamed, name: "twins")
        #expect(object.programs.filter { $0.name == "tcpreq_recv" }.count == 2)
        let layout = ObjectLayout(object, structPrefixes: ["tcpreq_"])
        #expect(layout.programs["tcpreq_recv"] == "tp_btf/sock_recv_length")
        let error = #expect(throws: TcpreqError.self) {
            try ExternalObject(elf: renamed, path: "base/tcpreq_empty.bpf.o", variant: .empty)
        }
        #expect(error?.description.contains("program tcpreq_send is missing") == true)
    }

    /// `bytes` with every occurrence of `old` replaced by `new`, of the same length.
    static func replacing(_ old: [UInt8], with new: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        var i = 0
        while i + old.count <= result.count {
            if result[i..<i + old.count].elementsEqual(old) {
                result.replaceSubrange(i..<i + old.count, with: new)
                i += old.count
            } else {
                i += 1
            }
        }
        return result
    }
}
