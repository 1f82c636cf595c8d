import Foundation
import KmonExport
import KmonHTTP
import KmonSupport
import KmonSystem
import Logging
import Testing

/// The Prometheus endpoint against a real Prometheus 2.42 scraping it every second, and the
/// exposition text against `promtool check metrics`.
@Suite(Privileged.enabled)
struct PrometheusScrapeTests {
    private static let logger = Logger(label: "kmon.test.prometheus")
    private static let scrapeInterval = 1

    private func query(_ prometheus: SinkServer, _ expression: String) throws -> Double? {
        let q = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let json = try prometheus.getJSON("/api/v1/query?query=\(q)")
        let result = (json["data"] as? [String: Any])?["result"] as? [[String: Any]]
        return ((result?.first?["value"] as? [Any])?.last as? String).flatMap(Double.init)
    }

    @Test func prometheusSeesEveryRequestWithinOneScrapeInterval() throws {
        try Privileged.check()
        let exporter = try PrometheusExporter(address: ListenAddress(host: "127.0.0.1", port: 0), logger: Self.logger)
        defer { exporter.close(timeout: 0) }
        let target = try #require(exporter.boundAddress)
        let prometheus = try SinkServer.prometheus(scraping: target, scrapeInterval: Self.scrapeInterval).started()
        defer { prometheus.remove() }
        #expect(try eventually(timeout: 20) { try query(prometheus, #"up{job="kmon"}"#) == 1 }, "Prometheus never scraped \(target)")

        // 3_000 requests over ~3 s, on two services and both sides, starting at a random phase
        // of the scrape cycle so that the load's end does too.
        usleep(UInt32.random(in: 0..<1_000_000))
        var sent = 0
        for batch in 0..<30 {
            if batch > 0 { usleep(100_000) }
            for i in 0..<100 {
                let side: SpanRole = i % 2 == 0 ? .server : .client
                exporter.record(ExportedSpan(service: batch % 2 == 0 ? "front" : "cart", peerAddress: "127.0.0.1:\(9000 + i % 4)",
                                             side: side, startNanoseconds: MonotonicClock.now(), durationNanoseconds: UInt64(40_000 + i * 1_000)))
                sent += 1
            }
        }
        let loadEnd = Date()
        var seen: Double?
        let matched = try eventually(timeout: Double(Self.scrapeInterval) * 5) {
            seen = try query(prometheus, "sum(kmon_requests_total)")
            return seen == Double(sent)
        }
        let lag = Date().timeIntervalSince(loadEnd)
        #expect(matched, "Prometheus shows \(String(describing: seen)) requests, the load sent \(sent)")
        // One scrape interval, plus the query's own round trip and Prometheus' append latency.
        #expect(lag <= Double(Self.scrapeInterval) + 0.5, "Prometheus caught up \(lag) s after the load ended")
        #expect(try query(prometheus, #"sum(kmon_request_duration_seconds_count{side="server"})"#) == Double(sent / 2))
        // Peers 9000 and 9002 are only ever served, 9001 and 9003 only called: 2 services × 4 series.
        #expect(try query(prometheus, #"count(kmon_requests_total)"#) == 8)
    }

    @Test func exposedTextPassesPromtool() throws {
        try Privileged.check()
        let exporter = try PrometheusExporter(address: ListenAddress(host: "127.0.0.1", port: 0), logger: Self.logger)
        defer { exporter.close(timeout: 0) }
        for i in 0..<50 {
            exporter.record(ExportedSpan(service: "front \"quoted\"", peerName: i % 2 == 0 ? "cart" : nil, peerAddress: "[::1]:\(9000 + i % 3)",
                                         side: .client, startNanoseconds: 0, durationNanoseconds: UInt64(i) * 10_000,
                                         http: HTTPExchange(method: HTTPMethod.allCases[i % HTTPMethod.allCases.count],
                                                            status: [0, 200, 302, 404, 503, 101][i % 6])))
        }
        exporter.publish(ExportSnapshot(lostEvents: ["tcpreq": 2],
                                        programs: [ProgramRunStats(name: "tcpreq_send", runCount: 10, runTimeNanoseconds: 1_500)],
                                        samples: [CollectorSample(name: "kmon_tcp_drops_total", help: "TCP drops by reason.", kind: .counter,
                                                                  labels: ["reason": "NO_SOCKET"], value: 3)],
                                        sinks: [SinkStats(sink: "influx", buffered: 4, delivered: 5, dropped: 6)]))

        let address = try #require(exporter.boundAddress)
        let response = try SinkHTTPClient.send("GET", to: HTTPEndpoint(host: address.host, port: address.port), path: "/metrics")
        #expect(response.status == 200)
        #expect(response.bodyText.contains("# TYPE kmon_request_duration_seconds histogram"))
        let missing = try SinkHTTPClient.send("GET", to: HTTPEndpoint(host: address.host, port: address.port), path: "/other")
        #expect(missing.status == 404)

        #expect(try SinkServer.promtoolFindings(response.bodyText) == "", "promtool check metrics")
    }
}
