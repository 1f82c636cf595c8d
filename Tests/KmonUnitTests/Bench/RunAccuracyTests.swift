@testable import KmonBench
import KmonSystem
import Testing

/// chain3 in miniature: client → frontend → api → store, three requests, with spans nested
/// the way the kernel would report them.
@Suite struct RunAccuracyTests {
    static let host = IPAddress("127.0.0.1")!
    static func at(_ port: UInt16) -> SocketEndpoint { SocketEndpoint(address: host, port: port) }
    static let endpoints = ["frontend": at(18080), "api": at(18081), "store": at(18082)]
    static let edges = [TopologyEdge(from: "client", to: "frontend"), TopologyEdge(from: "frontend", to: "api"),
                        TopologyEdge(from: "api", to: "store")]

    /// Request i starts at i·1 ms; each hop is nested 10 µs inside its caller.
    static func exchange(_ client: UInt16, _ server: String, _ i: UInt64, depth: UInt64, shrink: UInt64 = 0) -> TimedExchange {
        let start = i * 1_000_000 + depth * 10_000 + shrink
        return TimedExchange(connection: ConnectionTuple(local: at(client), remote: endpoints[server]!), ordinal: i,
                             start: start, end: start + 500_000 - depth * 20_000 - 2 * shrink)
    }

    static func observations(dropStoreServerSpan: Bool = false, brokenNesting: Bool = false, strayEdge: Bool = false) -> RunObservations {
        let requests: [UInt64] = [0, 1, 2]
        let client = requests.map { exchange(40000, "frontend", $0, depth: 0) }
        let frontendCalls = requests.map { exchange(41000, "api", $0, depth: 1) }
        let apiCalls = requests.map { exchange(42000, "store", $0, depth: 2) }
        let services: [String: RunObservations.ServiceTruth] = [
            "frontend": .init(calls: frontendCalls, served: requests.map { exchange(40000, "frontend", $0, depth: 0, shrink: 2_000) },
                              otherServed: [exchange(39999, "frontend", 0, depth: 0)]),
            "api": .init(calls: apiCalls, served: requests.map { exchange(41000, "api", $0, depth: 1, shrink: 2_000) }),
            "store": .init(calls: [], served: requests.map { exchange(42000, "store", $0, depth: 2, shrink: 2_000) }),
        ]
        var spans: [RunObservations.ProbeSpan] = []
        for i in requests {
            spans.append(.init(role: .server, exchange: exchange(40000, "frontend", i, depth: 0, shrink: 1_000), service: "frontend"))
            spans.append(.init(role: .client, exchange: exchange(41000, "api", i, depth: 1), service: "frontend"))
            let apiServer = exchange(41000, "api", i, depth: 1, shrink: brokenNesting && i == 1 ? 0 : 1_000)
            spans.append(.init(role: .server, exchange: brokenNesting && i == 1
                               ? TimedExchange(connection: apiServer.connection, ordinal: i, start: apiServer.start - 5, end: apiServer.end)
                               : apiServer, service: "api"))
            spans.append(.init(role: .client, exchange: exchange(42000, "store", i, depth: 2), service: "api"))
            if !(dropStoreServerSpan && i == 2) {
                spans.append(.init(role: .server, exchange: exchange(42000, "store", i, depth: 2, shrink: 1_000), service: "store"))
            }
        }
        // The controller's health check, seen by the probe: belongs to no hop.
        spans.append(.init(role: .server, exchange: exchange(39999, "frontend", 0, depth: 0), service: "frontend"))
        if strayEdge {
            spans.append(.init(role: .client, exchange: exchange(43000, "store", 0, depth: 1), service: "frontend"))
        }
        return RunObservations(endpoints: endpoints, specEdges: edges, clientRecords: client, services: services, spans: spans)
    }

    @Test func everyHopMatchesFromBothVantages() {
        let accuracy = RunAccuracy.evaluate(Self.observations())
        #expect(accuracy.samples.count == 6)
        for (key, sample) in accuracy.samples {
            #expect(sample.matchedPercent == 100, "\(key)")
            #expect(sample.unmatchedProbe == 0, "\(key)")
        }
        let ingress = accuracy.samples[HopVantage(hop: Self.edges[0], vantage: .client)]!
        // The ingress server span is 2 µs shorter than the load generator's record.
        #expect(ingress.summary().biasMicroseconds == -2)
        let apiServer = accuracy.samples[HopVantage(hop: Self.edges[1], vantage: .server)]!
        #expect(apiServer.summary().biasMicroseconds == 2)   // wider than first-read→written by 1 µs each side
        #expect(apiServer.nestingChecked == 3 && apiServer.nestingViolations == 0)
        #expect(accuracy.samples[HopVantage(hop: Self.edges[0], vantage: .server)]!.nestingChecked == 3)
        #expect(accuracy.missingSpans == 0)
        #expect(accuracy.truthEdges == [Self.edges[0]: 3, Self.edges[1]: 3, Self.edges[2]: 3])
        #expect(accuracy.observedEdges == [Self.edges[0]: 3, Self.edges[1]: 3, Self.edges[2]: 3])
    }

    @Test func aMissingSpanIsCountedOnce() {
        let accuracy = RunAccuracy.evaluate(Self.observations(dropStoreServerSpan: true))
        let store = accuracy.samples[HopVantage(hop: Self.edges[2], vantage: .server)]!
        #expect(store.unmatchedTruth == 1)
        #expect(accuracy.samples[HopVantage(hop: Self.edges[2], vantage: .client)]!.unmatchedTruth == 0)
        #expect(accuracy.missingSpans == 1)
    }

    @Test func nestingViolationsAreCounted() {
        let accuracy = RunAccuracy.evaluate(Self.observations(brokenNesting: true))
        #expect(accuracy.samples[HopVantage(hop: Self.edges[1], vantage: .server)]!.nestingViolations == 1)
    }

    @Test func strayEdgesLowerPrecision() {
        let accuracy = RunAccuracy.evaluate(Self.observations(strayEdge: true))
        let score = TopologyScore.score(expected: accuracy.truthEdges.mapValues { Optional($0) }, observed: accuracy.observedEdges)
        #expect(score.recall == 1)
        #expect(score.precision == 0.75)
        #expect(score.edgeCountErrorPercent == 0)
    }
}
