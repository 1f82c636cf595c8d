import Histogram
import KmonSystem

/// Services and the calls between them, from spans or in-kernel histograms.
///
/// A service is what serves requests: server spans grouped by name. A service is named by the
/// workload's endpoint map when it lists the listening port, else by its process name (comm;
/// `kmon-service` sets it to the service's name). An edge runs from the caller's service to the
/// callee's and is seen from the caller's side (its client spans); the callee is named by the
/// endpoint map, else by the service seen serving that endpoint, else by its address:port.
public struct Topology: Sendable {
    public var services: [ServiceSummary]
    public var edges: [EdgeSummary]

    public init(services: [ServiceSummary], edges: [EdgeSummary]) {
        self.services = services
        self.edges = edges
    }

    public func service(named name: String) -> ServiceSummary? { services.first { $0.name == name } }
    public func edge(from: String, to: String) -> EdgeSummary? { edges.first { $0.from == from && $0.to == to } }
}

/// Traffic with a latency distribution, in nanoseconds. Partial spans (begun, perhaps, before
/// Kmon attached) count as requests and are left out of the latency.
public struct TrafficSummary: Sendable {
    public var requests: UInt64 = 0
    /// Of `requests`, the partial ones.
    public var partial: UInt64 = 0
    public var requestBytes: UInt64 = 0
    public var responseBytes: UInt64 = 0
    public var latency = TrafficSummary.emptyHistogram()
    /// `requests` by the response's status class (partial ones included); in histogram mode,
    /// whose maps keep no status, all are `none`.
    public var statusClasses = StatusClassCounts()

    /// 1 ns to 100 s at 2 significant digits: under 1% error, a few KB per summary.
    static func emptyHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 100_000_000_000, numberOfSignificantValueDigits: .two)
    }

    public init() {}

    public mutating func record(durationNanoseconds: UInt64, requestBytes: UInt64, responseBytes: UInt64, count: UInt64 = 1,
                                partial: Bool = false, statusClass: HTTPStatusClass = .none) {
        requests += count
        statusClasses[statusClass] += count
        self.requestBytes += requestBytes
        self.responseBytes += responseBytes
        if partial {
            self.partial += count
            return
        }
        _ = latency.record(min(max(durationNanoseconds, 1), latency.highestTrackableValue), count: count)
    }

    public mutating func merge(_ other: TrafficSummary) {
        requests += other.requests
        partial += other.partial
        requestBytes += other.requestBytes
        responseBytes += other.responseBytes
        statusClasses.merge(other.statusClasses)
        latency.add(other.latency)
    }

    /// Latency at `percentile` (0-100) in microseconds, or nil with no whole requests.
    public func microseconds(atPercentile percentile: Double) -> Double? {
        latency.totalCount == 0 ? nil : Double(latency.valueAtPercentile(percentile)) / 1000
    }
}

public struct ServiceSummary: Sendable {
    public var name: String
    public var pids: [Int32]
    /// Server-side view: from the first request byte read to the last response byte written.
    public var traffic: TrafficSummary

    public init(name: String, pids: [Int32], traffic: TrafficSummary) {
        self.name = name
        self.pids = pids
        self.traffic = traffic
    }
}

public struct EdgeSummary: Sendable {
    public var from: String
    public var to: String
    /// Client-side view: from the first request byte sent to the last response byte read.
    public var traffic: TrafficSummary

    public init(from: String, to: String, traffic: TrafficSummary) {
        self.from = from
        self.to = to
        self.traffic = traffic
    }
}

/// Accumulates spans (or histograms) and names services once everything is in, so the order
/// in which spans arrive does not change any name.
public struct TopologyBuilder {
    private struct ServerKey: Hashable { var tgid: Int32; var comm: String; var endpoint: SocketEndpoint }
    private struct ClientKey: Hashable { var tgid: Int32; var comm: String; var remote: SocketEndpoint }

    private var servers: [ServerKey: TrafficSummary] = [:]
    private var clients: [ClientKey: TrafficSummary] = [:]
    /// Workload endpoint map: listening port to service name.
    public var endpointNames: [UInt16: String]
    private let processName: (Int32) -> String
    /// The service a process serves as, from its tgid and comm (`--name-by`: its container or
    /// pod); asked once per process and endpoint at `build()`, never per span.
    public let serviceName: (Int32, String) -> String

    public init(endpointNames: [UInt16: String] = [:], processName: @escaping (Int32) -> String,
                serviceName: @escaping (Int32, String) -> String = { $1 }) {
        self.endpointNames = endpointNames
        self.processName = processName
        self.serviceName = serviceName
    }

    public mutating func add(_ span: Span) {
        switch span.role {
        case .server:
            servers[ServerKey(tgid: span.tgid, comm: span.comm, endpoint: span.tuple.local), default: TrafficSummary()]
                .record(durationNanoseconds: span.durationNanoseconds, requestBytes: span.requestBytes, responseBytes: span.responseBytes,
                        partial: span.partial, statusClass: span.http.statusClass)
        case .client:
            clients[ClientKey(tgid: span.tgid, comm: span.comm, remote: span.tuple.remote), default: TrafficSummary()]
                .record(durationNanoseconds: span.durationNanoseconds, requestBytes: span.requestBytes, responseBytes: span.responseBytes,
                        partial: span.partial, statusClass: span.http.statusClass)
        }
    }

    /// Adds one in-kernel histogram; its spans count at their slot's midpoint.
    public mutating func add(_ histogram: TcpreqHistogram) {
        var traffic = TrafficSummary()
        traffic.requestBytes = histogram.requestBytes
        traffic.responseBytes = histogram.responseBytes
        for (slot, count) in histogram.slots.enumerated() where count > 0 {
            traffic.record(durationNanoseconds: TcpreqHistogram.slotMidpointNanoseconds(slot), requestBytes: 0, responseBytes: 0, count: count)
        }
        traffic.requests += histogram.partial
        traffic.partial += histogram.partial
        traffic.statusClasses.none += histogram.partial
        let comm = processName(histogram.tgid)
        switch histogram.role {
        case .server: servers[ServerKey(tgid: histogram.tgid, comm: comm, endpoint: histogram.endpoint), default: TrafficSummary()].merge(traffic)
        case .client: clients[ClientKey(tgid: histogram.tgid, comm: comm, remote: histogram.endpoint), default: TrafficSummary()].merge(traffic)
        }
    }

    public func build() -> Topology {
        var names: [ProcessKey: String] = [:]
        func named(_ tgid: Int32, _ comm: String) -> String {
            let key = ProcessKey(tgid: tgid, comm: comm)
            if let known = names[key] { return known }
            let name = self.serviceName(tgid, comm)
            names[key] = name
            return name
        }
        func serviceName(_ key: ServerKey) -> String { endpointNames[key.endpoint.port] ?? named(key.tgid, key.comm) }

        var serviceByTgid: [Int32: String] = [:]
        var serviceByEndpoint: [SocketEndpoint: String] = [:]
        var servicesByPort: [UInt16: Set<String>] = [:]
        var services: [String: (pids: Set<Int32>, traffic: TrafficSummary)] = [:]
        for (key, traffic) in servers {
            let name = serviceName(key)
            serviceByTgid[key.tgid] = serviceByTgid[key.tgid] ?? name
            serviceByEndpoint[key.endpoint] = name
            servicesByPort[key.endpoint.port, default: []].insert(name)
            services[name, default: ([], TrafficSummary())].pids.insert(key.tgid)
            services[name]!.traffic.merge(traffic)
        }

        func calleeName(_ remote: SocketEndpoint) -> String {
            if let name = endpointNames[remote.port] ?? serviceByEndpoint[remote] { return name }
            // A service listening on a wildcard address is seen under the address it was called on;
            // the port alone names it when only one service uses that port.
            if let names = servicesByPort[remote.port], names.count == 1 { return names.first! }
            return remote.description
        }

        var edges: [EdgeKey: TrafficSummary] = [:]
        for (key, traffic) in clients {
            let from = serviceByTgid[key.tgid] ?? named(key.tgid, key.comm)
            edges[EdgeKey(from: from, to: calleeName(key.remote)), default: TrafficSummary()].merge(traffic)
        }
        return Topology(
            services: services.map { ServiceSummary(name: $0.key, pids: $0.value.pids.sorted(), traffic: $0.value.traffic) }
                .sorted { $0.name < $1.name },
            edges: edges.map { EdgeSummary(from: $0.key.from, to: $0.key.to, traffic: $0.value) }
                .sorted { ($0.from, $0.to) < ($1.from, $1.to) })
    }

    private struct EdgeKey: Hashable { var from: String; var to: String }
    private struct ProcessKey: Hashable { var tgid: Int32; var comm: String }
}
