/// The A/A noise floor per load level: how large a Δ must be before the bench calls it an effect.
public struct NoiseFloorRecord: Codable, Sendable {
    /// Valid A/A block pairs per load level.
    public var blocks: [String: Int]
    /// Minimum detectable effect per load level and metric, percent.
    public var mdePercent: [String: MetricMDE]

    public init(blocks: [String: Int], mdePercent: [String: MetricMDE]) {
        self.blocks = blocks
        self.mdePercent = mdePercent
    }

    enum CodingKeys: String, CodingKey { case blocks, mdePercent = "mde_pct" }
}
