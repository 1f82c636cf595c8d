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
}
