/// Finds where each HTTP/1.1 response ends in a byte stream, without copying it: status code,
/// then `Content-Length`, `Transfer-Encoding: chunked`, or (neither) the end of the connection.
///
/// It keeps only a few integers of state, so responses may arrive in any number of pieces, and
/// several pipelined responses may share one read. It reads no header values besides those two;
/// it is the generator's hot path, not a general HTTP parser.
struct ResponseFramer {
    enum Outcome: Equatable {
        /// All bytes consumed; the response continues in the next read.
        case needMore
        /// A response ended after `consumed` bytes of this buffer.
        case complete(consumed: Int)
        /// The bytes are not an HTTP/1.x response.
        case malformed
    }

    private enum State: UInt8 {
        case statusLine, headerName, headerValue, skipLine, body, chunkSize, chunkExtension, chunkSizeLF,
             chunkData, chunkDataCR, chunkDataLF, trailer, untilClose
    }

    private static let contentLength: StaticString = "content-length"
    private static let transferEncoding: StaticString = "transfer-encoding"
    private static let chunked: StaticString = "chunked"

    private var state = State.statusLine
    private(set) var status: UInt16 = 0
    private var position = 0
    private var lineIsEmpty = true
    private var isContentLength = false
    private var isTransferEncoding = false
    private var chunkedMatch = 0
    private var isChunked = false
    private var contentLength: Int = -1
    private var remaining = 0
    private var noBody = false

    /// True while the response can only end when the peer closes the connection.
    var endsAtClose: Bool { state == .untilClose }

    /// Prepares for the next response; `headRequest`-style bodiless replies are not issued.
    mutating func reset() { self = ResponseFramer() }

    @inline(__always)
    private static func lower(_ b: UInt8) -> UInt8 { b | (b >= 65 && b <= 90 ? 0x20 : 0) }

    mutating func consume(_ bytes: UnsafePointer<UInt8>, count: Int) -> Outcome {
        var i = 0
        while i < count {
            switch state {
            case .body, .chunkData:
                let take = min(remaining, count - i)
                remaining -= take
                i += take
                if remaining == 0 {
                    if state == .body { return .complete(consumed: i) }
                    state = .chunkDataCR
                }
                continue
            case .untilClose:
                return .needMore
            default:
                break
            }
            let b = bytes[i]
            i += 1
            switch state {
            case .statusLine:
                // "HTTP/1.x NNN reason\r\n": check the prefix, take the three digits.
                if position < 5 {
                    guard b == Self.httpPrefix[position] else { return .malformed }
                } else if position >= 9 && position <= 11 {
                    guard b >= 48 && b <= 57 else { return .malformed }
                    status = status * 10 + UInt16(b - 48)
                } else if b == 10 {
                    guard position > 11 else { return .malformed }
                    state = .headerName
                    position = 0
                    lineIsEmpty = true
                    beginHeader()
                    continue
                }
                position += 1
            case .headerName:
                if b == 10 {
                    if lineIsEmpty, let done = endOfHeaders(consumed: i) { return done }
                    if !lineIsEmpty { return .malformed }
                    continue
                }
                if b == 13 { continue }
                lineIsEmpty = false
                if b == 58 { // ':'
                    isContentLength = isContentLength && position == Self.contentLength.utf8CodeUnitCount
                    isTransferEncoding = isTransferEncoding && position == Self.transferEncoding.utf8CodeUnitCount
                    if isContentLength { contentLength = 0 }
                    state = isContentLength || isTransferEncoding ? .headerValue : .skipLine
                    continue
                }
                let l = Self.lower(b)
                if isContentLength {
                    isContentLength = position < Self.contentLength.utf8CodeUnitCount
                        && Self.contentLength.utf8Start[position] == l
                }
                if isTransferEncoding {
                    isTransferEncoding = position < Self.transferEncoding.utf8CodeUnitCount
                        && Self.transferEncoding.utf8Start[position] == l
                }
                position += 1
            case .headerValue:
                if b == 10 {
                    state = .headerName
                    beginHeader()
                    continue
                }
                if isContentLength {
                    if b >= 48 && b <= 57 {
                        contentLength = contentLength * 10 + Int(b - 48)
                        if contentLength > 1 << 40 { return .malformed }
                    } else if b != 32 && b != 9 && b != 13 {
                        return .malformed
                    }
                } else {
                    let l = Self.lower(b)
                    if chunkedMatch < Self.chunked.utf8CodeUnitCount {
                        chunkedMatch = Self.chunked.utf8Start[chunkedMatch] == l ? chunkedMatch + 1 : (l == 99 ? 1 : 0)
                        if chunkedMatch == Self.chunked.utf8CodeUnitCount { isChunked = true }
                    }
                }
            case .skipLine:
                if b == 10 {
                    state = .headerName
                    beginHeader()
                }
            case .chunkSize:
                if let digit = Self.hexValue(b) {
                    remaining = remaining * 16 + digit
                    if remaining > 1 << 40 { return .malformed }
                } else if b == 59 || b == 32 || b == 9 { // ';' extension or padding
                    state = .chunkExtension
                } else if b == 13 {
                    state = .chunkSizeLF
                } else if b == 10 {
                    if let done = endOfChunkSize(consumed: i) { return done }
                } else {
                    return .malformed
                }
            case .chunkExtension:
                if b == 10, let done = endOfChunkSize(consumed: i) { return done }
            case .chunkSizeLF:
                guard b == 10 else { return .malformed }
                if let done = endOfChunkSize(consumed: i) { return done }
            case .chunkDataCR:
                guard b == 13 else { return .malformed }
                state = .chunkDataLF
            case .chunkDataLF:
                guard b == 10 else { return .malformed }
                state = .chunkSize
                remaining = 0
            case .trailer:
                // Trailer lines until an empty one.
                if b == 10 {
                    if lineIsEmpty { return .complete(consumed: i) }
                    lineIsEmpty = true
                } else if b != 13 {
                    lineIsEmpty = false
                }
            case .body, .chunkData, .untilClose:
                break
            }
        }
        return .needMore
    }

    private static let httpPrefix: [UInt8] = Array("HTTP/".utf8)

    private mutating func beginHeader() {
        position = 0
        lineIsEmpty = true
        isContentLength = true
        isTransferEncoding = true
        chunkedMatch = 0
    }

    private mutating func endOfHeaders(consumed: Int) -> Outcome? {
        if (status >= 100 && status < 200) || status == 204 || status == 304 {
            if status >= 100 && status < 200 { // interim response: the real one follows
                self = ResponseFramer()
                return nil
            }
            return .complete(consumed: consumed)
        }
        if isChunked {
            state = .chunkSize
            remaining = 0
        } else if contentLength >= 0 {
            if contentLength == 0 { return .complete(consumed: consumed) }
            remaining = contentLength
            state = .body
        } else {
            state = .untilClose
        }
        return nil
    }

    private mutating func endOfChunkSize(consumed: Int) -> Outcome? {
        if remaining == 0 {
            state = .trailer
            lineIsEmpty = true
        } else {
            state = .chunkData
        }
        return nil
    }

    private static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 48...57: return Int(b - 48)
        case 97...102: return Int(b - 87)
        case 65...70: return Int(b - 55)
        default: return nil
        }
    }
}
