import BPF
import Foundation
import KmonSupport
import KmonSystem

/// Keeps a collector's `target_tgids` map equal to the listen filter's pids plus every process
/// whose name matches the comm regex. A regex cannot run in the kernel, so this scans /proc
/// and re-scans every `commRefreshSeconds`: a matching process that starts between scans is
/// missed until the next one.
final class PidFilterFeeder {
    private let map: BPFMap
    private let explicit: Set<Int32>
    private let regex: NSRegularExpression?
    private let interval: Double
    private var current = Set<Int32>()
    /// Wanted pids the map had no room for at the last refresh (it holds 8,192).
    private var refused = Set<Int32>()
    /// Processes that matched but were not watched for want of room, each counted once when
    /// first refused: a loss like any other, never silent.
    var refusedCount: UInt64 { lock.withLock { refusedSoFar } }
    private var refusedSoFar: UInt64 = 0
    /// Refreshes run on the feeder's thread; losses are read from others.
    private let lock = NSLock()
    private let stopToken = StopToken()
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    init(map: BPFMap, filter: ListenFilter) throws {
        self.map = map
        explicit = filter.pids
        regex = try filter.comm.map { try NSRegularExpression(pattern: $0) }
        interval = filter.commRefreshSeconds
    }

    /// The pids the map should hold now.
    func wanted() -> Set<Int32> {
        guard let regex else { return explicit }
        return explicit.union(Self.processes().filter { _, comm in
            regex.firstMatch(in: comm, range: NSRange(comm.startIndex..., in: comm)) != nil
        }.map(\.pid))
    }

    /// Brings the map up to date: adds new pids, removes gone ones.
    func refresh() {
        lock.lock()
        defer { lock.unlock() }
        let next = wanted()
        for pid in current.subtracting(next) { try? map.delete(UInt32(bitPattern: pid)) }
        current.formIntersection(next)
        var nowRefused = Set<Int32>()
        for pid in next.subtracting(current) {
            do {
                try map.update(UInt32(bitPattern: pid), UInt8(1))
                current.insert(pid)
            } catch {
                nowRefused.insert(pid)
            }
        }
        refusedSoFar += UInt64(nowRefused.subtracting(refused).count)
        refused = nowRefused
    }

    func start() {
        let t = Thread { [self] in
            while !stopToken.wait(seconds: interval) { refresh() }
            done.signal()
        }
        t.name = "kmon-pid-filter"
        thread = t
        t.start()
    }

    func stop() {
        guard thread != nil else { return }
        stopToken.stop(reason: "collector stopped")
        done.wait()
        thread = nil
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
