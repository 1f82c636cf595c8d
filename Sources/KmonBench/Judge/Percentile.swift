/// Order statistics on plain samples.
public enum Percentile {
    /// The q-quantile (0...1) of already sorted values, interpolating linearly between the
    /// closest ranks (R's type 7). Nil for no values.
    public static func of(sorted values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let position = min(max(q, 0), 1) * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return values[lower] + (values[upper] - values[lower]) * fraction
    }

    public static func of(_ values: [Double], _ q: Double) -> Double? {
        of(sorted: values.sorted(), q)
    }

    public static func median(_ values: [Double]) -> Double? { of(values, 0.5) }

    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation (n − 1); nil below two values.
    public static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2, let mean = mean(values) else { return nil }
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(values.count - 1)).squareRoot()
    }

    /// 1.4826 × the median absolute deviation from the median: σ for normal data, little moved
    /// by outliers. Nil below two values.
    public static func robustStandardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2, let centre = median(values), let mad = median(values.map { abs($0 - centre) }) else { return nil }
        return 1.4826 * mad
    }
}
