import Foundation
@testable import KmonBench
import KmonSystem
import Testing

@Suite struct AccuracyTests {
    let client = SocketEndpoint(address: IPAddress("127.0.0.1")!, port: 40000)
    let server = SocketEndpoint(address: IPAddress("127.0.0.1")!, port: 8080)

    func exchange(_ ordinal: UInt64, _ start: UInt64, _ end: UInt64, port: UInt16 = 40000) -> TimedExchange {
        TimedExchange(connection: ConnectionTuple(local: SocketEndpoint(address: client.address, port: port), remote: server),
                      ordinal: ordinal, start: start, end: end)
    }

    @Test func addressesParseAndPrint() {
        #expect(IPAddress("127.0.0.1") == IPAddress(ipv4: 0x7F00_0001))
        #expect(IPAddress("198.18.0.2")!.description == "198.18.0.2")
        #expect(IPAddress("::1")!.description == "::1", "RFC 5952 text, as inet_ntop writes it")
        #expect(IPAddress("not an address") == nil)
        #expect(client.description == "127.0.0.1:40000")
    }

    @Test func joinMatchesOnConnectionAndOrdinal() {
        let truth = [exchange(0, 1_000, 11_000), exchange(1, 20_000, 30_000), exchange(2, 40_000, 50_000),
                     exchange(0, 1_000, 5_000, port: 40001)]
        let probe = [exchange(0, 2_000, 10_000), exchange(1, 21_000, 29_000),
                     exchange(0, 1_500, 4_500, port: 40001), exchange(7, 0, 1, port: 40001)]
        let result = SpanJoin.join(truth: truth, probe: probe)
        #expect(result.pairs.count == 3)
        #expect(result.unmatchedTruth.map(\.ordinal) == [2])
        #expect(result.unmatchedProbe.map(\.ordinal) == [7])
    }

    @Test func duplicateKeysAreUnmatched() {
        let result = SpanJoin.join(truth: [exchange(0, 0, 10)], probe: [exchange(0, 1, 9), exchange(0, 2, 8)])
        #expect(result.pairs.count == 1 && result.unmatchedProbe.count == 1)
    }

    /// Connection: close lets the kernel reuse a 4-tuple, so two requests share a key: both
    /// records stay, each counted once, and each span pairs with the record nearest in time.
    @Test func repeatedTruthKeysKeepEveryRecord() {
        let first = exchange(0, 1_000, 2_000), second = exchange(0, 900_000, 901_000)
        let onlySecondSeen = SpanJoin.join(truth: [first, second], probe: [exchange(0, 900_100, 900_900)])
        #expect(onlySecondSeen.pairs.map(\.truth) == [second])
        #expect(onlySecondSeen.unmatchedTruth == [first])
        #expect(onlySecondSeen.unmatchedProbe.isEmpty)

        let bothSeen = SpanJoin.join(truth: [first, second], probe: [exchange(0, 900_100, 900_900), exchange(0, 1_100, 1_900)])
        #expect(bothSeen.pairs.map(\.truth) == [second, first])
        #expect(bothSeen.unmatchedTruth.isEmpty && bothSeen.unmatchedProbe.isEmpty)

        let sample = AccuracySample(join: onlySecondSeen)
        #expect(sample.truthCount == 2 && sample.matched == 1 && sample.unmatchedTruth == 1)
    }

    @Test func errorMetricsPerRequest() {
        // Errors (probe − truth): −2 µs, −2 µs, −1 µs, +1 µs; truth 10 µs each.
        let truth = (0..<4).map { exchange(UInt64($0), UInt64($0) * 100_000, UInt64($0) * 100_000 + 10_000) }
        let deltas: [Int64] = [-2_000, -2_000, -1_000, 1_000]
        let probe = zip(truth, deltas).map { record, delta in
            exchange(record.ordinal, record.start, UInt64(Int64(record.end) + delta))
        }
        let sample = AccuracySample(join: SpanJoin.join(truth: truth, probe: probe))
        let summary = sample.summary()
        #expect(sample.matchedPercent == 100)
        #expect(summary.biasMicroseconds == -1.5)
        #expect(summary.meanAbsoluteErrorMicroseconds == 1.5)
        #expect(abs(summary.p99AbsoluteErrorMicroseconds! - 2) < 1e-9)
        #expect(abs(summary.medianRelativeErrorPercent! - 15) < 1e-9)
        #expect(summary.p50TruthMicroseconds == 10)
        #expect(summary.p50ProbeMicroseconds == 8.5)
    }

    /// results.json keeps a row's error figures flat beside its counts, a figure without data as
    /// null, and `--baseline` reads the row back as it was written.
    @Test func accuracyRowsAreFlatInResultsAndReadBack() throws {
        let truth = [exchange(0, 0, 10_000), exchange(1, 20_000, 30_000)]
        let sample = AccuracySample(join: SpanJoin.join(truth: truth, probe: [exchange(0, 0, 9_000)]))
        let rows = [AccuracyRow(arm: "sock/kernel", variant: "sock", mode: "kernel", vantage: .client, hop: "api", load: 50, sample: sample),
                    AccuracyRow(arm: "skb", variant: "skb", mode: nil, vantage: .wire, hop: "api", load: 50, sample: AccuracySample())]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try encoder.encode(rows)
        let objects = try #require(try JSONSerialization.jsonObject(with: json) as? [[String: Any]])
        #expect(objects[0]["bias_us"] as? Double == -1 && objects[0]["mae_us"] as? Double == 1)
        #expect(objects[0]["truth_requests"] as? Int == 2 && objects[0]["matched"] as? Int == 1)
        #expect(objects[1]["bias_us"] is NSNull && objects[1]["p99_probe_us"] is NSNull && objects[1]["mode"] is NSNull)
        #expect(Set(objects[0].keys) == Set(objects[1].keys) && objects[0].count == 22)
        // Status agreement sits in its own object: the joined pair carries no status on either side.
        let status = try #require(objects[0]["status"] as? [String: Any])
        #expect(status["compared"] as? Int == 1 && status["agreed_pct"] is NSNull && status["no_status"] is String)
        let back = try JSONDecoder().decode([AccuracyRow].self, from: json)
        #expect(back[0].errors == rows[0].errors && back[1].errors == rows[1].errors && back[1].mode == nil)
        #expect(try encoder.encode(back) == json)
    }

    @Test func samplesPoolAcrossBlocks() {
        var pooled = AccuracySample(join: SpanJoin.join(truth: [exchange(0, 0, 10_000)], probe: []))
        pooled.merge(AccuracySample(join: SpanJoin.join(truth: [exchange(1, 0, 10_000)], probe: [exchange(1, 0, 9_000)])))
        #expect(pooled.truthCount == 2 && pooled.matched == 1 && pooled.unmatchedTruth == 1)
        #expect(pooled.matchedPercent == 50)
        #expect(pooled.errors == [-1_000])
    }

    @Test func nestingCountsServerSpansOutsideTheirClientSpan() {
        let outer = [exchange(0, 100, 200), exchange(1, 300, 400), exchange(2, 500, 600)]
        let inner = [exchange(0, 110, 190), exchange(1, 290, 390), exchange(2, 510, 601), exchange(3, 0, 1)]
        let result = SpanJoin.nesting(inner: inner, outer: outer)
        #expect(result.checked == 3)
        #expect(result.violations == 2)
    }

    @Test func topologyAgainstTheSpec() {
        let spec: [TopologyEdge: Int?] = [
            TopologyEdge(from: "client", to: "frontend"): 1000,
            TopologyEdge(from: "frontend", to: "api"): 1000,
            TopologyEdge(from: "api", to: "store"): 1000,
        ]
        let observed = [TopologyEdge(from: "client", to: "frontend"): 1000, TopologyEdge(from: "frontend", to: "api"): 990,
                        TopologyEdge(from: "store", to: "api"): 3]
        let score = TopologyScore.score(expected: spec, observed: observed)
        #expect(score.precision == 2.0 / 3)
        #expect(score.recall == 2.0 / 3)
        #expect(score.edgeCountErrorPercent == 100)  // api→store missed entirely
        #expect(score.edges.count == 4)
        let exact = TopologyScore.score(expected: spec, observed: spec.mapValues { $0! })
        #expect(exact.precision == 1 && exact.recall == 1 && exact.edgeCountErrorPercent == 0)
        #expect(TopologyScore.score(expected: spec, observed: [:]).precision == nil)
    }
}
