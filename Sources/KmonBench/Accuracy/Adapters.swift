import KmonLoad
import KmonSystem
import KmonTcpreq
import KmonWorkload

/// Conversions from the other modules' records to the bench's normalized exchanges.
enum Adapters {
    /// The load generator's successful requests: actual send start to response complete (a
    /// probe cannot see time spent waiting inside the client).
    static func clientRecords(_ records: [GroundTruthRecord]) -> [TimedExchange] {
        records.compactMap { record in
            guard !record.failed else { return nil }
            return TimedExchange(
                connection: record.tuple,
                ordinal: UInt64(record.ordinal), start: record.sendNs, end: record.completeNs, http: record.exchange)
        }
    }

    /// A service's records: served requests from first byte read to response written (the
    /// interval a server span covers), and its downstream calls that got a response.
    static func serviceTruth(_ records: ServiceRecords) -> RunObservations.ServiceTruth {
        var served: [TimedExchange] = [], other: [TimedExchange] = []
        for record in records.served {
            let exchange = TimedExchange(connection: record.connection.reversed,
                                         ordinal: UInt64(record.ordinal), start: record.firstReadNs, end: record.responseWrittenNs,
                                         http: HTTPExchange(method: record.method, status: record.status))
            if record.route == .work { served.append(exchange) } else { other.append(exchange) }
        }
        let calls = records.calls.compactMap { call -> TimedExchange? in
            guard call.status != 0 else { return nil }
            return TimedExchange(connection: call.connection,
                                 ordinal: UInt64(call.ordinal), start: call.sendStartNs, end: call.responseCompleteNs,
                                 http: HTTPExchange(method: call.method, status: call.status))
        }
        return RunObservations.ServiceTruth(calls: calls, served: served, otherServed: other)
    }

    /// A probe span, oriented client → server whichever socket it was seen on.
    static func probeSpan(_ span: Span, service: String?) -> RunObservations.ProbeSpan {
        let server = span.role == .server
        return RunObservations.ProbeSpan(
            role: server ? .server : .client,
            exchange: TimedExchange(connection: server ? span.tuple.reversed : span.tuple,
                                    ordinal: UInt64(span.ordinal), start: span.startNanoseconds, end: span.endNanoseconds,
                                    http: span.http),
            service: service)
    }

    /// The spec's edges with the external client's edge to the ingress first.
    static func hops(_ spec: WorkloadSpec) -> [TopologyEdge] {
        [TopologyEdge(from: RunObservations.externalClient, to: spec.ingress)]
            + spec.edges.map { TopologyEdge(from: $0.caller, to: $0.callee) }
    }
}
