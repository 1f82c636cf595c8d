@testable import KmonExport
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
        namer.learn(from: batch)
        let named = batch.map(namer.exported)
        #expect(named[0].service == "cart" && named[0].peerName == "front" && named[0].side == .server)
        #expect(named[1].service == "front" && named[1].peerName == "cart" && named[1].side == .client)
        #expect(named[2].service == "front" && named[2].peerName == nil && named[2].peerAddress == "127.0.0.1")
        #expect(named[3].peerName == nil && named[3].peerAddress == "127.0.0.1:5432")
        #expect(named[3].durationNanoseconds == 20)
    }
}
