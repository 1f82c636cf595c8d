/// The CI regression gate (docs/ci.md): this build's probe objects against the base branch's,
/// as arms of the same in-place blocks of one run.
///
/// For each probe arm `X` the run holds `X@base` (the base objects), `X` (this build) and `X@aa`
/// (this build again, loaded separately). Per metric, the Δ is the median over blocks of
/// X / X@base in the same block, and the noise floor is the A/A pair X / X@aa.
///
/// What is tested: per arm, one cost figure (of the candidates at every load level, the one whose
/// A/A MDE is smallest; today BPF ns per request), runs per request at every level, and a
/// program's own ns/run only where it ran often enough for a stable figure. CPU µs per request
/// and every other figure are reported as diagnoses. A tested metric regresses (or improves)
/// only when all hold: |Δ| beyond the tolerance, beyond the absolute floor, beyond the A/A MDE
/// and the A/A pair's own Δ, and significant: its Wilcoxon p, Holm-adjusted over every test of the run, below α, with a
/// bootstrap CI that excludes 0.
public struct InRunGate: Sendable {
    public struct Thresholds: Sendable {
        /// The smallest relative change worth failing CI. It was 10% while each arm's objects were
        /// loaded once per run: copies of identical objects then differed by 7–11% in ns/run by where
        /// their code and maps landed, an offset the per-block A/A MDE could not see. With objects
        /// reloaded during the run that offset is block noise: it widens the A/A MDE and the CI,
        /// which judge it, so the tolerance no longer has to cover it. It must sit well below the
        /// +10% the gate is asked to catch, since a real +10% is measured at about +7…+13%
        /// in place; 5% fails none of those on the tolerance alone, and the MDE, the floor and the
        /// Holm-corrected test still stand between noise and a failed build.
        public var tolerancePercent = 5.0
        /// About one more hash-map lookup per request: a smaller change is not worth a failed build,
        /// whatever its relative size (the empty variant spends a few hundred ns per request).
        public var bpfNanosecondsPerRequestFloor = 50.0
        public var nanosecondsPerRunFloor = 20.0
        /// The trigger level's warm ns/run: a tenth of the empty hook's dispatch (~90 ns a run).
        public var warmNanosecondsPerRunFloor = 10.0
        public var runsPerRequestFloor = 0.5
        public var cpuMicrosecondsPerRequestFloor = 2.0
        /// A program's own ns/run is tested only where it ran at least this often in every compared
        /// phase. If run time per run spreads about as much as its mean (cache misses, interrupts
        /// inside a run: an estimate), a phase's mean rests on sampling noise of about 1/√runs: 1% at
        /// 10,000 runs, but 3% at 1,000 and 10% at 100, the size of the changes the gate judges. The
        /// A/A alarms of 2026-12-02 were on programs with 0.00–0.47 runs per request; on 2026-12-04
        /// programs with 5,000 runs a phase moved 9–30% on identical objects. A rare program still
        /// counts through its arm's ns per request, in proportion to what it costs.
        public var minimumRuns: UInt64 = 10_000
        /// A cost figure needs this many paired blocks to be chosen: n blocks all one way give an
        /// exact Wilcoxon p of 2/2ⁿ at best, 0.125 at 4 blocks and 0.002 at 10, which is below
        /// Holm's first bar α/m for the up to ~25 tests of a default-variant gate.
        public var minimumPairedBlocks = 10
        /// The family-wise false-alarm rate over all tests of a run (Holm).
        public var alpha = 0.05

        public init() {}
    }

    public var thresholds: Thresholds
    /// More cost figures per arm for the tightest-A/A choice, beside BPF ns per request (for
    /// example a driver's warm ns/run); each is read at every load level, as `.cost`.
    public var extraCostCandidates: [GateMetric]

    public init(thresholds: Thresholds = Thresholds(), extraCostCandidates: [GateMetric] = []) {
        self.thresholds = thresholds
        self.extraCostCandidates = extraCostCandidates
    }

    /// What the gate reads per arm and level, in the table's order.
    func metrics(programs: [String]) -> [GateMetric] {
        [.bpfNanosecondsPerRequest(floor: thresholds.bpfNanosecondsPerRequestFloor)] + extraCostCandidates
            + [.runsPerRequest(floor: thresholds.runsPerRequestFloor)]
            + programs.map { .nanosecondsPerRun($0, floor: thresholds.nanosecondsPerRunFloor) }
            + [.cpuPerRequest(floor: thresholds.cpuMicrosecondsPerRequestFloor)]
    }

    public func check(phases: [PhaseMeasurement], arms: [BenchArm], loads: [Double], blocks: Int, seed: UInt64,
                      hardFailures: [String] = []) -> RegressionGate.Report {
        var series: [GateSeries] = []
        let gatedArms = arms.filter { $0.variant != nil && $0.build == .current && arms.contains($0.with(.base)) }
        func compared(_ arm: BenchArm, _ level: BenchLevel) -> [PhaseMeasurement] {
            phases.filter {
                [arm, arm.with(.base), arm.with(.again)].contains($0.run.arm) && $0.run.level == level && $0.isValid && $0.run.block < blocks
            }
        }
        for load in loads {
            for arm in gatedArms {
                let phases = compared(arm, .load(percent: load))
                for metric in metrics(programs: Set(phases.flatMap { $0.programs.keys }).sorted()) {
                    series.append(GateSeries(arm: arm, load: load, metric: metric, phases: phases, blocks: blocks))
                }
            }
        }
        // The trigger level (no load): warm ns/run joins the cost candidates, and its hot programs
        // run often enough there to be tested alone.
        for arm in gatedArms {
            let phases = compared(arm, .trigger)
            guard !phases.isEmpty else { continue }
            let programs = Set(phases.flatMap { $0.programs.keys }).sorted()
            for metric in [.warmNanosecondsPerRun(floor: thresholds.warmNanosecondsPerRunFloor)]
                + programs.map({ GateMetric.nanosecondsPerRun($0, floor: thresholds.nanosecondsPerRunFloor) }) {
                series.append(GateSeries(arm: arm, load: 0, level: "trigger", metric: metric, phases: phases, blocks: blocks))
            }
        }
        var assessed = series.enumerated().map { index, s in Assessment(s, seed: seed &+ UInt64(index)) }
        assignRoles(&assessed)
        let adjusted = Holm.adjusted(assessed.map { $0.gated ? $0.comparison?.pValue : nil })
        let comparisons = adjusted.compactMap { $0 }.count
        let findings = assessed.indices.map { decide(assessed[$0], adjustedP: adjusted[$0], comparisons: comparisons) }
        return RegressionGate.Report(findings: findings, hardFailures: hardFailures,
                                     familyControl: "Holm, family-wise α \(Format.number(thresholds.alpha, 2))")
    }

    /// Which series join the tested family, and why each other one is only reported.
    func assignRoles(_ assessed: inout [Assessment]) {
        chooseCostFigures(&assessed)
        for index in assessed.indices {
            switch assessed[index].series.metric.role {
            case .cost: break
            case .gated: assessed[index].gated = true
            case .diagnosis: assessed[index].reason = "a diagnosis"
            case .gatedWhenFrequent:
                let fewest = assessed[index].series.fewestRuns
                assessed[index].gated = fewest >= thresholds.minimumRuns
                if !assessed[index].gated {
                    assessed[index].reason = "a phase had \(fewest) runs, under the \(thresholds.minimumRuns) a stable ns/run needs"
                }
            }
        }
    }

    /// Per arm, of its cost candidates at every level, tests the one with the smallest A/A MDE,
    /// among those with enough paired blocks to be significant at all.
    func chooseCostFigures(_ assessed: inout [Assessment]) {
        for arm in Set(assessed.map(\.series.arm)) {
            let all = assessed.indices.filter { assessed[$0].series.arm == arm && assessed[$0].series.metric.role == .cost }
            let enough = all.filter { (assessed[$0].comparison?.blocks ?? 0) >= thresholds.minimumPairedBlocks }
            let candidates = enough.isEmpty ? all : enough
            for index in all where !candidates.contains(index) {
                assessed[index].reason = "\(assessed[index].comparison?.blocks ?? 0) paired blocks, under the "
                    + "\(thresholds.minimumPairedBlocks) a test can be significant with"
            }
            guard let chosen = candidates.min(by: { (assessed[$0].mde ?? .infinity) < (assessed[$1].mde ?? .infinity) }) else {
                continue
            }
            let winner = assessed[chosen]
            assessed[chosen].gated = true
            assessed[chosen].choice = candidates.count == 1 ? nil
                : "the tightest A/A (MDE \(Format.number(winner.mde))%) of \(candidates.count) cost figures"
            for index in candidates where index != chosen {
                assessed[index].reason = "A/A MDE \(Format.number(assessed[index].mde))% is wider than "
                    + "\(winner.series.metric.name) at \(winner.series.level ?? Format.load(winner.series.load))'s \(Format.number(winner.mde))%"
            }
        }
    }

    func decide(_ a: Assessment, adjustedP: Double?, comparisons: Int) -> RegressionGate.Finding {
        let s = a.series
        var finding = RegressionGate.Finding(arm: s.arm.name, load: s.load, level: s.level, metric: s.metric.name,
                                             baseline: Percentile.median(s.base.compactMap { $0 }),
                                             current: Percentile.median(s.current.compactMap { $0 }), change: .notCompared)
        guard let comparison = a.comparison, let base = finding.baseline, let value = finding.current else {
            finding.note = "too few paired blocks"
            return finding
        }
        finding.deltaPercent = comparison.deltaPercent
        finding.mdePercent = a.mde
        finding.pValue = comparison.pValue
        guard a.gated else {
            finding.change = .notGated
            finding.note = "not gated: " + (a.reason ?? "a diagnosis")
            return finding
        }
        finding.adjustedPValue = adjustedP
        let delta = comparison.deltaPercent
        let beyondTolerance = abs(delta) > thresholds.tolerancePercent
        let beyondFloor = abs(value - base) > s.metric.floor
        let againDelta = abs(a.againDeltaPercent ?? 0)
        let beyondNoise = a.mde.map { abs(delta) > max($0, againDelta) } ?? false
        let significant = (adjustedP.map { $0 < thresholds.alpha } ?? false) && !(comparison.interval?.contains(0) ?? true)
        let tolerance = Format.number(thresholds.tolerancePercent, 0)
        var reasons: [String] = []
        if let choice = a.choice { reasons.append("gated as \(choice)") }
        reasons.append(beyondTolerance ? "beyond the \(tolerance)% tolerance" : "within the \(tolerance)% tolerance")
        reasons.append(beyondFloor ? "beyond the \(Format.number(s.metric.floor)) floor" : "within the \(Format.number(s.metric.floor)) floor")
        reasons.append(beyondNoise ? "beyond the A/A MDE and the A/A Δ"
                                   : "within the A/A MDE or the A/A Δ (\(Format.signed(a.againDeltaPercent))%)")
        let holm = "Holm p \(Format.pValue(adjustedP)) over \(comparisons) tests"
        reasons.append(significant ? "significant (\(holm) < \(Format.pValue(thresholds.alpha)), CI excludes 0)"
                                   : "not significant (\(holm), CI \(comparison.interval?.contains(0) ?? true ? "holds" : "excludes") 0)")
        finding.change = beyondTolerance && beyondFloor && beyondNoise && significant ? (delta > 0 ? .regression : .improvement) : .equal
        finding.note = reasons.joined(separator: ", ")
        return finding
    }
}
