import Glibc

/// The intended send times of one connection's requests, in CLOCK_MONOTONIC nanoseconds.
///
/// Constant rate: `start + k / rate` (computed from k, so rounding never drifts). Poisson:
/// exponentially distributed gaps with mean `1 / rate`, from a seeded generator so a run can be
/// repeated. The generator gives each connection `rate / connections` and staggers the constant
/// schedules by `1 / rate`, so the sum over connections is evenly spaced too.
public struct SendSchedule: Sendable {
    public let start: UInt64
    public let ratePerSecond: Double
    public let poisson: Bool
    private let intervalNs: Double
    private var index: UInt64 = 0
    private var poissonOffsetNs: Double = 0
    private var random: SplitMix64

    public init(start: UInt64, ratePerSecond: Double, poisson: Bool, seed: UInt64 = 1) {
        self.start = start
        self.ratePerSecond = ratePerSecond
        self.poisson = poisson
        self.intervalNs = 1e9 / ratePerSecond
        self.random = SplitMix64(seed: seed)
    }

    /// The next intended send time.
    public mutating func next() -> UInt64 {
        if poisson {
            // -ln(U) with U in (0, 1] is Exp(1); scaled by the mean gap.
            poissonOffsetNs += -log(random.nextUnitInterval()) * intervalNs
            return start &+ UInt64(poissonOffsetNs)
        }
        defer { index &+= 1 }
        return start &+ UInt64(Double(index) * intervalNs)
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1]: never 0, so its logarithm is finite.
    mutating func nextUnitInterval() -> Double {
        Double((next() >> 11) &+ 1) * (1.0 / 9_007_199_254_740_992.0)
    }
}
