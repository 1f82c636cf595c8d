/// An arm the run left out, and why (results.json `skipped`; the key `variant` holds the arm's name).
public struct SkippedArm: Codable, Sendable, Equatable {
    public var arm: String
    /// One line: a verifier log's lines are joined with "; ", so tables and CSVs stay whole.
    public var reason: String

    public init(arm: String, reason: String) {
        self.arm = arm
        self.reason = reason.split(whereSeparator: \.isNewline).joined(separator: "; ")
    }

    enum CodingKeys: String, CodingKey { case arm = "variant", reason }
}
