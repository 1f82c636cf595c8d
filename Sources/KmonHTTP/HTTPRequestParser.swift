import Glibc
import KmonSystem

/// A parsed request line and headers. `target` indexes the buffer given to the parser.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: HTTPMethod
    public var target: Range<Int>
    public var isHTTP11: Bool
    /// Whether the connection stays open after the response (HTTP/1.1 default; HTTP/1.0 only
    /// with "Connection: keep-alive"; never with "Connection: close").
    public var keepAlive: Bool
    public var contentLength: Int
    /// Bytes of request line and headers, including the blank line; the body follows.
    public var headLength: Int
}

public enum HTTPRequestParseResult: Sendable, Equatable {
    /// No complete head yet and nothing wrong so far: read more.
    case incomplete
    case head(HTTPRequestHead)
    /// Answer with `error.status` and close the connection: the stream cannot be resynchronised.
    case invalid(HTTPParseError)
}

/// Strict HTTP/1.1 request head parser over raw bytes (RFC 9112): CRLF line endings only,
/// token methods, origin-form targets, Content-Length framing only (Transfer-Encoding is 501),
/// exactly one Host in HTTP/1.1, no obsolete line folding. It allocates nothing on success.
public struct HTTPRequestParser: Sendable {
    public var limits: HTTPLimits

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Parses the request that starts at the beginning of `buffer`. The body, if any, is the
    /// `contentLength` bytes after `headLength`; the caller consumes both.
    public func parse(_ buffer: UnsafeRawBufferPointer) -> HTTPRequestParseResult {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .incomplete }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let count = buffer.count
        guard let headEnd = HTTPBytes.headEnd(p, count: count) else {
            if count > limits.maxHeadBytes {
                return .invalid(HTTPParseError(status: 431, reason: "request head exceeds \(limits.maxHeadBytes) bytes"))
            }
            // Reject a bad request line as soon as it is complete, not only at the head's end.
            if let lineFeed = HTTPBytes.firstLineFeed(p, count: count),
               case .failure(let error) = requestLine(p, lineFeed: lineFeed) {
                return .invalid(error)
            }
            return .incomplete
        }
        if headEnd > limits.maxHeadBytes {
            return .invalid(HTTPParseError(status: 431, reason: "request head exceeds \(limits.maxHeadBytes) bytes"))
        }
        let lineFeed = HTTPBytes.firstLineFeed(p, count: headEnd)!
        var head: HTTPRequestHead
        switch requestLine(p, lineFeed: lineFeed) {
        case .failure(let error): return .invalid(error)
        case .success(let parsed): head = parsed
        }
        head.headLength = headEnd

        var framing = HTTPFraming()
        var hosts = 0
        let limits = self.limits
        func tooLarge() -> HTTPParseError { HTTPParseError(status: 413, reason: "request body exceeds \(limits.maxBodyBytes) bytes") }
        let fieldError = HTTPBytes.forEachField(p, start: lineFeed + 1, headEnd: headEnd, limits: limits) { name, nameCount, valueStart, valueEnd in
            if nameCount == 4 && HTTPBytes.equalsLowercase(p, name, nameCount, "host") {
                hosts += 1
                return nil
            }
            return framing.read(p, name: name, nameCount: nameCount, valueStart: valueStart, valueEnd: valueEnd,
                                oversized: tooLarge(), transferCodings: "Transfer-Encoding is not supported; send Content-Length")
        }
        if let fieldError { return .invalid(fieldError) }
        if head.isHTTP11 && hosts != 1 {
            return .invalid(.malformed(hosts == 0 ? "HTTP/1.1 request without Host" : "more than one Host field"))
        }
        head.contentLength = framing.contentLength ?? 0
        if head.contentLength > limits.maxBodyBytes { return .invalid(tooLarge()) }
        head.keepAlive = framing.keepsAlive(isHTTP11: head.isHTTP11)
        return .head(head)
    }

    /// method SP request-target SP HTTP-version CRLF, with `lineFeed` the offset of its LF.
    private func requestLine(_ p: UnsafePointer<UInt8>, lineFeed: Int) -> Result<HTTPRequestHead, HTTPParseError> {
        var i = 0
        while i < lineFeed && HTTPBytes.isToken(p[i]) { i += 1 }
        guard i > 0, i <= 20, p[i] == HTTPBytes.space else { return .failure(.malformed("malformed request method")) }
        let method = HTTPMethod.parse(p, i)
        i += 1
        let targetStart = i
        while i < lineFeed && p[i] > 0x20 && p[i] < 0x7F { i += 1 }
        guard i > targetStart, p[i] == HTTPBytes.space,
              p[targetStart] == 0x2F || (i - targetStart == 1 && p[targetStart] == 0x2A)
        else { return .failure(.malformed("malformed request target")) }
        let target = targetStart..<i
        i += 1
        guard lineFeed - i == 9, p[lineFeed - 1] == HTTPBytes.cr, memcmp(p + i, "HTTP/", 5) == 0,
              HTTPBytes.isDigit(p[i + 5]), p[i + 6] == 0x2E, HTTPBytes.isDigit(p[i + 7])
        else { return .failure(.malformed("malformed HTTP version or request line ending")) }
        guard p[i + 5] == 0x31, p[i + 7] == 0x30 || p[i + 7] == 0x31 else {
            return .failure(HTTPParseError(status: 505, reason: "only HTTP/1.0 and HTTP/1.1 are supported"))
        }
        return .success(HTTPRequestHead(method: method, target: target, isHTTP11: p[i + 7] == 0x31,
                                        keepAlive: true, contentLength: 0, headLength: 0))
    }
}
