import Foundation
import KmonSupport

/// Which exporters `kmon monitor` runs, from its flags (and, later, a config file's `export:` section).
public struct ExportConfiguration: Sendable {
    public static let defaultPeriod = 10.0

    public var prometheus: ListenAddress?
    public var influx: InfluxExporter.Settings?
    public var clickhouse: ClickHouseExporter.Settings?
    /// A file path, or `-` for standard output.
    public var jsonlPath: String?
    /// `export.period`: seconds between InfluxDB flushes and JSON period lines; Prometheus is pulled.
    public var period: Double
    public var labelLimits: SpanLabeler.Limits

    public init(prometheus: ListenAddress? = nil, influx: InfluxExporter.Settings? = nil, clickhouse: ClickHouseExporter.Settings? = nil,
                jsonlPath: String? = nil, period: Double = defaultPeriod, labelLimits: SpanLabeler.Limits = .init()) {
        self.prometheus = prometheus
        self.influx = influx
        self.clickhouse = clickhouse
        self.jsonlPath = jsonlPath
        self.period = period
        self.labelLimits = labelLimits
    }

    /// The exporter flags as given. Secrets never come as flag values (`ps` shows those): only
    /// as files named by a flag, or through the environment.
    public struct Flags: Sendable {
        public var prometheus: String?
        public var influx: String?
        public var influxDatabase: String?
        public var influxUser: String?
        public var influxPasswordFile: String?
        public var influxOrg: String?
        public var influxBucket: String?
        public var influxTokenFile: String?
        public var clickhouse: String?
        public var clickhouseTable: String?
        public var clickhouseUser: String?
        public var clickhousePasswordFile: String?
        public var clickhouseBuffer: Int?
        public var caFile: String?
        public var jsonl: String?
        public var period: Double?

        public init() {}
    }

    public static let influxPasswordVariable = "KMON_INFLUX_PASSWORD"
    public static let influxTokenVariable = "KMON_INFLUX_TOKEN"
    public static let clickhousePasswordVariable = "KMON_CLICKHOUSE_PASSWORD"

    /// Validates the command-line flags, naming the one that is wrong.
    public init(prometheus: String?, influx: String?, influxDatabase: String?, jsonl: String?, period: Double?) throws {
        var flags = Flags()
        flags.prometheus = prometheus
        flags.influx = influx
        flags.influxDatabase = influxDatabase
        flags.jsonl = jsonl
        flags.period = period
        try self.init(flags: flags, environment: [:])
    }

    /// Validates the command-line flags, naming the one that is wrong; reads secret files and
    /// `KMON_INFLUX_PASSWORD`, `KMON_INFLUX_TOKEN`, `KMON_CLICKHOUSE_PASSWORD` from `environment`.
    public init(flags: Flags, environment: [String: String]) throws {
        self.init()
        if let prometheus = flags.prometheus {
            do { self.prometheus = try ListenAddress(parsing: prometheus) } catch { throw ExportError("--prometheus: \(error)") }
        }
        if let caFile = flags.caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else { throw ExportError("--ca-file: cannot read '\(caFile)'") }
            guard flags.influx != nil || flags.clickhouse != nil else {
                throw ExportError("--ca-file is for https sinks: give --influx or --clickhouse with an https:// URL")
            }
        }
        influx = try Self.influxSettings(flags, environment: environment)
        clickhouse = try Self.clickhouseSettings(flags, environment: environment)
        if let jsonl = flags.jsonl {
            guard !jsonl.isEmpty else { throw ExportError("--jsonl: give a file path, or - for standard output") }
            self.jsonlPath = jsonl
        }
        if let period = flags.period {
            do { self.period = try AcceptedRange.exportPeriodSeconds.check(period, "--export-period") } catch let error as OutOfRangeError {
                throw ExportError(error.description)
            }
        }
    }

    private static func influxSettings(_ flags: Flags, environment: [String: String]) throws -> InfluxExporter.Settings? {
        let v2 = flags.influxOrg != nil || flags.influxBucket != nil || flags.influxTokenFile != nil
        guard let url = flags.influx else {
            if flags.influxDatabase != nil {
                throw ExportError("--influx-db needs --influx URL: the InfluxDB server, e.g. http://127.0.0.1:8086")
            }
            for (flag, value) in [("--influx-user", flags.influxUser), ("--influx-password-file", flags.influxPasswordFile),
                                  ("--influx-org", flags.influxOrg), ("--influx-bucket", flags.influxBucket),
                                  ("--influx-token-file", flags.influxTokenFile)] where value != nil {
                throw ExportError("\(flag) needs --influx URL: the InfluxDB server")
            }
            return nil
        }
        let endpoint: HTTPEndpoint
        do { endpoint = try HTTPEndpoint(url: url, defaultPort: 8086) } catch { throw ExportError("--influx: \(error)") }
        if v2 {
            if flags.influxDatabase != nil {
                throw ExportError("--influx-db is InfluxDB 1.x, --influx-org/--influx-bucket 2.x: give one or the other")
            }
            if flags.influxUser != nil || flags.influxPasswordFile != nil {
                throw ExportError("--influx-user and --influx-password-file are for InfluxDB 1.x (--influx-db); 2.x takes a token")
            }
            guard let org = flags.influxOrg, !org.isEmpty else { throw ExportError("--influx-bucket needs --influx-org ORG (InfluxDB 2.x)") }
            guard let bucket = flags.influxBucket, !bucket.isEmpty else { throw ExportError("--influx-org needs --influx-bucket BUCKET (InfluxDB 2.x)") }
            guard let token = try SinkAuth.secret(file: flags.influxTokenFile, flag: "--influx-token-file",
                                                  variable: influxTokenVariable, environment: environment) else {
                throw ExportError("--influx-org/--influx-bucket (InfluxDB 2.x) need a token: --influx-token-file FILE or \(influxTokenVariable)")
            }
            return InfluxExporter.Settings(endpoint: endpoint, api: .v2(org: org, bucket: bucket), auth: .influxToken(token), caFile: flags.caFile)
        }
        guard let database = flags.influxDatabase else {
            throw ExportError("--influx needs --influx-db NAME (InfluxDB 1.x) or --influx-org and --influx-bucket (2.x)")
        }
        guard !database.isEmpty else { throw ExportError("--influx-db: the database name is empty") }
        let auth = try basicAuth(user: flags.influxUser, userFlag: "--influx-user", passwordFile: flags.influxPasswordFile,
                                 passwordFlag: "--influx-password-file", variable: influxPasswordVariable, environment: environment)
        return InfluxExporter.Settings(endpoint: endpoint, api: .v1(database: database), auth: auth, caFile: flags.caFile)
    }

    private static func clickhouseSettings(_ flags: Flags, environment: [String: String]) throws -> ClickHouseExporter.Settings? {
        guard let url = flags.clickhouse else {
            for (flag, value) in [("--clickhouse-table", flags.clickhouseTable), ("--clickhouse-user", flags.clickhouseUser),
                                  ("--clickhouse-password-file", flags.clickhousePasswordFile)] where value != nil {
                throw ExportError("\(flag) needs --clickhouse URL: the ClickHouse HTTP interface, e.g. http://127.0.0.1:8123")
            }
            if flags.clickhouseBuffer != nil { throw ExportError("--clickhouse-buffer needs --clickhouse URL") }
            return nil
        }
        let endpoint: HTTPEndpoint
        do { endpoint = try HTTPEndpoint(url: url, defaultPort: 8123) } catch { throw ExportError("--clickhouse: \(error)") }
        var settings = ClickHouseExporter.Settings(endpoint: endpoint, caFile: flags.caFile)
        if let name = flags.clickhouseTable {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(parts.count), parts.allSatisfy(ClickHouseSpanRows.isIdentifier) else {
                throw ExportError("--clickhouse-table: '\(name)' is not TABLE or DB.TABLE (letters, digits and _, not starting with a digit)")
            }
            if parts.count == 2 { settings.database = parts[0] }
            settings.table = parts[parts.count - 1]
        }
        if let buffer = flags.clickhouseBuffer {
            do { try ClickHouseExporter.bufferRange.check(buffer, "--clickhouse-buffer") } catch let error as OutOfRangeError {
                throw ExportError(error.description)
            }
            settings.delivery.bufferCapacity = buffer
            settings.delivery.batchSize = min(settings.delivery.batchSize, buffer)
        }
        settings.auth = try basicAuth(user: flags.clickhouseUser, userFlag: "--clickhouse-user", passwordFile: flags.clickhousePasswordFile,
                                      passwordFlag: "--clickhouse-password-file", variable: clickhousePasswordVariable, environment: environment)
        return settings
    }

    /// A user with a password from its file or variable; a user alone means an empty password
    /// only for ClickHouse-style users without one, so it needs neither.
    private static func basicAuth(user: String?, userFlag: String, passwordFile: String?, passwordFlag: String,
                                  variable: String, environment: [String: String]) throws -> SinkAuth {
        guard let user else {
            if passwordFile != nil { throw ExportError("\(passwordFlag) needs \(userFlag) NAME") }
            return .none
        }
        guard !user.isEmpty else { throw ExportError("\(userFlag): the user name is empty") }
        let password = try SinkAuth.secret(file: passwordFile, flag: passwordFlag, variable: variable, environment: environment)
        return .basic(user: user, password: password ?? "")
    }

    public var isEmpty: Bool { prometheus == nil && influx == nil && clickhouse == nil && jsonlPath == nil }
}
