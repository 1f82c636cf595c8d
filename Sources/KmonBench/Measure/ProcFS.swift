import Foundation
import Glibc
import KmonSystem

/// Readers for the few /proc and cgroup files the bench's resource accounting needs. The
/// parsers are separate from the reads so they can be tested on captured text.
public enum ProcFS {
    /// User and system CPU time in clock ticks from a /proc/PID/stat line. The command name
    /// sits in parentheses and may itself hold spaces or parentheses, so fields are counted
    /// from the last ')'.
    public static func parseStatCPUTicks(_ line: String) -> (user: UInt64, system: UInt64)? {
        guard let close = line.lastIndex(of: ")") else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        // After the comm come: state(3) ppid(4) ... utime(14) stime(15).
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        return (user, system)
    }

    /// VmRSS in kB from /proc/PID/status.
    public static func parseResidentKilobytes(status: String) -> UInt64? {
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(separator: " ").dropFirst().first.flatMap { UInt64($0) }
        }
        return nil
    }

    /// `usage_usec` from a cgroup v2 cpu.stat file.
    public static func parseCgroupUsageMicroseconds(cpuStat: String) -> UInt64? {
        for line in cpuStat.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 && parts[0] == "usage_usec" { return UInt64(parts[1]) }
        }
        return nil
    }

    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// CPU time (user + system) of a live process and all its threads, past and present, in µs.
    /// Resolution is one clock tick (usually 10 ms): enough for per-request figures over
    /// thousands of requests.
    public static func processCPUMicroseconds(pid: Int32) -> Double? {
        guard let text = ProcFile.read("/proc/\(pid)/stat"),
              let ticks = parseStatCPUTicks(text) else { return nil }
        return Double(ticks.user + ticks.system) / ticksPerSecond * 1_000_000
    }

    /// This process's own CPU time in µs (kernel-precise, not tick-rounded).
    public static func ownCPUMicroseconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return microseconds(usage.ru_utime) + microseconds(usage.ru_stime)
    }

    /// The calling thread's CPU time in µs.
    public static func threadCPUMicroseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1_000_000 + Double(ts.tv_nsec) / 1000
    }

    public static func residentMegabytes(pid: Int32? = nil) -> Double? {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let text = ProcFile.read(path),
              let kilobytes = parseResidentKilobytes(status: text) else { return nil }
        return Double(kilobytes) / 1024
    }

    public static func cgroupCPUMicroseconds(cgroupDirectory: String) -> Double? {
        guard let text = ProcFile.read(cgroupDirectory + "/cpu.stat") else { return nil }
        return parseCgroupUsageMicroseconds(cpuStat: text).map(Double.init)
    }

    private static func microseconds(_ value: timeval) -> Double {
        Double(value.tv_sec) * 1_000_000 + Double(value.tv_usec)
    }
}

extension ProcFS {
    /// Thread ids of this process.
    public static func ownThreadIDs() -> Set<Int32> {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return Set(tasks.compactMap { Int32($0) })
    }

    /// Time on CPU of one of this process's threads, µs, from its schedstat (ns, not tick-rounded).
    public static func ownThreadCPUMicroseconds(tid: Int32) -> Double? {
        guard let text = ProcFile.read("/proc/self/task/\(tid)/schedstat") else { return nil }
        return parseSchedstatNanoseconds(text).map { Double($0) / 1000 }
    }

    /// The first field of a schedstat line: ns spent running.
    public static func parseSchedstatNanoseconds(_ text: String) -> UInt64? {
        text.split(separator: " ").first.flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

extension ProcFS {
    /// Busy time of all CPUs together, µs, from the first line of /proc/stat: user, nice, system,
    /// irq, softirq and steal (idle and iowait left out). Clock-tick resolution.
    public static func machineBusyMicroseconds() -> Double? {
        guard let text = ProcFile.read("/proc/stat") else { return nil }
        return parseMachineBusyTicks(text).map { Double($0) / ticksPerSecond * 1_000_000 }
    }

    public static func parseMachineBusyTicks(_ text: String) -> UInt64? {
        guard let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal
        return fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
    }
}
