import Foundation
import KmonSystem
import Logging

/// Writes Kmon's data to InfluxDB as line protocol: 1.x's `POST /write?db=NAME` (with a user and
/// password by basic auth when given), or 2.x's `POST /api/v2/write?org=&bucket=` with a token.
/// Spans are summarised per series and period; each period's points go into a bounded buffer
/// that one sender thread drains in batches, retrying with exponential backoff while the sink is
/// down. A full buffer drops new points and counts them, so the probe path never waits on the network.
public final class InfluxExporter: ExportSink, @unchecked Sendable {
    /// Which write API, and where it goes.
    public enum API: Sendable, Equatable {
        /// InfluxDB 1.x (or a 2.x server's 1.x compatibility API): a database, created if missing.
        case v1(database: String)
        /// InfluxDB 2.x and Cloud: an organisation and a bucket, which must exist.
        case v2(org: String, bucket: String)
    }

    public struct Settings: Sendable {
        public var endpoint: HTTPEndpoint
        public var api: API
        public var auth: SinkAuth = .none
        /// Trust only this CA bundle for https, instead of the system's.
        public var caFile: String?
        /// Points: 100,000 buffered, 5,000 per HTTP request, sent as soon as they wait.
        public var delivery = SinkDelivery(bufferCapacity: 100_000, batchSize: 5_000, requestTimeout: 5)
        public var labelLimits = SpanLabeler.Limits()

        public init(endpoint: HTTPEndpoint, api: API, auth: SinkAuth = .none, caFile: String? = nil) {
            self.endpoint = endpoint
            self.api = api
            self.auth = auth
            self.caFile = caFile
        }

        public init(endpoint: HTTPEndpoint, database: String) {
            self.init(endpoint: endpoint, api: .v1(database: database))
        }

        /// The write request's path and query.
        var writePath: String {
            switch api {
            case .v1(let database): return "/write?db=\(Self.encode(database))&precision=ns"
            case let .v2(org, bucket): return "/api/v2/write?org=\(Self.encode(org))&bucket=\(Self.encode(bucket))&precision=ns"
            }
        }

        static func encode(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        }
    }

    public let name = "influx"
    public let settings: Settings
    private let labeler: SpanLabeler
    private let aggregator = SpanAggregator()
    private let sender: BatchSender<String>
    private let logger: Logger
    private let lock = NSLock()
    private var databaseEnsured = false

    /// Checks nothing over the network (`checkAtStart` does) and starts the sender thread.
    public init(settings: Settings, logger: Logger) throws {
        switch settings.api {
        case .v1(let database): guard !database.isEmpty else { throw ExportError("--influx-db needs a database name") }
        case let .v2(org, bucket): guard !org.isEmpty, !bucket.isEmpty else { throw ExportError("--influx-org and --influx-bucket need names") }
        }
        self.settings = settings
        labeler = SpanLabeler(limits: settings.labelLimits)
        sender = try BatchSender(settings: .init(
            sinkName: "InfluxDB", items: "points", statsName: name, endpoint: "\(settings.endpoint)", delivery: settings.delivery),
            logger: logger)
        self.logger = logger
        sender.start(thread: "kmon-influx", connect: { [unowned self] in try makeClient() },
                     send: { [unowned self] batch, client in send(batch, with: client) })
    }

    deinit {
        assert(sender.isClosed, "InfluxExporter for \(settings.endpoint) was not closed")
    }

    public func record(_ span: ExportedSpan) {
        aggregator.record(labeler.labels(for: span), durationNanoseconds: span.durationNanoseconds, partial: span.partial)
    }

    public func publish(_ snapshot: ExportSnapshot) {
        sender.queue.append(contentsOf: Self.points(for: snapshot, summaries: aggregator.drain()).compactMap(\.line))
        sender.reportDrops()
    }

    public func stats() -> SinkStats? { bufferStats }

    public var bufferStats: SinkStats { sender.stats }

    /// Sends what is buffered for up to `timeout` seconds, then stops; what is left is reported
    /// as still buffered.
    public func close(timeout: Double) {
        sender.close(timeout: timeout)
    }

    private func makeClient() throws -> SinkHTTPClient {
        try SinkHTTPClient(sink: name, endpoint: settings.endpoint, auth: settings.auth,
                           caFile: settings.caFile, timeout: settings.delivery.requestTimeout)
    }

    /// The points of one period: request summaries (this period only), and cumulative lost
    /// events, program statistics, sink health and collector samples.
    static func points(for snapshot: ExportSnapshot, summaries: [SpanLabels: SpanAggregator.Summary]) -> [LinePoint] {
        let time = snapshot.wallNanoseconds
        var points: [LinePoint] = []
        for (labels, s) in summaries.sorted(by: { $0.key < $1.key }) {
            points.append(LinePoint(
                measurement: "kmon_requests",
                tags: ["service": labels.service, "peer": labels.peer, "side": labels.side.rawValue,
                       "method": labels.method.name, "status_class": labels.statusClass.rawValue],
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
            points.append(LinePoint(measurement: "kmon_bpf_program", tags: ["program": program.name],
                                    fields: [("runs", .unsigned(program.runCount)),
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

    private func send(_ lines: [String], with client: SinkHTTPClient) -> SinkOutcome {
        if case .v1 = settings.api, !lock.withLock({ databaseEnsured }) {
            if (try? ensureDatabase(with: client)) != nil { lock.withLock { databaseEnsured = true } }
        }
        let path = settings.writePath
        do {
            let response = try client.send("POST", path: path, contentType: "text/plain; charset=utf-8",
                                           body: Array(lines.joined(separator: "\n").utf8))
            switch response.status {
            case 200..<300: return .delivered
            // Bad points (400) or too large (413) fail the same way every time.
            case 400, 413: return .rejected(client.failure("POST", path, response))
            default: return .retry(client.failure("POST", path, response))
            }
        } catch {
            return .retry("\(error)")
        }
    }

    /// Before the monitor starts: with InfluxDB 1.x, creates the database, which also proves the
    /// user and password (a 401 throws, and `kmon monitor` exits 65). An unreachable server is
    /// only logged: the sender buffers and retries, as during any outage. With 2.x nothing is
    /// checked here (a bucket must exist already); a wrong token shows as failed sends.
    public func checkAtStart() throws {
        guard case .v1 = settings.api else { return }
        let client = try makeClient()
        do {
            try ensureDatabase(with: client)
            lock.withLock { databaseEnsured = true }
        } catch let error as ExportError where error.isBadCredentials {
            throw error
        } catch {
            logger.warning("InfluxDB not reachable at start; buffering points and retrying", metadata: ["reason": "\(error)"])
        }
    }

    /// `CREATE DATABASE` is idempotent in InfluxDB 1.x, so the first contact makes sure the target
    /// exists. Any answer but 401 counts (a user without admin rights gets 403, and may still
    /// write); only a network failure makes it try again before the next batch.
    private func ensureDatabase(with client: SinkHTTPClient) throws {
        guard case .v1(let database) = settings.api else { return }
        let query = "CREATE DATABASE \"\(database.replacingOccurrences(of: "\"", with: "\\\""))\""
        let path = "/query?q=\(Settings.encode(query))"
        let response = try client.send("POST", path: path)
        if response.status == 401 {
            throw ExportError(client.failure("POST", "/query (CREATE DATABASE)", response), isBadCredentials: true)
        }
        if !(200..<300).contains(response.status) {
            logger.info("could not create the InfluxDB database; writing anyway", metadata: [
                "database": "\(database)", "status": "\(response.status)"])
        }
    }
}
