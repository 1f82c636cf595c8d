import BPF
import Foundation
import Testing

/// A program the verifier must reject: the error keeps the verifier's own words, not just an
/// errno. The object is compiled here with the toolchain's clang, so no bad program ships in kmon.
@Suite(Privileged.enabled)
struct VerifierErrorTests {
    static let rejected = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        char LICENSE[] SEC("license") = "GPL";
        SEC("tracepoint/syscalls/sys_enter_getppid")
        int reads_past_context(unsigned long *ctx) { return ctx[1 << 20] != 0; }
        """

    @Test func loadFailureCarriesTheVerifierLog() throws {
        try Privileged.check()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-verifier-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("bad.bpf.c"), object = dir.appendingPathComponent("bad.o")
        try Self.rejected.write(to: source, atomically: true, encoding: .utf8)
        let clang = try runCommand(URL(fileURLWithPath: "/usr/bin/env"),
                                   ["clang", "-target", "bpf", "-O2", "-g", "-I/usr/include/x86_64-linux-gnu", "-c", source.path, "-o", object.path])
        try #require(clang.status == 0, "clang failed: \(clang.stderr)")

        let bpf = try BPFObject(elf: [UInt8](try Data(contentsOf: object)), name: "bad")
        let error = try #require(throws: BPFError.self) { try bpf.load() }
        #expect(error.call == "bpf_object__load")
        let log = try #require(error.verifierLog, "libbpf printed no verifier log")
        #expect(log.contains("dereference of modified ctx ptr"), "\(log)")
        #expect(error.verifierSummary()?.contains("disallowed") == true)
        #expect(error.description.contains("verifier log (last lines):"))
    }
}
