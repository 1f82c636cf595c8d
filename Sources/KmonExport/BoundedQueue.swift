import Foundation

/// A FIFO with a fixed capacity between the producers (probe path, period timer) and one sender
/// thread. Appending never waits: when the queue is full the new items are dropped and counted,
/// and the ones already buffered keep their order. The sender peeks a batch, tries to deliver it,
/// and removes it only once delivered, so a sink outage keeps the data until space runs out.
public final class BoundedQueue<Element>: @unchecked Sendable {
    public let capacity: Int
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

    public init(capacity: Int) {
        precondition(capacity > 0, "a queue needs room for at least one item")
        self.capacity = capacity
        storage = Array(repeating: nil, count: capacity)
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
                storage[(head + count) % capacity] = item
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
            return (0..<n).map { storage[(head + $0) % capacity]! }
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
            for i in 0..<n { storage[(head + i) % capacity] = nil }
            head = (head + n) % capacity
            count -= n
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
    public var droppedCount: UInt64 { condition.withLock { dropped } }
    public var deliveredCount: UInt64 { condition.withLock { delivered } }
}
