import Foundation
import KmonLoad
import Testing

/// `kmon load` as users run it: exit codes, messages, JSON and the records file.
@Suite(.serialized, Privileged.enabled)
struct LoadCommandTests {
    let kmon = BuildProducts.executable("kmon")

    @Test(arguments: [
        (["ftp://127.0.0.1/"], "only http:// is supported"),
        (["http://127.0.0.1:1/", "--rate", "0"], "--rate must be 'max' or from 0.001 to 10000000 requests per second"),
        (["http://127.0.0.1:1/", "--rate=-5"], "--rate must be 'max' or from 0.001 to 10000000 requests per second"),
        (["http://127.0.0.1:1/", "--duration", "0"], "--duration must be from 0.001 to 31536000 seconds"),
        (["http://127.0.0.1:1/", "--duration=-1"], "--duration must be from 0.001 to 31536000 seconds"),
        (["http://127.0.0.1:1/", "--scenario", "pipelined:0"], "The value 'pipelined:0' is invalid for '--scenario <scenario>'. Please provide one of"),
        (["http://127.0.0.1:1/", "--methods", "GET:50"], "--methods: the percentages add up to 50.0, not 100"),
        (["http://127.0.0.1:1/", "--methods", "GET:50,PUT:50"], "--methods: 'PUT:50' is not GET:PERCENT or POST:PERCENT"),
        (["http://127.0.0.1:1/", "--methods", "GET:50,POST:5O"], "--methods: '5O' is not a percentage"),
        (["http://127.0.0.1:1/", "--body-bytes", "2000000"], "--body-bytes must be from 0 to 1048576 bytes"),
    ])
    func badInputIsAUsageError(_ arguments: [String], _ message: String) throws {
        try Privileged.check()
        let result = try runCommand(kmon, ["load"] + arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    @Test func unreachableServerFailsWithAReason() throws {
        try Privileged.check()
        let result = try runCommand(kmon, ["load", "http://127.0.0.1:1/", "--rate", "10", "--duration", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot connect to 127.0.0.1:1: Connection refused"), "stderr: \(result.stderr)")
    }

    /// Ctrl-C mid-run: the summary of what was sent is printed, then exit 130 (README "Exit codes").
    @Test func interruptPrintsTheSummaryAndExits130() throws {
        try Privileged.check()
        let service = try LoadTestService()
        let process = Process()
        process.executableURL = kmon
        process.arguments = ["load", service.url, "--rate", "100", "--duration", "60", "--warmup", "0", "--connections", "1", "--json"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        usleep(1_500_000)
        kill(process.processIdentifier, SIGINT)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let json = try JSONSerialization.jsonObject(with: stdout) as? [String: Any]
        #expect((json?["requests"] as? Int ?? 0) > 0, "\(String(decoding: stdout, as: UTF8.self))")
    }

    @Test func jsonSummaryAndRecordsFile() throws {
        try Privileged.check()
        let service = try LoadTestService()
        let path = "/tmp/kmon-load-cli-\(getpid()).kgt"
        defer { unlink(path) }
        let result = try runCommand(kmon, ["load", service.url, "--rate", "200", "--duration", "1", "--warmup", "0.2",
                                           "--connections", "2", "--records", path, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let requests = json?["requests"] as? Int ?? -1
        #expect((190...210).contains(requests))
        #expect(json?["errors"] as? Int == 0)
        #expect((json?["achieved_rps"] as? Double).map { abs($0 - 200) < 10 } == true)
        for key in ["latency_us", "uncorrected_latency_us"] {
            let p = json?[key] as? [String: Double]
            #expect(p.map { Set($0.keys).isSuperset(of: ["p50", "p90", "p99", "p999", "max"]) } == true, "\(key): \(String(describing: p))")
        }
        #expect((json?["schedule_lag_us"] as? [String: Double]).map { $0["p50"] != nil && $0["p99"] != nil } == true)
        let records = try GroundTruthFile.read(from: path)
        #expect(records.filter { !$0.flags.contains(.warmUp) }.count == requests)
        #expect(records.allSatisfy { $0.method == .get })
    }

    @Test func methodMixIsRecordedPerRequest() throws {
        try Privileged.check()
        let service = try LoadTestService()
        let path = "/tmp/kmon-load-cli-mix-\(getpid()).kgt"
        defer { unlink(path) }
        let result = try runCommand(kmon, ["load", service.url, "--rate", "400", "--duration", "1", "--warmup", "0",
                                           "--connections", "2", "--methods", "GET:70,POST:30", "--body-bytes", "100",
                                           "--records", path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let records = try GroundTruthFile.read(from: path)
        let posts = records.filter { $0.method == .post }.count
        #expect(records.count > 300 && records.allSatisfy { [.get, .post].contains($0.method) && $0.status == 200 })
        #expect(abs(Double(posts) / Double(records.count) - 0.3) < 0.08, "\(posts) of \(records.count)")
    }
}
