import KmonContainers
import KmonSystem

/// One completed request as a probe saw it.
public struct ExportedSpan: Sendable, Equatable {
    /// The process the span was measured in, named by its process name.
    public var service: String
    /// The other end's service name, when known (from the topology or a workload's endpoint map).
    public var peerName: String?
    /// The other end as "address:port" (IPv6 in brackets).
    public var peerAddress: String
    public var side: SpanRole
    /// CLOCK_MONOTONIC nanoseconds at the span's start.
    public var startNanoseconds: UInt64
    public var durationNanoseconds: UInt64
    public var pid: Int32
    /// The request's position on its connection, from 0.
    public var ordinal: UInt64
    /// May have begun before the probe attached: a request, but no latency sample.
    public var partial: Bool
    /// The connection as seen from the measuring socket (local = the service's own end); nil
    /// when the source does not know it.
    public var tuple: ConnectionTuple?
    public var requestBytes: UInt64
    public var responseBytes: UInt64
    /// The method and status the kernel parsed (only these: no payload byte, no path, reaches a sink).
    public var http: HTTPExchange
    /// The container (and pod) the process runs in; nil for a host process.
    public var container: ContainerInfo?

    public init(service: String, peerName: String? = nil, peerAddress: String, side: SpanRole,
                startNanoseconds: UInt64, durationNanoseconds: UInt64, pid: Int32 = 0, ordinal: UInt64 = 0, partial: Bool = false,
                tuple: ConnectionTuple? = nil, requestBytes: UInt64 = 0, responseBytes: UInt64 = 0, http: HTTPExchange = HTTPExchange(),
                container: ContainerInfo? = nil) {
        self.container = container
        self.partial = partial
        self.http = http
        self.tuple = tuple
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.service = service
        self.peerName = peerName
        self.peerAddress = peerAddress
        self.side = side
        self.startNanoseconds = startNanoseconds
        self.durationNanoseconds = durationNanoseconds
        self.pid = pid
        self.ordinal = ordinal
    }
}
