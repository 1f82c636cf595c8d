import KmonSystem
/// The trigger level's rows (docs/bench.md, "The trigger level").
extension ResultsBuilder {
    /// One row per arm that has trigger phases, baselines included (their Δ ns per iteration is
    /// the A/A noise of the dispatch figure); nil when the run had no trigger level.
    func triggerRows() -> [TriggerRow]? {
        let triggerPhases = phases.filter { $0.run.level == .trigger && $0.isValid }
        guard !triggerPhases.isEmpty else { return nil }
        let baseline = Dictionary(triggerPhases.filter { $0.run.arm == .baseline }.map { ($0.run.block, $0) }) { first, _ in first }
        return plan.arms.compactMap { arm -> TriggerRow? in
            let armPhases = triggerPhases.filter { $0.run.arm == arm }.sorted { $0.run.block < $1.run.block }
            guard !armPhases.isEmpty else { return nil }
            let inSitu = phases.filter { phase in
                guard case .load = phase.run.level else { return false }
                return phase.run.arm == arm && phase.isValid
            }
            return Self.triggerRow(arm: arm.name, phases: armPhases, baseline: baseline, inSitu: inSitu)
        }
    }

    /// The row from the arm's trigger phases, the baseline's by block, and the arm's load-level phases.
    static func triggerRow(arm: String, phases armPhases: [PhaseMeasurement], baseline: [Int: PhaseMeasurement],
                           inSitu: [PhaseMeasurement]) -> TriggerRow {
        let iterations = Percentile.median(armPhases.map { Double($0.driverIterations) }) ?? 0
        var row = TriggerRow(arm: arm, blocks: armPhases.count, iterations: Int(iterations.rounded()))
        row.nanosecondsPerIteration = Percentile.median(armPhases.compactMap(\.nanosecondsPerIteration))
        row.wallNanosecondsPerIteration = Percentile.median(armPhases.compactMap { phase in
            phase.driverIterations > 0 ? Double(phase.driverWallNanoseconds) / Double(phase.driverIterations) : nil
        })
        var deltas: [Double] = []
        for phase in armPhases {
            guard let base = baseline[phase.run.block], let delta = deltaPerIteration(phase, base) else { continue }
            deltas.append(delta)
            if let dispatch = dispatchPerRun(deltaPerIteration: delta, phase) { row.dispatchNanosecondsPerRunBlocks.append(dispatch) }
        }
        row.deltaNanosecondsPerIteration = Percentile.median(deltas)
        row.dispatchNanosecondsPerRun = Percentile.median(row.dispatchNanosecondsPerRunBlocks)
        row.runsPerIteration = Percentile.median(armPhases.compactMap { runsPerIteration($0.programs, $0) })
        row.warmNanosecondsPerRunBlocks = armPhases.compactMap(\.nanosecondsPerRun)
        let warm = pooled(armPhases.map(\.programs)), situ = pooled(inSitu.map(\.programs))
        row.warmNanosecondsPerRun = warm.values.nanosecondsPerRun
        row.inSituNanosecondsPerRun = situ.values.nanosecondsPerRun
        let totalIterations = armPhases.reduce(0) { $0 + $1.driverIterations }
        for (name, cost) in warm {
            let perPhase = armPhases.map { Double($0.programs[name]?.runCount ?? 0) }
            row.programs[name] = TriggerProgram(
                runsPerPhase: Percentile.median(perPhase) ?? 0,
                runsPerIteration: totalIterations > 0 ? Double(cost.runCount) / Double(totalIterations) : 0,
                warmNanosecondsPerRun: cost.nanosecondsPerRun, inSituNanosecondsPerRun: situ[name]?.nanosecondsPerRun)
        }
        row.strayRuns = armPhases.reduce(0) { $0 + $1.strayRuns }
        return row
    }

    /// The arm's driver ns per iteration minus the baseline's of the same block.
    static func deltaPerIteration(_ phase: PhaseMeasurement, _ baseline: PhaseMeasurement) -> Double? {
        guard let arm = phase.nanosecondsPerIteration, let base = baseline.nanosecondsPerIteration else { return nil }
        return arm - base
    }

    /// What one run costs with its dispatch: the extra time per iteration over the runs per
    /// iteration; nil where the arm's programs did not run.
    static func dispatchPerRun(deltaPerIteration delta: Double, _ phase: PhaseMeasurement) -> Double? {
        guard let runs = runsPerIteration(phase.programs, phase), runs > 0 else { return nil }
        return delta / runs
    }

    static func runsPerIteration(_ programs: [String: ProgramRunStats], _ phase: PhaseMeasurement) -> Double? {
        guard phase.driverIterations > 0 else { return nil }
        return Double(programs.values.totalRunCount) / Double(phase.driverIterations)
    }

    /// Each program's runs and run time summed over phases.
    static func pooled(_ phases: [[String: ProgramRunStats]]) -> [String: ProgramRunStats] {
        var total: [String: ProgramRunStats] = [:]
        for programs in phases {
            for (name, stats) in programs { total[name] = total[name].map { $0.adding(stats) } ?? stats }
        }
        return total
    }
}
