@testable import KmonExport
@testable import KmonExportAdapters
import KmonSystem
@testable import KmonTcpreq
import KmonTestSupport
import Testing

@Suite struct SpanNamerTests {
    private func span(_ role: SpanRole, local: UInt16, remote: UInt16, tgid: Int32, comm: String) -> Span {
        Span(role: role, tuple: ConnectionTuple(local: .at("127.0.0.1", local), remote: .at("127.0.0.1", remote)),
             ordinal: 0, startNanoseconds: 10, endNanoseconds: 30, requestBytes: 1, responseBytes: 1, tgid: tgid, comm: comm, cookie: 1)
    }

    @Test func bothEndsAreNamedAsTheTopologyNamesThem() {
        var namer = SpanNamer(endpointNames: [8080: "front"])
        let batch = [
            span(.server, local: 9000, remote: 50_001, tgid: 2, comm: "cart"),  // cart serves on 9000, called by front
            span(.client, local: 50_001, remote: 9000, tgid: 1, comm: "kmon-service"),
            span(.server, local: 8080, remote: 50_002, tgid: 1, comm: "kmon-service"), // front, called from outside
            span(.client, local: 50_003, remote: 5432, tgid: 1, comm: "kmon-service"),  // an unnamed database
        ]
        // Spans 2 and 3 have an unknown other end: they wait for the next batch, then keep their address.
        let named = namer.name(batch)
        #expect(named.count == 2)
        #expect(named[0].service == "cart" && named[0].peerName == "front" && named[0].side == .server)
        #expect(named[1].service == "front" && named[1].peerName == "cart" && named[1].side == .client)
        let late = namer.name([])
        #expect(late.count == 2)
        #expect(late[0].service == "front" && late[0].peerName == nil && late[0].peerAddress == "127.0.0.1")
        #expect(late[1].peerName == nil && late[1].peerAddress == "127.0.0.1:5432")
        #expect(late[1].durationNanoseconds == 20)
        #expect(namer.flush().isEmpty)
        // The next request on front's connection from outside goes out at once, still unnamed.
        let next = namer.name([batch[2]])
        #expect(next.count == 1 && next[0].peerName == nil)
    }

    /// The CI run that found this: a read fell between the two ends of one api request, and
    /// ClickHouse got one server row of api named by address among 1,499 named "frontend".
    @Test func theTwoEndsOfARequestAreNamedWhenAReadFallsBetweenThem() {
        let server = span(.server, local: 9000, remote: 50_001, tgid: 2, comm: "api")
        let client = span(.client, local: 50_001, remote: 9000, tgid: 1, comm: "frontend")
        let frontend = span(.server, local: 8080, remote: 40_000, tgid: 1, comm: "frontend")
        for order in [[[server], [client, frontend]], [[client], [server, frontend]]] {
            var namer = SpanNamer(endpointNames: [:])
            let named = namer.name(order[0]) + namer.name(order[1]) + namer.flush()
            let api = named.first { $0.service == "api" }
            let call = named.first { $0.side == .client }
            #expect(named.count == 3)
            #expect(api?.peerName == "frontend", "\(order.map { $0.map(\.comm) })")
            #expect(call?.service == "frontend" && call?.peerName == "api", "\(order.map { $0.map(\.comm) })")
        }
    }

    /// The soak's churn (one request per connection from an untraced load generator) put every
    /// connection in `settled`, kept until 65,536: megabytes of RSS growth on a 30-minute run.
    @Test func settledConnectionsStayBoundedUnderChurnAndALiveOneStaysSettled() {
        var namer = SpanNamer(endpointNames: [:])
        let pooled = span(.server, local: 8080, remote: 40_000, tgid: 1, comm: "frontend")
        _ = namer.name([pooled])
        _ = namer.name([])
        for i in 0..<100_000 {
            let churn = span(.server, local: 8080, remote: UInt16(1_024 + i % 60_000), tgid: 1, comm: "frontend")
            var oneOff = churn
            oneOff.tuple.remote = .at("127.0.0.\(2 + i / 60_000)", churn.tuple.remote.port)
            let named = namer.name(i % 100 == 0 ? [oneOff, pooled] : [oneOff])
            // The pooled connection, sending every 100 batches, is never made to wait again.
            if i % 100 == 0 { #expect(named.contains { $0.tuple == pooled.tuple }, "batch \(i)") }
        }
        #expect(namer.settledCount <= 8_192)
    }
}
