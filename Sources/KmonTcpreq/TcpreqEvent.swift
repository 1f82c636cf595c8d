import KmonSystem
/// One raw event from the kernel in user mode: bytes moved on a watched connection, or its close.
public struct TcpreqEvent: Hashable, Sendable {
    public enum Kind: UInt32, Sendable {
        case recv = 1, send = 2, close = 3
    }

    public var kind: Kind
    public var timestampNanoseconds: UInt64
    public var cookie: UInt64
    public var tgid: Int32
    public var tid: Int32
    public var bytes: UInt32
    /// The role the kernel assigned (from the handshake, else whether the local endpoint listens);
    /// nil when it did not know.
    public var role: SpanRole?
    public var tuple: ConnectionTuple
    /// Kmon did not see the connection's handshake: its first span is partial.
    public var midway: Bool
    /// What the kernel parsed from this move's first bytes where it turned the connection's
    /// direction: a request's method (status 0) or a response's status (method unknown);
    /// nothing elsewhere, or with reading off.
    public var http: HTTPExchange

    public init(kind: Kind, timestampNanoseconds: UInt64, cookie: UInt64, tgid: Int32, tid: Int32 = 0, bytes: UInt32,
                role: SpanRole?, tuple: ConnectionTuple, midway: Bool = false, http: HTTPExchange = HTTPExchange()) {
        self.midway = midway
        self.http = http
        self.kind = kind
        self.timestampNanoseconds = timestampNanoseconds
        self.cookie = cookie
        self.tgid = tgid
        self.tid = tid
        self.bytes = bytes
        self.role = role
        self.tuple = tuple
    }
}
