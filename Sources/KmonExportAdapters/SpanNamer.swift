import KmonContainers
import KmonExport
import KmonSystem
import KmonTcpreq

/// Names both ends of a span as the topology does: a server span's service by the workload's
/// endpoint map, else its process name; a client span's callee by the endpoint map, else the
/// service seen serving that endpoint, else (left unnamed) by address:port. A server span's
/// caller is named when Kmon saw the other end of the connection too; otherwise it is labelled
/// by its address alone, since the caller's port is ephemeral and would only fill the label budget.
///
/// The two spans of one request reach user space in either order, and a read can fall between
/// them: on a keep-alive connection a span closes at the connection's next request, at its close
/// or at the final flush, on each side separately. So a span whose other end is not known yet
/// waits for one more batch before it is named; a span still unnamed then keeps its address.
/// Only a connection's first such span waits: the connection's later spans go out at once, so
/// an untraced caller (a load generator) costs one wait per connection, not one per request.
struct SpanNamer {
    let endpointNames: [UInt16: String]
    private var serviceByTgid: [Int32: String] = [:]
    private var serviceByEndpoint: [SocketEndpoint: String] = [:]
    private var servicesByPort: [UInt16: Set<String>] = [:]
    /// Client sockets seen, by their local endpoint: who is calling on that connection.
    private var callerByEndpoint: [SocketEndpoint: String] = [:]
    /// Spans of the previous batch that could not be fully named then.
    private var waiting: [Span] = []
    /// Connections (as their span's tuple) that have waited once: named as well as they will be.
    /// Recent ones only: with connection churn every connection lands here once, and a closed
    /// one is never asked about again. A connection forgotten while still open waits one batch
    /// more, which changes no name.
    private var settled = RecentSet<ConnectionTuple>(generationSize: 4_096)

    let containers: ContainerResolver?
    let naming: ServiceNaming

    init(endpointNames: [UInt16: String], containers: ContainerResolver? = nil, naming: ServiceNaming = .workload) {
        self.endpointNames = endpointNames
        self.containers = containers
        self.naming = naming
    }

    /// The span's process as a service (`--name-by`), and its container; one cached lookup a span.
    private func owner(_ span: Span) -> (service: String, container: ContainerInfo?) {
        let container = containers?.info(ofTask: span.tgid)
        return (naming.name(container, comm: span.comm), container)
    }

    /// Names a batch, with what it and every earlier batch teach: the previous batch's waiting
    /// spans are named now, and this batch's spans whose other end is still unknown wait.
    mutating func name(_ batch: [Span]) -> [ExportedSpan] {
        learn(from: batch)
        for span in waiting { settled.insert(span.tuple) }
        var named = waiting.map(exported)
        waiting.removeAll(keepingCapacity: true)
        for span in batch {
            if isResolved(span) { named.append(exported(span)) } else { waiting.append(span) }
        }
        return named
    }

    /// Connections remembered as settled (bounded, see `settled`).
    var settledCount: Int { settled.count }

    /// The spans still waiting, named with what is known; at the end of a run.
    mutating func flush() -> [ExportedSpan] {
        defer { waiting.removeAll() }
        return waiting.map(exported)
    }

    private mutating func isResolved(_ span: Span) -> Bool {
        if settled.contains(span.tuple) { return true }
        switch span.role {
        case .server: return callerByEndpoint[span.tuple.remote] != nil
        case .client: return serviceByTgid[span.tgid] != nil && calleeName(span.tuple.remote) != nil
        }
    }

    private func calleeName(_ remote: SocketEndpoint) -> String? {
        endpointNames[remote.port] ?? serviceByEndpoint[remote]
            ?? servicesByPort[remote.port].flatMap { $0.count == 1 ? $0.first : nil }
    }

    /// Learns services from a batch before naming it, so a batch's order does not change names.
    private mutating func learn(from spans: [Span]) {
        // Connections come and go; keep the caller map from growing without bound.
        if callerByEndpoint.count > 65_536 { callerByEndpoint.removeAll(keepingCapacity: true) }
        for span in spans where span.role == .server {
            let name = endpointNames[span.tuple.local.port] ?? owner(span).service
            serviceByTgid[span.tgid] = serviceByTgid[span.tgid] ?? name
            serviceByEndpoint[span.tuple.local] = name
            servicesByPort[span.tuple.local.port, default: []].insert(name)
        }
        for span in spans where span.role == .client {
            callerByEndpoint[span.tuple.local] = serviceByTgid[span.tgid] ?? owner(span).service
        }
    }

    private func exported(_ span: Span) -> ExportedSpan {
        let service: String
        let peerName: String?
        let peerAddress: String
        let (processService, container) = owner(span)
        switch span.role {
        case .server:
            service = endpointNames[span.tuple.local.port] ?? processService
            peerName = callerByEndpoint[span.tuple.remote]
            peerAddress = span.tuple.remote.address.description
        case .client:
            service = serviceByTgid[span.tgid] ?? processService
            peerName = calleeName(span.tuple.remote)
            peerAddress = span.tuple.remote.description
        }
        return ExportedSpan(service: service, peerName: peerName, peerAddress: peerAddress,
                            side: span.role,
                            startNanoseconds: span.startNanoseconds, durationNanoseconds: span.durationNanoseconds,
                            pid: span.tgid, ordinal: UInt64(span.ordinal), partial: span.partial,
                            tuple: span.tuple, requestBytes: span.requestBytes, responseBytes: span.responseBytes, http: span.http,
                            container: container)
    }
}
