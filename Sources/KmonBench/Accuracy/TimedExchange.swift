import KmonSystem

/// One request on one connection, as an interval in CLOCK_MONOTONIC ns: a ground-truth record
/// or a probe span. The connection is named from its client end (local = client), whichever
/// side observed it, so a record written by the caller joins with a span seen on the callee's
/// accepted socket. The ordinal counts requests on the connection from 0.
public struct TimedExchange: Hashable, Sendable {
    public var connection: ConnectionTuple
    public var ordinal: UInt64
    public var start: UInt64
    public var end: UInt64
    /// Method and status: what the truth's side sent or received, or what the probe parsed.
    public var http: HTTPExchange

    public init(connection: ConnectionTuple, ordinal: UInt64, start: UInt64, end: UInt64, http: HTTPExchange = HTTPExchange()) {
        self.connection = connection
        self.ordinal = ordinal
        self.start = start
        self.end = end
        self.http = http
    }

    public var durationNanoseconds: Double { end >= start ? Double(end - start) : -Double(start - end) }

    public var joinKey: JoinKey { JoinKey(connection: connection, ordinal: ordinal) }

    public func contains(_ inner: TimedExchange) -> Bool { start <= inner.start && inner.end <= end }
}

public struct JoinKey: Hashable, Sendable {
    public var connection: ConnectionTuple
    public var ordinal: UInt64
}
