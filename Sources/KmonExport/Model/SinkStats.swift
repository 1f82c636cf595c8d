/// An exporter's account of its own buffer: what it holds, sent and had to drop.
public struct SinkStats: Sendable, Equatable {
    public var sink: String
    public var buffered: Int
    public var delivered: UInt64
    /// Dropped because the buffer was full.
    public var dropped: UInt64
    /// Refused by the sink itself (bad request); retrying would not help.
    public var rejected: UInt64
    /// Sends that failed and were retried later.
    public var failedAttempts: UInt64

    public init(sink: String, buffered: Int = 0, delivered: UInt64 = 0, dropped: UInt64 = 0,
                rejected: UInt64 = 0, failedAttempts: UInt64 = 0) {
        self.sink = sink
        self.buffered = buffered
        self.delivered = delivered
        self.dropped = dropped
        self.rejected = rejected
        self.failedAttempts = failedAttempts
    }
}
