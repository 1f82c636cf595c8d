import ArgumentParser
import Foundation
import KmonExport

/// The exporter flags of `kmon monitor`: `--prometheus`, `--influx…`, `--clickhouse…`, `--ca-file`, `--jsonl`.
struct ExportOptions: ParsableArguments {
    @Option(name: .customLong("prometheus"), help: ArgumentHelp(
        "Serve Prometheus metrics at http://ADDR/metrics. ADDR is HOST:PORT, :PORT or PORT; the host defaults to 127.0.0.1, so any other interface must be named.",
        valueName: "ADDR"))
    var prometheus: String?

    @Option(name: .customLong("influx"), help: ArgumentHelp(
        "Write line protocol to this InfluxDB server, http:// or https:// (needs --influx-db for 1.x, or --influx-org and --influx-bucket for 2.x).",
        valueName: "URL"))
    var influx: String?

    @Option(name: .customLong("influx-db"), help: ArgumentHelp("InfluxDB 1.x: the database to write to (created if missing).", valueName: "NAME"))
    var influxDatabase: String?

    @Option(name: .customLong("influx-user"), help: ArgumentHelp(
        "InfluxDB 1.x: write as this user (basic auth); the password comes from --influx-password-file or KMON_INFLUX_PASSWORD.",
        valueName: "NAME"))
    var influxUser: String?

    @Option(name: .customLong("influx-password-file"), help: ArgumentHelp("InfluxDB 1.x: read the user's password from FILE.", valueName: "FILE"))
    var influxPasswordFile: String?

    @Option(name: .customLong("influx-org"), help: ArgumentHelp("InfluxDB 2.x: the organisation (with --influx-bucket).", valueName: "ORG"))
    var influxOrg: String?

    @Option(name: .customLong("influx-bucket"), help: ArgumentHelp("InfluxDB 2.x: the bucket to write to (must exist).", valueName: "BUCKET"))
    var influxBucket: String?

    @Option(name: .customLong("influx-token-file"), help: ArgumentHelp(
        "InfluxDB 2.x: read the API token from FILE; else from KMON_INFLUX_TOKEN. Never given as a flag value, which ps would show.",
        valueName: "FILE"))
    var influxTokenFile: String?

    @Option(name: .customLong("clickhouse"), help: ArgumentHelp(
        "Write every span as a row to ClickHouse's HTTP interface at URL (http:// or https://, port 8123 by default).", valueName: "URL"))
    var clickhouse: String?

    @Option(name: .customLong("clickhouse-table"), help: ArgumentHelp(
        "The ClickHouse table, TABLE or DB.TABLE (default kmon.spans), created if missing.", valueName: "[DB.]TABLE"))
    var clickhouseTable: String?

    @Option(name: .customLong("clickhouse-user"), help: ArgumentHelp(
        "Write to ClickHouse as this user; the password comes from --clickhouse-password-file or KMON_CLICKHOUSE_PASSWORD.",
        valueName: "NAME"))
    var clickhouseUser: String?

    @Option(name: .customLong("clickhouse-password-file"), help: ArgumentHelp("Read the ClickHouse user's password from FILE.", valueName: "FILE"))
    var clickhousePasswordFile: String?

    @Option(name: .customLong("clickhouse-buffer"), help: ArgumentHelp(
        "Spans the ClickHouse exporter holds while the server is slow or down (default 1000000); beyond it, spans are dropped and counted.",
        valueName: "N"))
    var clickhouseBuffer: Int?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "Trust only the CA certificates in FILE (PEM) for https sinks, instead of the system's.", valueName: "FILE"))
    var caFile: String?

    @Option(name: .customLong("jsonl"), help: ArgumentHelp("Append one JSON object per span and per export period to FILE ('-' for standard output).", valueName: "FILE"))
    var jsonl: String?

    @Option(name: .customLong("export-period"), help: ArgumentHelp("Seconds between InfluxDB flushes and JSON period lines (export.period).", valueName: "S"))
    var exportPeriod: Double?

    func validate() throws {
        _ = try configuration()
    }

    func configuration() throws -> ExportConfiguration {
        do {
            var flags = ExportConfiguration.Flags()
            flags.prometheus = prometheus
            flags.influx = influx
            flags.influxDatabase = influxDatabase
            flags.influxUser = influxUser
            flags.influxPasswordFile = influxPasswordFile
            flags.influxOrg = influxOrg
            flags.influxBucket = influxBucket
            flags.influxTokenFile = influxTokenFile
            flags.clickhouse = clickhouse
            flags.clickhouseTable = clickhouseTable
            flags.clickhouseUser = clickhouseUser
            flags.clickhousePasswordFile = clickhousePasswordFile
            flags.clickhouseBuffer = clickhouseBuffer
            flags.caFile = caFile
            flags.jsonl = jsonl
            flags.period = exportPeriod
            return try ExportConfiguration(flags: flags, environment: ProcessInfo.processInfo.environment)
        } catch let error as ExportError {
            throw ValidationError(error.description)
        }
    }

    /// One line per exporter on stderr at the end: what it delivered, and what it could not.
    static func report(_ stats: [SinkStats]) {
        for s in stats {
            var line = "export \(s.sink): delivered \(s.delivered), dropped \(s.dropped) (buffer full)"
            if s.rejected > 0 { line += ", rejected \(s.rejected) by the sink" }
            if s.buffered > 0 { line += ", \(s.buffered) undelivered at exit" }
            if s.failedAttempts > 0 { line += ", \(s.failedAttempts) failed sends retried" }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}
