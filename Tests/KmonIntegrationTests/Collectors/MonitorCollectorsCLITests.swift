import Foundation
import Glibc
import BPF
import CKmonEvents
import CLibbpf
import Testing

/// `kmon monitor` with collectors, run as users run it.
@Suite("kmon monitor --collect", Privileged.enabled)
struct MonitorCollectorsCLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func kmon(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = BuildProducts.executable("kmon")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test("fcount and offcpu report under collectors.<name> in --json, with their programs' cost")
    func jsonSummary() throws {
        try Privileged.check()
        let run = try Self.kmon(["monitor", "--collect", "fcount,offcpu", "--fcount", "syscalls:sys_enter_getppid",
                                 "--pid", "\(getpid())", "--verbose-level", "offcpu=2", "--duration", "1", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["services"] == nil, "tcpreq was not asked for")
        let collectors = try #require(json["collectors"] as? [String: Any])
        let fcount = try #require(collectors["fcount"] as? [String: Any])
        let counts = try #require(fcount["counts"] as? [[String: Any]])
        #expect(counts.first?["event"] as? String == "syscalls:sys_enter_getppid")
        let programs = try #require(fcount["programs"] as? [[String: Any]])
        #expect(programs.first?["name"] as? String == "fcount_tracepoint")
        let offcpu = try #require(collectors["offcpu"] as? [String: Any])
        #expect(offcpu["verbosity"] as? Int == 2)
    }

    @Test("bad collector flags and configs exit with a sentence naming the problem", arguments: [
        (["--collect", "tcpdrop,bogus"], Int32(64), "unknown collector \"bogus\""),
        (["--collect", "biostat", "--verbose-level", "biostat=3"], 64, "bad verbosity 3 for biostat"),
        (["--fcount", "syscalls:sys_enter_nonesuch"], 65, "unknown tracepoint \"syscalls:sys_enter_nonesuch\""),
    ])
    func badFlags(arguments: [String], status: Int32, message: String) throws {
        try Privileged.check()
        let run = try Self.kmon(["monitor", "--duration", "1"] + arguments)
        #expect(run.status == status, "\(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test("a bad config file exits 65 naming the file and the key")
    func badConfig() throws {
        try Privileged.check()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-config-\(getpid()).yaml").path
        try "collector:\n  offcpu:\n    verbose: 9\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let run = try Self.kmon(["monitor", "--config", path, "--duration", "1"])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains(path) && run.stderr.contains("collector.offcpu.verbose"), "\(run.stderr)")
    }
}

/// Links in the kernel whose program name starts with one of the collectors' program prefixes.
enum CollectorLinks {
    static let prefixes = ["tcpdrop_", "offcpu_", "biostat_", "fcount_"]

    static func programName(id: UInt32) -> String? {
        let fd = bpf_prog_get_fd_by_id(id)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        guard bpf_obj_get_info_by_fd(fd, &info, &length) == 0 else { return nil }
        return withUnsafeBytes(of: info.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    static func count(programs: Set<UInt32>) -> Int {
        KernelObjects.links().filter { programs.contains($0.programID) }.count
    }

    /// The collector programs a process holds, from the `prog_id:` lines of its fdinfo, so links
    /// made by other tests running beside this one are not counted.
    static func collectorPrograms(of pid: Int32) -> Set<UInt32> {
        let dir = "/proc/\(pid)/fdinfo"
        let ids = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).compactMap { fd -> UInt32? in
            guard let text = try? String(contentsOfFile: "\(dir)/\(fd)", encoding: .utf8),
                  let line = text.split(separator: "\n").first(where: { $0.hasPrefix("prog_id:") }) else { return nil }
            return UInt32(line.dropFirst("prog_id:".count).trimmingCharacters(in: .whitespaces))
        }
        return Set(ids.filter { id in programName(id: id).map { name in prefixes.contains { name.hasPrefix($0) } } ?? false })
    }
}

extension MonitorCollectorsCLITests {
    @Test("Ctrl-C stops kmon monitor with every collector at its highest level and leaves no link behind")
    func interruptDetaches() throws {
        try Privileged.check()
        let process = Process()
        process.executableURL = BuildProducts.executable("kmon")
        process.arguments = ["monitor", "--collect", "tcpdrop,offcpu,biostat,fcount", "--fcount", "syscalls:sys_enter_write",
                             "--verbose-level", "3", "--pid", "\(getpid())"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var theirs = Set<UInt32>()
        let attached = CollectorTestSupport.waitUntil(seconds: 20) {
            theirs = CollectorLinks.collectorPrograms(of: process.processIdentifier)
            return CollectorLinks.count(programs: theirs) >= 8 // 4 tcpdrop + 1 offcpu + 2-3 biostat + 1 fcount
        }
        #expect(attached, "kmon monitor did not attach its collectors")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(CollectorLinks.count(programs: theirs) == 0)
    }
}
