@testable import KmonBench
import KmonSystem
import Testing

/// Status agreement and per-service error rates on RunAccuracyTests' miniature chain3: request
/// 1 fails at store (500) and comes back as 502 from api and frontend; request 2 is a POST.
@Suite struct RunAccuracyStatusTests {
    static func http(_ exchange: TimedExchange) -> HTTPExchange {
        let port = exchange.connection.remote.port
        let status: UInt16 = exchange.ordinal != 1 ? 200 : (port == 18082 ? 500 : 502)
        return HTTPExchange(method: exchange.ordinal == 2 ? .post : .get, status: status)
    }

    /// Every truth and span carries `http`; `probe` may change what a span says.
    static func observations(probe: (RunObservations.ProbeSpan) -> HTTPExchange = { http($0.exchange) }) -> RunObservations {
        var run = RunAccuracyTests.observations()
        func tag(_ e: TimedExchange) -> TimedExchange { var e = e; e.http = http(e); return e }
        run.clientRecords = run.clientRecords.map(tag)
        for (name, truth) in run.services {
            run.services[name] = .init(calls: truth.calls.map(tag), served: truth.served.map(tag), otherServed: truth.otherServed)
        }
        run.spans = run.spans.map { span in
            var span = span
            span.exchange.http = probe(span)
            return span
        }
        return run
    }

    @Test func exactSpansAgreeEverywhere() {
        let accuracy = RunAccuracy.evaluate(Self.observations())
        for (key, sample) in accuracy.samples {
            #expect(sample.status.compared == 3 && sample.status.agreedPercent == 100, "\(key)")
            #expect(sample.status.disagreements.isEmpty && sample.status.noStatusReason == nil)
        }
        let store = accuracy.serviceErrors["store"]!
        #expect(store.truthRequests == 3 && store.truth5xx == 1 && store.truth4xx == 0)
        #expect(store.probeRequests == 3 && store.probe5xx == 1 && store.probeNoStatus == 0)
        // frontend: the health check's span is left out, as its record is.
        let frontend = accuracy.serviceErrors["frontend"]!
        #expect(frontend.probeRequests == 3 && frontend.probe5xx == 1 && frontend.truth5xx == 1)
        let row = ServiceErrorRow(arm: "sock", variant: "sock", mode: nil, load: 50, service: "store", sample: store)
        #expect(row.matchesTruth && row.truth5xxPercent! > 33.3 && row.probe4xxPercent == 0)
    }

    @Test func aWrongStatusIsListedByPairWithItsRequest() throws {
        // The probe misreads store's 500 as 200 on its server span.
        let accuracy = RunAccuracy.evaluate(Self.observations { span in
            var http = Self.http(span.exchange)
            if span.role == .server && span.service == "store" && span.exchange.ordinal == 1 { http.status = 200 }
            return http
        })
        let store = try #require(accuracy.samples[HopVantage(hop: RunAccuracyTests.edges[2], vantage: .server)])
        #expect(store.status.agreed == 2 && store.status.compared == 3)
        #expect(store.status.agreedPercent! > 66.6 && store.status.agreedPercent! < 66.7)
        let pair = StatusAgreement.Pair(probe: HTTPExchange(method: .get, status: 200), truth: HTTPExchange(method: .get, status: 500))
        #expect(store.status.disagreements == [pair: 1])
        #expect(store.status.examples == ["127.0.0.1:42000 > 127.0.0.1:18082 #1"])
        let record = StatusRecord(store.status)
        #expect(record.disagreementText == "1× GET 200 for GET 500")
        // The client vantage of the same hop reads api's client span, which was right.
        #expect(accuracy.samples[HopVantage(hop: RunAccuracyTests.edges[2], vantage: .client)]!.status.agreedPercent == 100)
        let errors = accuracy.serviceErrors["store"]!
        #expect(errors.probe5xx == 0 && errors.truth5xx == 1)
        #expect(!ServiceErrorRow(arm: "a", variant: "a", mode: nil, load: 1, service: "store", sample: errors).matchesTruth)
    }

    @Test func spansWithoutStatusAreNoStatusNotZeroPercent() {
        let accuracy = RunAccuracy.evaluate(Self.observations { _ in HTTPExchange() })
        for (key, sample) in accuracy.samples {
            #expect(sample.status.agreedPercent == nil, "\(key)")
            #expect(sample.status.noStatusReason?.contains("no span carried a method or status") == true)
        }
        #expect(accuracy.serviceErrors["store"]!.probeNoStatus == 3)
        let record = StatusRecord(accuracy.samples.values.first!.status)
        #expect(record.agreedPercent == nil && record.noStatus != nil)
    }

    @Test func poolingKeepsCountsAndAFewExamples() {
        var pooled = StatusAgreement()
        let pair = StatusAgreement.Pair(probe: HTTPExchange(method: .get, status: 0), truth: HTTPExchange(method: .get, status: 200))
        for _ in 0..<4 {
            var one = StatusAgreement()
            one.compared = 10
            one.agreed = 8
            one.disagreements = [pair: 2]
            one.examples = ["a", "b"]
            pooled.merge(one)
        }
        #expect(pooled.compared == 40 && pooled.agreed == 32 && pooled.disagreements == [pair: 8])
        #expect(pooled.examples.count == StatusAgreement.exampleLimit && pooled.agreedPercent == 80)
    }
}
