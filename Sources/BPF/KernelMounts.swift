import Foundation
import Glibc
import KmonSystem

/// The pseudo-filesystems BPF tooling relies on: tracefs (tracepoint ids and formats) and
/// bpffs (pinning). Either may be unmounted on a fresh machine.
public enum KernelMounts {
    public struct Mount: Sendable, Equatable {
        public var name: String
        public var path: String
        public var fstype: String
        public var mounted: Bool
        /// What was done or must be done, when it was not mounted.
        public var note: String?
    }

    static let wanted: [(name: String, path: String, fstype: String)] = [
        ("tracefs", "/sys/kernel/tracing", "tracefs"),
        ("bpffs", "/sys/fs/bpf", "bpf"),
    ]

    /// Mount points and filesystem types from /proc/self/mounts.
    public static func current() -> [(path: String, fstype: String)] {
        guard let text = ProcFile.read("/proc/self/mounts") else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            return f.count >= 3 ? (String(f[1]), String(f[2])) : nil
        }
    }

    /// The first cgroup v2 mount (e.g. /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems).
    public static func cgroup2Path() -> String? {
        current().first { $0.fstype == "cgroup2" }?.path
    }

    /// Reports each mount; with `mountMissing`, mounts what is missing (needs root).
    public static func check(mountMissing: Bool) -> [Mount] {
        let mounts = current()
        return wanted.map { want in
            if mounts.contains(where: { $0.path == want.path && $0.fstype == want.fstype }) {
                return Mount(name: want.name, path: want.path, fstype: want.fstype, mounted: true, note: nil)
            }
            let command = "mount -t \(want.fstype) \(want.fstype == "bpf" ? "bpf" : "nodev") \(want.path)"
            guard mountMissing else {
                return Mount(name: want.name, path: want.path, fstype: want.fstype, mounted: false,
                             note: "not mounted; run as root: \(command)")
            }
            if mount(want.fstype, want.path, want.fstype, 0, nil) == 0 {
                return Mount(name: want.name, path: want.path, fstype: want.fstype, mounted: true, note: "mounted by kmon")
            }
            let reason = String(cString: strerror(errno))
            return Mount(name: want.name, path: want.path, fstype: want.fstype, mounted: false,
                         note: "mount failed (\(reason)); run as root: \(command)")
        }
    }
}
