/// How a pushed sink's items travel: the buffer that holds them while the sink is slow or down,
/// the batch per request, the pacing and the retries. Each sink has its own defaults.
public struct SinkDelivery: Sendable, Equatable {
    /// Items the buffer holds while the sink is slow or down; its memory grows with what it
    /// holds (see `BoundedQueue`), not with this bound.
    public var bufferCapacity: Int
    /// Items per request.
    public var batchSize: Int
    /// At most one batch per interval unless a batch fills (nil: send as soon as items wait).
    public var flushInterval: Double?
    /// Seconds one request may take.
    public var requestTimeout: Double
    /// The wait after a failed send, doubled on each failure up to `maxBackoff`.
    public var initialBackoff: Double
    public var maxBackoff: Double

    public init(bufferCapacity: Int, batchSize: Int, flushInterval: Double? = nil, requestTimeout: Double,
                initialBackoff: Double = 0.25, maxBackoff: Double = 10) {
        self.bufferCapacity = bufferCapacity
        self.batchSize = batchSize
        self.flushInterval = flushInterval
        self.requestTimeout = requestTimeout
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }
}
