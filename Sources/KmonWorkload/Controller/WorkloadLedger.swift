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

    static var directory: String {
        access("/run", W_OK) == 0 ? "/run/kmon/workloads" : NSTemporaryDirectory() + "kmon-workloads"
    }

    static func path(suffix: String) -> String { "\(directory)/\(suffix).json" }

    init(temporaryDirectory: String) {
        ownerPid = getpid()
        ownerStartTime = Self.startTime(of: getpid()) ?? 0
        self.temporaryDirectory = temporaryDirectory
    }

    func save(suffix: String) throws {
        try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
        let data = try JSONEncoder().encode(self)
        try data.write(to: URL(fileURLWithPath: Self.path(suffix: suffix)), options: .atomic)
    }

    static func remove(suffix: String) {
        unlink(path(suffix: suffix))
    }

    /// Removes what dead controllers left behind. Returns one line per ledger swept, and failures.
    static func sweepStale() -> (swept: [String], failures: [String]) {
        // One sweeper at a time on the host: two controllers starting together would otherwise
        // both delete the same leftovers and report each other's deletions as failures.
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = open(directory + "/.sweep.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
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
            for pid in pids { if let pid = Int32(pid) { kill(pid, SIGKILL) } }
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

    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = ProcFile.read("/proc/\(pid)/stat"),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}
