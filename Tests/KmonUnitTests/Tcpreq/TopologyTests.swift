import KmonSystem
import KmonTcpreq
import KmonTestSupport
import Testing

@Suite("topology")
struct TopologyTests {
    static func span(_ role: SpanRole, tgid: Int32, comm: String, local: (String, UInt16), remote: (String, UInt16),
                     duration: UInt64, ordinal: UInt32 = 0) -> Span {
        Span(role: role, tuple: ConnectionTuple(local: .at(local.0, local.1), remote: .at(remote.0, remote.1)),
             ordinal: ordinal, startNanoseconds: 1_000, endNanoseconds: 1_000 + duration, requestBytes: 10, responseBytes: 100,
             tgid: tgid, comm: comm, cookie: UInt64(tgid))
    }

    /// frontend (pid 1, port 8080) calls api (pid 2, port 8081); a load generator (not watched)
    /// calls frontend.
    static func chainSpans() -> [Span] {
        var spans: [Span] = []
        for i in 0..<10 {
            spans.append(span(.server, tgid: 1, comm: "frontend", local: ("127.0.0.1", 8080), remote: ("127.0.0.1", 50000), duration: 500_000, ordinal: UInt32(i)))
            spans.append(span(.client, tgid: 1, comm: "frontend", local: ("127.0.0.1", 40000), remote: ("127.0.0.1", 8081), duration: 300_000, ordinal: UInt32(i)))
            spans.append(span(.server, tgid: 2, comm: "api", local: ("127.0.0.1", 8081), remote: ("127.0.0.1", 40000), duration: 200_000, ordinal: UInt32(i)))
        }
        return spans
    }

    @Test func servicesAndEdgesByProcessName() {
        var builder = TopologyBuilder { _ in "unused" }
        // Client spans first: naming must not depend on arrival order.
        Self.chainSpans().sorted { $0.role == .client && $1.role == .server }.forEach { builder.add($0) }
        let topology = builder.build()
        #expect(topology.services.map(\.name) == ["api", "frontend"])
        #expect(topology.service(named: "frontend")?.pids == [1])
        #expect(topology.service(named: "frontend")?.traffic.requests == 10)
        #expect(topology.edges.map { "\($0.from)->\($0.to)" } == ["frontend->api"])
        let edge = topology.edge(from: "frontend", to: "api")!
        #expect(edge.traffic.requests == 10 && edge.traffic.requestBytes == 100 && edge.traffic.responseBytes == 1000)
        let p50 = edge.traffic.microseconds(atPercentile: 50)!
        #expect(abs(p50 - 300) < 3) // 2 significant digits
    }

    /// A partial span is a request, but its duration (perhaps cut short) is no latency sample.
    @Test func partialSpansCountButStayOutOfPercentiles() {
        var builder = TopologyBuilder { _ in "unused" }
        var first = Self.span(.server, tgid: 1, comm: "frontend", local: ("127.0.0.1", 8080), remote: ("127.0.0.1", 50000), duration: 50_000_000)
        first.partial = true
        builder.add(first)
        for i in 1...3 {
            builder.add(Self.span(.server, tgid: 1, comm: "frontend", local: ("127.0.0.1", 8080), remote: ("127.0.0.1", 50000),
                                  duration: 1_000_000, ordinal: UInt32(i)))
        }
        let traffic = builder.build().services[0].traffic
        #expect(traffic.requests == 4 && traffic.partial == 1)
        #expect((traffic.microseconds(atPercentile: 100) ?? 0) < 1_100)

        var histogram = TcpreqHistogram(role: .server, tgid: 1, endpoint: SocketEndpoint.at("127.0.0.1", 8080), count: 5,
                                        totalNanoseconds: 0, requestBytes: 0, responseBytes: 0,
                                        slots: [UInt64](repeating: 0, count: 40))
        histogram.slots[20] = 3 // 3 whole spans; the other 2 of count are partial
        var fromHistograms = TopologyBuilder { _ in "frontend" }
        fromHistograms.add(histogram)
        let summed = fromHistograms.build().services[0].traffic
        #expect(summed.requests == 5 && summed.partial == 2 && summed.latency.totalCount == 3)
    }

    @Test func endpointMapRefinesNamesAndUnknownPeersKeepTheirAddress() {
        var builder = TopologyBuilder(endpointNames: [8080: "web", 8081: "api-v2"]) { _ in "unused" }
        Self.chainSpans().forEach { builder.add($0) }
        builder.add(Self.span(.client, tgid: 2, comm: "api", local: ("127.0.0.1", 41000), remote: ("10.0.0.9", 5432), duration: 1_000))
        let topology = builder.build()
        #expect(topology.services.map(\.name) == ["api-v2", "web"])
        #expect(topology.edges.map { "\($0.from)->\($0.to)" } == ["api-v2->10.0.0.9:5432", "web->api-v2"])
    }

    @Test func histogramsGiveTheSameTopology() {
        var slots = [UInt64](repeating: 0, count: 40)
        slots[18] = 7 // [262 µs, 524 µs)
        var builder = TopologyBuilder { tgid in tgid == 1 ? "frontend" : "api" }
        builder.add(TcpreqHistogram(role: .server, tgid: 2, endpoint: SocketEndpoint.at("127.0.0.1", 8081), count: 7,
                                    totalNanoseconds: 0, requestBytes: 70, responseBytes: 700, slots: slots))
        builder.add(TcpreqHistogram(role: .client, tgid: 1, endpoint: SocketEndpoint.at("127.0.0.1", 8081), count: 7,
                                    totalNanoseconds: 0, requestBytes: 70, responseBytes: 700, slots: slots))
        let topology = builder.build()
        #expect(topology.service(named: "api")?.traffic.requests == 7)
        #expect(topology.edge(from: "frontend", to: "api")?.traffic.requests == 7)
        let p50 = topology.edge(from: "frontend", to: "api")!.traffic.microseconds(atPercentile: 50)!
        #expect(p50 > 262 && p50 < 524)
    }

    @Test func dotHasOneNodePerServiceAndOneEdgePerCallPath() {
        var builder = TopologyBuilder(endpointNames: [8080: "we\"b"]) { _ in "unused" }
        Self.chainSpans().forEach { builder.add($0) }
        let dot = builder.build().dot()
        #expect(dot.hasPrefix("digraph \"kmon\" {"))
        #expect(dot.contains("\"we\\\"b\" -> \"api\" [label=\"10 req\\np50 "))
        #expect(dot.contains("\"api\" [label=\"api\\n10 req\\np50 "))
        #expect(dot.hasSuffix("}\n"))
    }

    @Test func summaryAndLiveViewReportEveryService() throws {
        var builder = TopologyBuilder { _ in "unused" }
        Self.chainSpans().forEach { builder.add($0) }
        let snapshot = TcpreqSnapshot(variant: .sock, mode: .kernel, timeNanoseconds: 0, elapsedSeconds: 2, topology: builder.build(),
                                      newSpans: [], counters: TcpreqCounters(records: 30, spans: 30, decodeErrors: 0, lost: .init(ringBuffer: 2, storage: 1)),
                                      programs: [])
        let summary = TcpreqSummary(snapshot)
        #expect(summary.services.map { $0.requests } == [10, 10])
        #expect(summary.edges.map { $0.requests } == [10])
        #expect(summary.lost == 3)
        let view = TcpreqLiveView.render(snapshot, previous: nil).joined(separator: "\n")
        #expect(view.contains("frontend -> api"))
        #expect(view.contains("lost 3 (ring buffer 2, storage 1, evicted 0, listeners 0, unindexed 0)"))
    }
}
