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
