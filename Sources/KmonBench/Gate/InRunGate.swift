/// The CI regression gate (docs/ci.md): this build's probe objects against the base branch's,
/// as arms of the same in-place blocks of one run.
///
/// For each probe arm `X` the run holds `X@base` (the base objects), `X` (this build) and `X@aa`
/// (this build again, loaded separately). Per metric, the Δ is the median over blocks of
/// X / X@base in the same block, and the noise floor is the A/A pair X / X@aa. A metric
/// regresses (or improves) only when all hold: |Δ| beyond the tolerance, beyond the absolute
/// floor, beyond the A/A MDE, and significant (Wilcoxon signed-rank p below α divided by the
/// number of metrics compared, with a bootstrap CI that excludes 0).
public struct InRunGate: Sendable {
    public struct Thresholds: Sendable {
        /// Two separately loaded copies of the same objects differ by up to about 10% in ns/run
        /// inside one run (where their code and maps landed), beyond the per-block noise the A/A
        /// MDE sees: at 5%, 2 of 20 A/A gates on our VM raised a false alarm; at 10%, 1 of 20.
        public var tolerancePercent = 10.0
        public var nanosecondsPerRunFloor = 20.0
        public var runsPerRequestFloor = 0.5
        public var cpuMicrosecondsPerRequestFloor = 2.0
        public var alpha = 0.05

        public init() {}
    }

    public var thresholds: Thresholds

    public init(thresholds: Thresholds = Thresholds()) { self.thresholds = thresholds }

    /// One metric of one arm, block by block.
    struct Series {
        var arm: BenchArm
        var load: Double
        var metric: String
        var floor: Double
        var current: [Double?]
        var base: [Double?]
        var again: [Double?]
    }

    public func check(phases: [PhaseMeasurement], arms: [BenchArm], loads: [Double], blocks: Int, seed: UInt64,
                      hardFailures: [String] = []) -> RegressionGate.Report {
        var series: [Series] = []
        for load in loads {
            let level = BenchPhase.load(percent: load)
            for arm in arms where arm.variant != nil && arm.build == .current && arms.contains(arm.with(.base)) {
                func values(_ build: BenchArm.Build, _ value: (PhaseMeasurement) -> Double?) -> [Double?] {
                    var result = [Double?](repeating: nil, count: blocks)
                    for phase in phases where phase.run.arm == arm.with(build) && phase.run.phase == level && phase.isValid
                        && phase.run.block < blocks {
                        result[phase.run.block] = value(phase)
                    }
                    return result
                }
                func add(_ metric: String, floor: Double, _ value: @escaping (PhaseMeasurement) -> Double?) {
                    series.append(Series(arm: arm, load: load, metric: metric, floor: floor, current: values(.current, value),
                                         base: values(.base, value), again: values(.again, value)))
                }
                let programs = Set(phases.filter { $0.run.arm == arm }.flatMap { $0.programs.keys }).sorted()
                for program in programs {
                    add("ns/run \(program)", floor: thresholds.nanosecondsPerRunFloor) { phase in
                        phase.programs[program].flatMap { $0.runs == 0 ? nil : Double($0.nanoseconds) / Double($0.runs) }
                    }
                }
                add("runs/req", floor: thresholds.runsPerRequestFloor) { $0.runsPerRequest }
                add("CPU µs/req", floor: thresholds.cpuMicrosecondsPerRequestFloor) { $0.cpuPerRequest }
            }
        }
        let alpha = thresholds.alpha / Double(max(series.count, 1))
        let findings = series.enumerated().map { index, s in judge(s, alpha: alpha, seed: seed &+ UInt64(index)) }
        return RegressionGate.Report(findings: findings, hardFailures: hardFailures)
    }

    func judge(_ s: Series, alpha: Double, seed: UInt64) -> RegressionGate.Finding {
        var finding = RegressionGate.Finding(arm: s.arm.name, load: s.load, metric: s.metric,
                                             baseline: Percentile.median(s.base.compactMap { $0 }),
                                             current: Percentile.median(s.current.compactMap { $0 }), change: .notCompared)
        guard let comparison = PairedComparison.compare(baseline: s.base, arm: s.current, seed: seed),
              let base = finding.baseline, let value = finding.current else {
            finding.note = "too few paired blocks"
            return finding
        }
        finding.deltaPercent = comparison.deltaPercent
        finding.mdePercent = NoiseFloor.minimumDetectableEffect(first: s.current, second: s.again)
        finding.pValue = comparison.pValue
        let delta = comparison.deltaPercent
        let beyondTolerance = abs(delta) > thresholds.tolerancePercent
        let beyondFloor = abs(value - base) > s.floor
        let beyondNoise = finding.mdePercent.map { abs(delta) > $0 } ?? false
        let significant = (comparison.pValue.map { $0 < alpha } ?? false) && !(comparison.interval?.contains(0) ?? true)
        var reasons: [String] = []
        reasons.append(beyondTolerance ? "beyond the \(Format.number(thresholds.tolerancePercent, 0))% tolerance"
                                       : "within the \(Format.number(thresholds.tolerancePercent, 0))% tolerance")
        reasons.append(beyondFloor ? "beyond the \(Format.number(s.floor)) floor" : "within the \(Format.number(s.floor)) floor")
        reasons.append(beyondNoise ? "beyond the A/A MDE" : "within the A/A MDE")
        reasons.append(significant ? "significant (p < \(Format.pValue(alpha)))" : "not significant at p < \(Format.pValue(alpha))")
        finding.change = beyondTolerance && beyondFloor && beyondNoise && significant ? (delta > 0 ? .regression : .improvement) : .equal
        finding.note = reasons.joined(separator: ", ")
        return finding
    }
}
