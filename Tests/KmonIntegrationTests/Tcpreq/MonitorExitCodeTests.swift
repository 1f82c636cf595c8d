import BPF
import Foundation
import Glibc
import Testing

/// `kmon monitor`'s exit codes as the README's table states them.
@Suite("kmon monitor exit codes", .serialized, Privileged.enabled)
struct MonitorExitCodeTests {
    let kmon = BuildProducts.executable("kmon")

    /// Ctrl-C on a monitor without --duration exited 0; interrupted means 130, after the
    /// summary is printed and every probe is detached. With `--container` its rescan thread
    /// must stop too, or the process would not exit.
    @Test(arguments: [[], ["--container", "^kmon-none$", "--pod", "^x/y$"]])
    func interruptWithoutDurationExits130AndLeavesNoLink(filter: [String]) throws {
        try Privileged.check()
        let monitor = try ChildMonitor(arguments: ["--json", "--interval", "0.2", "--pid", "\(getpid())"] + filter)
        defer { monitor.kill() }
        try monitor.waitUntilWatching(timeout: 30)
        let programs = Self.programs(heldBy: monitor.pid)
        #expect(KernelObjects.links().contains { programs.contains($0.programID) }, "the monitor attached no link")
        _ = try monitor.interruptAndReadSummary() // throws unless the exit status is 130
        #expect(!KernelObjects.links().contains { programs.contains($0.programID) })
    }

    /// A pid or cgroup that names nothing is a bad argument, for tcpreq and the collectors
    /// alike: it was 1 with tcpreq, 65 (cgroup) or a run watching nothing (pid) with collectors.
    @Test(arguments: [[], ["--collect", "offcpu"]])
    func badPidOrCgroupIsAUsageError(collectors: [String]) throws {
        try Privileged.check()
        for (filter, message) in [(["--pid", "2147483647"], "Error: --pid 2147483647: no such process"),
                                  (["--cgroup", "/nonexistent-kmon"], "Error: --cgroup \"/nonexistent-kmon\": /nonexistent-kmon is not a cgroup directory")] {
            let result = try runCommand(kmon, ["monitor", "--duration", "1"] + filter + collectors)
            #expect(result.status == 64, "\(filter): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").first.map(String.init) == message, "\(filter): \(result.stderr)")
        }
    }

    /// `--cgroup` relative to the cgroup2 mount, as the collectors always took it, now works for
    /// tcpreq too (it looked relative to the working directory and exited 1).
    @Test func relativeCgroupReachesTcpreq() throws {
        try Privileged.check()
        let result = try runCommand(kmon, ["monitor", "--duration", "0.5", "--cgroup", "."])
        #expect(result.status == 0, "stderr: \(result.stderr)")
    }

    /// Program ids in the `prog_id:` lines of a process's fdinfo: its programs and links.
    static func programs(heldBy pid: Int32) -> Set<UInt32> {
        let dir = "/proc/\(pid)/fdinfo"
        return Set(((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).compactMap { fd -> UInt32? in
            guard let text = try? String(contentsOfFile: "\(dir)/\(fd)", encoding: .utf8),
                  let line = text.split(separator: "\n").first(where: { $0.hasPrefix("prog_id:") }) else { return nil }
            return UInt32(line.dropFirst("prog_id:".count).trimmingCharacters(in: .whitespaces))
        })
    }
}
