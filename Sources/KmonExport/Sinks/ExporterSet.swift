import Foundation
import KmonSupport
import Logging

/// The exporters one monitor runs, fed together: spans as they complete, and a snapshot every
/// export period, taken on the set's own thread so that the monitor's loop never waits on it.
public final class ExporterSet: @unchecked Sendable {
    public let sinks: [any ExportSink]
    public let period: Double
    private let stopToken = StopToken()
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var snapshot: (@Sendable () -> ExportSnapshot)?
    private var started = false
    private var closed = false

    public init(sinks: [any ExportSink], period: Double) {
        self.sinks = sinks
        self.period = period
    }

    /// Opens every configured exporter and checks each pushed sink's credentials where it can;
    /// if one fails, the ones already open are closed again.
    public static func open(_ configuration: ExportConfiguration, logger: Logger) throws -> ExporterSet {
        var sinks: [any ExportSink] = []
        do {
            if let address = configuration.prometheus {
                sinks.append(try PrometheusExporter(address: address, labelLimits: configuration.labelLimits, logger: logger))
            }
            if var settings = configuration.influx {
                settings.labelLimits = configuration.labelLimits
                let influx = try InfluxExporter(settings: settings, logger: logger)
                sinks.append(influx)
                try influx.checkAtStart()
            }
            if let settings = configuration.clickhouse {
                let clickhouse = try ClickHouseExporter(settings: settings, logger: logger)
                sinks.append(clickhouse)
                try clickhouse.checkAtStart()
            }
            if let path = configuration.jsonlPath {
                sinks.append(try JSONLinesExporter(path: path, logger: logger))
            }
        } catch {
            sinks.forEach { $0.close(timeout: 0) }
            throw error
        }
        return ExporterSet(sinks: sinks, period: configuration.period)
    }

    public var isEmpty: Bool { sinks.isEmpty }

    /// Publishes a first snapshot now (so every metric family exists from the first scrape), then
    /// one every period until `close`.
    public func start(snapshot: @escaping @Sendable () -> ExportSnapshot) {
        let first = lock.withLock {
            defer { started = true; self.snapshot = snapshot }
            return !started
        }
        guard first else { return }
        guard !sinks.isEmpty else {
            finished.signal()
            return
        }
        publishNow()
        let thread = Thread { [self] in
            defer { finished.signal() }
            while !stopToken.wait(seconds: period) { publishNow() }
        }
        thread.name = "kmon-export-period"
        thread.start()
    }

    /// Hands one span to every exporter. Never blocks.
    @inline(__always)
    public func record(_ span: ExportedSpan) {
        for sink in sinks { sink.record(span) }
    }

    /// Takes a snapshot and gives it, with the exporters' own health, to every exporter.
    public func publishNow() {
        publish(to: sinks)
    }

    /// Gives a fresh snapshot to the pulled exporters only, between periods.
    public func refreshPulled() {
        publish(to: sinks.filter(\.isPulled))
    }

    private func publish(to targets: [any ExportSink]) {
        guard !targets.isEmpty, let take = lock.withLock({ snapshot }) else { return }
        var current = take()
        current.sinks = sinks.compactMap { $0.stats() }
        for sink in targets { sink.publish(current) }
    }

    /// Publishes a last snapshot, gives the exporters up to `timeout` seconds to deliver, and
    /// returns their final accounts.
    @discardableResult
    public func close(timeout: Double = 5) -> [SinkStats] {
        let first = lock.withLock {
            defer { closed = true }
            return !closed
        }
        guard first else { return sinks.compactMap { $0.stats() } }
        stopToken.stop(reason: "closing")
        if lock.withLock({ started }) {
            finished.wait()
            publishNow()
        }
        let deadline = MonotonicClock.now() + UInt64(saturating: timeout * 1e9)
        for sink in sinks {
            let left = Double(deadline > MonotonicClock.now() ? deadline - MonotonicClock.now() : 0) / 1e9
            sink.close(timeout: left)
        }
        return sinks.compactMap { $0.stats() }
    }

    deinit {
        assert(closed || sinks.isEmpty, "ExporterSet was not closed")
    }
}
