import Foundation
import Glibc
import Testing

/// `--base-objects DIR` is BPF code root loads into the kernel: a directory (or object, or a
/// parent) that a user other than root can change is refused with exit 65 and what to do,
/// before anything is read from it.
@Suite(.serialized, Privileged.enabled)
struct BaseObjectsTrustTests {
    let kmon = BuildProducts.executable("kmon")

    func bench(_ objects: String) throws -> CommandResult {
        try runCommand(kmon, ["bench", "--quick", "--workload", BenchProcess.chain3, "--variants", "sock",
                              "--base-objects", objects, "--check", "--out", objects + "-out"])
    }

    static let advice = "another user could change the BPF code kmon loads as root; build the objects into a directory only you can write, e.g. DIR=$(mktemp -d)"

    @Test func aDirectoryNobodyOwnsIsRefused() throws {
        try Privileged.check()
        let planted = try PlantedLinks()
        let result = try bench(planted.userDirectory)
        #expect(result.status == 65)
        #expect(result.stderr == "error: --base-objects \(planted.userDirectory): \(planted.userDirectory) belongs to uid 65534, neither root nor you: \(Self.advice); scripts/build-bpf \"$DIR\" BPF_SRC\n",
                "\(result.stderr)")
    }

    @Test func aDirectoryAnyoneCanWriteIsRefused() throws {
        try Privileged.check()
        let planted = try PlantedLinks()
        let shared = planted.root + "/objects"
        mkdir(shared, 0o755)
        chmod(shared, 0o777)
        let result = try bench(shared)
        #expect(result.status == 65)
        #expect(result.stderr.contains("\(shared) can be written by other users (mode 777): \(Self.advice)"), "\(result.stderr)")
    }

    @Test func anObjectNobodyOwnsIsRefused() throws {
        try Privileged.check()
        let planted = try PlantedLinks()
        let objects = planted.root + "/objects"
        mkdir(objects, 0o755)
        let object = objects + "/tcpreq_sock.bpf.o"
        FileManager.default.createFile(atPath: object, contents: Data())
        chown(object, PlantedLinks.nobody, PlantedLinks.nobody)
        let result = try bench(objects)
        #expect(result.status == 65)
        #expect(result.stderr.contains("\(object) belongs to uid 65534, neither root nor you"), "\(result.stderr)")
    }
}
