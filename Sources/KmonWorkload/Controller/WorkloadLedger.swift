import Foundation
import Glibc
import KmonSystem

/// A note on disk of everything a workload will create, written before creating it and removed
/// after a clean stop. If the controller dies without stopping (SIGKILL, a crash), the next
/// controller finds the note of a dead owner and removes what it lists: `sweepStale()`, run at
/// every start and by `kmon workload cleanup`.
struct WorkloadLedger: Codable, Equatable {
    var ownerPid: Int32
    /// Field 22 of /proc/<pid>/stat, so a recycled pid is not taken for the owner.
    var ownerStartTime: UInt64
    var temporaryDirectory: String
    var links: [String] = []
    var namespaces: [String] = []
    /// Child groups first, then their parent.
    var cgroups: [String] = []

    /// This user's own ledger directory, never one shared with other users (they could plant
    /// ledgers in it): /run/kmon/workloads for root, else $XDG_RUNTIME_DIR/kmon-workloads, else
    /// $TMPDIR/kmon-workloads-UID. `PrivateDirectory` checks it on every use.
    static var directory: String {
        if geteuid() == 0 && access("/run", W_OK) == 0 { return "/run/kmon/workloads" }
        if geteuid() != 0, let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return runtime + "/kmon-workloads"
        }
        return NSTemporaryDirectory() + "kmon-workloads-\(geteuid())"
    }

    static func path(suffix: String) -> String { "\(directory)/\(suffix).json" }

    init(temporaryDirectory: String) {
        ownerPid = getpid()
        ownerStartTime = Self.startTime(of: getpid()) ?? 0
        self.temporaryDirectory = temporaryDirectory
    }

    func save(suffix: String) throws {
        try PrivateDirectory.ensure(Self.directory)
        try OutputFile.replace(Self.path(suffix: suffix), with: [UInt8](try JSONEncoder().encode(self)), mode: 0o600)
    }

    static func remove(suffix: String) {
        unlink(path(suffix: suffix))
    }

    /// Removes what dead controllers left behind. Returns one line per ledger swept, and failures.
    static func sweepStale() -> (swept: [String], failures: [String]) {
        // One sweeper at a time on the host: two controllers starting together would otherwise
        // both delete the same leftovers and report each other's deletions as failures.
        let directory = directory
        do { try PrivateDirectory.ensure(directory) } catch { return ([], ["\(error)"]) }
        let lock = open(directory + "/.sweep.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if lock >= 0 { flock(lock, LOCK_EX) }
        defer { if lock >= 0 { close(lock) } }
        var swept: [String] = [], failures: [String] = []
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files where file.hasSuffix(".json") {
            let path = "\(directory)/\(file)"
            guard let data = FileManager.default.contents(atPath: path),
                  let ledger = try? JSONDecoder().decode(WorkloadLedger.self, from: data),
                  !ledger.ownerIsAlive
            else { continue }
            if let problem = ledger.untrustedEntry {
                failures.append("\(path): \(problem); left alone")
                continue
            }
            let problems = ledger.removeEverything()
            failures += problems
            if problems.isEmpty { unlink(path) }
            swept.append("workload of dead pid \(ledger.ownerPid): \(ledger.namespaces.count) netns, \(ledger.links.count) links, \(ledger.cgroups.count) cgroups")
        }
        return (swept, failures)
    }

    var ownerIsAlive: Bool {
        Self.startTime(of: ownerPid) == ownerStartTime
    }

    private func removeEverything() -> [String] {
        var failures: [String] = []
        // Leftover services first: they hold the namespaces and cgroups.
        for group in cgroups {
            let pids = (ProcFile.read("\(group)/cgroup.procs") ?? "").split(separator: "\n")
            for pid in pids.compactMap({ Int32($0) }) where Self.isOurs(pid, inGroup: group) { kill(pid, SIGKILL) }
        }
        if !cgroups.isEmpty { usleep(100_000) }
        let existingLinks = (try? IPCommand.run(["-o", "link", "show"])) ?? ""
        for link in links where existingLinks.contains(" \(link):") || existingLinks.contains(" \(link)@") {
            do { try IPCommand.run(["link", "delete", link]) } catch { failures.append("\(error)") }
        }
        let existingNamespaces = ((try? IPCommand.run(["netns", "list"])) ?? "").split(separator: "\n").map { String($0.split(separator: " ")[0]) }
        for namespace in namespaces where existingNamespaces.contains(namespace) {
            do { try IPCommand.run(["netns", "delete", namespace]) } catch { failures.append("\(error)") }
        }
        for group in cgroups where rmdir(group) != 0 && errno != ENOENT {
            failures.append("\(SystemCallError("rmdir(\(group))"))")
        }
        try? FileManager.default.removeItem(atPath: temporaryDirectory)
        return failures
    }

    /// Why this ledger lists something a kmon of this user could not have made (it was edited),
    /// or nil: a scratch directory of ours under the temporary directory, kmon's own cgroups,
    /// links and namespaces.
    var untrustedEntry: String? {
        let temporaryRoot = NSTemporaryDirectory() + "kmon-"
        var info = stat()
        if !temporaryDirectory.hasPrefix(temporaryRoot) || temporaryDirectory.dropFirst(temporaryRoot.count).contains("/") {
            return "temporary directory \(temporaryDirectory) is not a kmon scratch directory"
        }
        if lstat(temporaryDirectory, &info) == 0 && !(info.st_mode & S_IFMT == S_IFDIR && info.st_uid == geteuid()) {
            return "temporary directory \(temporaryDirectory) is not a directory of ours"
        }
        let cgroupRoot = ServiceCgroups.cgroup2Mount().map { $0 + "/kmon-" }
        if let group = cgroups.first(where: { cgroupRoot == nil || !$0.hasPrefix(cgroupRoot!) || $0.contains("/..") }) {
            return "cgroup \(group) is not a kmon cgroup"
        }
        if let link = links.first(where: { !($0.hasPrefix("kmbr") || $0.hasPrefix("kmh")) }) { return "link \(link) is not a kmon link" }
        if let namespace = namespaces.first(where: { !$0.hasPrefix("kmon-") }) { return "namespace \(namespace) is not a kmon namespace" }
        return nil
    }

    /// A pid read from a kmon cgroup is killed only while it is still in that group and runs as
    /// this user: the pid may have exited and been reused since the read.
    static func isOurs(_ pid: Int32, inGroup group: String) -> Bool {
        guard let mount = ServiceCgroups.cgroup2Mount(),
              let membership = ProcFile.read("/proc/\(pid)/cgroup"),
              membership.split(separator: "\n").contains("0::" + group.dropFirst(mount.count))
        else { return false }
        var info = stat()
        return stat("/proc/\(pid)", &info) == 0 && info.st_uid == geteuid()
    }

    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = ProcFile.read("/proc/\(pid)/stat"),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}
