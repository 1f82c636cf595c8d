/// Holm's step-down control of the family-wise error rate: the chance that any of m tests
/// raises a false alarm stays at or below α, whatever the dependence between the tests.
///
/// The gate tests every arm × load level × tested metric of a run, and each test is one more
/// chance for noise to fail CI. Holm keeps Bonferroni's guarantee with more power: the smallest
/// p-value is held to α/m, the next to α/(m−1), and so on, stopping at the first that fails.
public enum Holm {
    /// Adjusted p-values, in the input's order: a test is rejected at family-wise level α exactly
    /// when its adjusted p is below α. Nil p-values are not tests and stay nil (they do not count in m).
    public static func adjusted(_ pValues: [Double?]) -> [Double?] {
        let tests = pValues.enumerated().compactMap { index, p in p.map { (index, $0) } }.sorted { $0.1 < $1.1 }
        var result = [Double?](repeating: nil, count: pValues.count)
        var running = 0.0
        for (rank, test) in tests.enumerated() {
            // The step-down running maximum keeps the adjusted values in the raw values' order.
            running = max(running, min(1, Double(tests.count - rank) * test.1))
            result[test.0] = running
        }
        return result
    }

    /// Which tests Holm rejects at family-wise level α.
    public static func rejected(_ pValues: [Double?], alpha: Double) -> [Bool] {
        adjusted(pValues).map { $0.map { $0 < alpha } ?? false }
    }
}
