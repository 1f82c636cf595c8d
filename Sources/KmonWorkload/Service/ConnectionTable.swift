import Foundation
import Glibc
import Synchronization

/// The connections a service holds open, at most `limit` of them. Each is served by its own
/// thread, so the limit bounds threads, stacks and descriptors.
///
/// At the limit a new connection evicts the one that has waited longest for a request (one
/// that never sent a byte, or a keep-alive one between requests): shutdown(2) wakes its thread,
/// which closes it, as HTTP lets a server close an idle connection at any time. So idle
/// connections cannot lock clients out. Only when every connection is inside a request (for at
/// most the read limit) is the new one refused.
final class ConnectionTable: @unchecked Sendable {
    let limit: Int
    /// Evicted connections whose threads have not yet closed them. The accept loop waits while
    /// this many are pending, so a flood of connections cannot pile up threads past the limit.
    static let maxClosing = 64

    private let lock = NSLock()
    private var open: [OpenConnection] = []
    private var closing = 0
    private var evicted = 0
    private var refused = 0

    init(limit: Int) {
        self.limit = limit
        open.reserveCapacity(limit + Self.maxClosing)
    }

    /// Registers a new connection, evicting the longest idle one at the limit. Nil when every
    /// connection is busy: the caller refuses the new one.
    func admit(_ fd: Int32, now: UInt64) -> OpenConnection? {
        lock.withLock {
            if open.count - closing >= limit && !evictLongestIdle() {
                refused += 1
                return nil
            }
            let connection = OpenConnection(fd: fd, idleSince: now)
            connection.index = open.count
            open.append(connection)
            return connection
        }
    }

    /// Called by the connection's thread just before it closes the descriptor, so the table
    /// never shuts down a descriptor number that was closed and reused.
    func remove(_ connection: OpenConnection) {
        lock.withLock {
            if connection.evicted { closing -= 1 }
            let last = open.removeLast()
            if last !== connection {
                open[connection.index] = last
                last.index = connection.index
            }
        }
    }

    /// True while evicted connections are still closing.
    var isDraining: Bool { lock.withLock { closing >= Self.maxClosing } }

    /// Connections evicted and refused at the limit since start.
    var counts: (evicted: Int, refused: Int) { lock.withLock { (evicted, refused) } }

    private func evictLongestIdle() -> Bool {
        // A connection found idle may start a request before it is marked; then look again.
        for _ in 0..<3 {
            var oldest: OpenConnection?
            var since = UInt64.max
            for connection in open {
                let state = connection.state.load(ordering: .relaxed)
                if state > OpenConnection.busy && state < since {
                    oldest = connection
                    since = state
                }
            }
            guard let oldest else { return false }
            if oldest.state.compareExchange(expected: since, desired: OpenConnection.evictedState, ordering: .acquiringAndReleasing).exchanged {
                oldest.evicted = true
                shutdown(oldest.fd, Int32(SHUT_RDWR))
                closing += 1
                evicted += 1
                return true
            }
        }
        return false
    }
}

/// One open connection as its table sees it. The connection's thread marks where each burst of
/// requests begins and ends (an atomic store each, no lock); the table reads that to find an
/// idle connection to evict.
final class OpenConnection: @unchecked Sendable {
    let fd: Int32
    /// Position in the table, and whether the table evicted it: both under the table's lock.
    fileprivate var index = 0
    fileprivate var evicted = false
    /// `busy`, `evictedState`, or the CLOCK_MONOTONIC ns since which it has waited for a request.
    fileprivate let state: Atomic<UInt64>
    fileprivate static let evictedState: UInt64 = 0
    fileprivate static let busy: UInt64 = 1

    fileprivate init(fd: Int32, idleSince: UInt64) {
        self.fd = fd
        state = Atomic(max(idleSince, Self.busy + 1))
    }

    /// Bytes of a request arrived. False if the table evicted the connection meanwhile: the
    /// caller closes it without answering, as it would have on reading the shutdown.
    func beginRequest() -> Bool {
        state.exchange(Self.busy, ordering: .acquiringAndReleasing) != Self.evictedState
    }

    /// Every request so far is answered; from `now` on the connection waits for the next.
    func endRequest(now: UInt64) {
        state.store(max(now, Self.busy + 1), ordering: .releasing)
    }
}
