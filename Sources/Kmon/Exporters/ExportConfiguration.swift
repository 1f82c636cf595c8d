/// Which exporters `kmon monitor` runs, from its flags (and, later, a config file's `export:` section).
public struct ExportConfiguration: Sendable {
    public static let defaultPeriod = 10.0

    public var prometheus: ListenAddress?
    public var influx: InfluxExporter.Settings?
    /// A file path, or `-` for standard output.
    public var jsonlPath: String?
    /// `export.period`: seconds between InfluxDB flushes and JSON period lines; Prometheus is pulled.
    public var period: Double
    public var labelLimits: SpanLabeler.Limits

    public init(prometheus: ListenAddress? = nil, influx: InfluxExporter.Settings? = nil, jsonlPath: String? = nil,
                period: Double = defaultPeriod, labelLimits: SpanLabeler.Limits = .init()) {
        self.prometheus = prometheus
        self.influx = influx
        self.jsonlPath = jsonlPath
        self.period = period
        self.labelLimits = labelLimits
    }

    /// Validates the command-line flags, naming the one that is wrong.
    public init(prometheus: String?, influx: String?, influxDatabase: String?, jsonl: String?, period: Double?) throws {
        self.init()
        if let prometheus {
            do { self.prometheus = try ListenAddress(parsing: prometheus) } catch { throw ExportError("--prometheus: \(error)") }
        }
        switch (influx, influxDatabase) {
        case (nil, nil):
            break
        case (.some, nil):
            throw ExportError("--influx needs --influx-db NAME: the database to write to")
        case (nil, .some):
            throw ExportError("--influx-db needs --influx URL: the InfluxDB server, e.g. http://127.0.0.1:8086")
        case let (url?, database?):
            guard !database.isEmpty else { throw ExportError("--influx-db: the database name is empty") }
            let endpoint: HTTPEndpoint
            do { endpoint = try HTTPEndpoint(url: url, defaultPort: 8086) } catch { throw ExportError("--influx: \(error)") }
            self.influx = InfluxExporter.Settings(endpoint: endpoint, database: database)
        }
        if let jsonl {
            guard !jsonl.isEmpty else { throw ExportError("--jsonl: give a file path, or - for standard output") }
            self.jsonlPath = jsonl
        }
        if let period {
            guard period.isFinite, period >= 0.1, period <= 3600 else {
                throw ExportError("--export-period: \(period) s is outside 0.1-3600 s")
            }
            self.period = period
        }
    }

    public var isEmpty: Bool { prometheus == nil && influx == nil && jsonlPath == nil }
}
