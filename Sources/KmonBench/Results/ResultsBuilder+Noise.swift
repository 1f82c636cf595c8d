/// The machine's noise per level and the placement spread, from every phase's own figures.
extension ResultsBuilder {
    var measuredLevels: [BenchLevel] { [.saturation] + plan.loadPercents.map { .load(percent: $0) } }

    /// Noise over every phase of each level that has figures, dropped ones included: the
    /// table says how noisy the machine was, not only the part that was kept.
    func machineNoise(mde: [String: MetricMDE]) -> MachineNoiseRecord {
        MachineNoiseRecord(dropped: plan.dropNoisy, levels: measuredLevels.compactMap { level in
            let noise = phases.filter { $0.run.level == level }.compactMap(\.noise)
            guard !noise.isEmpty else { return nil }
            var load: Double?
            if case .load(let percent) = level { load = percent }
            let floor = load.flatMap { mde[BenchSchedule.format($0)] }
            let steal = noise.map(\.stealPercent), other = noise.map(\.otherPercent)
            return MachineNoiseRecord.Level(
                level: level, load: load, phases: noise.count, flagged: noise.filter { $0.noisyReason != nil }.count,
                stealMedianPercent: Percentile.median(steal), stealMaxPercent: steal.max(),
                otherMedianPercent: Percentile.median(other), otherMaxPercent: other.max(),
                pressureMedianPercent: Percentile.median(noise.compactMap(\.pressurePercent)),
                throttledPhases: noise.filter { ($0.throttledMicroseconds ?? 0) > 0 }.count,
                mdeP50Percent: floor?.p50, mdeCPUPercent: floor?.cpu)
        })
    }

    /// Per probe arm and level: the mean ns/run of each load of its objects, over the valid
    /// phases that load ran.
    func placementSpread() -> [PlacementSpread] {
        measuredLevels.flatMap { level in
            plan.arms.filter { !$0.isBaseline }.compactMap { arm -> PlacementSpread? in
                var totals: [Int: (ns: Double, runs: Double)] = [:]
                var single: [Int: [Double]] = [:]
                for phase in valid(arm, level) {
                    let runs = phase.programs.values.totalRunCount
                    guard runs > 0 else { continue }
                    let ns = phase.programs.values.totalRunTimeNanoseconds
                    totals[phase.objectsLoad, default: (0, 0)].ns += Double(ns)
                    totals[phase.objectsLoad, default: (0, 0)].runs += Double(runs)
                    single[phase.objectsLoad, default: []].append(Double(ns) / Double(runs))
                }
                guard !totals.isEmpty else { return nil }
                var load: Double?
                if case .load(let percent) = level { load = percent }
                return PlacementSpread(arm: arm.name, level: level, load: load,
                                       nanosecondsPerRun: totals.keys.sorted().map { totals[$0]!.ns / totals[$0]!.runs },
                                       phases: totals.keys.sorted().map { single[$0]! })
            }
        }
    }
}
