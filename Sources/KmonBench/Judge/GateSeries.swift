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
