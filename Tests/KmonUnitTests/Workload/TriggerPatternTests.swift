import Glibc
@testable import KmonWorkload
import Testing

/// The trigger driver's patterns (scripts/tcpreq-paths) move the bytes they say, in the calls
/// they say, on the connection they say: a split message in K writes and K reads, a fresh
/// connection per iteration, the driver's own connection left clean.
@Suite struct TriggerPatternTests {
    @Test func parsesEveryPatternAndRefusesTheRest() {
        #expect(TriggerPattern("plain") == .plain)
        #expect(TriggerPattern("fresh") == .fresh)
        #expect(TriggerPattern("req:4") == .splitRequest(4))
        #expect(TriggerPattern("resp:16") == .splitResponse(16))
        #expect(TriggerPattern("splice:req") == .spliceRequest)
        #expect(TriggerPattern("splice:resp") == .spliceResponse)
        for word in ["", "req", "req:", "req:0", "req:17", "resp:-1", "resp:x", "fresh:2", "plain:1", "req:2:3", "REQ:2", "splice", "splice:4"] {
            #expect(TriggerPattern(Substring(word)) == nil, "\"\(word)\" parsed")
        }
        for pattern in [TriggerPattern.plain, .fresh, .splitRequest(3), .splitResponse(5), .spliceRequest, .spliceResponse] {
            #expect(TriggerPattern(Substring(pattern.description)) == pattern)
        }
    }

    /// Per iteration: request pieces + response pieces writes, and as many reads (each piece is
    /// read whole before the next is written); fresh: one of each way on a new connection;
    /// splice: one read fewer, the message spliced is not read.
    @Test(arguments: [(TriggerPattern.plain, 1, 1, 0), (.splitRequest(4), 4, 1, 0), (.splitResponse(3), 1, 3, 0),
                      (.splitRequest(16), 16, 1, 0), (.fresh, 1, 1, 0), (.spliceRequest, 1, 1, 1), (.spliceResponse, 1, 1, 1)])
    func movesEachMessageInItsPieces(pattern: TriggerPattern, requestPieces: Int, responsePieces: Int, spliced: Int) throws {
        let pair = try TriggerDriver.connectedPair()
        defer { pair.close() }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let result = try TriggerDriver.burst(50, maxNanoseconds: 10_000_000_000, pair: pair, pattern: pattern, buffer: &buffer)
        #expect(result.done == 50)
        #expect(result.counts.sends == 50 * (requestPieces + responsePieces))
        #expect(result.counts.receives == 50 * (requestPieces + responsePieces - spliced))
        #expect(result.counts.connections == (pattern == .fresh ? 50 : 0))
        // The driver's own connection is left clean: a plain exchange still lines up.
        let after = try TriggerDriver.burst(1, maxNanoseconds: 1_000_000_000, pair: pair, buffer: &buffer)
        #expect(after.counts == TriggerCounts(sends: 2, receives: 2))
    }

    /// The split pieces are the message, in order, and each read takes exactly one piece.
    @Test func aSplitRequestArrivesWholeAndInOrder() throws {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { fds.forEach { close($0) } }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var counts = TriggerCounts()
        let message = Array("0123456789".utf8)
        try TriggerDriver.exchange(message, pieces: 3, from: fds[0], to: fds[1], buffer: &buffer, counts: &counts)
        #expect(counts == TriggerCounts(sends: 3, receives: 3))
        #expect(Array(buffer[0..<4]) == Array("6789".utf8), "the last read holds the last piece alone")
    }
}
