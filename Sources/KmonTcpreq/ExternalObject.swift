import BPF
import Foundation
import KmonBPFObjects

/// A BPF object file from outside this build (the CI gate's base build), checked against the
/// layout this build's user space relies on.
public struct ExternalObject: Sendable {
    public var path: String
    public var elf: [UInt8]

    /// Reads `path` as a build of `variant`'s object; refuses it, naming the file and every
    /// difference, when its programs, maps or shared structs differ from this build's.
    public static func load(path: String, variant: ProbeVariant) throws -> ExternalObject {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TcpreqError.badObject("\(path): no such file, or not readable (build it with scripts/build-bpf DIR)")
        }
        return try ExternalObject(elf: [UInt8](data), path: path, variant: variant)
    }

    /// Checks the bytes `elf`, read from `path`, as `load(path:variant:)` does: any bytes at all
    /// (the fuzz target `object-layout` feeds it), refused with a `TcpreqError` unless they fit.
    public init(elf: [UInt8], path: String, variant: ProbeVariant) throws {
        let name = variant.objectName
        guard let ours = EmbeddedBPF.object(named: name) else { throw TcpreqError.missingObject(name) }
        let theirs: BPFObject
        do { theirs = try BPFObject(elf: elf, name: name) } catch {
            throw TcpreqError.badObject("\(path) is not a BPF object libbpf can open: \(error)")
        }
        let differences = ObjectLayout(try BPFObject(elf: ours, name: name), structPrefixes: ["tcpreq_"])
            .differences(from: ObjectLayout(theirs, structPrefixes: ["tcpreq_"]), mayLack: Self.mayLack)
        guard differences.isEmpty else {
            throw TcpreqError.badObject("\(path) does not fit this build's \(name): " + differences.joined(separator: "; "))
        }
        self.path = path
        self.elf = elf
    }

    /// What a build from before issue 25 lacks and a session goes without: the in-flight index
    /// (its responses in flight at stop then stay open), and the container filter's set (issue 27).
    static let mayLack: Set<String> = ["inflight", "target_cgroup_ids"]
}
