import KmonSupport
/// Percentile bootstrap: resample with replacement, recompute the statistic, and take the
/// middle 95% of what comes out. Seeded, so a report's intervals can be reproduced exactly.
public enum Bootstrap {
    public struct Interval: Equatable, Sendable, Codable {
        public var low: Double
        public var high: Double
        public init(low: Double, high: Double) { self.low = low; self.high = high }
        public func contains(_ value: Double) -> Bool { low <= value && value <= high }
    }

    /// 95% interval of the median of `values`. Nil with fewer than two values: one value
    /// has no spread to resample.
    public static func medianInterval(_ values: [Double], resamples: Int = 2000, confidence: Double = 0.95,
                                      seed: UInt64) -> Interval? {
        guard values.count >= 2 else { return nil }
        var generator = SeededGenerator(seed: seed)
        var medians: [Double] = []
        medians.reserveCapacity(resamples)
        var sample = [Double](repeating: 0, count: values.count)
        for _ in 0..<resamples {
            for i in sample.indices { sample[i] = values[Int.random(in: 0..<values.count, using: &generator)] }
            sample.sort()
            medians.append(Percentile.of(sorted: sample, 0.5)!)
        }
        medians.sort()
        let tail = (1 - confidence) / 2
        return Interval(low: Percentile.of(sorted: medians, tail)!, high: Percentile.of(sorted: medians, 1 - tail)!)
    }
}
