/// What a Δ means, stated as words: a number below the noise floor is not reported as an effect.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case reference = "reference"
    case notDetected = "not detected"
    case notSignificant = "not significant"
    case slower = "slower"
    case faster = "faster"
    case tooFewBlocks = "too few blocks"

    /// Six valid blocks are the fewest for which the exact signed-rank test can reach p < 0.05.
    public static let minimumBlocks = 6
    public static let alpha = 0.05

    public static func judge(_ comparison: PairedComparison?, mde: Double?) -> Verdict {
        guard let comparison, comparison.blocks >= minimumBlocks else { return .tooFewBlocks }
        if let mde, abs(comparison.deltaPercent) < mde { return .notDetected }
        guard let p = comparison.pValue, p < alpha,
              let interval = comparison.interval, !interval.contains(0) else { return .notSignificant }
        return comparison.deltaPercent > 0 ? .slower : .faster
    }
}
