import Foundation
import Glibc
import KmonSupport
import Logging

/// Writes every completed span, one row each, to a ClickHouse table over its HTTP interface
/// (`INSERT … FORMAT RowBinary`). Spans go into a bounded buffer that one sender thread drains
/// in large batches (at most one insert per `flushInterval` unless a batch fills: MergeTree
/// wants few large parts), retrying with exponential backoff while the server is down. A full
/// buffer drops new spans and counts them, so the probe path never waits on the network.
public final class ClickHouseExporter: ExportSink, @unchecked Sendable {
    /// `--clickhouse-buffer`: up to 10 million spans, a few GB if a long outage fills it all.
    public static let bufferRange = AcceptedRange(1...10_000_000, unit: "spans")

    public struct Settings: Sendable {
        public var endpoint: HTTPEndpoint
        public var database = "kmon"
        public var table = "spans"
        public var auth: SinkAuth = .none
        public var caFile: String?
        /// The `node` column: which agent wrote the row.
        public var node = Settings.hostName()
        /// Spans: a million buffered, 100,000 rows per INSERT, at most one INSERT a second while
        /// batches are not full (MergeTree wants few large parts).
        public var delivery = SinkDelivery(bufferCapacity: 1_000_000, batchSize: 100_000, flushInterval: 1, requestTimeout: 10)

        public init(endpoint: HTTPEndpoint, database: String = "kmon", table: String = "spans", auth: SinkAuth = .none, caFile: String? = nil) {
            self.endpoint = endpoint
            self.database = database
            self.table = table
            self.auth = auth
            self.caFile = caFile
        }

        static func hostName() -> String {
            var buffer = [CChar](repeating: 0, count: 256)
            return gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : "unknown"
        }
    }

    public let name = "clickhouse"
    public let settings: Settings
    private let sender: BatchSender<ExportedSpan>
    private let logger: Logger
    private let lock = NSLock()
    private var tableEnsured = false
    /// Whether the table has the HTTP columns (an older table that could not be altered has not).
    private var tableHasAddedColumns = true
    /// CLOCK_REALTIME minus CLOCK_MONOTONIC, refreshed every period, for the rows' wall time.
    private var wallOffset: Int64 = ClickHouseExporter.currentWallOffset()

    /// Checks nothing over the network (`checkAtStart` does) and starts the sender thread.
    public init(settings: Settings, logger: Logger) throws {
        guard ClickHouseSpanRows.isIdentifier(settings.database), ClickHouseSpanRows.isIdentifier(settings.table) else {
            throw ExportError("--clickhouse-table: '\(settings.database).\(settings.table)' is not DB.TABLE of letters, digits and _")
        }
        self.settings = settings
        sender = try BatchSender(settings: .init(
            sinkName: "ClickHouse", items: "spans", statsName: name, endpoint: "\(settings.endpoint)", delivery: settings.delivery),
            logger: logger)
        self.logger = logger
        var body: [UInt8] = []
        sender.start(thread: "kmon-clickhouse", connect: { [unowned self] in try makeClient() },
                     send: { [unowned self] batch, client in
                         body.removeAll(keepingCapacity: true)
                         let (offset, added) = lock.withLock { (wallOffset, tableHasAddedColumns) }
                         ClickHouseSpanRows.encode(batch, wallOffset: offset, node: settings.node, added: added, into: &body)
                         return send(body, with: client)
                     })
    }

    deinit {
        assert(sender.isClosed, "ClickHouseExporter for \(settings.endpoint) was not closed")
    }

    @inline(__always)
    public func record(_ span: ExportedSpan) {
        sender.queue.append(span)
    }

    public func publish(_ snapshot: ExportSnapshot) {
        let offset = Self.currentWallOffset()
        lock.withLock { wallOffset = offset }
        sender.reportDrops()
    }

    public func stats() -> SinkStats? { bufferStats }

    public var bufferStats: SinkStats { sender.stats }

    /// Sends what is buffered for up to `timeout` seconds, then stops; what is left is reported
    /// as still buffered.
    public func close(timeout: Double) {
        sender.close(timeout: timeout)
    }

    /// Before the monitor starts: creates the database and table, which also proves the user and
    /// password (refused credentials throw, and `kmon monitor` exits 65). An unreachable server
    /// is only logged: the sender buffers and retries, as during any outage.
    public func checkAtStart() throws {
        let client = try makeClient()
        do {
            try ensureTable(with: client)
        } catch let error as ExportError where error.isBadCredentials {
            throw error
        } catch {
            logger.warning("ClickHouse not ready at start; buffering spans and retrying", metadata: ["reason": "\(error)"])
        }
    }

    private func makeClient() throws -> SinkHTTPClient {
        try SinkHTTPClient(sink: name, endpoint: settings.endpoint, auth: settings.auth, caFile: settings.caFile,
                           timeout: settings.delivery.requestTimeout)
    }

    private static func currentWallOffset() -> Int64 {
        Int64(bitPattern: WallClock.nowNanoseconds()) &- Int64(bitPattern: MonotonicClock.now())
    }

    private func send(_ rows: [UInt8], with client: SinkHTTPClient) -> SinkOutcome {
        if !lock.withLock({ tableEnsured }) {
            do { try ensureTable(with: client) } catch { return .retry("\(error)") }
        }
        let added = lock.withLock { tableHasAddedColumns }
        let path = "/?query=" + Self.encode(ClickHouseSpanRows.insert(database: settings.database, table: settings.table, added: added))
        do {
            let response = try client.send("POST", path: path, contentType: "application/octet-stream", body: rows)
            if (200..<300).contains(response.status) { return .delivered }
            let failure = client.failure("POST", "/?query=INSERT…", response)
            switch Self.errorCode(response) {
            // UNKNOWN_TABLE, UNKNOWN_DATABASE: dropped while running; create them again.
            case 60, 81:
                lock.withLock { tableEnsured = false }
                return .retry(failure)
            // The rows or the statement themselves are wrong (parse errors, type or column
            // mismatches with an existing table): the same batch would fail every time.
            case 16, 27, 32, 33, 47, 53, 62, 70, 117:
                return .rejected(failure)
            default:
                return response.status == 400 || response.status == 413 ? .rejected(failure) : .retry(failure)
            }
        } catch {
            return .retry("\(error)")
        }
    }

    /// `CREATE DATABASE IF NOT EXISTS` and `CREATE TABLE IF NOT EXISTS`: idempotent, so each
    /// first contact (and each contact after the table went missing) runs them. A table an older
    /// kmon made gets the HTTP columns added; if that is refused (no ALTER right, an engine that
    /// cannot), rows go without them, and a warning says so.
    private func ensureTable(with client: SinkHTTPClient) throws {
        let (database, table) = (settings.database, settings.table)
        for statement in [ClickHouseSpanRows.createDatabase(database), ClickHouseSpanRows.createTable(database: database, table: table)] {
            _ = try run(statement, with: client)
        }
        var existing = try columnNames(with: client)
        let alters = ClickHouseSpanRows.addMissingColumns(database: database, table: table, existing: existing)
        if !alters.isEmpty {
            for statement in alters {
                // Another agent may add the column first; what counts is the columns afterwards.
                do { _ = try run(statement, with: client) } catch let error as ExportError where !error.isBadCredentials {
                    logger.warning("could not add a column to the ClickHouse table", metadata: ["reason": "\(error)"])
                }
            }
            existing = try columnNames(with: client)
        }
        let added = ClickHouseSpanRows.addedColumns.allSatisfy { existing.contains($0.name) }
        if !added {
            logger.warning("the ClickHouse table lacks the method, status and container columns and could not take them; writing rows without them",
                           metadata: ["table": "\(database).\(table)"])
        }
        lock.withLock {
            tableHasAddedColumns = added
            tableEnsured = true
        }
    }

    private func columnNames(with client: SinkHTTPClient) throws -> Set<String> {
        let text = try run(ClickHouseSpanRows.describeColumns(database: settings.database, table: settings.table), with: client)
        return Set(text.split(separator: "\n").map(String.init))
    }

    /// One statement; its answer's text, or an error naming the sink, the statement's start and the reason.
    private func run(_ statement: String, with client: SinkHTTPClient) throws -> String {
        let response = try client.send("POST", path: "/", contentType: "text/plain; charset=utf-8", body: Array(statement.utf8))
        guard (200..<300).contains(response.status) else {
            let failure = client.failure("POST", "/ (\(statement.prefix(40))…)", response)
            throw ExportError(failure, isBadCredentials: Self.isCredentialFailure(response))
        }
        return response.bodyText
    }

    /// 401/403 from a proxy in front, or ClickHouse's own UNKNOWN_USER (192), WRONG_PASSWORD
    /// (193), REQUIRED_PASSWORD (194) and AUTHENTICATION_FAILED (516), which older servers send
    /// with HTTP 500.
    static func isCredentialFailure(_ response: SinkResponse) -> Bool {
        response.status == 401 || response.status == 403 || [192, 193, 194, 516].contains(errorCode(response))
    }

    /// The "Code: N" ClickHouse puts at the start of an error body.
    static func errorCode(_ response: SinkResponse) -> Int? {
        let text = response.bodyText.prefix(64)
        guard let range = text.range(of: "Code: ") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
