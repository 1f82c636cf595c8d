import Foundation
import KmonCollectors
import KmonContainers
import KmonExport
import KmonSupport
import KmonSystem
import KmonTcpreq

/// Feeds `kmon monitor`'s data to the exporters: each new tcpreq span becomes an `ExportedSpan`,
/// and the latest losses, program statistics and other collectors' values are what the
/// exporters' period timer publishes. Span names follow the topology's rules
/// (see `TopologyBuilder.build`). Everything here runs on the monitor's own thread.
public final class TcpreqExportAdapter: TcpreqSnapshotSink, @unchecked Sendable {
    public let exporters: ExporterSet
    private var namer: SpanNamer
    private let collectors: [any Collector]
    private let collectorSamples = CollectorSamples()
    private var lastCollectorRead: UInt64?
    private var tcpreq = CollectorSamples.Reading()
    private var others = CollectorSamples.Reading()
    private let lock = NSLock()
    private var latest = ExportSnapshot()
    public private(set) var finalStats: [SinkStats] = []

    /// Starts the exporters' period timer. `collectors` are read once per export period.
    /// `containers` attributes spans (nil: none) and `naming` names their services, as the topology does.
    public init(exporters: ExporterSet, endpointNames: [UInt16: String] = [:], collectors: [any Collector] = [],
                containers: ContainerResolver? = nil, naming: ServiceNaming = .workload) {
        self.exporters = exporters
        self.collectors = collectors
        namer = SpanNamer(endpointNames: endpointNames, containers: containers, naming: naming)
        exporters.start { [weak self] in
            guard let self else { return ExportSnapshot() }
            return self.lock.withLock { var s = self.latest; s.wallNanoseconds = WallClock.nowNanoseconds(); return s }
        }
    }

    public func publish(_ snapshot: TcpreqSnapshot) {
        for span in namer.name(snapshot.newSpans) { exporters.record(span) }
        tcpreq.lostEvents = ["tcpreq": snapshot.counters.lost.total]
        tcpreq.programs = snapshot.programs
        tcpreq.samples = snapshot.mapFill.flatMap { fill in [
            CollectorSample(name: "kmon_bpf_map_entries", help: "Entries in a tcpreq hash map, counted every 10 s.",
                            kind: .gauge, labels: ["map": fill.map], value: Double(fill.entries)),
            CollectorSample(name: "kmon_bpf_map_max_entries", help: "A tcpreq hash map's capacity (max_entries).",
                            kind: .gauge, labels: ["map": fill.map], value: Double(fill.maxEntries)),
        ] }
        tick()
    }

    /// Reads the other collectors when a period has passed, and refreshes the pulled exporters.
    /// `kmon monitor` calls it each interval when tcpreq is not running.
    public func tick(force: Bool = false) {
        let now = MonotonicClock.now()
        if !collectors.isEmpty, force || lastCollectorRead.map({ Double(now - $0) / 1e9 >= exporters.period }) ?? true {
            others = collectorSamples.read(collectors)
            lastCollectorRead = now
        }
        lock.withLock {
            latest.lostEvents = tcpreq.lostEvents.merging(others.lostEvents) { a, _ in a }
            latest.programs = tcpreq.programs + others.programs
            latest.samples = tcpreq.samples + others.samples
        }
        exporters.refreshPulled()
    }

    /// Publishes the last spans and counts, then gives the exporters up to 5 s to deliver.
    public func finish(_ snapshot: TcpreqSnapshot) {
        lastCollectorRead = nil
        publish(snapshot)
        for span in namer.flush() { exporters.record(span) }
        finalStats = exporters.close(timeout: 5)
    }

    /// The end of a run without tcpreq.
    public func finish() {
        tick(force: true)
        finalStats = exporters.close(timeout: 5)
    }
}
