import BPF
import KmonContainers
import KmonFeatures
import KmonSupport
import KmonSystem
import Logging

/// One reading of a running tcpreq session, for live views and exporters: the topology so far
/// (cumulative), the spans finished since the previous snapshot, losses, and program costs.
public struct TcpreqSnapshot: Sendable {
    public var variant: ProbeVariant
    public var mode: SpanMode
    /// CLOCK_MONOTONIC time of the reading, and seconds since the session started.
    public var timeNanoseconds: UInt64
    public var elapsedSeconds: Double
    public var topology: Topology
    /// Spans finished since the previous snapshot (empty in histogram mode).
    public var newSpans: [Span]
    public var counters: TcpreqCounters
    public var programs: [ProgramRunStats]
    /// Optional kernel features the session runs without.
    public var degraded: [Degradation]
    /// CLOCK_MONOTONIC span of time the hooks were attached (to now while running): requests
    /// that began and ended inside it are the ones the session can report.
    public var windowStartNanoseconds: UInt64
    public var windowEndNanoseconds: UInt64
    /// When the last hook was detached (`windowEndNanoseconds` while running): requests that
    /// end between the two may or may not be counted.
    public var windowClosedNanoseconds: UInt64
    /// The fill of the session's hash maps, as of the last count (`TcpreqMonitor.mapFillPeriod`).
    public var mapFill: [BPFMapFill] = []
    /// The container of every service's process that runs in one (host processes are absent).
    public var containers: [Int32: ContainerInfo] = [:]

    public init(variant: ProbeVariant, mode: SpanMode, timeNanoseconds: UInt64, elapsedSeconds: Double, topology: Topology,
                newSpans: [Span], counters: TcpreqCounters, programs: [ProgramRunStats], degraded: [Degradation] = [],
                windowStartNanoseconds: UInt64 = 0, windowEndNanoseconds: UInt64 = 0, windowClosedNanoseconds: UInt64? = nil) {
        self.windowStartNanoseconds = windowStartNanoseconds
        self.windowEndNanoseconds = windowEndNanoseconds
        self.windowClosedNanoseconds = windowClosedNanoseconds ?? windowEndNanoseconds
        self.variant = variant
        self.mode = mode
        self.timeNanoseconds = timeNanoseconds
        self.elapsedSeconds = elapsedSeconds
        self.topology = topology
        self.newSpans = newSpans
        self.counters = counters
        self.programs = programs
        self.degraded = degraded
    }
}

/// A tcpreq session plus the topology it feeds. `snapshot()` is cheap enough to call every
/// second; exporters and the live view consume what it returns.
public final class TcpreqMonitor {
    public let session: TcpreqSession
    private var builder: TopologyBuilder
    private let startedAt: UInt64
    private let processNames: ProcessNames
    /// Containers by task, cached by cgroup id (`--name-by`, and the summary's `containers`).
    public let containers: ContainerResolver
    private var mapFill: [BPFMapFill] = []
    private var mapFillCountedAt: UInt64?
    /// Counting a map walks its keys, a syscall each: every 10 s, not every snapshot.
    public static let mapFillPeriodNanoseconds: UInt64 = 10_000_000_000

    /// Starts the session (see `TcpreqSession.start`). `endpointNames` maps listening ports to
    /// service names, e.g. from a workload spec; `naming` names the others.
    public init(_ configuration: TcpreqConfiguration, endpointNames: [UInt16: String] = [:], naming: ServiceNaming = .workload,
                logger: Logger = Logger(label: "kmon.tcpreq")) throws {
        var configuration = configuration
        configuration.keepSpans = true
        let names = ProcessNames()
        processNames = names
        let resolver = ContainerResolver(cgroupRoot: KernelMounts.cgroup2Path())
        containers = resolver
        self.naming = naming
        session = try TcpreqSession.start(configuration, logger: logger, processNames: names)
        builder = TopologyBuilder(endpointNames: endpointNames, processName: names.name(of:),
                                  serviceName: Self.serviceName(naming, resolver))
        startedAt = MonotonicClock.now()
    }

    /// Throws `TcpreqError` while running if the ring-buffer consumer has stopped on an error:
    /// the monitor must not run on with no data. After `stop()` the final snapshot is returned.
    public func snapshot() throws -> TcpreqSnapshot {
        if !session.isStopped, let error = session.consumerError { throw error }
        let spans = session.takeSpans()
        spans.forEach { builder.add($0) }
        var topology: Topology
        if session.configuration.mode == .histogram {
            var fromHistograms = TopologyBuilder(endpointNames: builder.endpointNames, processName: processNames.name(of:),
                                                 serviceName: builder.serviceName)
            try session.histograms().forEach { fromHistograms.add($0) }
            topology = fromHistograms.build()
        } else {
            topology = builder.build()
        }
        let now = MonotonicClock.now()
        if mapFillCountedAt.map({ now - $0 >= Self.mapFillPeriodNanoseconds }) ?? true {
            mapFill = try session.mapFill()
            mapFillCountedAt = now
        }
        var snapshot = TcpreqSnapshot(variant: session.configuration.variant, mode: session.configuration.mode,
                              timeNanoseconds: now, elapsedSeconds: Double(now - startedAt) / 1e9,
                              topology: topology, newSpans: spans, counters: try session.counters(),
                              programs: try session.programStats(), degraded: session.degradations,
                              windowStartNanoseconds: session.attachedAtNanoseconds,
                              windowEndNanoseconds: session.detachedAtNanoseconds ?? now,
                              windowClosedNanoseconds: session.lastDetachedAtNanoseconds ?? session.detachedAtNanoseconds ?? now)
        snapshot.mapFill = mapFill
        for pid in Set(topology.services.flatMap(\.pids)) { snapshot.containers[pid] = containers.info(ofTask: pid) }
        return snapshot
    }

    private let naming: ServiceNaming

    static func serviceName(_ naming: ServiceNaming, _ resolver: ContainerResolver) -> (Int32, String) -> String {
        naming == .comm ? { $1 } : { naming.name(resolver.info(ofTask: $0), comm: $1) }
    }

    /// Stops the session; a snapshot taken afterwards is the final one.
    public func stop() throws {
        try session.stop()
    }
}
