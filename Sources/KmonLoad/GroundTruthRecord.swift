import KmonSystem
/// What the client saw of one request: the ground truth Kmon's probe spans are judged against.
///
/// The bench joins records to probe spans on (4-tuple, ordinal). All times are CLOCK_MONOTONIC
/// nanoseconds, the clock `bpf_ktime_get_ns()` reads. A `GroundTruthFile` stores it in 88 bytes.
public struct GroundTruthRecord: Sendable, Equatable {
    /// When the schedule meant the request to leave. Closed loop: when the connection became
    /// free for it (the previous response completed, or the run started).
    public var intendedNs: UInt64
    /// Just before the first write carrying the request (for an unsent request: when its
    /// connection attempt started).
    public var sendNs: UInt64
    /// Just after the read that completed the response (or when the error was seen).
    public var completeNs: UInt64
    /// The connection as the client sees it (local = the generator's end), from
    /// getsockname/getpeername; a request never sent has local 0.0.0.0:0 and the target as remote.
    public var tuple: ConnectionTuple
    /// Index of the request on its TCP connection, 0-based: the first request a connection
    /// carries is ordinal 0. Every request of a `Connection: close` run is ordinal 0.
    public var ordinal: UInt32
    /// Response bytes received, status line and headers included.
    public var bytes: UInt32
    /// The generator's connection slot (0..<connections) that issued the request.
    public var connection: UInt32
    /// errno of the failure, or a negative `GroundTruthRecord.Failure` code; 0 on success.
    public var errorCode: Int32
    /// The method sent.
    public var method: HTTPMethod
    /// HTTP status code, 0 if no status line arrived.
    public var status: UInt16
    public var flags: Flags

    public init(
        intendedNs: UInt64, sendNs: UInt64, completeNs: UInt64, tuple: ConnectionTuple, ordinal: UInt32, bytes: UInt32 = 0, connection: UInt32 = 0,
        method: HTTPMethod = .get, status: UInt16 = 0, errorCode: Int32 = 0, flags: Flags = []
    ) {
        self.intendedNs = intendedNs
        self.sendNs = sendNs
        self.completeNs = completeNs
        self.tuple = tuple
        self.ordinal = ordinal
        self.bytes = bytes
        self.connection = connection
        self.errorCode = errorCode
        self.method = method
        self.status = status
        self.flags = flags
    }

    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// The request failed: connection refused or reset, EOF mid-response, bad response.
        public static let error = Flags(rawValue: 1 << 0)
        /// No complete response within the request timeout (also sets `error`).
        public static let timeout = Flags(rawValue: 1 << 1)
        /// Intended during warm-up: recorded, but not in the summary.
        public static let warmUp = Flags(rawValue: 1 << 2)
        /// Never written: its connection could not be established (also sets `error`).
        public static let notSent = Flags(rawValue: 1 << 3)
        /// Still in flight when the run's drain time ran out (also sets `error`).
        public static let incomplete = Flags(rawValue: 1 << 4)
        /// At its intended time its connection had no room (a response still pending, or no
        /// connection yet): its schedule lag is the server's doing (or the handshake's), not the generator's.
        public static let waitedForConnection = Flags(rawValue: 1 << 5)
    }

    /// Failure codes for errors that have no errno.
    public enum Failure {
        /// The peer closed the connection before the response was complete.
        public static let closedByPeer: Int32 = -1
        /// The bytes received are not an HTTP/1.1 response.
        public static let malformedResponse: Int32 = -2
        /// The request timeout expired.
        public static let timedOut: Int32 = -3
        /// The run's drain time expired.
        public static let runEnded: Int32 = -4
    }

    public var failed: Bool { flags.contains(.error) }

    /// Method sent and status received, as a probe span carries them.
    public var exchange: HTTPExchange { HTTPExchange(method: method, status: status) }

    /// Coordinated-omission-corrected latency: intended send to response complete.
    public var correctedLatencyNs: UInt64 { completeNs &- intendedNs }
    /// What a probe can see: actual send start to response complete.
    public var uncorrectedLatencyNs: UInt64 { completeNs &- sendNs }
    /// How late the request left: actual send start minus intended.
    public var scheduleLagNs: UInt64 { sendNs &- intendedNs }
}
