import Glibc

/// CPU time of a process from /proc/<pid>/stat (user + system, its finished threads included).
/// The kernel counts it in clock ticks (usually 10 ms), so compare it over seconds of load.
enum ProcessCPUTime {
    static let ticksPerSecond = UInt64(sysconf(Int32(_SC_CLK_TCK)))

    static func nanoseconds(pid: Int32) -> UInt64? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        return parse(Array(buffer[0..<n]))
    }

    /// Fields after the command name (which may hold spaces, so find the last ')'): state is the
    /// first, utime the 12th and stime the 13th.
    static func parse(_ stat: [UInt8]) -> UInt64? {
        guard let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 12,
              let user = UInt64(String(decoding: fields[fields.startIndex + 11], as: UTF8.self)),
              let system = UInt64(String(decoding: fields[fields.startIndex + 12], as: UTF8.self))
        else { return nil }
        return (user + system) * 1_000_000_000 / ticksPerSecond
    }
}
