import BPF
import KmonContainers
import KmonFeatures
import KmonSupport
import KmonSystem

/// The JSON summary `kmon monitor --json` prints at the end (and the bench can store).
public struct TcpreqSummary: Codable, Sendable {
    /// The figures a service and an edge both report, written flat beside their names.
    public struct Traffic: Codable, Sendable {
        public var requests: UInt64
        /// Of `requests`, those that may have begun before the monitor attached: not in p50/p99.
        public var partial: UInt64
        public var p50_us: Double?
        public var p99_us: Double?
        public var request_bytes: UInt64
        public var response_bytes: UInt64
        /// `requests` by status class; they sum to `requests`.
        public var status_classes: StatusClassCounts
        /// Of `requests`, those answered 5xx (the errors), and 4xx as a figure of its own.
        public var errors_5xx: UInt64
        public var errors_4xx: UInt64

        init(_ traffic: TrafficSummary) {
            requests = traffic.requests
            partial = traffic.partial
            p50_us = traffic.microseconds(atPercentile: 50)
            p99_us = traffic.microseconds(atPercentile: 99)
            request_bytes = traffic.requestBytes
            response_bytes = traffic.responseBytes
            status_classes = traffic.statusClasses
            errors_5xx = traffic.statusClasses.serverError
            errors_4xx = traffic.statusClasses.clientError
        }
    }

    /// A service's or an edge's row: who it is, and its traffic, written side by side as one object.
    @dynamicMemberLookup
    public struct Row<Subject: Codable & Sendable>: FlatEncodable, Decodable, Sendable {
        public var subject: Subject
        public var traffic: Traffic

        public subscript<T>(dynamicMember path: KeyPath<Subject, T>) -> T { subject[keyPath: path] }
        public subscript<T>(dynamicMember path: KeyPath<Traffic, T>) -> T { traffic[keyPath: path] }
        public var flatParts: [any Encodable] { [subject, traffic] }

        init(_ subject: Subject, _ traffic: TrafficSummary) {
            self.subject = subject
            self.traffic = Traffic(traffic)
        }

        public init(from decoder: Decoder) throws {
            subject = try Subject(from: decoder)
            traffic = try Traffic(from: decoder)
        }
    }

    public struct ServiceName: Codable, Sendable {
        public var name: String
        public var pids: [Int32]
        /// The containers (and pods) its processes run in, one a replica; absent for host processes.
        public var containers: [Instance]?
    }
    public typealias Service = Row<ServiceName>

    public struct EdgeEnds: Codable, Sendable {
        public var from: String
        public var to: String
    }
    public typealias Edge = Row<EdgeEnds>

    /// One container of a service, with its processes: the per-instance rows.
    public struct Instance: Codable, Sendable {
        public var container: ContainerInfo
        public var pids: [Int32]
    }

    public struct Skipped: Codable, Sendable {
        public var variant: String
        public var reason: String
        public init(variant: String, reason: String) {
            self.variant = variant
            self.reason = reason
        }
    }

    public struct Lost: Codable, Sendable {
        public var ring_buffer: UInt64
        public var storage: UInt64
        public var evicted: UInt64
        public var listeners: UInt64
        public var unindexed: UInt64
    }

    public var variant: String
    public var mode: String
    public var duration_s: Double
    /// CLOCK_MONOTONIC nanoseconds from all hooks attached to the first detached: cut other
    /// records (load generator, services) with it to compare counts over the same window.
    public var window_start_ns: UInt64
    public var window_end_ns: UInt64
    /// When the last hook was detached: a request that ended after `window_end_ns` and before
    /// this may still be in the counts (detaching waits for RCU, link by link).
    public var window_closed_ns: UInt64
    public var services: [Service]
    public var edges: [Edge]
    /// Every record or connection lost, all causes; `lost_detail` splits it.
    public var lost: UInt64
    public var lost_detail: Lost
    /// Ring records read (raw events in user mode; spans and batches of spans in kernel mode) and spans finished.
    public var records: UInt64
    public var spans: UInt64
    /// Of `spans`, the partial ones (docs/monitor.md, "Span definitions").
    public var partial_spans: UInt64
    public var programs: [ProgramRunRecord]
    public var skipped: [Skipped]
    /// Optional kernel features the session ran without, and what that changed.
    public var degraded: [Degradation]

    public init(_ snapshot: TcpreqSnapshot, skipped: [Skipped] = []) {
        variant = snapshot.variant.rawValue
        mode = snapshot.mode.rawValue
        duration_s = (snapshot.elapsedSeconds * 1000).rounded() / 1000
        window_start_ns = snapshot.windowStartNanoseconds
        window_end_ns = snapshot.windowEndNanoseconds
        window_closed_ns = snapshot.windowClosedNanoseconds
        services = snapshot.topology.services.map {
            Service(ServiceName(name: $0.name, pids: $0.pids, containers: Self.instances(of: $0.pids, in: snapshot.containers)), $0.traffic)
        }
        edges = snapshot.topology.edges.map { Edge(EdgeEnds(from: $0.from, to: $0.to), $0.traffic) }
        lost = snapshot.counters.lost.total
        let detail = snapshot.counters.lost
        lost_detail = Lost(ring_buffer: detail.ringBuffer, storage: detail.storage, evicted: detail.evicted, listeners: detail.listeners,
                           unindexed: detail.unindexed)
        records = snapshot.counters.records
        spans = snapshot.counters.spans
        partial_spans = snapshot.counters.partialSpans
        programs = snapshot.programs.map(ProgramRunRecord.init)
        self.skipped = skipped
        degraded = snapshot.degraded
    }

    static func instances(of pids: [Int32], in containers: [Int32: ContainerInfo]) -> [Instance]? {
        let grouped = Dictionary(grouping: pids.compactMap { pid in containers[pid].map { ($0, pid) } }, by: \.0)
        guard !grouped.isEmpty else { return nil }
        return grouped.map { Instance(container: $0.key, pids: $0.value.map(\.1).sorted()) }.sorted { $0.container.id < $1.container.id }
    }

    /// A summary for a variant that could not run at all.
    public static func skipped(variant: ProbeVariant, mode: SpanMode, reason: String) -> TcpreqSummary {
        var summary = TcpreqSummary(TcpreqSnapshot(
            variant: variant, mode: mode, timeNanoseconds: 0, elapsedSeconds: 0, topology: Topology(services: [], edges: []),
            newSpans: [], counters: TcpreqCounters(records: 0, spans: 0, decodeErrors: 0, lost: .init(ringBuffer: 0, storage: 0)),
            programs: []))
        summary.skipped = [Skipped(variant: variant.rawValue, reason: reason)]
        return summary
    }
}
