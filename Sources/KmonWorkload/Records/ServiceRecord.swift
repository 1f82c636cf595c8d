import KmonSystem
/// Ground truth a `kmon-service` writes about itself. All times are CLOCK_MONOTONIC ns
/// (`MonotonicClock.now()`), the clock `bpf_ktime_get_ns()` reads. Ordinals count requests on
/// one TCP connection from 0, in the order they were sent on it.

/// One request the service served (any route, error answers included).
public struct ServedRequestRecord: Sendable, Equatable {
    public enum Route: UInt8, Sendable {
        case other = 0
        /// "/": the spec's work and calls.
        case work = 1
        case health = 2
    }

    /// Per-process sequence from 1; the calls made for this request carry it as parent.
    public var requestID: UInt64
    /// The connection the request arrived on, as the server sees it (local = server side).
    public var connection: ConnectionTuple
    public var ordinal: UInt32
    public var route: Route
    /// The method received (`unknown` for input rejected before its request line parsed).
    public var method: HTTPMethod
    /// The status sent.
    public var status: UInt16
    /// When the read(2) that returned the request's first bytes returned (for pipelined
    /// requests read together, the same time).
    public var firstReadNs: UInt64
    /// After the whole request (head and body) was read and parsed, before any work.
    public var handlerEntryNs: UInt64
    /// Response ready, just before its first byte is written.
    public var handlerExitNs: UInt64
    /// Just after the write(2) that sent the response's last byte returned.
    public var responseWrittenNs: UInt64

    public init(requestID: UInt64, connection: ConnectionTuple, ordinal: UInt32, route: Route, method: HTTPMethod = .unknown,
                status: UInt16, firstReadNs: UInt64, handlerEntryNs: UInt64, handlerExitNs: UInt64, responseWrittenNs: UInt64) {
        self.requestID = requestID
        self.connection = connection
        self.ordinal = ordinal
        self.route = route
        self.method = method
        self.status = status
        self.firstReadNs = firstReadNs
        self.handlerEntryNs = handlerEntryNs
        self.handlerExitNs = handlerExitNs
        self.responseWrittenNs = responseWrittenNs
    }
}

/// One call the service made to a downstream service while serving a request.
public struct DownstreamCallRecord: Sendable, Equatable {
    /// `requestID` of the served request that made this call.
    public var parentRequestID: UInt64
    /// Position of the callee in the service's flattened call list (`ServiceSpec.callees`).
    public var callIndex: UInt16
    /// The connection the call went on, as the caller sees it (local = our client side).
    public var connection: ConnectionTuple
    public var ordinal: UInt32
    /// The method sent.
    public var method: HTTPMethod
    /// HTTP status received; 0 when the call failed without a response.
    public var status: UInt16
    /// Just before the first write(2) of the request.
    public var sendStartNs: UInt64
    /// Just after the read(2) that completed the response returned (or the failure time).
    public var responseCompleteNs: UInt64

    public init(parentRequestID: UInt64, callIndex: UInt16, connection: ConnectionTuple,
                ordinal: UInt32, method: HTTPMethod = .get, status: UInt16, sendStartNs: UInt64, responseCompleteNs: UInt64) {
        self.parentRequestID = parentRequestID
        self.callIndex = callIndex
        self.connection = connection
        self.ordinal = ordinal
        self.method = method
        self.status = status
        self.sendStartNs = sendStartNs
        self.responseCompleteNs = responseCompleteNs
    }
}
