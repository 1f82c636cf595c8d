import Glibc
import KmonSupport

/// The intended send times of one load thread's requests, in CLOCK_MONOTONIC nanoseconds; the
/// thread hands each time to the next of its connections with room for a request.
///
/// Constant rate: `start + k / rate` (computed from k, so rounding never drifts). Poisson:
/// exponentially distributed gaps with mean `1 / rate`, from a seeded generator (one seed per
/// thread) so a run can be repeated. The generator gives each thread `rate / threads` and
/// staggers the constant schedules by `1 / rate`, so the sum over threads is evenly spaced too.
public struct SendSchedule: Sendable {
    public let start: UInt64
    public let ratePerSecond: Double
    public let poisson: Bool
    private let intervalNs: Double
    private var index: UInt64 = 0
    private var poissonOffsetNs: Double = 0
    private var random: SeededGenerator

    public init(start: UInt64, ratePerSecond: Double, poisson: Bool, seed: UInt64 = 1) {
        self.start = start
        self.ratePerSecond = ratePerSecond
        self.poisson = poisson
        self.intervalNs = 1e9 / ratePerSecond
        self.random = SeededGenerator(seed: seed)
    }

    /// The next intended send time.
    public mutating func next() -> UInt64 {
        if poisson {
            // -ln(U) with U in (0, 1] is Exp(1); scaled by the mean gap.
            poissonOffsetNs += -log(random.nextUnitInterval()) * intervalNs
            return after(start, UInt64(saturating: poissonOffsetNs))
        }
        defer { index &+= 1 }
        return after(start, UInt64(saturating: Double(index) * intervalNs))
    }

    /// `start + offset`, or never (UInt64.max) past the end of the clock: a rate below
    /// `AcceptedRange.requestsPerSecond` sends nothing instead of trapping or wrapping.
    private func after(_ start: UInt64, _ offset: UInt64) -> UInt64 {
        let (sum, overflow) = start.addingReportingOverflow(offset)
        return overflow ? .max : sum
    }
}
