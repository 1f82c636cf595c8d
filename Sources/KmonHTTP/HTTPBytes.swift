import Glibc

/// Byte-level rules of RFC 9110/9112 that both parsers share. They work on raw pointers so a
/// request is parsed without allocating.
enum HTTPBytes {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let space: UInt8 = 32
    static let tab: UInt8 = 9
    static let colon: UInt8 = 58

    /// tchar: "!#$%&'*+-.^_`|~", digits and letters.
    @inline(__always)
    static func isToken(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }

    /// field-vchar or whitespace: anything but control characters (HTAB allowed).
    @inline(__always)
    static func isFieldValue(_ b: UInt8) -> Bool {
        b == tab || (b >= 0x20 && b != 0x7F)
    }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Offset just past the first "\r\n\r\n" in `p[0..<count]`, searching from `from` (a caller
    /// that got more bytes resumes at its old count minus 3).
    static func headEnd(_ p: UnsafePointer<UInt8>, from: Int = 0, count: Int) -> Int? {
        var i = max(from, 3)
        while i < count {
            guard let found = memchr(p + i, Int32(lf), count - i) else { return nil }
            let j = UnsafeRawPointer(found) - UnsafeRawPointer(p)
            if p[j - 1] == cr && p[j - 2] == lf && p[j - 3] == cr { return j + 1 }
            i = j + 1
        }
        return nil
    }

    /// Offset of the first LF in `p[0..<count]`, or nil.
    static func firstLineFeed(_ p: UnsafePointer<UInt8>, count: Int) -> Int? {
        guard count > 0, let found = memchr(p, Int32(lf), count) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(p)
    }

    /// Case-insensitive comparison of `p[start..<start+count]` with a lowercase ASCII name.
    @inline(__always)
    static func equalsLowercase(_ p: UnsafePointer<UInt8>, _ start: Int, _ count: Int, _ name: StaticString) -> Bool {
        guard count == name.utf8CodeUnitCount else { return false }
        let n = name.utf8Start
        for i in 0..<count {
            var b = p[start + i]
            if b >= 0x41 && b <= 0x5A { b |= 0x20 }
            if b != n[i] { return false }
        }
        return true
    }

    /// Parses 1*DIGIT; nil when empty, not digits, or above `limit` digits.
    static func decimal(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, maxDigits: Int = 15) -> Int? {
        guard end > start, end - start <= maxDigits else { return nil }
        var value = 0
        for i in start..<end {
            guard isDigit(p[i]) else { return nil }
            value = value * 10 + Int(p[i] - 0x30)
        }
        return value
    }
}

extension HTTPBytes {
    /// Walks the header lines of `p[start..<headEnd]` (headEnd is just past the blank line) and
    /// hands each field to `visit(nameStart, nameCount, valueStart, valueEnd)`, value trimmed of
    /// whitespace. Rejects obsolete line folding, bare CR or LF, and control characters.
    @inline(__always)
    static func forEachField(
        _ p: UnsafePointer<UInt8>, start: Int, headEnd: Int, limits: HTTPLimits,
        _ visit: (Int, Int, Int, Int) -> HTTPParseError?
    ) -> HTTPParseError? {
        // Every scan below stops at a CR, and the head ends in CR LF CR LF, so none runs past headEnd.
        var i = start
        var fields = 0
        while true {
            if p[i] == cr {
                return i + 2 == headEnd && p[i + 1] == lf ? nil : .malformed("bare CR in the header section")
            }
            if p[i] == space || p[i] == tab { return .malformed("obsolete header line folding") }
            fields += 1
            if fields > limits.maxHeaderCount {
                return HTTPParseError(status: 431, reason: "more than \(limits.maxHeaderCount) header fields")
            }
            let nameStart = i
            while isToken(p[i]) { i += 1 }
            let nameCount = i - nameStart
            guard nameCount > 0, p[i] == colon else { return .malformed("malformed header field name") }
            i += 1
            while p[i] == space || p[i] == tab { i += 1 }
            let valueStart = i
            while isFieldValue(p[i]) { i += 1 }
            guard p[i] == cr, p[i + 1] == lf else { return .malformed("control character or bare LF in a header field") }
            var valueEnd = i
            while valueEnd > valueStart && (p[valueEnd - 1] == space || p[valueEnd - 1] == tab) { valueEnd -= 1 }
            if let error = visit(nameStart, nameCount, valueStart, valueEnd) { return error }
            i += 2
        }
    }

    /// Reads a Connection header value: returns (close, keepAlive) tokens seen.
    static func connectionOptions(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (close: Bool, keepAlive: Bool) {
        var close = false, keepAlive = false
        var i = start
        while i < end {
            while i < end && (p[i] == space || p[i] == tab || p[i] == 0x2C) { i += 1 }
            let tokenStart = i
            while i < end && p[i] != 0x2C && p[i] != space && p[i] != tab { i += 1 }
            if equalsLowercase(p, tokenStart, i - tokenStart, "close") { close = true }
            if equalsLowercase(p, tokenStart, i - tokenStart, "keep-alive") { keepAlive = true }
        }
        return (close, keepAlive)
    }
}
