import KmonSystem
/// The ClickHouse table of spans: its DDL, and rows in RowBinary, ClickHouse's native row
/// format (little-endian numbers, strings as LEB128 length then bytes), which costs the agent
/// no text formatting and the server no parsing of numbers.
public enum ClickHouseSpanRows {
    /// Column names and types, in the order rows are written. The INSERT names them, so a table
    /// with extra columns (with defaults) still accepts the rows.
    public static let columns: [(name: String, type: String)] = [
        ("time", "DateTime"),                 // the span's start, wall clock, in seconds
        ("time_unix_ns", "UInt64"),           // the same instant in nanoseconds
        ("node", "String"),                   // the agent's host name: one agent per node
        ("service", "String"),
        ("peer", "String"),                   // the other end's service name, else its address
        ("peer_address", "String"),
        ("side", "Enum8('server' = 1, 'client' = 2)"),
        ("local_address", "String"),          // the 4-tuple, from the measuring socket
        ("local_port", "UInt16"),
        ("remote_address", "String"),
        ("remote_port", "UInt16"),
        ("ordinal", "UInt64"),                // the request's position on its connection
        ("start_ns", "UInt64"),               // CLOCK_MONOTONIC: joins with the load generator's records
        ("duration_ns", "UInt64"),
        ("request_bytes", "UInt64"),
        ("response_bytes", "UInt64"),
        ("pid", "Int32"),
        ("partial", "UInt8"),                 // 1: may have begun before the monitor attached
    ] + addedColumns

    /// Added after the first release: a table an older kmon created lacks them, and gets them
    /// by `ALTER TABLE … ADD COLUMN` (ClickHouse 18.16 has no `ADD COLUMN IF NOT EXISTS`, so
    /// the exporter reads `system.columns` first). Rows already there read the defaults.
    public static let addedColumns: [(name: String, type: String)] = [
        ("method", "String DEFAULT 'unknown'"),  // HTTPMethod.name: GET, POST, …, other, not_http, unknown
        ("status", "UInt16 DEFAULT 0"),          // the response's status code; 0 when none was read
        ("container_id", "String DEFAULT ''"),   // the process's container (docs/containers.md); '' on the host
        ("container", "String DEFAULT ''"),      // its name, from the runtime's state
        ("pod", "String DEFAULT ''"),            // its Kubernetes pod and namespace, where it has one
        ("namespace", "String DEFAULT ''"),
    ]

    public static func createDatabase(_ database: String) -> String {
        "CREATE DATABASE IF NOT EXISTS `\(database)`"
    }

    /// MergeTree ordered by (service, time): per-service time ranges, the common query, read
    /// few granules; a partition per day keeps old data cheap to drop.
    public static func createTable(database: String, table: String) -> String {
        let list = columns.map { "`\($0.name)` \($0.type)" }.joined(separator: ", ")
        return "CREATE TABLE IF NOT EXISTS `\(database)`.`\(table)` (\(list)) "
            + "ENGINE = MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (service, time)"
    }

    /// Without `added`, for an older table that lacks the added columns and could not be altered.
    public static func insert(database: String, table: String, added: Bool = true) -> String {
        let names = (added ? columns : Array(columns.dropLast(addedColumns.count))).map(\.name)
        return "INSERT INTO `\(database)`.`\(table)` (\(names.joined(separator: ", "))) FORMAT RowBinary"
    }

    /// The names of the table's columns, one a line (TabSeparated).
    public static func describeColumns(database: String, table: String) -> String {
        "SELECT name FROM system.columns WHERE database = '\(database)' AND table = '\(table)' FORMAT TabSeparated"
    }

    /// What an older table needs to take the added columns: one ALTER per missing column.
    public static func addMissingColumns(database: String, table: String, existing: Set<String>) -> [String] {
        addedColumns.filter { !existing.contains($0.name) }.map { "ALTER TABLE `\(database)`.`\(table)` ADD COLUMN `\($0.name)` \($0.type)" }
    }

    /// A ClickHouse identifier Kmon accepts without quoting surprises.
    public static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func isLetter(_ c: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
    }

    /// Appends one row per span. `wallOffset` turns CLOCK_MONOTONIC starts into wall-clock time.
    /// `added: false` leaves the added columns out, matching `insert(…, added: false)`.
    public static func encode<C: Collection>(_ spans: C, wallOffset: Int64, node: String, added: Bool = true, into out: inout [UInt8])
        where C.Element == ExportedSpan {
        out.reserveCapacity(out.count + spans.count * 160)
        for span in spans {
            let wall = UInt64(bitPattern: Int64(bitPattern: span.startNanoseconds) &+ wallOffset)
            put(UInt32(truncatingIfNeeded: wall / 1_000_000_000), &out)
            put(wall, &out)
            put(node, &out)
            put(span.service, &out)
            put(span.peerName ?? span.peerAddress, &out)
            put(span.peerAddress, &out)
            out.append(span.side == .server ? 1 : 2)
            put(span.tuple?.local.address.description ?? "", &out)
            put(span.tuple?.local.port ?? 0, &out)
            put(span.tuple?.remote.address.description ?? "", &out)
            put(span.tuple?.remote.port ?? 0, &out)
            put(span.ordinal, &out)
            put(span.startNanoseconds, &out)
            put(span.durationNanoseconds, &out)
            put(span.requestBytes, &out)
            put(span.responseBytes, &out)
            put(UInt32(bitPattern: span.pid), &out)
            out.append(span.partial ? 1 : 0)
            guard added else { continue }
            put(span.http.method.name, &out)
            put(span.http.status, &out)
            put(span.container?.id ?? "", &out)
            put(span.container?.name ?? "", &out)
            put(span.container?.pod ?? "", &out)
            put(span.container?.namespace ?? "", &out)
        }
    }

    @inline(__always)
    private static func put<T: FixedWidthInteger>(_ value: T, _ out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    private static func put(_ text: String, _ out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var length = bytes.count
            while length >= 0x80 {
                out.append(UInt8(truncatingIfNeeded: length) | 0x80)
                length >>= 7
            }
            out.append(UInt8(length))
            out.append(contentsOf: bytes)
        }
    }
}
