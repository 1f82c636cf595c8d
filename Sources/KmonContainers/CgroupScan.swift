import Foundation
import Glibc
import KmonSystem

/// One walk of the cgroup2 tree: every cgroup a container owns (its own and any below it),
/// with its id. Bounded in depth and in directories, so a hostile or huge tree cannot hold the
/// walk; symlinks are not followed (cgroupfs has none).
public enum CgroupScan {
    public struct Entry: Sendable, Hashable {
        public var cgroupID: UInt64
        /// Relative to the cgroup2 mount, e.g. `/libpod_parent/libpod-<id>`.
        public var path: String
    }

    public static let maxDepth = 16
    public static let maxDirectories = 100_000

    /// The container cgroups under `root` (the cgroup2 mount).
    public static func containerCgroups(root: String) -> [Entry] {
        var found: [Entry] = []
        var visited = 0
        var pending: [(path: String, depth: Int)] = [("", 0)]
        while let (path, depth) = pending.popLast(), visited < maxDirectories {
            visited += 1
            guard let directory = opendir(root + (path.isEmpty ? "/" : path)) else { continue }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
                let name = String(cCharArray: entry.pointee.d_name)
                guard name != ".", name != "..", depth < maxDepth else { continue }
                let child = path + "/" + name
                if let owner = CgroupPathParser.owner(ofPath: child), owner.runtime != .systemd {
                    found.append(Entry(cgroupID: UInt64(entry.pointee.d_ino), path: child))
                }
                pending.append((child, depth + 1))
            }
        }
        return found
    }
}
