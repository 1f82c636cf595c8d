import BPF
import CKmonEvents
import Foundation

/// The maps whose limits a busy node can reach, made loud: `listeners` is sized to the node,
/// and what still does not fit, like the entries an LRU state map evicts, is counted in `lost`.
extension TcpreqSession {
    /// Room for the listeners found at start and as many again opening later, never less than
    /// the object's own 16,384; at most about a million (a key is 24 bytes).
    static func listenersCapacity(found: Int) -> UInt32 {
        UInt32(min(max(16_384, found * 2), 1 << 20))
    }

    /// Before load: reads the node's listeners and sizes `listeners` for them.
    func sizeListeners() throws {
        initialListeners = ListeningSockets.current()
        try object.map("listeners").setMaxEntries(Self.listenersCapacity(found: initialListeners.count))
    }

    /// After load: puts the listeners read at start in the map; those that do not fit are counted.
    func fillListeners() throws {
        let listeners = try object.map("listeners")
        for (socket, count) in initialListeners {
            do { try listeners.update(socket.key, count) } catch let error as BPFError where error.errno == E2BIG {
                listenersNotLoaded += 1
            }
        }
        if listenersNotLoaded > 0 {
            logger.warning("\(listenersNotLoaded) of \(initialListeners.count) listening endpoints did not fit in the listeners map: connections to them that were open before the monitor get no role")
        }
        initialListeners = [:]
    }

    /// The hash map that holds per-connection state, where the variant keeps it in one.
    var stateTable: String? {
        switch configuration.variant {
        case .syscall, .kprobe: return "conn_state"
        case .skb, .sock, .fentry: return stateHome == .table ? "conn_table" : nil
        case .empty: return nil
        }
    }

    /// The state table when it is an LRU map (syscall, kprobe, skb): full, it evicts its oldest
    /// entry, a connection's span in progress, without telling anyone.
    var evictingStateMap: String? {
        [.syscall, .kprobe, .skb].contains(configuration.variant) ? stateTable : nil
    }

    /// Listeners the kernel could not record (opened while the map was full) or user space
    /// could not load at start.
    func listenersNotTracked() throws -> UInt64 {
        guard let counts = try? object.map("state_counts") else { return listenersNotLoaded } // an older object
        return listenersNotLoaded + (try counts.sumPerCPUCounter(at: UInt32(TCPREQ_COUNT_LISTENERS_FULL)))
    }

    /// Spans with a response in flight that found no room in the in-flight index, less those
    /// that closed since: what the stop-time walk cannot close. Exact once the hooks are detached.
    func unindexedInFlight() throws -> UInt64 {
        guard stopFlush == .index, let counts = try? object.map("state_counts"),
              counts.maxEntries > UInt32(TCPREQ_COUNT_INFLIGHT_UNINDEXED) else { return 0 }
        let sum = try counts.sumPerCPUCounter(at: UInt32(TCPREQ_COUNT_INFLIGHT_UNINDEXED))
        return Int64(bitPattern: sum) > 0 ? sum : 0 // a close racing its own turn may take back one too many
    }

    /// Entries the LRU state map evicted: inserts - deletes - entries present. `exact` walks the
    /// map, which is only exact once the hooks are detached; otherwise this is a lower bound
    /// (entries present are at most the map's capacity), so a live count never reports an
    /// eviction that did not happen.
    func evictions(exact: Bool) throws -> UInt64 {
        guard let name = evictingStateMap, let counts = try? object.map("state_counts") else { return 0 }
        let table = try object.map(name)
        let inserts = try counts.sumPerCPUCounter(at: UInt32(TCPREQ_COUNT_STATE_INSERTS))
        let deletes = try counts.sumPerCPUCounter(at: UInt32(TCPREQ_COUNT_STATE_DELETES))
        let present = exact ? UInt64(try table.fill().entries) : UInt64(table.maxEntries)
        let held = inserts >= deletes ? inserts - deletes : 0
        return held > present ? held - present : 0
    }
}
