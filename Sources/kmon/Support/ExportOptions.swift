import ArgumentParser
import Foundation
import Kmon

/// The exporter flags of `kmon monitor`: `--prometheus`, `--influx`/`--influx-db`, `--jsonl`.
struct ExportOptions: ParsableArguments {
    @Option(name: .customLong("prometheus"), help: ArgumentHelp(
        "Serve Prometheus metrics at http://ADDR/metrics. ADDR is HOST:PORT, :PORT or PORT; the host defaults to 127.0.0.1, so any other interface must be named.",
        valueName: "ADDR"))
    var prometheus: String?

    @Option(name: .customLong("influx"), help: ArgumentHelp("Write line protocol to this InfluxDB 1.x server (needs --influx-db).", valueName: "URL"))
    var influx: String?

    @Option(name: .customLong("influx-db"), help: ArgumentHelp("The InfluxDB database to write to (created if missing).", valueName: "NAME"))
    var influxDatabase: String?

    @Option(name: .customLong("jsonl"), help: ArgumentHelp("Append one JSON object per span and per export period to FILE ('-' for standard output).", valueName: "FILE"))
    var jsonl: String?

    @Option(name: .customLong("export-period"), help: ArgumentHelp("Seconds between InfluxDB flushes and JSON period lines (export.period).", valueName: "S"))
    var exportPeriod: Double?

    func validate() throws {
        _ = try configuration()
    }

    func configuration() throws -> ExportConfiguration {
        do {
            return try ExportConfiguration(prometheus: prometheus, influx: influx, influxDatabase: influxDatabase,
                                           jsonl: jsonl, period: exportPeriod)
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
