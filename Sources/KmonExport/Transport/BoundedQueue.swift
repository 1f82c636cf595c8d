import Foundation

/// A FIFO with a fixed capacity between the producers (probe path, period timer) and one sender
/// thread. Appending never waits: when the queue is full the new items are dropped and counted,
/// and the ones already buffered keep their order. The sender peeks a batch, tries to deliver it,
/// and removes it only once delivered, so a sink outage keeps the data until space runs out.
///
/// Memory follows what is buffered, not the bound: the ring starts small, doubles when full (up
/// to `capacity`) and goes back to its first size once emptied, so a large `--clickhouse-buffer`
/// costs nothing while the sink keeps up.
public final class BoundedQueue<Element>: @unchecked Sendable {
    public let capacity: Int
    /// Slots reserved at start and kept after the queue empties.
    public let initialStorage: Int
    private let condition = NSCondition()
    private var storage: [Element?]
    private var head = 0
    private var count = 0
    private var dropped: UInt64 = 0
    private var delivered: UInt64 = 0
    private var closed = false
    /// How many items the waiting sender wants before it is woken (0: nobody waits), so that
    /// producers do not wake it for every item while it fills a batch.
    private var wanted = 0

    public init(capacity: Int, initialStorage: Int = 1024) {
        precondition(capacity > 0, "a queue needs room for at least one item")
        self.capacity = capacity
        self.initialStorage = Swift.min(capacity, Swift.max(1, initialStorage))
        storage = Array(repeating: nil, count: self.initialStorage)
    }

    /// Doubles the ring, up to `capacity`, with the items moved to the front in order. Called
    /// with the lock held when the ring is full.
    private func grow() {
        let size = Swift.min(capacity, storage.count * 2)
        var next = [Element?](repeating: nil, count: size)
        for i in 0..<count { next[i] = storage[(head + i) % storage.count] }
        storage = next
        head = 0
    }

    /// Appends what fits and returns how many were accepted; the rest are counted as dropped.
    @discardableResult
    public func append<S: Sequence>(contentsOf items: S) -> Int where S.Element == Element {
        condition.withLock {
            var accepted = 0
            for item in items {
                if count == capacity {
                    dropped += 1
                    continue
                }
                if count == storage.count { grow() }
                storage[(head + count) % storage.count] = item
                count += 1
                accepted += 1
            }
            if accepted > 0 && wanted > 0 && count >= wanted { condition.signal() }
            return accepted
        }
    }

    @discardableResult
    public func append(_ item: Element) -> Bool {
        append(contentsOf: CollectionOfOne(item)) == 1
    }

    /// Up to `limit` items from the front, left in place. Waits up to `timeout` seconds for the
    /// first one; returns an empty batch on timeout or once closed and empty.
    public func peek(max limit: Int, waitingUpTo timeout: Double) -> [Element] {
        let deadline = Date(timeIntervalSinceNow: timeout)
        return condition.withLock {
            wanted = 1
            while count == 0 && !closed && condition.wait(until: deadline) {}
            wanted = 0
            let n = Swift.min(limit, count)
            return (0..<n).map { storage[(head + $0) % storage.count]! }
        }
    }

    /// Waits until at least `n` items are buffered, the queue is closed, or `deadline` passes:
    /// a sender that prefers few large batches (ClickHouse) fills them before peeking.
    public func wait(forCount n: Int, until deadline: Date) {
        condition.withLock {
            wanted = Swift.min(n, capacity)
            while count < wanted && !closed && condition.wait(until: deadline) {}
            wanted = 0
        }
    }

    /// What became of items the sender removes.
    public enum Disposition: Sendable {
        case delivered
        /// Given up on (the output failed for good): counted with the overflow drops.
        case dropped
        /// Accounted for by the owner (a sink that refused them).
        case uncounted
    }

    /// Removes `n` items from the front once the sender is done with them.
    public func removeFirst(_ n: Int, as disposition: Disposition = .delivered) {
        condition.withLock {
            let n = Swift.min(n, count)
            for i in 0..<n { storage[(head + i) % storage.count] = nil }
            head = (head + n) % storage.count
            count -= n
            if count == 0 && storage.count > initialStorage {
                storage = Array(repeating: nil, count: initialStorage)
                head = 0
            }
            switch disposition {
            case .delivered: delivered += UInt64(n)
            case .dropped: dropped += UInt64(n)
            case .uncounted: break
            }
        }
    }

    /// Wakes a sender waiting in `peek`, for shutdown.
    public func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }

    public var bufferedCount: Int { condition.withLock { count } }
    /// Slots allocated now: from `initialStorage` up to `capacity`, as the queue fills.
    public var allocatedCount: Int { condition.withLock { storage.count } }
    public var droppedCount: UInt64 { condition.withLock { dropped } }
    public var deliveredCount: UInt64 { condition.withLock { delivered } }
}
