import BPF
import Foundation
import KmonSystem

/// Keeps a collector's `target_tgids` map equal to the listen filter's pids plus every process
/// whose name matches the comm regex. A regex cannot run in the kernel, so this scans /proc
/// and re-scans every `commRefreshSeconds`: a matching process that starts between scans is
/// missed until the next one. The map holds 8,192; a process refused for room is a loss.
enum PidFilterFeeder {
    static func make(map: BPFMap, filter: ListenFilter) throws -> BPFSetFeeder<Int32> {
        let explicit = filter.pids
        let regex = try filter.comm.map { try NSRegularExpression(pattern: $0) }
        // The map's keys are u32 tgids: an Int32 pid has the same bytes.
        return BPFSetFeeder(map: map, threadName: "kmon-pid-filter") {
            guard let regex else { return explicit }
            return explicit.union(processes().filter { _, comm in
                regex.firstMatch(in: comm, range: NSRange(comm.startIndex..., in: comm)) != nil
            }.map(\.pid))
        }
    }

    /// Every process in /proc with its comm.
    static func processes() -> [(pid: Int32, comm: String)] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = Int32(entry),
                  let comm = ProcFile.read("/proc/\(entry)/comm") else { return nil }
            return (pid, comm.trimmingCharacters(in: .newlines))
        }
    }
}
