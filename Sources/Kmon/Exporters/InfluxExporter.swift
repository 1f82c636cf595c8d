import Foundation
import KmonSupport
import Logging

/// Writes Kmon's data to InfluxDB 1.x (or a 2.x server's 1.x API) as line protocol over
/// `POST /write?db=NAME`. Spans are summarised per series and period; each period's points go
/// into a bounded buffer that one sender thread drains in batches, retrying with exponential
/// backoff while the sink is down. A full buffer drops new points and counts them, so the
/// probe path never waits on the network.
public final class InfluxExporter: ExportSink, @unchecked Sendable {
    public struct Settings: Sendable {
        public var endpoint: HTTPEndpoint
        public var database: String
        /// Points the buffer holds while the sink is slow or down.
        public var bufferCapacity = 100_000
        /// Points per HTTP request.
        public var batchSize = 5_000
        public var requestTimeout = 5.0
        public var initialBackoff = 0.25
        public var maxBackoff = 10.0
        public var labelLimits = SpanLabeler.Limits()

        public init(endpoint: HTTPEndpoint, database: String) {
            self.endpoint = endpoint
            self.database = database
        }
    }

    public let name = "influx"
    public let settings: Settings
    private let labeler: SpanLabeler
    private let aggregator = SpanAggregator()
    private let queue: BoundedQueue<String>
    private let logger: Logger
    private let stopToken = StopToken()
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var draining = false
    private var closed = false
    private var rejected: UInt64 = 0
    private var failedAttempts: UInt64 = 0
    private var droppedReported: UInt64 = 0
    private var databaseEnsured = false

    public init(settings: Settings, logger: Logger) throws {
        guard !settings.database.isEmpty else { throw ExportError("--influx-db needs a database name") }
        guard settings.bufferCapacity > 0, settings.batchSize > 0 else {
            throw ExportError("the InfluxDB buffer and batch sizes must be positive")
        }
        self.settings = settings
        labeler = SpanLabeler(limits: settings.labelLimits)
        queue = BoundedQueue(capacity: settings.bufferCapacity)
        self.logger = logger
        let thread = Thread { [self] in sendLoop() }
        thread.name = "kmon-influx"
        thread.start()
    }

    deinit {
        assert(closed, "InfluxExporter for \(settings.endpoint) was not closed")
    }

    public func record(_ span: ExportedSpan) {
        aggregator.record(labeler.labels(for: span), durationNanoseconds: span.durationNanoseconds, partial: span.partial)
    }

    public func publish(_ snapshot: ExportSnapshot) {
        let lines = Self.points(for: snapshot, summaries: aggregator.drain()).compactMap(\.line)
        queue.append(contentsOf: lines)
        let dropped = queue.droppedCount
        let newlyDropped = lock.withLock {
            defer { droppedReported = dropped }
            return dropped - droppedReported
        }
        if newlyDropped > 0 {
            logger.warning("InfluxDB buffer full: points dropped", metadata: [
                "dropped": "\(newlyDropped)", "dropped_total": "\(dropped)", "capacity": "\(queue.capacity)",
                "sink": "\(settings.endpoint)",
            ])
        }
    }

    public func stats() -> SinkStats? { bufferStats }

    public var bufferStats: SinkStats {
        lock.withLock {
            SinkStats(sink: name, buffered: queue.bufferedCount, delivered: queue.deliveredCount,
                      dropped: queue.droppedCount, rejected: rejected, failedAttempts: failedAttempts)
        }
    }

    /// Sends what is buffered for up to `timeout` seconds, then stops; what is left is reported
    /// as still buffered.
    public func close(timeout: Double) {
        let first = lock.withLock {
            defer { closed = true; draining = true }
            return !closed
        }
        guard first else { return }
        queue.close()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            stopToken.stop(reason: "closing")
            finished.wait()
        }
    }

    /// The points of one period: request summaries (this period only), and cumulative lost
    /// events, program statistics, sink health and collector samples.
    static func points(for snapshot: ExportSnapshot, summaries: [SpanLabels: SpanAggregator.Summary]) -> [LinePoint] {
        let time = snapshot.wallNanoseconds
        var points: [LinePoint] = []
        for (labels, s) in summaries.sorted(by: { ($0.key.service, $0.key.peer, $0.key.side.rawValue) < ($1.key.service, $1.key.peer, $1.key.side.rawValue) }) {
            points.append(LinePoint(
                measurement: "kmon_requests",
                tags: ["service": labels.service, "peer": labels.peer, "side": labels.side.rawValue],
                fields: [("count", .unsigned(s.count)), ("duration_sum_seconds", .float(Double(s.sumNanoseconds) / 1e9)),
                         ("duration_min_seconds", .float(Double(s.minNanoseconds) / 1e9)),
                         ("duration_max_seconds", .float(Double(s.maxNanoseconds) / 1e9)),
                         ("duration_p50_seconds", .float(Double(s.p50Nanoseconds) / 1e9)),
                         ("duration_p99_seconds", .float(Double(s.p99Nanoseconds) / 1e9))],
                timestamp: time))
        }
        for (collector, total) in snapshot.lostEvents.sorted(by: { $0.key < $1.key }) {
            points.append(LinePoint(measurement: "kmon_events_lost", tags: ["collector": collector],
                                    fields: [("total", .unsigned(total))], timestamp: time))
        }
        for program in snapshot.programs {
            points.append(LinePoint(measurement: "kmon_bpf_program", tags: ["program": program.program],
                                    fields: [("runs", .unsigned(program.runs)),
                                             ("run_time_seconds", .float(Double(program.runTimeNanoseconds) / 1e9))],
                                    timestamp: time))
        }
        for sink in snapshot.sinks {
            points.append(LinePoint(measurement: "kmon_export", tags: ["sink": sink.sink],
                                    fields: [("buffered", .integer(Int64(sink.buffered))), ("delivered", .unsigned(sink.delivered)),
                                             ("dropped", .unsigned(sink.dropped)), ("rejected", .unsigned(sink.rejected)),
                                             ("failed_attempts", .unsigned(sink.failedAttempts))],
                                    timestamp: time))
        }
        for sample in snapshot.samples {
            points.append(LinePoint(measurement: sample.name, tags: sample.labels, fields: [("value", .float(sample.value))], timestamp: time))
        }
        return points
    }

    private enum Outcome {
        case delivered
        /// The server refused the points themselves; sending them again cannot succeed.
        case rejected(String)
        case retry(String)
    }

    private func sendLoop() {
        defer { finished.signal() }
        var backoff = settings.initialBackoff
        var outageStart: UInt64?
        while !stopToken.isStopped {
            let batch = queue.peek(max: settings.batchSize, waitingUpTo: 0.2)
            if batch.isEmpty {
                if lock.withLock({ draining }) { return }
                continue
            }
            switch send(batch) {
            case .delivered:
                queue.removeFirst(batch.count)
                backoff = settings.initialBackoff
                if let start = outageStart {
                    logger.warning("InfluxDB reachable again; sending the buffered points", metadata: [
                        "outage_seconds": "\(Double(MonotonicClock.now() - start) / 1e9)", "buffered": "\(queue.bufferedCount)"])
                    outageStart = nil
                }
            case .rejected(let reason):
                queue.removeFirst(batch.count, as: .uncounted)
                lock.withLock { rejected += UInt64(batch.count) }
                logger.error("InfluxDB rejected a batch; its points are dropped", metadata: ["points": "\(batch.count)", "reason": "\(reason)"])
            case .retry(let reason):
                lock.withLock { failedAttempts += 1 }
                if outageStart == nil {
                    outageStart = MonotonicClock.now()
                    logger.warning("InfluxDB unavailable; buffering points and retrying", metadata: [
                        "reason": "\(reason)", "buffered": "\(queue.bufferedCount)", "capacity": "\(queue.capacity)"])
                }
                stopToken.wait(seconds: backoff)
                backoff = min(backoff * 2, settings.maxBackoff)
            }
        }
    }

    private func send(_ lines: [String]) -> Outcome {
        ensureDatabase()
        let db = settings.database.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? settings.database
        do {
            let response = try HTTPClient.send("POST", to: settings.endpoint, path: "/write?db=\(db)&precision=ns",
                                               contentType: "text/plain; charset=utf-8",
                                               body: Array(lines.joined(separator: "\n").utf8), timeout: settings.requestTimeout)
            switch response.status {
            case 200..<300: return .delivered
            // Bad points (400) or too large (413) fail the same way every time.
            case 400, 413: return .rejected("HTTP \(response.status): \(response.bodyText.prefix(200))")
            default: return .retry("HTTP \(response.status): \(response.bodyText.prefix(200))")
            }
        } catch {
            return .retry("\(error)")
        }
    }

    /// `CREATE DATABASE` is idempotent in InfluxDB 1.x, so the first contact makes sure the target
    /// exists. Any answer counts (a server that refuses it may still accept writes); only a
    /// network failure makes it try again before the next batch.
    private func ensureDatabase() {
        guard !lock.withLock({ databaseEnsured }) else { return }
        let query = "CREATE DATABASE \"\(settings.database.replacingOccurrences(of: "\"", with: "\\\""))\""
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        guard let response = try? HTTPClient.send("POST", to: settings.endpoint, path: "/query?q=\(encoded)",
                                                  timeout: settings.requestTimeout) else { return }
        if !(200..<300).contains(response.status) {
            logger.info("could not create the InfluxDB database; writing anyway", metadata: [
                "database": "\(settings.database)", "status": "\(response.status)"])
        }
        lock.withLock { databaseEnsured = true }
    }
}
