import KmonHTTP
import KmonWorkload
import Testing

@Suite struct HTTPResponseParserTests {
    func responses(_ chunks: [String], keepsBody: Bool = true) throws -> [HTTPResponse] {
        var parser = HTTPResponseParser(keepsBody: keepsBody)
        var seen: [HTTPResponse] = []
        for chunk in chunks {
            try Array(chunk.utf8).withUnsafeBytes { try parser.consume($0) { seen.append($0) } }
        }
        #expect(parser.isIdle)
        return seen
    }

    @Test func yieldsPipelinedResponsesInOrder() throws {
        let wire = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
            + "HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 4\r\n\r\nnope"
        let seen = try responses([wire])
        #expect(seen.map(\.status) == [200, 404, 502])
        #expect(seen.map(\.bodyLength) == [3, 0, 4])
        #expect(seen.map(\.keepAlive) == [true, true, false])
        #expect(seen[0].body == Array("abc".utf8))
    }

    @Test func assemblesResponsesSplitAtEveryByte() throws {
        let wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.0 204 No Content\r\n\r\n"
        let seen = try responses(wire.map { String($0) })
        #expect(seen.map(\.status) == [200, 204])
        #expect(seen[0].body == Array("hello".utf8))
        #expect(seen[0].headLength == 38)
        #expect(!seen[1].keepAlive)
    }

    @Test func countsBodiesWithoutKeepingThem() throws {
        let seen = try responses(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234", "56789"], keepsBody: false)
        #expect(seen.count == 1 && seen[0].bodyLength == 10 && seen[0].body == nil)
    }

    @Test func skipsInterimResponses() throws {
        let seen = try responses(["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
        #expect(seen.map(\.status) == [200])
    }

    @Test func rejectsWhatItCannotFrame() {
        #expect(throws: HTTPParseError.self) { try responses(["HTTP/1.1 200 OK\r\n\r\n"]) }
        #expect(throws: HTTPParseError.self) { try responses(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"]) }
        #expect(throws: HTTPParseError.self) { try responses(["HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n"]) }
        #expect(throws: HTTPParseError.self) { try responses(["HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n"]) }
        #expect(throws: HTTPParseError.self) { try responses(["HTTP/1.1 200 OK\r\n" + String(repeating: "X: y\r\n", count: 2000)]) }
    }
}
