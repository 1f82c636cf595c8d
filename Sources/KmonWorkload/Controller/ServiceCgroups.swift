import Foundation
import Glibc
import KmonSystem

/// One cgroup v2 group per service under "<cgroup2 mount>/kmon-<suffix>/", for CPU time to the
/// microsecond (cpu.stat usage_usec) counting every thread, finished ones too. Optional: when
/// cgroup2 is not mounted or not writable, the controller falls back to /proc/<pid>/stat.
final class ServiceCgroups: @unchecked Sendable {
    let root: String
    private var groups: [String: String] = [:]

    /// nil when no writable cgroup2 hierarchy exists.
    init?(suffix: String) {
        guard let root = Self.rootPath(suffix: suffix), mkdir(root, 0o755) == 0 else { return nil }
        self.root = root
    }

    static func rootPath(suffix: String) -> String? {
        cgroup2Mount().map { "\($0)/kmon-\(suffix)" }
    }

    /// Moves the whole process (all its threads) into a new group for `service`.
    func add(service: String, pid: Int32) throws {
        let path = "\(root)/\(service)"
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw SystemCallError("mkdir(\(path))") }
        groups[service] = path
        try "\(pid)\n".write(toFile: "\(path)/cgroup.procs", atomically: false, encoding: .utf8)
    }

    func path(of service: String) -> String? { groups[service] }

    func usageNanoseconds(_ service: String) -> UInt64? {
        guard let path = groups[service],
              let text = ProcFile.read("\(path)/cpu.stat"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("usage_usec ") }),
              let micros = UInt64(line.dropFirst("usage_usec ".count))
        else { return nil }
        return micros * 1000
    }

    /// Removes the groups; call after their processes have exited.
    func teardown() -> [String] {
        var failures: [String] = []
        for path in groups.values.sorted() + [root] where rmdir(path) != 0 && errno != ENOENT {
            failures.append("\(SystemCallError("rmdir(\(path))"))")
        }
        groups = [:]
        return failures
    }

    /// Where cgroup2 is mounted: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid ones.
    static func cgroup2Mount() -> String? {
        guard let mounts = ProcFile.read("/proc/self/mountinfo") else { return nil }
        for line in mounts.split(separator: "\n") {
            // "... mountpoint options - fstype source superoptions"
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            if fields.count > 4 { return String(fields[4]) }
        }
        return nil
    }
}
