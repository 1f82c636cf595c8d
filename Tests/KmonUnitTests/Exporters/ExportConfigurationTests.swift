import Foundation
import KmonContainers
@testable import KmonExport
import KmonSystem
import KmonTestSupport
import Testing

@Suite struct ExportConfigurationTests {
    @Test func listenAddressDefaultsToLoopbackAndPort9464() throws {
        #expect(try ListenAddress(parsing: "") == .init(host: "127.0.0.1", port: 9464))
        #expect(try ListenAddress(parsing: "9100") == .init(host: "127.0.0.1", port: 9100))
        #expect(try ListenAddress(parsing: ":9100") == .init(host: "127.0.0.1", port: 9100))
        #expect(try ListenAddress(parsing: "0.0.0.0:9464") == .init(host: "0.0.0.0", port: 9464))
        #expect(try ListenAddress(parsing: "0.0.0.0") == .init(host: "0.0.0.0", port: 9464))
        #expect(try ListenAddress(parsing: "[::1]:9200") == .init(host: "::1", port: 9200))
        #expect(try ListenAddress(parsing: "::1") == .init(host: "::1", port: 9464))
        #expect(throws: ExportError.self) { try ListenAddress(parsing: "host:99999") }
        #expect(throws: ExportError.self) { try ListenAddress(parsing: "[::1") }
    }

    @Test func influxURLsAreCheckedWithReasons() throws {
        #expect(try HTTPEndpoint(url: "http://127.0.0.1", defaultPort: 8086) == .init(host: "127.0.0.1", port: 8086))
        #expect(try HTTPEndpoint(url: "http://db.local:9999/influx/", defaultPort: 8086) == .init(host: "db.local", port: 9999, pathPrefix: "/influx"))
        #expect(try HTTPEndpoint(url: "https://x", defaultPort: 443) == .init(scheme: .https, host: "x", port: 443))
        #expect(try HTTPEndpoint(url: "https://[::1]:8443/db", defaultPort: 1).description == "https://[::1]:8443/db")
        let ftp = #expect(throws: ExportError.self) { try HTTPEndpoint(url: "ftp://x", defaultPort: 1) }
        #expect(ftp?.description.contains("expected http:// or https://") == true)
        #expect(throws: ExportError.self) { try HTTPEndpoint(url: "127.0.0.1:8086", defaultPort: 1) }
        for typo in ["http://db local:8086", "http://[::1:8086", "http://db]:8086", "http://db:80x"] {
            let error = #expect(throws: ExportError.self) { try HTTPEndpoint(url: typo, defaultPort: 1) }
            #expect(error?.description.contains("is not a URL") == true, "\(typo)")
        }
        #expect(try HTTPEndpoint(url: "http://db:", defaultPort: 8086).port == 8086)
        // A password in the URL would show in `ps`: refused, and the error does not repeat it.
        let secret = #expect(throws: ExportError.self) { try HTTPEndpoint(url: "https://kmon:hunter2@db:8086", defaultPort: 1) }
        #expect(secret?.description.contains("hunter2") == false)
        #expect(secret?.description.contains("credentials in the URL") == true)
    }

    @Test func flagsMustComeInWorkablePairs() throws {
        let missingDB = #expect(throws: ExportError.self) {
            try ExportConfiguration(prometheus: nil, influx: "http://127.0.0.1:8086", influxDatabase: nil, jsonl: nil, period: nil)
        }
        #expect(missingDB?.description.contains("--influx-db") == true)
        #expect(throws: ExportError.self) {
            try ExportConfiguration(prometheus: nil, influx: nil, influxDatabase: "kmon", jsonl: nil, period: nil)
        }
        #expect(throws: ExportError.self) {
            try ExportConfiguration(prometheus: nil, influx: nil, influxDatabase: nil, jsonl: "", period: nil)
        }
        let badPeriod = #expect(throws: ExportError.self) {
            try ExportConfiguration(prometheus: nil, influx: nil, influxDatabase: nil, jsonl: nil, period: 0)
        }
        #expect(badPeriod?.description.contains("--export-period") == true)
        let all = try ExportConfiguration(prometheus: "", influx: "http://127.0.0.1:8086", influxDatabase: "kmon", jsonl: "-", period: 2)
        #expect(all.prometheus == .default)
        #expect(all.influx?.api == .v1(database: "kmon"))
        #expect(all.period == 2)
        #expect(try ExportConfiguration(prometheus: nil, influx: nil, influxDatabase: nil, jsonl: nil, period: nil).isEmpty)
    }

    private func configuration(_ edit: (inout ExportConfiguration.Flags) -> Void, environment: [String: String] = [:]) throws -> ExportConfiguration {
        var flags = ExportConfiguration.Flags()
        edit(&flags)
        return try ExportConfiguration(flags: flags, environment: environment)
    }

    private func failure(_ edit: (inout ExportConfiguration.Flags) -> Void, environment: [String: String] = [:]) -> String {
        do {
            _ = try configuration(edit, environment: environment)
            return "(accepted)"
        } catch {
            return "\(error)"
        }
    }

    private func secretFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-secret-\(UUID().uuidString.prefix(8))").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func influxCredentialsComeFromFilesOrTheEnvironmentNeverFlagValues() throws {
        let password = try secretFile("s3cret\n")
        defer { try? FileManager.default.removeItem(atPath: password) }
        let v1 = try configuration {
            $0.influx = "https://127.0.0.1:8086"; $0.influxDatabase = "kmon"; $0.influxUser = "writer"; $0.influxPasswordFile = password
        }
        #expect(v1.influx?.auth == .basic(user: "writer", password: "s3cret"))
        #expect(v1.influx?.writePath == "/write?db=kmon&precision=ns")
        let fromEnvironment = try configuration({ $0.influx = "http://h"; $0.influxDatabase = "kmon"; $0.influxUser = "writer" },
                                                environment: ["KMON_INFLUX_PASSWORD": "pw"])
        #expect(fromEnvironment.influx?.auth == .basic(user: "writer", password: "pw"))

        let v2 = try configuration({ $0.influx = "https://cloud:443"; $0.influxOrg = "acme"; $0.influxBucket = "kmon spans" },
                                   environment: ["KMON_INFLUX_TOKEN": "tok"])
        #expect(v2.influx?.api == .v2(org: "acme", bucket: "kmon spans"))
        #expect(v2.influx?.auth == .influxToken("tok"))
        #expect(v2.influx?.writePath == "/api/v2/write?org=acme&bucket=kmon%20spans&precision=ns")

        #expect(failure { $0.influx = "http://h"; $0.influxOrg = "acme"; $0.influxBucket = "b" }.contains("--influx-token-file FILE or KMON_INFLUX_TOKEN"))
        #expect(failure { $0.influx = "http://h"; $0.influxOrg = "acme" }.contains("--influx-bucket"))
        #expect(failure { $0.influx = "http://h"; $0.influxDatabase = "d"; $0.influxOrg = "acme" }.contains("one or the other"))
        #expect(failure { $0.influx = "http://h"; $0.influxDatabase = "d"; $0.influxPasswordFile = password }.contains("--influx-password-file needs --influx-user"))
        #expect(failure { $0.influx = "http://h"; $0.influxOrg = "o"; $0.influxBucket = "b"; $0.influxTokenFile = "/nonexistent/token" }
            .contains("--influx-token-file: cannot read '/nonexistent/token'"))
        #expect(failure { $0.influxUser = "u" }.contains("--influx-user needs --influx URL"))
        #expect(failure { $0.influx = "http://h"; $0.influxDatabase = "d"; $0.caFile = "/nonexistent/ca.pem" }.contains("--ca-file: cannot read"))
    }

    @Test func clickhouseFlagsNameTheTableAndTheirMistakes() throws {
        let plain = try configuration { $0.clickhouse = "http://127.0.0.1" }
        #expect(plain.clickhouse?.endpoint == .init(host: "127.0.0.1", port: 8123))
        #expect(plain.clickhouse?.database == "kmon" && plain.clickhouse?.table == "spans")
        let named = try configuration({ $0.clickhouse = "https://ch:8443"; $0.clickhouseTable = "obs.kmon_spans"; $0.clickhouseUser = "kmon"; $0.clickhouseBuffer = 5_000 },
                                      environment: ["KMON_CLICKHOUSE_PASSWORD": "pw"])
        #expect(named.clickhouse?.database == "obs" && named.clickhouse?.table == "kmon_spans")
        #expect(named.clickhouse?.auth == .basic(user: "kmon", password: "pw"))
        #expect(named.clickhouse?.delivery.bufferCapacity == 5_000 && named.clickhouse?.delivery.batchSize == 5_000)
        #expect(try configuration { $0.clickhouse = "http://h"; $0.clickhouseTable = "t1" }.clickhouse?.table == "t1")
        #expect(failure { $0.clickhouse = "http://h"; $0.clickhouseTable = "a.b.c" }.contains("--clickhouse-table"))
        #expect(failure { $0.clickhouse = "http://h"; $0.clickhouseTable = "x; DROP TABLE y" }.contains("--clickhouse-table"))
        #expect(failure { $0.clickhouse = "http://h"; $0.clickhouseBuffer = 0 }.contains("--clickhouse-buffer"))
        #expect(failure { $0.clickhouse = "http://h"; $0.clickhouseBuffer = 100_000_000 }
            == "--clickhouse-buffer must be from 1 to 10000000 spans (got 100000000)")
        #expect(try configuration { $0.clickhouse = "http://h"; $0.clickhouseBuffer = 10_000_000 }.clickhouse?.delivery.bufferCapacity == 10_000_000)
        #expect(failure { $0.period = .infinity } == "--export-period must be from 0.1 to 3600 seconds (got inf)")
        #expect(failure { $0.period = .nan } == "--export-period must be from 0.1 to 3600 seconds (got nan)")
        #expect(failure { $0.clickhouseTable = "t" }.contains("--clickhouse-table needs --clickhouse URL"))
        #expect(failure { $0.clickhouse = "gopher://h" }.contains("--clickhouse:"))
    }

    @Test func clickhouseStatementsAndRowBinaryLayout() throws {
        #expect(ClickHouseSpanRows.createTable(database: "kmon", table: "spans").hasSuffix("ENGINE = MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (service, time)"))
        let span = ExportedSpan(service: "api", peerName: nil, peerAddress: "127.0.0.1:9000", side: .client,
                                startNanoseconds: 5_000_000_000, durationNanoseconds: 1234, pid: 42, ordinal: 3, partial: true,
                                tuple: ConnectionTuple(local: .at("127.0.0.1", 40000), remote: .at("127.0.0.1", 9000)),
                                requestBytes: 100, responseBytes: 200, http: HTTPExchange(method: .post, status: 503))
        var out: [UInt8] = []
        ClickHouseSpanRows.encode([span], wallOffset: 1_700_000_000_000_000_000, node: "n1", into: &out)
        // DateTime (4) + time_unix_ns (8) + node (1+2) + service (1+3) + peer and peer_address (2 × (1+14))
        // + side (1) + local (1+9, 2) + remote (1+9, 2) + 5 × UInt64 (40) + pid (4) + partial (1)
        // + method (1+4) + status (2) + four empty container strings (4 × 1): a host process
        #expect(out.count == 4 + 8 + 3 + 4 + 30 + 1 + 12 + 12 + 40 + 4 + 1 + 5 + 2 + 4)
        #expect(Array(out[0..<4]) == withUnsafeBytes(of: UInt32(1_700_000_005).littleEndian, Array.init))
        #expect(Array(out.suffix(12)) == [1, 4] + Array("POST".utf8) + [0xF7, 0x01, 0, 0, 0, 0]) // partial, "POST", 503, no container
        // A table that could not take the added columns gets rows (and an INSERT) without them.
        var old: [UInt8] = []
        ClickHouseSpanRows.encode([span], wallOffset: 1_700_000_000_000_000_000, node: "n1", added: false, into: &old)
        #expect(old == Array(out.dropLast(11)))
        #expect(ClickHouseSpanRows.insert(database: "kmon", table: "spans").contains("partial, method, status, container_id, container, pod, namespace) FORMAT RowBinary"))
        #expect(ClickHouseSpanRows.insert(database: "kmon", table: "spans", added: false).contains("pid, partial) FORMAT RowBinary"))
        // A containerized span carries its container's id, name, pod and namespace.
        var boxed = span
        boxed.container = ContainerInfo(runtime: .crio, id: "0123456789ab", name: "api", pod: "p", namespace: "ns")
        var inPod: [UInt8] = []
        ClickHouseSpanRows.encode([boxed], wallOffset: 0, node: "n1", into: &inPod)
        #expect(Array(inPod.suffix(22)) == [12] + Array("0123456789ab".utf8) + [3] + Array("api".utf8) + [1, UInt8(ascii: "p"), 2] + Array("ns".utf8))
        // An older table gets exactly its missing columns, each by its own ALTER (18.16 has no IF NOT EXISTS there).
        let present = Set(ClickHouseSpanRows.columns.map(\.name)).subtracting(["method"])
        #expect(ClickHouseSpanRows.addMissingColumns(database: "kmon", table: "spans", existing: present)
                == ["ALTER TABLE `kmon`.`spans` ADD COLUMN `method` String DEFAULT 'unknown'"])
        #expect(ClickHouseSpanRows.addMissingColumns(database: "kmon", table: "spans", existing: Set(ClickHouseSpanRows.columns.map(\.name))).isEmpty)
        #expect(out[12] == 2 && Array(out[13..<15]) == Array("n1".utf8))
        var long: [UInt8] = []
        let name = String(repeating: "s", count: 300)
        ClickHouseSpanRows.encode([ExportedSpan(service: name, peerAddress: "", side: .server, startNanoseconds: 0, durationNanoseconds: 0)],
                                  wallOffset: 0, node: "", into: &long)
        #expect(Array(long[13..<15]) == [0xAC, 0x02]) // 300 as LEB128
    }
}
