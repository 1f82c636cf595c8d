import KmonSupport

/// The spread of one arm's ns/run across the loads of its (identical) objects within one level
/// (results.json `placement`): what where code and maps land costs, which reloading turns into noise.
public struct PlacementSpread: Codable, Sendable, Equatable {
    public var arm: String
    public var level: BenchLevel
    @ExplicitNull public var load: Double? = nil
    /// Each load's mean ns/run over its phases (all programs' run time over all their runs), in load order.
    public var nanosecondsPerRun: [Double]
    /// Coefficient of variation of those means, percent; nil below two loads.
    @ExplicitNull public var cvPercent: Double? = nil
    /// Largest over smallest; nil below two loads.
    @ExplicitNull public var maxOverMin: Double? = nil
    /// The CV those means would have from phase-to-phase noise alone, percent: the pooled spread
    /// of single phases' ns/run around their load's mean, over √(phases per load). A `cvPercent`
    /// well above it is placement; one near it is the phases' own noise. Nil without two phases
    /// in some load.
    @ExplicitNull public var phaseNoiseCVPercent: Double? = nil

    /// `phases`: each load's phases' ns/run, in load order, for `phaseNoiseCVPercent`.
    public init(arm: String, level: BenchLevel, load: Double?, nanosecondsPerRun: [Double], phases: [[Double]] = []) {
        self.arm = arm
        self.level = level
        self.load = load
        self.nanosecondsPerRun = nanosecondsPerRun
        if nanosecondsPerRun.count >= 2, let low = nanosecondsPerRun.min(), let high = nanosecondsPerRun.max(), low > 0 {
            let mean = nanosecondsPerRun.reduce(0, +) / Double(nanosecondsPerRun.count)
            let variance = nanosecondsPerRun.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(nanosecondsPerRun.count - 1)
            cvPercent = variance.squareRoot() / mean * 100
            maxOverMin = high / low
        }
        let count = phases.reduce(0) { $0 + $1.count }
        let mean = phases.joined().reduce(0, +) / Double(max(count, 1))
        if count > phases.count, mean > 0 {
            let within = phases.reduce(0.0) { sum, values in
                let m = values.reduce(0, +) / Double(max(values.count, 1))
                return sum + values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            } / Double(count - phases.count)
            phaseNoiseCVPercent = (within / (Double(count) / Double(phases.count))).squareRoot() / mean * 100
        }
    }

    enum CodingKeys: String, CodingKey {
        case arm, level, load
        case nanosecondsPerRun = "ns_per_run", cvPercent = "cv_pct", maxOverMin = "max_over_min"
        case phaseNoiseCVPercent = "phase_noise_cv_pct"
    }
}
