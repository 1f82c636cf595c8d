import Foundation
import KmonExport
import KmonHTTP
import KmonSupport
import Logging
import Testing

/// InfluxDB as users run it: behind TLS (nginx on loopback with a certificate made by openssl)
/// with authentication on in influxd itself, and the 2.x write API with a token.
///
/// Debian 12 has no InfluxDB 2.x, so the 2.x path is checked against nginx playing 2.x's front
/// door: it answers `/api/v2/write` as 2.x does for a wrong token (401) or org (404), and passes
/// the points of a right one to influxd 1.6's `/write?db=BUCKET`. That proves the path, query,
/// token header and TLS; not a real 2.x server's own checks.
@Suite(Privileged.enabled)
struct InfluxTLSTests {
    private static let logger = Logger(label: "kmon.test.influx-tls")

    /// influxd with auth on, an admin user, and nginx in front of it.
    private final class Servers {
        let influxd: SinkServer
        let nginx: SinkServer
        let password = "p4ss-\(UUID().uuidString.prefix(6))"

        init(token: String = "kmon-token", org: String = "kmon-org") throws {
            influxd = try SinkServer.influxd(adminPassword: "unused")
            do {
                try influxd.start()
                try influxd.createAdmin(password: password)
                nginx = try SinkServer.nginxTLS(in: influxd, token: token, org: org, upstreamAuth: ("admin", password))
                try nginx.start()
                nginx.auth = influxd.auth
            } catch {
                influxd.remove()
                throw error
            }
        }

        func remove() {
            nginx.remove()
            influxd.remove()
        }

        /// The first value of the first series, asked through the TLS front with the admin's password.
        func scalar(db: String, _ query: String) throws -> Double? {
            let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let json = try nginx.getJSON("/query?db=\(db)&q=\(q)")
            let results = json["results"] as? [[String: Any]]
            if let error = results?.first?["error"] as? String { throw SinkServerError("InfluxQL error: \(error)") }
            let series = results?.first?["series"] as? [[String: Any]]
            return ((series?.first?["values"] as? [[Any]])?.first?.dropFirst().first as? NSNumber)?.doubleValue
        }
    }

    private func span(_ i: Int) -> ExportedSpan {
        ExportedSpan(service: ["front", "cart", "db"][i % 3], peerAddress: "127.0.0.1:\(9000 + i % 3)", side: i % 2 == 0 ? .server : .client,
                     startNanoseconds: MonotonicClock.now(), durationNanoseconds: UInt64(50 + i % 200) * 1_000)
    }

    /// Today's plain test (InfluxExporterTests), over https with a user and password: 1,200
    /// spans in 0.3 s periods and batches of 7 points, read back with the same sums.
    private func writeAndReadBack(_ settings: InfluxExporter.Settings, servers: Servers, db: String) throws {
        var settings = settings
        settings.delivery.batchSize = 7
        let exporter = try InfluxExporter(settings: settings, logger: Self.logger)
        try exporter.checkAtStart()
        let exporters = ExporterSet(sinks: [exporter], period: 0.3)
        exporters.start { ExportSnapshot(lostEvents: ["tcpreq": 3]) }
        var expected: [String: Int] = [:]
        for i in 0..<1_200 {
            let s = span(i)
            exporters.record(s)
            expected[s.service, default: 0] += 1
            if i % 100 == 99 { usleep(100_000) }
        }
        let stats = try #require(exporters.close(timeout: 10).first)
        #expect(stats.buffered == 0 && stats.dropped == 0 && stats.rejected == 0 && stats.failedAttempts == 0, "\(stats)")
        #expect(try servers.scalar(db: db, #"SELECT sum("count") FROM kmon_requests"#) == 1_200)
        for (service, count) in expected {
            #expect(try servers.scalar(db: db, #"SELECT sum("count") FROM kmon_requests WHERE service='\#(service)'"#) == Double(count))
        }
        #expect(try servers.scalar(db: db, #"SELECT last("total") FROM kmon_events_lost WHERE collector='tcpreq'"#) == 3)
    }

    @Test func v1OverHTTPSWithUserAndPasswordReceivesTheSameCountsAsPlain() throws {
        try Privileged.check()
        let servers = try Servers()
        defer { servers.remove() }
        let settings = InfluxExporter.Settings(endpoint: servers.nginx.endpoint, api: .v1(database: "kmon_tls"),
                                               auth: .basic(user: "admin", password: servers.password), caFile: servers.nginx.caFile)
        try writeAndReadBack(settings, servers: servers, db: "kmon_tls")
    }

    @Test func v2WriteAPIWithATokenThroughTheFront() throws {
        try Privileged.check()
        let servers = try Servers(token: "t0ken", org: "acme")
        defer { servers.remove() }
        // 2.x buckets must exist already; here the bucket is influxd's database.
        _ = try SinkHTTPClient.send("POST", to: servers.nginx.endpoint, path: "/query?q=CREATE%20DATABASE%20kmon_v2",
                                    auth: servers.nginx.auth, caFile: servers.nginx.caFile)
        let settings = InfluxExporter.Settings(endpoint: servers.nginx.endpoint, api: .v2(org: "acme", bucket: "kmon_v2"),
                                               auth: .influxToken("t0ken"), caFile: servers.nginx.caFile)
        try writeAndReadBack(settings, servers: servers, db: "kmon_v2")

        // A wrong token: every send fails and is counted, nothing is delivered or dropped.
        var wrong = settings
        wrong.auth = .influxToken("not-the-token")
        wrong.delivery.initialBackoff = 0.05
        wrong.delivery.maxBackoff = 0.1
        let refused = try InfluxExporter(settings: wrong, logger: Self.logger)
        refused.publish(ExportSnapshot(lostEvents: ["tcpreq": 0]))
        #expect(eventually(timeout: 10) { refused.bufferStats.failedAttempts >= 3 })
        refused.close(timeout: 0.5)
        #expect(refused.bufferStats.delivered == 0 && refused.bufferStats.buffered == 1)
    }

    @Test func theServerCertificateIsCheckedAgainstTheCAFile() throws {
        try Privileged.check()
        let servers = try Servers()
        defer { servers.remove() }
        // Without --ca-file, the system CAs do not know the test's self-signed certificate.
        let untrusted = #expect(throws: ExportError.self) {
            try SinkHTTPClient(sink: "influx", endpoint: servers.nginx.endpoint, timeout: 5).send("GET", path: "/ping")
        }
        #expect(untrusted?.description.hasPrefix("influx: GET \(servers.nginx.url)/ping: ") == true, "\(String(describing: untrusted))")
        #expect(untrusted?.description.lowercased().contains("certificate") == true, "\(String(describing: untrusted))")
        let trusted = try SinkHTTPClient(sink: "influx", endpoint: servers.nginx.endpoint, caFile: servers.nginx.caFile).send("GET", path: "/ping")
        #expect(trusted.status == 204)
    }

    /// `kmon monitor` itself: a wrong password stops it at start with exit 65 and a sentence
    /// naming the sink and URL, without the password; the right one delivers the load's count.
    @Test func monitorWithWrongPasswordExits65AndWithTheRightOneCountsTheLoad() throws {
        try Privileged.check()
        let servers = try Servers()
        defer { servers.remove() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-secrets-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let wrongFile = directory.appendingPathComponent("wrong").path, rightFile = directory.appendingPathComponent("right").path
        try "wr0ng-password\n".write(toFile: wrongFile, atomically: true, encoding: .utf8)
        try "\(servers.password)\n".write(toFile: rightFile, atomically: true, encoding: .utf8)
        let common = ["--influx", servers.nginx.url, "--influx-db", "kmon_mon", "--influx-user", "admin", "--ca-file", servers.nginx.caFile!]

        let refused = try runCommand(BuildProducts.executable("kmon"), ["monitor", "--duration", "2", "--port", "1"] + common
                                     + ["--influx-password-file", wrongFile])
        #expect(refused.status == 65, "exit \(refused.status): \(refused.stderr)")
        #expect(refused.stderr.contains("error: influx: POST \(servers.nginx.url)/query"), "\(refused.stderr)")
        #expect(refused.stderr.contains("HTTP 401"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("wr0ng-password"))

        let exchange = try LoopbackExchange(serverDelayMicroseconds: 100)
        exchange.start()
        defer { exchange.close() }
        let monitor = try MonitorProcess(arguments: ["--port", "\(exchange.port)", "--interval", "0.2", "--export-period", "0.5"]
                                         + common + ["--influx-password-file", rightFile])
        defer { monitor.remove() }
        #expect(try eventually(timeout: 30) { (try? servers.scalar(db: "kmon_mon", #"SELECT count("total") FROM kmon_events_lost"#)) ?? 0 > 0 },
                "the monitor never wrote: \(monitor.stderr)")
        var sent = 0
        for _ in 0..<4 { sent += try exchange.runClient(requests: 100).count }
        let status = monitor.stop()
        #expect(status == 0 || status == 130, "kmon monitor exited with \(status): \(monitor.stderr)")
        #expect(monitor.stderr.contains("export influx: delivered"), "\(monitor.stderr)")
        #expect(try servers.scalar(db: "kmon_mon", #"SELECT sum("count") FROM kmon_requests WHERE side='server'"#) == Double(sent))
        #expect(try servers.scalar(db: "kmon_mon", #"SELECT sum("count") FROM kmon_requests WHERE side='client'"#) == Double(sent))
    }
}
