/// Why a message was rejected, with the status a server answers it with.
public struct HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 400 malformed, 413 body too large, 431 head too large, 501 unsupported framing,
    /// 505 unsupported version. For a response parser the status is only a category.
    public let status: Int
    public let reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status): \(reason)" }

    public static func malformed(_ reason: String) -> HTTPParseError { .init(status: 400, reason: reason) }
}
