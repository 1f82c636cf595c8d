public struct SkippedArm: Codable, Sendable, Equatable {
    public var variant: String
    /// One line: a verifier log's lines are joined with "; ", so tables and CSVs stay whole.
    public var reason: String

    public init(variant: String, reason: String) {
        self.variant = variant
        self.reason = reason.split(whereSeparator: \.isNewline).joined(separator: "; ")
    }
}
