@testable import KmonExport
@testable import KmonExportAdapters
import KmonSystem
@testable import KmonTcpreq
import KmonTestSupport
import Logging
import Testing

/// Method and status class on the span series: labels from fixed enums, so no request adds a value.
@Suite struct HTTPLabelsTests {
    private func span(_ method: HTTPMethod, _ status: UInt16, side: SpanRole = .server) -> ExportedSpan {
        ExportedSpan(service: "api", peerName: "front", peerAddress: "127.0.0.1", side: side, startNanoseconds: 0,
                     durationNanoseconds: 50_000, http: HTTPExchange(method: method, status: status))
    }

    @Test func prometheusSplitsSeriesByMethodAndStatusClass() throws {
        let exporter = try PrometheusExporter(address: nil, logger: Logger(label: "test"))
        defer { exporter.close(timeout: 0) }
        for _ in 0..<5 { exporter.record(span(.get, 200)) }
        exporter.record(span(.get, 204))
        for _ in 0..<2 { exporter.record(span(.get, 404)) }
        exporter.record(span(.post, 503))
        exporter.record(span(.notHTTP, 0))
        exporter.record(span(.other, 999)) // a status line no class holds: "none"
        let text = exporter.render()
        let base = #"service="api",peer="front",side="server""#
        #expect(text.contains(#"kmon_requests_total{\#(base),method="GET",status_class="2xx"} 6"#))
        #expect(text.contains(#"kmon_requests_total{\#(base),method="GET",status_class="4xx"} 2"#))
        #expect(text.contains(#"kmon_requests_total{\#(base),method="POST",status_class="5xx"} 1"#))
        #expect(text.contains(#"kmon_requests_total{\#(base),method="not_http",status_class="none"} 1"#))
        #expect(text.contains(#"kmon_requests_total{\#(base),method="other",status_class="none"} 1"#))
        #expect(text.contains(#"kmon_request_duration_seconds_count{\#(base),method="GET",status_class="2xx"} 6"#))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("kmon_requests_total{") }.count == 5)
    }

    @Test func everyMethodAndStatusGivesABoundedLabelValue() throws {
        let exporter = try PrometheusExporter(address: nil, logger: Logger(label: "test"))
        defer { exporter.close(timeout: 0) }
        for method in HTTPMethod.allCases {
            for status in stride(from: 0, through: 65_535, by: 97) { exporter.record(span(method, UInt16(status))) }
        }
        let series = exporter.render().split(separator: "\n").filter { $0.hasPrefix("kmon_requests_total{") }
        #expect(series.count == SpanLabeler.Limits.maximumHTTPPairs)
        #expect(SpanLabeler.Limits.maximumHTTPPairs == 72)
    }

    @Test func influxTagsCarryMethodAndStatusClass() {
        let aggregator = SpanAggregator()
        let labeler = SpanLabeler()
        for s in [span(.get, 200), span(.get, 201), span(.put, 500, side: .client)] {
            aggregator.record(labeler.labels(for: s), durationNanoseconds: s.durationNanoseconds)
        }
        let lines = InfluxExporter.points(for: ExportSnapshot(wallNanoseconds: 7), summaries: aggregator.drain()).compactMap(\.line)
        #expect(lines.count == 2)
        #expect(lines.contains { $0.hasPrefix("kmon_requests,method=GET,peer=front,service=api,side=server,status_class=2xx count=2i,") })
        #expect(lines.contains { $0.hasPrefix("kmon_requests,method=PUT,peer=front,service=api,side=client,status_class=5xx count=1i,") })
    }

    @Test func theMonitorsSpansKeepTheirMethodAndStatusOnTheWayOut() {
        var namer = SpanNamer(endpointNames: [9000: "store"])
        let server = Span(role: .server, tuple: ConnectionTuple(local: .at("127.0.0.1", 9000), remote: .at("127.0.0.1", 50_001)),
                          ordinal: 0, startNanoseconds: 10, endNanoseconds: 30, requestBytes: 1, responseBytes: 1, tgid: 2,
                          comm: "store", cookie: 1, http: HTTPExchange(method: .delete, status: 410))
        let named = namer.name([server]) + namer.name([]) + namer.flush()
        #expect(named.count == 1)
        #expect(named.first?.http == HTTPExchange(method: .delete, status: 410))
    }
}
