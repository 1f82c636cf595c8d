import Foundation
import Glibc
import Testing

/// Numbers kmon cannot honour, given on the command line or in a file: each is one line naming
/// the flag or the file and field with the accepted range, and exit 64 (flags) or 65 (files).
/// Before, each of these died in a Swift trap on `UInt64(Double)` (SIGILL, exit 132). Flags are
/// checked before anything needs root; the files are read after the root check.
@Suite struct BadNumberTests {
    let kmon = BuildProducts.executable("kmon")
    static let url = "http://127.0.0.1:1/"

    static func firstLine(_ text: String) -> String { String(text.split(separator: "\n").first ?? "") }

    @Test(arguments: [
        (["monitor", "--duration", "1e11"], "Error: --duration must be from 0.001 to 31536000 seconds (got 100000000000)"),
        (["monitor", "--duration", "nan"], "Error: --duration must be from 0.001 to 31536000 seconds (got nan)"),
        (["monitor", "--duration=-1"], "Error: --duration must be from 0.001 to 31536000 seconds (got -1)"),
        (["monitor", "--interval", "inf"], "Error: --interval must be from 0.05 to 31536000 seconds (got inf)"),
        (["monitor", "--clickhouse", url, "--clickhouse-buffer", "100000000"],
         "Error: --clickhouse-buffer must be from 1 to 10000000 spans (got 100000000)"),
        (["monitor", "--export-period", "1e300", "--jsonl", "/dev/null"], "Error: --export-period must be from 0.1 to 3600 seconds (got 1e+300)"),
        (["load", url, "--duration", "1e11"], "Error: --duration must be from 0.001 to 31536000 seconds (got 100000000000)"),
        (["load", url, "--warmup", "1e12"], "Error: --warmup must be from 0 to 31536000 seconds (got 1000000000000)"),
        (["load", url, "--timeout", "inf"], "Error: --timeout must be from 0.001 to 31536000 seconds (got inf)"),
        (["load", url, "--rate", "1e300"], "Error: --rate must be 'max' or from 0.001 to 10000000 requests per second (got '1e300')"),
        (["load", url, "--rate", "nan"], "Error: --rate must be 'max' or from 0.001 to 10000000 requests per second (got 'nan')"),
        (["load", url, "--connections", "1000000000"], "Error: --connections must be from 1 to 10000 connections (got 1000000000)"),
        (["bench", "--phase", "1e12"], "Error: --phase must be from 0.05 to 31536000 seconds (got 1000000000000)"),
        (["bench", "--duration", "1e11"], "Error: --duration must be from 0.001 to 31536000 seconds (got 100000000000)"),
        (["bench", "--reps", "9223372036854775807"], "Error: --reps must be from 1 to 10000 blocks (got 9223372036854775807)"),
        (["bench", "--trigger-blocks", "10001"], "Error: --trigger-blocks must be from 0 to 10000 blocks (got 10001)"),
        (["bench", "--trigger-iterations", "0"], "Error: --trigger-iterations must be from 1 to 100000000 iterations (got 0)"),
    ])
    func flagsOutOfRangeAreUsageErrors(arguments: [String], message: String) throws {
        let result = try runCommand(kmon, arguments)
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(Self.firstLine(result.stderr) == message, "stderr: \(result.stderr)")
    }

    /// kmon-service keeps kmon's codes: 64 for a bad flag (it exited 1 before).
    @Test(arguments: [
        (["--spec", "workloads/single.yaml", "--service", "app", "--max-connections", "0"],
         "kmon-service: --max-connections must be"),
        (["--spec", "workloads/single.yaml"], "kmon-service: --service NAME is required"),
    ])
    func serviceFlagsOutOfRangeAreUsageErrors(arguments: [String], prefix: String) throws {
        let result = try runCommand(BuildProducts.executable("kmon-service"), arguments)
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(Self.firstLine(result.stderr).hasPrefix(prefix), "stderr: \(result.stderr)")
    }

    @Test(Privileged.enabled, arguments: [
        ("config", "collector:\n  offcpu:\n    min_duration: 1e30s\n", ["--collect", "offcpu"],
         "collector.offcpu.min_duration must be from 0 to 31536000 seconds (got \"1e30s\")"),
        ("config", "collector:\n  tcpdrop:\n    export: { period: inf }\n", ["--collect", "tcpdrop"],
         "collector.tcpdrop.export.period must be from 0.1 to 3600 seconds (got \"inf\")"),
        ("workload", "ingress: a\nservices:\n  - name: a\n    port: 18999\n    work: { cpu_us: 20000000000000000 }\n", [],
         ":5: service \"a\", field \"work.cpu_us\", value \"20000000000000000\": must be from 0 to 60000000 microseconds"),
    ])
    func filesOutOfRangeAreBadInput(flag: String, contents: String, extra: [String], message: String) throws {
        try Privileged.check()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-numbers-\(getpid())-\(flag).yaml").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let result = try runCommand(kmon, ["monitor", "--\(flag)", path, "--duration", "1"] + extra)
        #expect(result.status == 65, "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
        #expect(Self.firstLine(result.stderr).hasPrefix("error: \(path)"), "stderr: \(result.stderr)")
        #expect(Self.firstLine(result.stderr).hasSuffix(message), "stderr: \(result.stderr)")
    }

    /// The spec is checked by `workload up` too, before any service starts: a service used to
    /// start and then die on its first request.
    @Test(Privileged.enabled) func workloadUpRefusesHugeWork() throws {
        try Privileged.check()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-numbers-\(getpid())-up.yaml").path
        try "ingress: a\nservices:\n  - name: a\n    port: 18998\n    work: { sleep_us: 9223372036854775807 }\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let result = try runCommand(kmon, ["workload", "up", path])
        #expect(result.status == 65, "stderr: \(result.stderr)")
        #expect(Self.firstLine(result.stderr).hasSuffix("field \"work.sleep_us\", value \"9223372036854775807\": must be from 0 to 60000000 microseconds"),
                "stderr: \(result.stderr)")
    }
}
