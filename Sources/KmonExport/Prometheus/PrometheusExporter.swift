import Foundation
import KmonSupport
import KmonSystem
import Logging
import Prometheus

/// Kmon's metrics in the Prometheus exposition format, rendered by swift-prometheus and served
/// at `GET /metrics`. Recording a span costs a dictionary lookup and two atomic updates.
public final class PrometheusExporter: ExportSink, @unchecked Sendable {
    /// Request latency buckets, in seconds: 10 µs to 10 s, for services from loopback to WAN.
    public static let durationBuckets: [Double] = [
        0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
        0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    public let name = "prometheus"
    public let isPulled = true
    public let registry = PrometheusCollectorRegistry()
    public let labeler: SpanLabeler
    private let server: MetricsHTTPServer?
    private let lock = NSLock()
    private var series: [SpanLabels: (duration: ValueHistogram, requests: Counter)] = [:]
    private var counters = CumulativeCounters()
    private var sampleKinds: [String: (CollectorSample.Kind, labelled: Bool)] = [:]
    private let logger: Logger

    private static let durationDescriptor = MetricNameDescriptor(
        namespace: "kmon", metricName: "request_duration", unitName: "seconds",
        helpText: "Request latency measured in the kernel: server spans from the first request byte read to the response sent, client spans from the first byte sent to the response read.")
    private static let requestsDescriptor = MetricNameDescriptor(
        namespace: "kmon", metricName: "requests", unitName: "total",
        helpText: "Completed requests seen by the probes.")
    private static let lostDescriptor = MetricNameDescriptor(
        namespace: "kmon", metricName: "events_lost", unitName: "total",
        helpText: "Events the kernel side could not deliver to Kmon (ring buffer full), per collector.")
    private static let runTimeDescriptor = MetricNameDescriptor(
        namespace: "kmon", metricName: "bpf_program_run_seconds", unitName: "total",
        helpText: "Time spent running each of Kmon's BPF programs, from the kernel's run statistics.")
    private static let runsDescriptor = MetricNameDescriptor(
        namespace: "kmon", metricName: "bpf_program_runs", unitName: "total",
        helpText: "Runs of each of Kmon's BPF programs, from the kernel's run statistics.")
    private static let droppedDescriptor = MetricNameDescriptor(
        namespace: "kmon", subsystem: "export", metricName: "points_dropped", unitName: "total",
        helpText: "Points or records an exporter dropped because its buffer was full.")
    private static let deliveredDescriptor = MetricNameDescriptor(
        namespace: "kmon", subsystem: "export", metricName: "points_delivered", unitName: "total",
        helpText: "Points or records an exporter delivered to its sink.")
    private static let bufferedDescriptor = MetricNameDescriptor(
        namespace: "kmon", subsystem: "export", metricName: "points_buffered", unitName: "",
        helpText: "Points or records waiting in an exporter's buffer.")

    /// Serves on `address` when given; without one, only the registry is kept (for `--jsonl`-style
    /// embedding and tests that render it directly).
    public init(address: ListenAddress?, labelLimits: SpanLabeler.Limits = .init(), logger: Logger) throws {
        labeler = SpanLabeler(limits: labelLimits)
        self.logger = logger
        let registry = self.registry
        server = try address.map { try MetricsHTTPServer(address: $0, logger: logger) { registry.emitToBuffer() } }
    }

    /// Where scrapes go (nil when not serving).
    public var boundAddress: ListenAddress? { server?.boundAddress }

    public func record(_ span: ExportedSpan) {
        let labels = labeler.labels(for: span)
        let metrics = lock.withLock {
            if let existing = series[labels] { return existing }
            let values = [("service", labels.service), ("peer", labels.peer), ("side", labels.side.rawValue),
                          ("method", labels.method.name), ("status_class", labels.statusClass.rawValue)]
            let created = (registry.makeValueHistogram(descriptor: Self.durationDescriptor, labels: values, buckets: Self.durationBuckets),
                           registry.makeCounter(descriptor: Self.requestsDescriptor, labels: values))
            series[labels] = created
            return created
        }
        if !span.partial { metrics.duration.record(Double(span.durationNanoseconds) / 1e9) }
        metrics.requests.increment()
    }

    public func publish(_ snapshot: ExportSnapshot) {
        lock.withLock {
            for (collector, total) in snapshot.lostEvents {
                increase(Self.lostDescriptor, ["collector": collector], to: total)
            }
            for program in snapshot.programs {
                increase(Self.runsDescriptor, ["program": program.name], to: program.runCount)
                increase(Self.runTimeDescriptor, ["program": program.name], to: Double(program.runTimeNanoseconds) / 1e9)
            }
            for sink in snapshot.sinks {
                increase(Self.droppedDescriptor, ["sink": sink.sink], to: sink.dropped)
                increase(Self.deliveredDescriptor, ["sink": sink.sink], to: sink.delivered)
                registry.makeGauge(descriptor: Self.bufferedDescriptor, labels: [("sink", sink.sink)]).set(Double(sink.buffered))
            }
            for sample in snapshot.samples { export(sample) }
        }
    }

    public func close(timeout: Double) {
        server?.close()
    }

    /// The exposition text, as a scrape would see it.
    public func render() -> String { registry.emitToString() }

    /// Counters arrive as cumulative totals; Prometheus counters only go up by increments.
    /// Counts stay integers in the exposition; seconds and collector values are floating point.
    private func increase(_ descriptor: MetricNameDescriptor, _ labels: [String: String], to total: UInt64) {
        let delta = counters.delta(name: descriptor.name, labels: labels, total: Double(total))
        if delta > 0 { counter(descriptor, labels).increment(by: Int64(saturating: delta)) } else { _ = counter(descriptor, labels) }
    }

    private func increase(_ descriptor: MetricNameDescriptor, _ labels: [String: String], to total: Double) {
        let delta = counters.delta(name: descriptor.name, labels: labels, total: total)
        if delta > 0 { counter(descriptor, labels).increment(by: delta) } else { _ = counter(descriptor, labels) }
    }

    private func counter(_ descriptor: MetricNameDescriptor, _ labels: [String: String]) -> Counter {
        let sorted = labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return sorted.isEmpty ? registry.makeCounter(descriptor: descriptor) : registry.makeCounter(descriptor: descriptor, labels: sorted)
    }

    private func export(_ sample: CollectorSample) {
        // swift-prometheus traps when one name mixes kinds, or labelled and unlabelled series:
        // the first sample of a name fixes both, later mismatches are skipped with a warning.
        let shape = (sample.kind, labelled: !sample.labels.isEmpty)
        if let known = sampleKinds[sample.name] {
            guard known.0 == shape.0, known.labelled == shape.labelled else {
                logger.warning("skipping collector sample with an inconsistent shape", metadata: ["name": "\(sample.name)"])
                return
            }
        } else {
            sampleKinds[sample.name] = shape
        }
        let descriptor = MetricNameDescriptor(metricName: sample.name, unitName: "", helpText: sample.help)
        switch sample.kind {
        case .counter:
            increase(descriptor, sample.labels, to: sample.value)
        case .gauge:
            let labels = sample.labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            let gauge = labels.isEmpty ? registry.makeGauge(descriptor: descriptor) : registry.makeGauge(descriptor: descriptor, labels: labels)
            gauge.set(sample.value)
        }
    }
}

/// Turns cumulative readings into increments. A reading below the last one means the source
/// restarted (a program reloaded), and the whole new reading is the increment.
struct CumulativeCounters {
    private var last: [String: Double] = [:]

    mutating func delta(name: String, labels: [String: String], total: Double) -> Double {
        let key = name + labels.sorted { $0.key < $1.key }.map { "\u{1}\($0.key)=\($0.value)" }.joined()
        let previous = last[key] ?? 0
        last[key] = total
        return total >= previous ? total - previous : total
    }
}
