import CKmonEvents
import KmonSystem
import Testing

/// The kernel's method and status parsers (bpf/include/tcpreq_http.h), run here as the same C:
/// what they accept, what they refuse, and that a short read never matches.
@Suite("tcpreq HTTP parsing")
struct TcpreqHTTPParseTests {
    /// The parser's input: the first `TCPREQ_HTTP_PEEK` bytes of `text`, zero-filled, of which
    /// `read` (default: all there are, up to `want`) count as read.
    static func head(_ text: String, want: Int) -> (words: (UInt64, UInt64), read: UInt32) {
        var bytes = [UInt8](repeating: 0, count: Int(TCPREQ_HTTP_PEEK))
        let read = min(text.utf8.count, want)
        bytes.replaceSubrange(0..<read, with: text.utf8.prefix(read))
        let words = bytes.withUnsafeBytes { ($0.load(as: UInt64.self), $0.load(fromByteOffset: 8, as: UInt64.self)) }
        return (words, UInt32(read))
    }

    static func method(_ text: String) -> HTTPMethod? {
        var (words, read) = head(text, want: Int(TCPREQ_HTTP_REQUEST_PEEK))
        let code = withUnsafePointer(to: &words) { $0.withMemoryRebound(to: UInt64.self, capacity: 2) { tcpreq_http_method($0, read) } }
        return HTTPMethod(rawValue: code)
    }

    static func status(_ text: String) -> UInt16 {
        var (words, _) = head(text, want: Int(TCPREQ_HTTP_RESPONSE_PEEK))
        return withUnsafePointer(to: &words) { $0.withMemoryRebound(to: UInt64.self, capacity: 2) { tcpreq_http_status($0) } }
    }

    @Test("every method the kernel names, and its code is HTTPMethod's raw value")
    func methods() {
        let cases: [(String, HTTPMethod)] = [
            ("GET / HTTP/1.1\r\n", .get), ("HEAD / HTTP/1.1", .head), ("POST /a HTTP/1.1", .post), ("PUT /a HTTP/1.1", .put),
            ("DELETE /a HTTP/1.1", .delete), ("OPTIONS * HTTP/1.1", .options), ("PATCH /a HTTP/1.1", .patch),
            ("CONNECT h:443 HTTP/1.1", .connect), ("TRACE / HTTP/1.1", .trace),
        ]
        for (text, expected) in cases { #expect(Self.method(text) == expected, "\(text)") }
    }

    @Test("anything else read is not HTTP; nothing read is unknown")
    func notHTTP() {
        for text in ["get / HTTP/1.1", "GETX / HTTP/1.1", "GET", "POST", "DELETE", "OPTIONS", "\u{0}\u{1}PING", "PRI * HTTP/2.0",
                     "HTTP/1.1 200 OK", "\u{16}\u{3}\u{1}"] {
            #expect(Self.method(text) == .notHTTP, "\(text.debugDescription)")
        }
        #expect(Self.method("") == .unknown)
    }

    @Test("a status line gives its three digits; anything else gives 0")
    func statuses() {
        #expect(Self.status("HTTP/1.1 200 OK\r\n") == 200)
        #expect(Self.status("HTTP/1.0 404 Not Found") == 404)
        #expect(Self.status("HTTP/1.1 599") == 599)
        #expect(Self.status("HTTP/1.1 101 Switching") == 101)
        for text in ["HTTP/1.1 20", "HTTP/1.1 2x0 OK", "HTTP/2.0 200 OK", "HTTP/1.1  200", "http/1.1 200 OK", "HTTP/1.x 200 OK",
                     "GET / HTTP/1.1", "", "\u{0}\u{2}PONG-0001"] {
            #expect(Self.status(text) == 0, "\(text.debugDescription)")
        }
    }
}
