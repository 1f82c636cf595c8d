import KmonExport
import KmonSystem
import Testing

@Suite struct LabelBudgetTests {
    @Test func firstValuesKeepTheirNamesLaterOnesBecomeOther() {
        let budget = LabelBudget(limit: 2)
        #expect(budget.label(for: "a") == "a")
        #expect(budget.label(for: "b") == "b")
        #expect(budget.label(for: "c") == "other")
        #expect(budget.label(for: "a") == "a")
        #expect(budget.label(for: "d") == "other")
        #expect(budget.overflowCount == 2)
    }

    @Test func unnamedPeersAreBoundedByAddressNamedPeersByName() {
        let labeler = SpanLabeler(limits: .init(services: 1, peerNames: 1, peerAddresses: 2))
        func peer(_ name: String?, _ address: String) -> String {
            labeler.labels(for: ExportedSpan(service: "svc", peerName: name, peerAddress: address, side: .client,
                                              startNanoseconds: 0, durationNanoseconds: 1)).peer
        }
        #expect(peer(nil, "127.0.0.1:40000") == "127.0.0.1:40000")
        #expect(peer(nil, "127.0.0.1:40001") == "127.0.0.1:40001")
        #expect(peer(nil, "127.0.0.1:40002") == "other")
        #expect(peer("checkout", "127.0.0.1:9000") == "checkout")
        #expect(peer("billing", "127.0.0.1:9001") == "other")
        #expect(peer(nil, "127.0.0.1:40000") == "127.0.0.1:40000")
        let other = labeler.labels(for: ExportedSpan(service: "second", peerAddress: "x:1", side: .server, startNanoseconds: 0, durationNanoseconds: 1))
        #expect(other.service == "other")
    }

    @Test func boundOnSeriesIsWhatTheLimitsAllow() {
        let limits = SpanLabeler.Limits(services: 3, peerNames: 2, peerAddresses: 4)
        let labeler = SpanLabeler(limits: limits)
        var seen = Set<SpanLabels>()
        for s in 0..<10 {
            for p in 0..<50 {
                for side in SpanRole.allCases {
                    let name: String? = p % 2 == 0 ? "peer\(p)" : nil
                    seen.insert(labeler.labels(for: ExportedSpan(service: "s\(s)", peerName: name, peerAddress: "10.0.0.\(p):80",
                                                                 side: side, startNanoseconds: 0, durationNanoseconds: 1)))
                }
            }
        }
        #expect(seen.count == limits.maximumSeries)
        #expect(limits.maximumSeries == 4 * 7 * 2)
    }
}
