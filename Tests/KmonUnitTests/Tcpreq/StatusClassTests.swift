import Foundation
import KmonSystem
import KmonTcpreq
import KmonTestSupport
import Testing

/// Requests by status class in the topology, `kmon monitor --json`, the live view and DOT.
@Suite struct StatusClassTests {
    private static func span(_ role: SpanRole, tgid: Int32, comm: String, local: UInt16, remote: UInt16, status: UInt16,
                             method: HTTPMethod = .get, partial: Bool = false) -> Span {
        Span(role: role, tuple: ConnectionTuple(local: .at("127.0.0.1", local), remote: .at("127.0.0.1", remote)),
             ordinal: 0, startNanoseconds: 1_000, endNanoseconds: 101_000, requestBytes: 10, responseBytes: 100,
             tgid: tgid, comm: comm, cookie: UInt64(tgid), partial: partial, http: HTTPExchange(method: method, status: status))
    }

    /// front (pid 1, port 8080) answers 6 × 200, 3 × 404, 2 × 500 and a 302; its client spans to
    /// store (pid 2, port 9000) see 4 × 200 and 1 × 503; store serves the same; a non-HTTP cache
    /// (pid 3, port 6379) has 5 requests without a status line.
    private static func topology() -> Topology {
        var builder = TopologyBuilder { _ in "unused" }
        let front = [UInt16](repeating: 200, count: 6) + [404, 404, 404, 500, 500, 302]
        for (i, status) in front.enumerated() {
            builder.add(span(.server, tgid: 1, comm: "front", local: 8080, remote: 50_000, status: status, partial: i == 0))
        }
        for status in [200, 200, 200, 200, 503] as [UInt16] {
            builder.add(span(.client, tgid: 1, comm: "front", local: 40_000, remote: 9000, status: status, method: .post))
            builder.add(span(.server, tgid: 2, comm: "store", local: 9000, remote: 40_000, status: status, method: .post))
        }
        for _ in 0..<5 { builder.add(span(.server, tgid: 3, comm: "cache", local: 6379, remote: 41_000, status: 0, method: .notHTTP)) }
        return builder.build()
    }

    private static func snapshot(_ topology: Topology, elapsed: Double = 2) -> TcpreqSnapshot {
        TcpreqSnapshot(variant: .sock, mode: .kernel, timeNanoseconds: 0, elapsedSeconds: elapsed, topology: topology, newSpans: [],
                       counters: TcpreqCounters(records: 0, spans: 0, decodeErrors: 0, lost: .init(ringBuffer: 0, storage: 0)), programs: [])
    }

    @Test func everyRequestIsInExactlyOneClassPerServiceAndEdge() throws {
        let topology = Self.topology()
        let front = try #require(topology.service(named: "front")).traffic
        #expect(front.requests == 12 && front.partial == 1)
        #expect(front.statusClasses.success == 6 && front.statusClasses.redirection == 1)
        #expect(front.statusClasses.clientError == 3 && front.statusClasses.serverError == 2)
        #expect(front.statusClasses.none == 0 && front.statusClasses.total == front.requests)
        let edge = try #require(topology.edge(from: "front", to: "store")).traffic
        #expect(edge.statusClasses.success == 4 && edge.statusClasses.serverError == 1 && edge.statusClasses.total == 5)
        let cache = try #require(topology.service(named: "cache")).traffic
        #expect(cache.statusClasses.none == 5 && cache.statusClasses.withStatus == 0)
    }

    @Test func monitorJSONHasClassesAndErrorCounts() throws {
        let summary = TcpreqSummary(Self.snapshot(Self.topology()))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as? [String: Any]
        let services = try #require(json?["services"] as? [[String: Any]])
        let front = try #require(services.first { $0["name"] as? String == "front" })
        #expect(front["status_classes"] as? [String: Int] == ["1xx": 0, "2xx": 6, "3xx": 1, "4xx": 3, "5xx": 2, "none": 0])
        #expect(front["errors_5xx"] as? Int == 2 && front["errors_4xx"] as? Int == 3)
        let edge = try #require((json?["edges"] as? [[String: Any]])?.first)
        #expect(edge["from"] as? String == "front" && edge["to"] as? String == "store")
        #expect(edge["errors_5xx"] as? Int == 1 && edge["errors_4xx"] as? Int == 0)
        #expect((edge["status_classes"] as? [String: Int])?["2xx"] == 4)
        // What tests and the bench read back.
        let decoded = try JSONDecoder().decode(TcpreqSummary.self, from: JSONEncoder().encode(summary))
        #expect(decoded.services.first { $0.name == "cache" }?.status_classes.none == 5)
    }

    @Test func liveViewShowsTheFiveHundredsShareAndADashWithoutStatus() {
        let view = TcpreqLiveView.render(Self.snapshot(Self.topology()), previous: nil)
        #expect(view.contains { $0.contains("5xx %") && $0.contains("service") })
        // front: 2 of 12 requests answered 5xx; store: 1 of 5; cache: no status line at all.
        #expect(view.contains { $0.hasPrefix("front ") && $0.hasSuffix(" 16.7") })
        #expect(view.contains { $0.hasPrefix("store ") && $0.hasSuffix(" 20.0") })
        #expect(view.contains { $0.hasPrefix("cache ") && $0.hasSuffix(" -") })
        #expect(view.contains { $0.hasPrefix("front -> store ") && $0.hasSuffix(" 20.0") })
    }

    @Test func dotNamesErrorsOnlyWhereThereAreSome() {
        let dot = Self.topology().dot()
        #expect(dot.contains(#"\n2 5xx, 3 4xx""#))
        #expect(dot.contains(#"\n1 5xx, 0 4xx""#))
        let cache = dot.split(separator: "\n").first { $0.contains("\"cache\" [") }
        #expect(cache != nil && !(cache ?? "").contains("xx"))
    }

    /// Histogram mode keeps no status: its requests are all `none`, never a made-up 2xx.
    @Test func histogramRequestsHaveNoStatus() {
        var slots = [UInt64](repeating: 0, count: 40)
        slots[18] = 7
        var builder = TopologyBuilder { _ in "api" }
        builder.add(TcpreqHistogram(role: .server, tgid: 2, endpoint: SocketEndpoint.at("127.0.0.1", 8081), count: 9,
                                    totalNanoseconds: 0, requestBytes: 0, responseBytes: 0, slots: slots))
        let classes = builder.build().services[0].traffic.statusClasses
        #expect(classes.none == 9 && classes.total == 9)
    }
}
