/// What a session has read and lost.
public struct TcpreqCounters: Equatable, Sendable {
    public struct Lost: Equatable, Sendable {
        /// Records dropped because the ring buffer was full.
        public var ringBuffer: UInt64
        /// Connections or histogram rows not tracked because a map was full.
        public var storage: UInt64
        /// Connections whose state an LRU map (syscall, kprobe, skb variants) evicted to make
        /// room, with their span in progress. Exact after stop; while running, a lower bound.
        public var evicted: UInt64
        /// Listening endpoints that did not fit in the `listeners` map: connections to them
        /// that were open before the monitor get no role.
        public var listeners: UInt64
        /// Spans whose response was in flight at stop (while running: is in flight) with no
        /// room in the in-flight index (sock, fentry, skb), so the stop could not close them.
        public var unindexed: UInt64
        public var total: UInt64 { ringBuffer + storage + evicted + listeners + unindexed }

        public init(ringBuffer: UInt64, storage: UInt64, evicted: UInt64 = 0, listeners: UInt64 = 0, unindexed: UInt64 = 0) {
            self.ringBuffer = ringBuffer
            self.storage = storage
            self.evicted = evicted
            self.listeners = listeners
            self.unindexed = unindexed
        }
    }

    /// Ring records read: raw events (user mode), or spans and batches of spans (kernel mode).
    public var records: UInt64
    /// Spans finished.
    public var spans: UInt64
    /// Ring records this build could not decode.
    public var decodeErrors: UInt64
    public var lost: Lost
    /// Spans (or, in histogram mode, requests) that may have begun before the session attached:
    /// each connection's first when its handshake went unseen. In `spans`, not in latencies.
    public var partialSpans: UInt64

    public init(records: UInt64, spans: UInt64, decodeErrors: UInt64, lost: Lost, partialSpans: UInt64 = 0) {
        self.partialSpans = partialSpans
        self.records = records
        self.spans = spans
        self.decodeErrors = decodeErrors
        self.lost = lost
    }
}
