/// probe − truth error per request for one variant, hop and vantage: equal-width bins in µs,
/// with the extreme 0.5% on each side clamped into the edge bins so outliers stay visible.
public struct ErrorHistogram: Codable, Sendable {
    public var arm: String
    public var vantage: Vantage
    public var hop: String
    public var load: Double
    public var lowMicroseconds: Double
    public var binMicroseconds: Double
    public var counts: [Int]

    enum CodingKeys: String, CodingKey {
        case arm, vantage, hop, load, counts
        case lowMicroseconds = "low_us", binMicroseconds = "bin_us"
    }

    public init(arm: String, vantage: Vantage, hop: String, load: Double, lowMicroseconds: Double,
                binMicroseconds: Double, counts: [Int]) {
        self.arm = arm
        self.vantage = vantage
        self.hop = hop
        self.load = load
        self.lowMicroseconds = lowMicroseconds
        self.binMicroseconds = binMicroseconds
        self.counts = counts
    }

    /// Bins `errorsNanoseconds` into `binCount` bins spanning its 0.5th to 99.5th percentile.
    public static func make(arm: String, vantage: Vantage, hop: String, load: Double,
                            errorsNanoseconds: [Double], binCount: Int = 40) -> ErrorHistogram? {
        let sorted = errorsNanoseconds.map { $0 / 1000 }.sorted()
        guard let low = Percentile.of(sorted: sorted, 0.005), let high = Percentile.of(sorted: sorted, 0.995) else { return nil }
        let width = max((high - low) / Double(binCount), 0.001)
        var counts = [Int](repeating: 0, count: binCount)
        for value in sorted {
            let bin = Int(((value - low) / width).rounded(.down))
            counts[min(max(bin, 0), binCount - 1)] += 1
        }
        return ErrorHistogram(arm: arm, vantage: vantage, hop: hop, load: load, lowMicroseconds: low,
                              binMicroseconds: width, counts: counts)
    }
}
