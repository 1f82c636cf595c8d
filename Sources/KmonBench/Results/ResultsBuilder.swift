import Foundation
import KmonFeatures
import KmonSupport

/// Turns the measured phases and accuracy runs into results.json: pairs each arm's phases with
/// the baseline phases of the same blocks, pools distributions, and judges every Δ against the
/// A/A noise floor of the same run.
public struct ResultsBuilder {
    public var plan: BenchPlan
    /// Every in-place phase: saturation and load levels.
    public var phases: [PhaseMeasurement]
    /// The fresh-service runs the accuracy join uses.
    public var accuracyRuns: [RunMeasurement]
    public var knee: KneeRecord
    /// The spec's edges (with `client → ingress` first), in the order rows are listed.
    public var hops: [TopologyEdge]
    /// CLOCK_MONOTONIC when the bench started, for the phase timeline.
    public var benchStartNanoseconds: UInt64
    /// Optional features each in-place probe ran without (the accuracy runs report their own).
    public var probeDegradations: [(arm: String, degraded: [Degradation])]

    public init(plan: BenchPlan, phases: [PhaseMeasurement], accuracyRuns: [RunMeasurement], knee: KneeRecord,
                hops: [TopologyEdge], benchStartNanoseconds: UInt64 = 0, probeDegradations: [(arm: String, degraded: [Degradation])] = []) {
        self.plan = plan
        self.phases = phases
        self.accuracyRuns = accuracyRuns
        self.knee = knee
        self.hops = hops
        self.benchStartNanoseconds = benchStartNanoseconds
        self.probeDegradations = probeDegradations
    }

    /// A per-block value of one phase, compared between arms.
    enum Metric: CaseIterable {
        case p50, p90, p99, mean, cpu, machine

        func value(_ phase: PhaseMeasurement) -> Double? {
            switch self {
            case .p50: phase.latency.microseconds(atQuantile: 0.5)
            case .p90: phase.latency.microseconds(atQuantile: 0.9)
            case .p99: phase.latency.microseconds(atQuantile: 0.99)
            case .mean: phase.meanMicroseconds
            case .cpu: phase.cpuPerRequest
            case .machine: phase.perRequest(phase.machineBusyMicroseconds)
            }
        }
    }

    public func build(environment: BenchEnvironment, startedAt: String, elapsedSeconds: Double,
                      skipped: [SkippedArm]) -> BenchResults {
        let saturation = saturationRows()
        var overhead: [OverheadRow] = [], accuracy: [AccuracyRow] = [], serviceErrors: [ServiceErrorRow] = []
        var cdf: [LatencyCDF] = [], histograms: [ErrorHistogram] = []
        var noiseBlocks: [String: Int] = [:], noiseMDE: [String: MetricMDE] = [:]
        for load in plan.loadPercents {
            let level = BenchLevel.load(percent: load)
            let key = BenchSchedule.format(load)
            let mde = noiseFloor(level)
            noiseMDE[key] = mde
            noiseBlocks[key] = zip(blockValues(.baseline, level, .p50), blockValues(.baselineRepeat, level, .p50))
                .filter { $0.0 != nil && $0.1 != nil }.count
            for arm in plan.arms {
                let armPhases = valid(arm, level)
                guard !armPhases.isEmpty else { continue }
                let runs = accuracyRuns.filter { $0.run.arm == arm && $0.run.level == level && $0.isValid }
                overhead.append(overheadRow(arm: arm, level: level, phases: armPhases, accuracyRuns: runs, mde: mde,
                                            saturation: saturation))
                var pooled = LatencyDistribution()
                armPhases.forEach { pooled.add($0.latency) }
                cdf.append(LatencyCDF(arm: arm.name, load: load, points: LatencyCDF.quantiles.compactMap { q in
                    pooled.microseconds(atQuantile: q).map { [q, $0] }
                }))
                let (rows, charts) = accuracyRows(arm: arm, load: load, runs: runs, chart: load == plan.loadPercents.first)
                accuracy += rows
                histograms += charts
                serviceErrors += serviceErrorRows(arm: arm, load: load, runs: runs)
            }
        }
        let invalid = accuracyRuns.compactMap { m in
            m.invalidReason.map { InvalidBlock(phase: "accuracy \(m.run.level)", block: m.run.block, arm: m.run.arm.name, reason: $0) }
        } + phases.compactMap { p in
            p.invalidReason.map { InvalidBlock(phase: p.run.level.description, block: p.run.block, arm: p.run.arm.name, reason: $0) }
        }
        var results = BenchResults(
            kmonVersion: KmonVersion.string, startedAt: startedAt, elapsedSeconds: elapsedSeconds,
            environment: environment, config: plan.record,
            noiseFloor: NoiseFloorRecord(blocks: noiseBlocks, mdePercent: noiseMDE), knee: knee,
            saturation: saturation, overhead: overhead,
            phases: phases.filter { $0.invalidReason == nil }.sorted { $0.startNanoseconds < $1.startNanoseconds }.map { PhaseRecord($0, benchStartNanoseconds: benchStartNanoseconds) },
            accuracy: accuracy, topology: topology(), skipped: skipped,
            degraded: DegradedFeature.collect(probeDegradations + accuracyRuns.map { ($0.run.arm.name, $0.degraded) }),
            invalidBlocks: invalid, charts: ChartData(latencyCDF: cdf, errorHistograms: histograms))
        results.machineNoise = machineNoise(mde: noiseMDE)
        results.placement = placementSpread()
        results.trigger = triggerRows()
        results.serviceErrors = serviceErrors
        return results
    }

    func valid(_ arm: BenchArm, _ level: BenchLevel) -> [PhaseMeasurement] {
        phases.filter { $0.run.arm == arm && $0.run.level == level && $0.isValid }.sorted { $0.run.block < $1.run.block }
    }

    /// One value per block (nil where the phase is invalid or missing), so arms pair by block.
    func blockValues(_ arm: BenchArm, _ level: BenchLevel, _ value: (PhaseMeasurement) -> Double?) -> [Double?] {
        let count = level == .saturation ? plan.lengths.saturationBlocks : plan.lengths.blocks
        var values = [Double?](repeating: nil, count: count)
        for phase in valid(arm, level) where phase.run.block < count { values[phase.run.block] = value(phase) }
        return values
    }

    func blockValues(_ arm: BenchArm, _ level: BenchLevel, _ metric: Metric) -> [Double?] {
        blockValues(arm, level, metric.value)
    }

    func noiseFloor(_ level: BenchLevel) -> MetricMDE {
        func mde(_ metric: Metric) -> Double? {
            NoiseFloor.minimumDetectableEffect(first: blockValues(.baseline, level, metric),
                                               second: blockValues(.baselineRepeat, level, metric))
        }
        return MetricMDE(p50: mde(.p50), p90: mde(.p90), p99: mde(.p99), mean: mde(.mean), cpu: mde(.cpu), machine: mde(.machine))
    }

    func saturationRows() -> [SaturationRow] {
        let baseline = blockValues(.baseline, .saturation) { $0.achievedRPS }
        return plan.arms.compactMap { arm -> SaturationRow? in
            let values = blockValues(arm, .saturation) { $0.achievedRPS }
            let present = values.compactMap { $0 }
            guard !present.isEmpty else { return nil }
            let comparison = arm == .baseline ? nil
                : PairedComparison.compare(baseline: baseline, arm: values, seed: plan.seed &+ 17)
            return SaturationRow(arm: arm.name, rps: Percentile.median(present), deltaPercent: comparison?.deltaPercent,
                                 deltaCI: comparison?.interval.map { [$0.low, $0.high] }, pValue: comparison?.pValue,
                                 blocks: present)
        }
    }

    func overheadRow(arm: BenchArm, level: BenchLevel, phases armPhases: [PhaseMeasurement], accuracyRuns runs: [RunMeasurement],
                     mde: MetricMDE, saturation: [SaturationRow]) -> OverheadRow {
        guard case .load(let load) = level else { preconditionFailure("overhead rows are per load level") }
        var row = OverheadRow(arm: arm.name, variant: arm.variantName, mode: arm.mode?.rawValue, load: load,
                              offeredRPS: armPhases.compactMap(\.offeredRPS).first ?? 0)
        var pooled = LatencyDistribution()
        armPhases.forEach { pooled.add($0.latency) }
        row.p50Microseconds = pooled.microseconds(atQuantile: 0.5)
        row.p90Microseconds = pooled.microseconds(atQuantile: 0.9)
        row.p99Microseconds = pooled.microseconds(atQuantile: 0.99)
        row.p999Microseconds = pooled.microseconds(atQuantile: 0.999)
        let latencySum = armPhases.reduce(0) { $0 + $1.latencySumNanoseconds }
        row.meanMicroseconds = pooled.count == 0 ? nil : latencySum / Double(pooled.count) / 1000
        func median(_ value: (PhaseMeasurement) -> Double?) -> Double? { Percentile.median(armPhases.compactMap(value)) }
        row.achievedRPS = median { $0.achievedRPS }

        if arm != .baseline {
            func compare(_ metric: Metric, _ salt: UInt64) -> PairedComparison? {
                PairedComparison.compare(baseline: blockValues(.baseline, level, metric), arm: blockValues(arm, level, metric),
                                         seed: plan.seed &+ UInt64(load * 1000) &+ salt)
            }
            let p50 = compare(.p50, 1), p90 = compare(.p90, 2), p99 = compare(.p99, 3)
            let mean = compare(.mean, 4), cpu = compare(.cpu, 5), machine = compare(.machine, 6)
            (row.p50DeltaPercent, row.p50DeltaCI, row.p50PValue) = (p50?.deltaPercent, p50?.ci, p50?.pValue)
            (row.p90DeltaPercent, row.p90DeltaCI) = (p90?.deltaPercent, p90?.ci)
            (row.p99DeltaPercent, row.p99DeltaCI, row.pValue) = (p99?.deltaPercent, p99?.ci, p99?.pValue)
            (row.meanDeltaPercent, row.meanDeltaCI) = (mean?.deltaPercent, mean?.ci)
            (row.cpuDeltaPercent, row.cpuDeltaCI, row.cpuPValue) = (cpu?.deltaPercent, cpu?.ci, cpu?.pValue)
            (row.machineDeltaPercent, row.machineDeltaCI) = (machine?.deltaPercent, machine?.ci)
            row.verdicts = Verdicts(p50: Verdict.judge(p50, mde: mde.p50), p99: Verdict.judge(p99, mde: mde.p99),
                                    cpu: Verdict.judge(cpu, mde: mde.cpu))
        }
        row.mdePercent = mde
        let saturationRow = saturation.first { $0.arm == arm.name }
        row.saturationRPS = saturationRow?.rps
        row.saturationDeltaPercent = saturationRow?.deltaPercent

        var programRuns: [String: UInt64] = [:], programNanoseconds: [String: UInt64] = [:]
        var programSamples: [String: [Double]] = [:]
        for phase in armPhases {
            for (name, cost) in phase.programs {
                programRuns[name, default: 0] += cost.runCount
                programNanoseconds[name, default: 0] += cost.runTimeNanoseconds
                if let perRun = cost.nanosecondsPerRun { programSamples[name, default: []].append(perRun) }
            }
        }
        let requests = armPhases.reduce(0) { $0 + $1.completed }
        row.cpuMicrosecondsPerRequest = CPUBreakdown(
            services: median { $0.perRequest($0.serviceCPUMicroseconds) }, agent: median { $0.perRequest($0.agentCPUMicroseconds) },
            bpf: median { $0.bpfMicrosecondsPerRequest }, loadGenerator: median { $0.perRequest($0.loadGeneratorCPUMicroseconds) },
            machine: median { $0.perRequest($0.machineBusyMicroseconds) })
        row.bpfNanosecondsPerRun = Dictionary(uniqueKeysWithValues: programRuns.compactMap { name, count in
            count == 0 ? nil : (name, Double(programNanoseconds[name] ?? 0) / Double(count))
        })
        row.runsPerRequest = median { $0.runsPerRequest }
        row.bpfRunsPerRequest = requests == 0 ? [:] : programRuns.mapValues { Double($0) / Double(requests) }
        row.eventsLost = armPhases.reduce(0) { $0 + $1.eventsLost }
        row.unaccountedLosses = runs.reduce(0) { total, run in
            total + max(0, (run.accuracy?.missingSpans ?? 0) - Int(clamping: run.eventsLost))
        }
        row.agentRSSMegabytes = runs.compactMap(\.agentRSSMegabytes).max()
        row.switchMicroseconds = median { Double($0.switchNanoseconds) / 1000 }
        row.blocks = armPhases.count
        row.samples = GateSamples(p99Microseconds: armPhases.compactMap { Metric.p99.value($0) },
                                  cpuMicrosecondsPerRequest: armPhases.compactMap(\.cpuPerRequest),
                                  runsPerRequest: armPhases.compactMap(\.runsPerRequest),
                                  bpfNanosecondsPerRun: programSamples)
        return row
    }
}

extension PairedComparison {
    /// The interval as results.json writes it.
    var ci: [Double]? { interval.map { [$0.low, $0.high] } }
}
