import Foundation
import Glibc
import KmonBench
import Testing

/// The CI gate end to end (docs/ci.md): base objects built by scripts/build-bpf, paired with
/// this build's in one quick bench, with injected costs on either side.
@Suite(.serialized, Privileged.enabled)
struct InRunGateTests {
    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-gate-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("kmon-gate-tests-\(getpid())")) }
        return url
    }()

    /// This tree's objects, built the way a CI job builds the base branch's.
    static let objects: Result<URL, Error> = Result {
        let directory = scratch.appendingPathComponent("base-objects")
        let build = try runCommand(BenchProcess.repositoryRoot.appendingPathComponent("scripts/build-bpf"), [directory.path])
        guard build.status == 0 else { throw GateTestError(description: "scripts/build-bpf failed: \(build.stderr)") }
        return directory
    }

    struct GateTestError: Error, CustomStringConvertible { var description: String }

    /// Several times the gate's 5% tolerance of sock/kernel's cost per run, which in place has
    /// measured 150–850 ns on our VMs: 100 ns once came to only −6% of an 850 ns run and passed.
    static let injected = "400"

    func gate(_ extra: [String], objects: URL, seed: Int) throws -> (status: Int32?, stdout: String, stderr: String) {
        let bench = try BenchProcess(["bench", "--quick", "--workload", BenchProcess.chain3, "--variants", "sock",
                                      "--seed", String(seed), "--base-objects", objects.path, "--check",
                                      "--out", Self.scratch.appendingPathComponent("run-\(seed)").path] + extra, scratch: Self.scratch)
        let status = bench.wait(seconds: 240)
        return (status, bench.stdout, bench.stderr)
    }

    @Test func objectsBuiltFromThisTreeAreEqual() throws {
        try Privileged.check()
        let run = try gate([], objects: Self.objects.get(), seed: 21)
        #expect(run.status == 0, "\(run.stdout.suffix(2500))\n\(run.stderr.suffix(800))")
        #expect(run.stdout.contains("gate: equal (exit 0)"))
        #expect(run.stdout.contains("sock/kernel@base") && run.stdout.contains("sock/kernel@aa"))
    }

    @Test func anInjectedCostIsARegressionNamingTheArm() throws {
        try Privileged.check()
        let run = try gate(["--inject-ns", Self.injected], objects: Self.objects.get(), seed: 22)
        #expect(run.status == 2, "\(run.stdout.suffix(2500))\n\(run.stderr.suffix(800))")
        #expect(run.stderr.contains("injecting:"))
        let decision = run.stdout.split(separator: "\n").first { $0.hasPrefix("decided by:") } ?? ""
        // The cost figure with the tighter A/A decides: ns per request under load, or warm ns/run at the trigger level.
        #expect(decision.contains("sock/kernel") && (decision.contains("BPF ns/req") || decision.contains("warm ns/run")), "\(decision)")
        #expect(decision.contains("Holm"), "\(decision)")
    }

    @Test func anInjectedBaseCostIsAnImprovement() throws {
        try Privileged.check()
        let run = try gate(["--inject-base-ns", Self.injected], objects: Self.objects.get(), seed: 23)
        #expect(run.status == 4, "\(run.stdout.suffix(2500))\n\(run.stderr.suffix(800))")
        #expect(run.stdout.contains("gate: improvement (exit 4)"))
    }

    /// A base build whose span record has two fields swapped: refused before anything runs.
    @Test func aBaseObjectWithAnotherEventLayoutIsRefused() throws {
        try Privileged.check()
        let tree = Self.scratch.appendingPathComponent("changed-bpf")
        try? FileManager.default.removeItem(at: tree)
        try FileManager.default.copyItem(at: BenchProcess.repositoryRoot.appendingPathComponent("bpf"), to: tree)
        let header = tree.appendingPathComponent("include/tcpreq.h")
        var text = try String(contentsOf: header, encoding: .utf8)
        let start = "    __u64 start_ns;    /* first request byte read (server) or sent (client) */\n"
        let end = "    __u64 end_ns;      /* last response byte written (server) or read (client) */\n"
        #expect(text.contains(start + end), "tcpreq_span changed: update this test")
        text = text.replacingOccurrences(of: start + end, with: end + start)
        try text.write(to: header, atomically: true, encoding: .utf8)
        let objects = Self.scratch.appendingPathComponent("changed-objects")
        try FileManager.default.createDirectory(at: objects, withIntermediateDirectories: true)
        let build = try runCommand(URL(fileURLWithPath: "/bin/sh"), [
            "-c", "cd \(tree.path)/.. && CLANG=${CLANG:-$(dirname $(readlink -f $(command -v swift)))/clang}; "
                + "sh \(tree.path)/embed.sh compile $CLANG \(tree.path)/tcpreq_sock.bpf.c \(objects.path)/tcpreq_sock.bpf.o"])
        #expect(build.status == 0, "\(build.stderr)")
        let bench = try runCommand(BuildProducts.executable("kmon"), [
            "bench", "--quick", "--workload", BenchProcess.chain3, "--variants", "sock", "--base-objects", objects.path, "--check"])
        #expect(bench.status == 65, "\(bench.stderr)")
        #expect(bench.stderr.contains("\(objects.path)/tcpreq_sock.bpf.o does not fit this build's tcpreq_sock"), "\(bench.stderr)")
        #expect(bench.stderr.contains("struct tcpreq_span"), "\(bench.stderr)")
    }
}
