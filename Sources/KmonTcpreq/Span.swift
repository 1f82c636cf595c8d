import KmonSystem
/// One request/response on one connection, as the probes saw it. Timestamps are
/// CLOCK_MONOTONIC nanoseconds (`bpf_ktime_get_ns`), directly comparable with
/// `MonotonicClock.now()` and with the load generator's and services' records.
public struct Span: Hashable, Codable, Sendable {
    public var role: SpanRole
    public var tuple: ConnectionTuple
    /// 0-based index of this request on its connection, counted from the connection's first
    /// request that Kmon saw (a connection opened before the session starts counts from there).
    public var ordinal: UInt32
    public var startNanoseconds: UInt64
    public var endNanoseconds: UInt64
    public var requestBytes: UInt64
    public var responseBytes: UInt64
    /// The process owning the socket, and its name (comm).
    public var tgid: Int32
    public var comm: String
    /// The connection's identity in the kernel: the socket cookie (sock, fentry, skb) or the
    /// socket's kernel address (syscall, kprobe).
    public var cookie: UInt64
    /// The first span (ordinal 0) of a connection whose handshake Kmon did not see: it may have
    /// begun before Kmon attached, so it counts as a request but not in latencies.
    public var partial: Bool
    /// The request's method and the response's status, parsed in the kernel from the first bytes
    /// of each (only these fields leave the kernel); `.unknown` and 0 where the variant cannot
    /// read them.
    public var http: HTTPExchange

    public init(role: SpanRole, tuple: ConnectionTuple, ordinal: UInt32, startNanoseconds: UInt64, endNanoseconds: UInt64,
                requestBytes: UInt64, responseBytes: UInt64, tgid: Int32, comm: String, cookie: UInt64, partial: Bool = false,
                http: HTTPExchange = HTTPExchange()) {
        self.partial = partial
        self.http = http
        self.role = role
        self.tuple = tuple
        self.ordinal = ordinal
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.tgid = tgid
        self.comm = comm
        self.cookie = cookie
    }

    public var durationNanoseconds: UInt64 { endNanoseconds &- startNanoseconds }

    /// Spans written before "partial" existed have none: they are whole.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(role: try c.decode(SpanRole.self, forKey: .role), tuple: try c.decode(ConnectionTuple.self, forKey: .tuple),
                  ordinal: try c.decode(UInt32.self, forKey: .ordinal),
                  startNanoseconds: try c.decode(UInt64.self, forKey: .startNanoseconds),
                  endNanoseconds: try c.decode(UInt64.self, forKey: .endNanoseconds),
                  requestBytes: try c.decode(UInt64.self, forKey: .requestBytes),
                  responseBytes: try c.decode(UInt64.self, forKey: .responseBytes),
                  tgid: try c.decode(Int32.self, forKey: .tgid), comm: try c.decode(String.self, forKey: .comm),
                  cookie: try c.decode(UInt64.self, forKey: .cookie),
                  partial: try c.decodeIfPresent(Bool.self, forKey: .partial) ?? false,
                  http: try c.decodeIfPresent(HTTPExchange.self, forKey: .http) ?? HTTPExchange())
    }

    enum CodingKeys: String, CodingKey {
        case role, tuple, ordinal, tgid, comm, cookie, partial, http
        case startNanoseconds = "start_ns", endNanoseconds = "end_ns"
        case requestBytes = "request_bytes", responseBytes = "response_bytes"
    }
}
