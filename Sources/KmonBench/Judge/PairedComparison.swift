import Foundation

/// An arm against the baseline run in the same blocks: the median of the per-block ratios
/// arm/baseline as a Δ%, its bootstrap 95% interval, and a Wilcoxon signed-rank p-value on the
/// log ratios. Pairing by block cancels the slow drift of a shared, noisy machine.
public struct PairedComparison: Equatable, Sendable {
    public var blocks: Int
    public var deltaPercent: Double
    public var interval: Bootstrap.Interval?
    public var pValue: Double?

    /// `baseline[i]` and `arm[i]` come from block i; nil marks an invalid block, dropped with its pair.
    public static func compare(baseline: [Double?], arm: [Double?], seed: UInt64) -> PairedComparison? {
        let ratios = zip(baseline, arm).compactMap { pair -> Double? in
            guard let base = pair.0, let value = pair.1, base > 0, value > 0 else { return nil }
            return value / base
        }
        guard let median = Percentile.median(ratios) else { return nil }
        let interval = Bootstrap.medianInterval(ratios, seed: seed).map {
            Bootstrap.Interval(low: ($0.low - 1) * 100, high: ($0.high - 1) * 100)
        }
        return PairedComparison(blocks: ratios.count, deltaPercent: (median - 1) * 100, interval: interval,
                                pValue: RankTests.wilcoxonSignedRankP(ratios.map { log($0) }))
    }
}

/// The noise floor, from A/A blocks: two identical arms in every block.
public enum NoiseFloor {
    /// Minimum detectable effect in percent, ≈ 2.8·σ/√n (80% power at α = 0.05), where σ is
    /// the spread of the per-block A/A difference in percent. σ is estimated robustly, as
    /// 1.4826 × the median absolute deviation (σ itself for normal noise): a stall that hits
    /// one block moves the medians the Δs are built on by little, and should move the floor
    /// they are judged against by as little. Nil below two valid blocks.
    public static func minimumDetectableEffect(first: [Double?], second: [Double?]) -> Double? {
        let differences = zip(first, second).compactMap { pair -> Double? in
            guard let a = pair.0, let b = pair.1, a > 0 else { return nil }
            return (b / a - 1) * 100
        }
        guard let sigma = Percentile.robustStandardDeviation(differences) else { return nil }
        return 2.8 * sigma / Double(differences.count).squareRoot()
    }
}

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
