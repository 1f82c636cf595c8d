import KmonSystem
/// One run's accuracy: per hop and vantage, the join of probe spans to ground truth; the
/// topology the probe implies; and how many expected spans are missing.
///
/// Which spans stand for which truth:
/// - `client` vantage, ingress hop: the load generator is not traced, so its requests are seen
///   only as server spans on the ingress's accepted sockets; those are joined to its records.
/// - `client` vantage, internal hop: the caller's client spans against its downstream-call records.
/// - `server` vantage: the callee's server spans against its own served-request records (first
///   byte read to response written). Nesting: each such server span must lie inside the caller's
///   client span of the same request (for the ingress hop, inside the load generator's record).
public struct RunAccuracy: Sendable {
    public var samples: [HopVantage: AccuracySample]
    /// Edges the probe's spans imply, with their span counts.
    public var observedEdges: [TopologyEdge: Int]
    /// Spec edges with their ground-truth request counts.
    public var truthEdges: [TopologyEdge: Int]
    /// Expected spans the probe did not report: one server span per served request, one client
    /// span per traced downstream call.
    public var missingSpans: Int
    /// Per service: 4xx and 5xx among its server spans and among its served records.
    public var serviceErrors: [String: ServiceErrorSample] = [:]

    public static func evaluate(_ run: RunObservations) -> RunAccuracy {
        let serviceAt = EndpointDirectory(run.endpoints)
        let external = RunObservations.externalClient

        // Who opened each connection, from the ground truth.
        var callerOf: [ConnectionTuple: String] = [:]
        for record in run.clientRecords { callerOf[record.connection] = external }
        for (name, truth) in run.services {
            for call in truth.calls { callerOf[call.connection] = name }
        }
        var callersOf: [String: Set<String>] = [:]
        for edge in run.specEdges { callersOf[edge.to, default: []].insert(edge.from) }
        func attributedCaller(_ key: ConnectionTuple, callee: String) -> String? {
            if let caller = callerOf[key] { return caller }
            if let callers = callersOf[callee], callers.count == 1 { return callers.first }
            return nil
        }

        // Spans of requests that belong to no hop (health checks) are left out on both sides.
        var other = Set<JoinKey>()
        for truth in run.services.values { truth.otherServed.forEach { other.insert($0.joinKey) } }
        let spans = run.spans.filter { !other.contains($0.exchange.joinKey) }
        let serverSpans = spans.filter { $0.role == .server }
        let clientSpans = spans.filter { $0.role == .client }

        var samples: [HopVantage: AccuracySample] = [:]
        var truthEdges: [TopologyEdge: Int] = [:]
        var missing = 0
        for hop in run.specEdges {
            guard let calleeEndpoint = run.endpoints[hop.to] else { continue }
            let isIngress = hop.from == external
            let truthClient = isIngress
                ? run.clientRecords.filter { $0.connection.remote == calleeEndpoint }
                : (run.services[hop.from]?.calls ?? []).filter { $0.connection.remote == calleeEndpoint }
            let truthServer = (run.services[hop.to]?.served ?? []).filter {
                attributedCaller($0.connection, callee: hop.to) == hop.from
            }
            let probeServer = serverSpans.filter {
                $0.exchange.connection.remote == calleeEndpoint && attributedCaller($0.exchange.connection, callee: hop.to) == hop.from
            }.map(\.exchange)
            let probeClient = isIngress ? probeServer : clientSpans.filter {
                $0.exchange.connection.remote == calleeEndpoint
                    && ($0.service ?? attributedCaller($0.exchange.connection, callee: hop.to)) == hop.from
            }.map(\.exchange)

            let clientSample = AccuracySample(join: SpanJoin.join(truth: truthClient, probe: probeClient))
            let nesting = SpanJoin.nesting(inner: probeServer, outer: isIngress ? truthClient : probeClient)
            let serverSample = AccuracySample(join: SpanJoin.join(truth: truthServer, probe: probeServer), nesting: nesting)
            samples[HopVantage(hop: hop, vantage: .client)] = clientSample
            samples[HopVantage(hop: hop, vantage: .server)] = serverSample
            truthEdges[hop] = truthClient.count
            missing += serverSample.unmatchedTruth + (isIngress ? 0 : clientSample.unmatchedTruth)
        }
        var result = RunAccuracy(samples: samples, observedEdges: observedTopology(clientSpans: clientSpans, serverSpans: serverSpans,
                                                                                   serviceAt: serviceAt),
                                 truthEdges: truthEdges, missingSpans: missing)
        result.serviceErrors = serviceErrors(run, serverSpans: serverSpans, serviceAt: serviceAt)
        return result
    }

    /// Each service's server spans (the owning process's, else the one listening at the span's
    /// server end) against its served records on the work route.
    static func serviceErrors(_ run: RunObservations, serverSpans: [RunObservations.ProbeSpan],
                              serviceAt: EndpointDirectory) -> [String: ServiceErrorSample] {
        var samples: [String: ServiceErrorSample] = [:]
        for (name, truth) in run.services {
            var sample = ServiceErrorSample()
            truth.served.forEach { sample.count(truth: $0.http.status) }
            samples[name] = sample
        }
        for span in serverSpans {
            guard let name = span.service ?? serviceAt[span.exchange.connection.remote], samples[name] != nil else { continue }
            samples[name]!.count(probe: span.exchange.http.status)
        }
        return samples
    }

    /// The topology from the probe's spans alone: a client span is an edge from its process's
    /// service to the service listening at its remote end; a server span on a connection no
    /// traced process opened is an edge from the external client.
    static func observedTopology(clientSpans: [RunObservations.ProbeSpan], serverSpans: [RunObservations.ProbeSpan],
                                 serviceAt: EndpointDirectory) -> [TopologyEdge: Int] {
        var edges: [TopologyEdge: Int] = [:]
        var tracedConnections = Set<ConnectionTuple>()
        for span in clientSpans {
            tracedConnections.insert(span.exchange.connection)
            let to = serviceAt[span.exchange.connection.remote] ?? span.exchange.connection.remote.description
            edges[TopologyEdge(from: span.service ?? "?", to: to), default: 0] += 1
        }
        for span in serverSpans where !tracedConnections.contains(span.exchange.connection) {
            let to = span.service ?? serviceAt[span.exchange.connection.remote] ?? span.exchange.connection.remote.description
            edges[TopologyEdge(from: RunObservations.externalClient, to: to), default: 0] += 1
        }
        return edges
    }
}

/// Finds the service listening at an endpoint; a service bound to the wildcard address is
/// found by port.
struct EndpointDirectory {
    private var exact: [SocketEndpoint: String] = [:]
    private var byPort: [UInt16: String] = [:]

    init(_ endpoints: [String: SocketEndpoint]) {
        for (name, endpoint) in endpoints {
            exact[endpoint] = name
            if endpoint.address == IPAddress(ipv4: 0) { byPort[endpoint.port] = name }
        }
    }

    subscript(endpoint: SocketEndpoint) -> String? { exact[endpoint] ?? byPort[endpoint.port] }
}
