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
