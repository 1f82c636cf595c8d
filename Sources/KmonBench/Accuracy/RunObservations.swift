import KmonSystem
/// Everything one measured run saw, in the bench's own terms: the ground truth from the load
/// generator and each service, and the spans the probe reported. The runner fills it from
/// KmonLoad, KmonWorkload and Kmon types; the evaluation on it is pure.
public struct RunObservations: Sendable {
    public struct ServiceTruth: Sendable {
        /// Downstream calls this service made (client side of its connections).
        public var calls: [TimedExchange]
        /// Requests it served on its work route: first byte read to response written.
        public var served: [TimedExchange]
        /// Other requests it served (health checks): real traffic with no place in any hop.
        public var otherServed: [TimedExchange]

        public init(calls: [TimedExchange], served: [TimedExchange], otherServed: [TimedExchange] = []) {
            self.calls = calls
            self.served = served
            self.otherServed = otherServed
        }
    }

    public enum Role: Sendable { case server, client }

    public struct ProbeSpan: Sendable {
        public var role: Role
        public var exchange: TimedExchange
        /// The service owning the socket, when the span's process is one of ours.
        public var service: String?

        public init(role: Role, exchange: TimedExchange, service: String?) {
            self.role = role
            self.exchange = exchange
            self.service = service
        }
    }

    /// Listening endpoint of each service.
    public var endpoints: [String: SocketEndpoint]
    /// The spec's call edges, plus `client → ingress`.
    public var specEdges: [TopologyEdge]
    /// The load generator's successful requests (the client → ingress hop).
    public var clientRecords: [TimedExchange]
    public var services: [String: ServiceTruth]
    public var spans: [ProbeSpan]

    public static let externalClient = "client"

    public init(endpoints: [String: SocketEndpoint], specEdges: [TopologyEdge], clientRecords: [TimedExchange],
                services: [String: ServiceTruth], spans: [ProbeSpan]) {
        self.endpoints = endpoints
        self.specEdges = specEdges
        self.clientRecords = clientRecords
        self.services = services
        self.spans = spans
    }
}
