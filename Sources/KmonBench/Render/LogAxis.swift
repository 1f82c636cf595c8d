import Foundation

/// A base-10 logarithmic axis over [low, high], with ticks at 1, 2 and 5 of each decade.
struct LogAxis {
    let low: Double
    let high: Double

    /// Figures come from a results file: a non-finite or absurd bound is clamped, so the ticks
    /// stay a few dozen at most.
    init(low: Double, high: Double) {
        let low = low.isFinite ? min(max(low, 1e-3), 1e12) : 1e-3, high = high.isFinite ? min(max(high, 1e-3), 1e12) : 1e12
        let floor = max(min(low, high), 1e-3)
        self.low = pow(10, Foundation.floor(log10(floor) * 4) / 4)
        self.high = max(pow(10, ceil(log10(max(high, floor * 1.01)) * 4) / 4), self.low * 1.5)
    }

    func fraction(_ value: Double) -> Double {
        (log10(max(value, low)) - log10(low)) / (log10(high) - log10(low))
    }

    /// 1, 2 and 5 of each decade; every digit where that leaves fewer than three (a narrow range).
    var ticks: [Double] {
        let coarse = ticks(steps: [1, 2, 5])
        return coarse.count >= 3 ? coarse : ticks(steps: [1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    private func ticks(steps: [Double]) -> [Double] {
        var ticks: [Double] = []
        var decade = pow(10, Foundation.floor(log10(low)))
        while decade <= high {
            for step in steps where decade * step >= low * 0.999 && decade * step <= high * 1.001 { ticks.append(decade * step) }
            decade *= 10
        }
        return ticks
    }
}
