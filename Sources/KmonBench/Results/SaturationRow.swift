import KmonSupport

public struct SaturationRow: Codable, Sendable {
    /// The arm's name; results.json's key is `variant`.
    public var arm: String
    @ExplicitNull public var rps: Double? = nil
    @ExplicitNull public var deltaPercent: Double? = nil
    @ExplicitNull public var deltaCI: [Double]? = nil
    @ExplicitNull public var pValue: Double? = nil
    public var blocks: [Double]

    public init(arm: String, rps: Double?, deltaPercent: Double?, deltaCI: [Double]?, pValue: Double?, blocks: [Double]) {
        self.arm = arm
        self.rps = rps
        self.deltaPercent = deltaPercent
        self.deltaCI = deltaCI
        self.pValue = pValue
        self.blocks = blocks
    }

    enum CodingKeys: String, CodingKey {
        case arm = "variant", rps, blocks
        case deltaPercent = "delta_pct", deltaCI = "delta_ci", pValue = "p_value"
    }
}
