/// One metric of one arm at one load level, block by block, for this build, the base and the A/A twin.
struct GateSeries {
    var arm: BenchArm
    var load: Double
    /// Set for a level that is no load level (`trigger`).
    var level: String?
    var metric: GateMetric
    var current: [Double?]
    var base: [Double?]
    var again: [Double?]
    /// The fewest runs behind the metric in any compared phase (0 where it has no run count).
    var fewestRuns: UInt64

    init(arm: BenchArm, load: Double, level: String? = nil, metric: GateMetric, phases: [PhaseMeasurement], blocks: Int) {
        func values(_ build: BenchArm.Build) -> [Double?] {
            var result = [Double?](repeating: nil, count: blocks)
            for phase in phases where phase.run.arm == arm.with(build) { result[phase.run.block] = metric.value(phase) }
            return result
        }
        self.arm = arm
        self.load = load
        self.level = level
        self.metric = metric
        current = values(.current)
        base = values(.base)
        again = values(.again)
        fewestRuns = metric.runs.map { runs in phases.map(runs).min() ?? 0 } ?? 0
    }
}

/// A series' paired comparison and A/A noise floor, and whether it joins the tested family.
struct Assessment {
    var series: GateSeries
    var comparison: PairedComparison?
    var mde: Double?
    /// The A/A pair's own Δ, median over blocks of X / X@aa in %: how far two loads of identical
    /// objects sat apart in this run. A placement offset that lasts the whole run is no block
    /// noise, so the MDE does not see it; this does.
    var againDeltaPercent: Double?
    var gated = false
    /// Why it is reported but not tested.
    var reason: String?
    /// Why this cost figure was the one tested.
    var choice: String?

    init(_ series: GateSeries, seed: UInt64) {
        self.series = series
        comparison = PairedComparison.compare(baseline: series.base, arm: series.current, seed: seed)
        mde = NoiseFloor.minimumDetectableEffect(first: series.current, second: series.again)
        let ratios = zip(series.current, series.again).compactMap { pair -> Double? in
            guard let value = pair.0, let again = pair.1, value > 0, again > 0 else { return nil }
            return value / again
        }
        againDeltaPercent = Percentile.median(ratios).map { ($0 - 1) * 100 }
    }
}
