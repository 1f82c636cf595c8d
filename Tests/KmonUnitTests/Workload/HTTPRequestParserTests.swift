import KmonHTTP
import KmonWorkload
import Testing

@Suite struct HTTPRequestParserTests {
    let parser = HTTPRequestParser(limits: HTTPLimits(maxHeadBytes: 256, maxHeaderCount: 8, maxBodyBytes: 1000))

    func parse(_ text: String) -> HTTPRequestParseResult {
        Array(text.utf8).withUnsafeBytes { parser.parse($0) }
    }

    func status(_ text: String) -> Int? {
        if case .invalid(let error) = parse(text) { return error.status }
        return nil
    }

    @Test func parsesAKeepAliveGet() throws {
        let text = "GET /health?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\nNEXT"
        guard case .head(let head) = parse(text) else { Issue.record("not parsed"); return }
        #expect(head.method == .get)
        #expect(head.isHTTP11 && head.keepAlive)
        #expect(head.contentLength == 0)
        #expect(head.headLength == text.utf8.count - 4)
        #expect(Array(Array(text.utf8)[head.target]) == Array("/health?x=1".utf8))
    }

    @Test func connectionHeaderDecidesPersistence() {
        guard case .head(let close) = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, CLOSE\r\n\r\n"),
              case .head(let old) = parse("GET / HTTP/1.0\r\n\r\n"),
              case .head(let oldKept) = parse("GET / HTTP/1.0\r\nconnection:keep-alive\r\n\r\n")
        else { Issue.record("not parsed"); return }
        #expect(!close.keepAlive)
        #expect(!old.keepAlive && !old.isHTTP11)
        #expect(oldKept.keepAlive)
    }

    @Test func readsContentLength() {
        guard case .head(let head) = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\nContent-Length: 12\r\n\r\n")
        else { Issue.record("not parsed"); return }
        #expect(head.method == .post && head.contentLength == 12)
    }

    @Test func waitsForTheRestOfAHead() {
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\n") == .incomplete)
        #expect(parse("GET / HT") == .incomplete)
        #expect(parse("") == .incomplete)
    }

    @Test func rejectsMalformedRequestLinesEarly() {
        #expect(status("GET  / HTTP/1.1\r\n") == 400)
        #expect(status("GET / HTTP/1.1 \r\n") == 400)
        #expect(status("GET / HTTP/1.1\n") == 400)
        #expect(status("G(T / HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
        #expect(status("GET http://x/ HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
        #expect(status("GET / HTTX/1.1\r\nHost: a\r\n\r\n") == 400)
        #expect(status("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
        #expect(status("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == 505)
    }

    @Test func rejectsMalformedHeaders() {
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\nX: a\nY: b\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\n: novalue\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nX: y\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n") == 501)
    }

    @Test func rejectsOversizedInput() {
        #expect(status("GET /" + String(repeating: "a", count: 300) + " HTTP/1.1\r\nHost: a\r\n\r\n") == 431)
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 300)) == 431)
        let manyHeaders = (0..<9).map { "X\($0): v\r\n" }.joined()
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\n" + manyHeaders + "\r\n") == 431)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n") == 413)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n") == 413)
    }
}
