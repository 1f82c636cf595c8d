import Foundation
import Glibc
@testable import KmonTcpreq
import Testing

/// Kernel mode's periodic flush for real: spans left in a batch that stopped filling reach
/// user space while the session runs, through the round that reads each CPU's slot first.
@Suite("tcpreq batch flush", .serialized)
struct BatchFlushTests {
    @Test("spans in a batch that stopped filling arrive before stop", Privileged.enabled)
    func stalledBatchArrives() throws {
        try Privileged.check()
        let exchange = try LoopbackExchange(serverDelayMicroseconds: 100)
        exchange.start()
        defer { exchange.close() }
        let session = try TcpreqSession.start(TcpreqConfiguration(
            variant: .sock, mode: .kernel, filters: TcpreqFilters(ports: [exchange.port], excludeSelf: false)))
        defer { try? session.stop() }
        let flusher = try #require(session.flusher)
        #expect(flusher.readsSlots) // this build's object: the slot layout is the one the reader knows

        // Requests close their predecessors' spans within 10 ms of each other: all but the
        // first of a CPU wait in its batch, which then stops filling; the last closes with the
        // connection, alone.
        let requests = 6
        _ = try exchange.runClient(requests: requests)
        var spans: [Span] = []
        let deadline = Date(timeIntervalSinceNow: 3)
        while spans.count < 2 * requests && Date() < deadline {
            usleep(20_000)
            spans += session.takeSpans()
        }
        #expect(spans.filter { $0.role == .server }.map(\.ordinal).sorted() == Array(0..<UInt32(requests)))
        #expect(spans.filter { $0.role == .client }.map(\.ordinal).sorted() == Array(0..<UInt32(requests)))
        try session.stop()
        #expect(session.takeSpans().isEmpty)
        #expect(try session.counters().decodeErrors == 0)
    }
}
