import Foundation
import KmonExport
import KmonSystem
import KmonTcpreq
import Testing

/// No sink receives payload bytes: requests carry a secret in the path, a header and the body,
/// and nginx echoes it in the response body, while `kmon monitor` runs with every sink on.
/// Everything each sink holds afterwards, and kmon's own output, is searched for the secret.
@Suite(Privileged.enabled)
struct PayloadSecretTests {
    @Test func noSinkAndNoOutputHoldsTheSecret() throws {
        try Privileged.check()
        let secret = "kmonSecret" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let nginx = try SinkServer.nginxStatus().started()
        defer { nginx.remove() }
        let clickhouse = try SinkServer.clickhouse().started()
        defer { clickhouse.remove() }
        let influxd = try SinkServer.influxd().started()
        defer { influxd.remove() }
        let metricsPort = try SinkServer.freePort()
        let jsonl = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-secret-\(UUID().uuidString.prefix(8)).jsonl")
        defer { try? FileManager.default.removeItem(at: jsonl) }

        let monitor = try ChildMonitor(arguments: [
            "--json", "--interval", "0.2", "--port", "\(nginx.port)", "--prometheus", "127.0.0.1:\(metricsPort)",
            "--influx", influxd.url, "--influx-db", "kmon_secret", "--export-period", "0.5",
            "--clickhouse", clickhouse.url, "--jsonl", jsonl.path,
        ])
        defer { monitor.kill() }
        try monitor.waitUntilWatching(timeout: 30)

        let requests: [StatusClient.Request] = [
            .init(method: "POST", path: "/echo", headers: ["X-Kmon-Secret: \(secret)"], body: "password=\(secret)&more=\(secret)"),
            .init(path: "/\(secret)"),                                       // the path's first bytes: a 404
            .init(path: "/ok?token=\(secret)", headers: ["Authorization: Bearer \(secret)"]),
            .init(method: "PUT", path: "/ok", headers: ["Cookie: session=\(secret)"], body: secret),
        ]
        let answers = try StatusClient.run(Array(repeating: requests, count: 10).flatMap { $0 }, port: nginx.port)
        #expect(answers.count == 40)

        // Prometheus receives what a scrape returns: take one while the monitor runs, once the
        // ten 404s are in (nginx's server spans, labelled GET and 4xx).
        let metrics = HTTPEndpoint(host: "127.0.0.1", port: metricsPort)
        var scraped = ""
        #expect(eventually(timeout: 10) {
            scraped = (try? SinkHTTPClient.send("GET", to: metrics, path: "/metrics", timeout: 1))?.bodyText ?? ""
            return scraped.split(separator: "\n").contains {
                $0.hasPrefix(#"kmon_requests_total{service="nginx","#) && $0.contains(#"side="server",method="GET",status_class="4xx"}"#)
                    && $0.hasSuffix(" 10")
            }
        }, "no nginx 4xx series of 10 on /metrics: \(scraped.prefix(3000))")
        #expect(try SinkServer.promtoolFindings(scraped) == "", "promtool check metrics on the exposition with method and status_class")
        let summary = try monitor.interruptAndReadSummary()
        #expect(summary.services.first { $0.name == "nginx" }?.requests == 40)

        let influx = try influxd.getJSON("/query?db=kmon_secret&q=" + "SELECT * FROM /.*/".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        let influxText = String(decoding: try JSONSerialization.data(withJSONObject: influx), as: UTF8.self)
        let received: [(sink: String, text: String)] = [
            ("prometheus /metrics", scraped),
            ("influxdb", influxText),
            ("clickhouse", try clickhouse.clickhouseQuery("SELECT * FROM kmon.spans FORMAT TabSeparated")),
            ("jsonl", try String(contentsOf: jsonl, encoding: .utf8)),
            ("kmon monitor stdout (--json)", monitor.stdout),
            ("kmon monitor stderr", monitor.stderr),
        ]
        for (sink, text) in received {
            // Each sink did receive the run's data, so the search looks at something real.
            #expect(text.contains("nginx"), "\(sink) holds no nginx data: \(text.prefix(300))")
            #expect(!text.contains(secret), "\(sink) holds the secret: …\(Self.context(of: secret, in: text))…")
            // Nor a piece of it: the first 8 bytes after the fixed prefix are random.
            #expect(!text.contains(String(secret.dropFirst(10).prefix(8))), "\(sink) holds part of the secret")
        }
        // The parsed fields did arrive: the exact statuses of the mix (200 and 404), per span.
        let statuses = try clickhouse.clickhouseQuery("SELECT method, status, count() FROM kmon.spans WHERE side = 'server' GROUP BY method, status ORDER BY method, status FORMAT TabSeparated")
        #expect(statuses == "GET\t200\t10\nGET\t404\t10\nPOST\t200\t10\nPUT\t200\t10\n", "\(statuses)")
        let influx404 = try influxd.getJSON("/query?db=kmon_secret&q=" + #"SELECT sum("count") FROM kmon_requests WHERE service='nginx' AND side='server' AND status_class='4xx' AND method='GET'"#
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        let influxSeries = (influx404["results"] as? [[String: Any]])?.first?["series"] as? [[String: Any]]
        #expect(((influxSeries?.first?["values"] as? [[Any]])?.first?.last as? NSNumber)?.intValue == 10, "InfluxDB: \(influx404)")
        let jsonSpans = try String(contentsOf: jsonl, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.filter { $0["type"] as? String == "span" }
        #expect(jsonSpans.filter { $0["method"] as? String == "POST" && ($0["status"] as? NSNumber)?.intValue == 200 }.count == 20,
                "JSON lines: POST 200 spans, server and client sides")
    }

    /// 80 characters either side of the first occurrence, to show where a leak came from.
    private static func context(of needle: String, in text: String) -> Substring {
        guard let range = text.range(of: needle) else { return "" }
        let start = text.index(range.lowerBound, offsetBy: -80, limitedBy: text.startIndex) ?? text.startIndex
        let end = text.index(range.upperBound, offsetBy: 80, limitedBy: text.endIndex) ?? text.endIndex
        return text[start..<end]
    }
}
