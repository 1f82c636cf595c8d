import Foundation
import KmonSupport

/// Keeps a BPF hash map used as a set (key → 1) equal to the keys user space wants, read again
/// every `interval` seconds on a thread of its own: for choices the kernel cannot make itself, such
/// as a regex over process names or a walk of the cgroup tree. A wanted key the map has no room for
/// is refused and counted, never dropped silently; it gets in when room frees up.
public final class BPFSetFeeder<Key: Hashable & BitwiseCopyable>: @unchecked Sendable {
    private let map: BPFMap
    private let threadName: String
    private let wanted: () -> Set<Key>
    private let removed: (Key) -> Void
    private let refusedGrew: (Int) -> Void
    private var current = Set<Key>()
    private var refused = Set<Key>()
    private var refusedSoFar: UInt64 = 0
    /// Refreshes run on the feeder's thread; the counts are read from others.
    private let lock = NSLock()
    private let stopToken = StopToken()
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    /// `removed` runs for each key that leaves the map; `refusedGrew` when more keys are refused
    /// than at the refresh before, with how many are now.
    public init(map: BPFMap, threadName: String, wanted: @escaping () -> Set<Key>,
                removed: @escaping (Key) -> Void = { _ in }, refusedGrew: @escaping (Int) -> Void = { _ in }) {
        self.map = map
        self.threadName = threadName
        self.wanted = wanted
        self.removed = removed
        self.refusedGrew = refusedGrew
    }

    /// The keys in the map.
    public var keys: Set<Key> { lock.withLock { current } }
    /// Keys refused for want of room since the feeder began, each counted once when first refused.
    public var refusedCount: UInt64 { lock.withLock { refusedSoFar } }

    /// Brings the map up to date: adds new keys, removes gone ones.
    public func refresh() {
        lock.lock()
        defer { lock.unlock() }
        let next = wanted()
        for key in current.subtracting(next) {
            try? map.delete(key)
            removed(key)
        }
        current.formIntersection(next)
        var nowRefused = Set<Key>()
        for key in next.subtracting(current) {
            do {
                try map.update(key, UInt8(1))
                current.insert(key)
            } catch {
                nowRefused.insert(key)
            }
        }
        refusedSoFar += UInt64(nowRefused.subtracting(refused).count)
        if nowRefused.count > refused.count { refusedGrew(nowRefused.count) }
        refused = nowRefused
    }

    /// Refreshes every `interval` seconds until `stop()`.
    public func start(every interval: Double) {
        let t = Thread { [self] in
            while !stopToken.wait(seconds: interval) { refresh() }
            done.signal()
        }
        t.name = threadName
        thread = t
        t.start()
    }

    public func stop() {
        guard thread != nil else { return }
        stopToken.stop(reason: "feeder stopped")
        done.wait()
        thread = nil
    }
}
