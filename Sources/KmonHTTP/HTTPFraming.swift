/// The fields that frame an HTTP/1.x message, read alike in requests and responses: Connection
/// options, one Content-Length (repeats must agree), and no Transfer-Encoding (we frame by length only).
struct HTTPFraming {
    var contentLength: Int?
    var close = false
    var keepAlive = false

    /// Reads one field if it frames the message. Returns the error that refuses the message, or nil:
    /// the field was fine, or frames nothing. `oversized` answers a Content-Length of more digits
    /// than fit; `transferCodings` is the reason a Transfer-Encoding is refused.
    mutating func read(_ p: UnsafePointer<UInt8>, name: Int, nameCount: Int, valueStart: Int, valueEnd: Int,
                       oversized: @autoclosure () -> HTTPParseError, transferCodings: String) -> HTTPParseError? {
        switch nameCount {
        case 10 where HTTPBytes.equalsLowercase(p, name, nameCount, "connection"):
            let options = HTTPBytes.connectionOptions(p, valueStart, valueEnd)
            close = close || options.close
            keepAlive = keepAlive || options.keepAlive
        case 14 where HTTPBytes.equalsLowercase(p, name, nameCount, "content-length"):
            guard let value = HTTPBytes.decimal(p, valueStart, valueEnd) else {
                let allDigits = (valueStart..<valueEnd).allSatisfy { HTTPBytes.isDigit(p[$0]) }
                return valueEnd - valueStart > 15 && allDigits ? oversized() : .malformed("invalid Content-Length")
            }
            if let previous = contentLength, previous != value { return .malformed("conflicting Content-Length fields") }
            contentLength = value
        case 17 where HTTPBytes.equalsLowercase(p, name, nameCount, "transfer-encoding"):
            return HTTPParseError(status: 501, reason: transferCodings)
        default:
            break
        }
        return nil
    }

    /// Whether the connection stays open after this message.
    func keepsAlive(isHTTP11: Bool) -> Bool { !close && (isHTTP11 || keepAlive) }
}
