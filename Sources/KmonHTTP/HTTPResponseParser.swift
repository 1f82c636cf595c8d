import Glibc

/// One complete response as the parser saw it.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Bytes of status line and headers, including the blank line.
    public var headLength: Int
    /// Content-Length of the body (all of it was consumed).
    public var bodyLength: Int
    /// False when the server said "Connection: close" (or HTTP/1.0 without keep-alive).
    public var keepAlive: Bool
    /// The body itself, only when the parser was made with `keepsBody: true`.
    public var body: [UInt8]?
}

/// Incremental, strict HTTP/1.1 response parser: feed it bytes as they arrive and it yields each
/// complete response in order (pipelined responses included). Bodies must be framed by
/// Content-Length (or be absent: 1xx, 204, 304); chunked and close-delimited bodies are rejected.
/// Interim 1xx responses are skipped. By default bodies are counted, not stored, so a load
/// generator pays no copy for them.
public struct HTTPResponseParser: Sendable {
    public let limits: HTTPLimits
    public let keepsBody: Bool

    private var head: [UInt8] = []
    private var current: HTTPResponse?
    private var bodyRemaining = 0

    public init(limits: HTTPLimits = HTTPLimits(maxBodyBytes: 1 << 30), keepsBody: Bool = false) {
        self.limits = limits
        self.keepsBody = keepsBody
        head.reserveCapacity(256)
    }

    /// True between responses: no partial response is buffered.
    public var isIdle: Bool { head.isEmpty && current == nil }

    /// Consumes `bytes`, calling `onResponse` for every response completed by them.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, onResponse: (HTTPResponse) throws -> Void) throws {
        guard let base = bytes.baseAddress else { return }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var i = 0
        let count = bytes.count
        while i < count {
            if var response = current {
                let take = min(bodyRemaining, count - i)
                if keepsBody { response.body!.append(contentsOf: UnsafeBufferPointer(start: p + i, count: take)) }
                bodyRemaining -= take
                i += take
                if bodyRemaining == 0 {
                    current = nil
                    try onResponse(response)
                } else {
                    current = response
                }
                continue
            }
            // Accumulate the head; resume the terminator search 3 bytes before the old end.
            let resume = max(head.count - 3, 0)
            let room = limits.maxHeadBytes - head.count
            let take = min(count - i, room + 1)
            head.append(contentsOf: UnsafeBufferPointer(start: p + i, count: take))
            let end = head.withUnsafeBufferPointer { HTTPBytes.headEnd($0.baseAddress!, from: resume, count: $0.count) }
            guard let end else {
                if head.count > limits.maxHeadBytes {
                    throw HTTPParseError(status: 431, reason: "response head exceeds \(limits.maxHeadBytes) bytes")
                }
                i += take
                continue
            }
            // Bytes after the head's end belong to the body or the next response.
            i += take - (head.count - end)
            head.removeSubrange(end...)
            var response = try parseHead()
            head.removeAll(keepingCapacity: true)
            if response.status < 200 { continue }
            if response.bodyLength == 0 {
                if keepsBody { response.body = [] }
                try onResponse(response)
            } else {
                if keepsBody { response.body = []; response.body!.reserveCapacity(response.bodyLength) }
                current = response
                bodyRemaining = response.bodyLength
            }
        }
    }

    private func parseHead() throws -> HTTPResponse {
        try head.withUnsafeBufferPointer { buffer -> HTTPResponse in
            let p = buffer.baseAddress!
            let headEnd = buffer.count
            let lineFeed = HTTPBytes.firstLineFeed(p, count: headEnd)!
            // HTTP/1.x SP 3DIGIT SP reason-phrase CRLF (the reason may be empty).
            guard lineFeed >= 13, p[lineFeed - 1] == HTTPBytes.cr, memcmp(p, "HTTP/1.", 7) == 0,
                  p[7] == 0x30 || p[7] == 0x31, p[8] == HTTPBytes.space,
                  let status = HTTPBytes.decimal(p, 9, 12), status >= 100, status <= 599,
                  p[12] == HTTPBytes.space || lineFeed == 13
            else { throw HTTPParseError.malformed("malformed status line") }
            let isHTTP11 = p[7] == 0x31
            var framing = HTTPFraming()
            let limits = self.limits
            let error = HTTPBytes.forEachField(p, start: lineFeed + 1, headEnd: headEnd, limits: limits) { name, nameCount, valueStart, valueEnd in
                framing.read(p, name: name, nameCount: nameCount, valueStart: valueStart, valueEnd: valueEnd,
                             oversized: .malformed("invalid Content-Length"),
                             transferCodings: "chunked or other transfer codings are not supported")
            }
            if let error { throw error }
            let bodyless = status < 200 || status == 204 || status == 304
            if !bodyless && framing.contentLength == nil {
                throw HTTPParseError(status: 501, reason: "response without Content-Length (close-delimited bodies are not supported)")
            }
            let length = bodyless ? 0 : framing.contentLength!
            if length > limits.maxBodyBytes {
                throw HTTPParseError(status: 413, reason: "response body exceeds \(limits.maxBodyBytes) bytes")
            }
            return HTTPResponse(status: status, headLength: headEnd, bodyLength: length,
                                keepAlive: framing.keepsAlive(isHTTP11: isHTTP11), body: nil)
        }
    }
}
