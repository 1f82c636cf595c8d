import Foundation
import Kmon

/// Turns the runs' raw measurements into results.json's rows: pairs each arm's blocks with the
/// baseline's, pools distributions, and judges every Δ against the A/A noise floor.
public struct ResultsBuilder {
    public var plan: BenchPlan
    public var measurements: [RunMeasurement]
    /// The spec's edges (with `client → ingress` first), in the order rows are listed.
    public var hops: [TopologyEdge]

    public init(plan: BenchPlan, measurements: [RunMeasurement], hops: [TopologyEdge]) {
        self.plan = plan
        self.measurements = measurements
        self.hops = hops
    }

    public func build(environment: BenchEnvironment, startedAt: String, elapsedSeconds: Double,
                      skipped: [SkippedArm], extraInvalid: [InvalidBlock] = []) -> BenchResults {
        let saturation = saturationRows()
        var overhead: [OverheadRow] = []
        var accuracy: [AccuracyRow] = []
        var cdf: [LatencyCDF] = []
        var histograms: [ErrorHistogram] = []
        var noiseBlocks: [String: Int] = [:], noiseMDE: [String: Double] = [:]
        for load in plan.loadPercents {
            let key = BenchSchedule.format(load)
            let baselineP99 = blockValues(.baseline, .load(percent: load)) { $0.latency.microseconds(atQuantile: 0.99) }
            let repeatP99 = blockValues(.baselineRepeat, .load(percent: load)) { $0.latency.microseconds(atQuantile: 0.99) }
            let mde = NoiseFloor.minimumDetectableEffect(first: baselineP99, second: repeatP99)
            noiseBlocks[key] = zip(baselineP99, repeatP99).filter { $0.0 != nil && $0.1 != nil }.count
            if let mde { noiseMDE[key] = mde }
            for arm in plan.arms {
                let runs = valid(arm, .load(percent: load))
                guard !runs.isEmpty else { continue }
                overhead.append(overheadRow(arm: arm, load: load, runs: runs, baselineP99: baselineP99, mde: mde,
                                            saturation: saturation))
                var pooled = LatencyDistribution()
                runs.forEach { pooled.add($0.latency) }
                cdf.append(LatencyCDF(arm: arm.name, load: load, points: LatencyCDF.quantiles.compactMap { q in
                    pooled.microseconds(atQuantile: q).map { [q, $0] }
                }))
                let (rows, charts) = accuracyRows(arm: arm, load: load, runs: runs, chart: load == plan.loadPercents.first)
                accuracy += rows
                histograms += charts
            }
        }
        return BenchResults(
            kmonVersion: KmonVersion.string, startedAt: startedAt, elapsedSeconds: elapsedSeconds,
            environment: environment, config: plan.record,
            noiseFloor: NoiseFloorRecord(blocks: noiseBlocks, mdePercent: noiseMDE),
            saturation: saturation, overhead: overhead, accuracy: accuracy, topology: topology(), skipped: skipped,
            degraded: DegradedFeature.collect(measurements.map { ($0.run.arm.name, $0.degraded) }),
            invalidBlocks: extraInvalid + measurements.compactMap { m in
                m.invalidReason.map { InvalidBlock(phase: m.run.phase.description, block: m.run.block, variant: m.run.arm.name, reason: $0) }
            },
            charts: ChartData(latencyCDF: cdf, errorHistograms: histograms))
    }

    func valid(_ arm: BenchArm, _ phase: BenchPhase) -> [RunMeasurement] {
        measurements.filter { $0.run.arm == arm && $0.run.phase == phase && $0.isValid }.sorted { $0.run.block < $1.run.block }
    }

    /// One value per block (nil where the block is invalid or missing), so arms pair by block.
    func blockValues(_ arm: BenchArm, _ phase: BenchPhase, _ value: (RunMeasurement) -> Double?) -> [Double?] {
        let count = phase == .saturation ? plan.saturationBlocks : plan.blocks
        var values = [Double?](repeating: nil, count: count)
        for m in valid(arm, phase) where m.run.block < count { values[m.run.block] = value(m) }
        return values
    }

    func saturationRows() -> [SaturationRow] {
        let baseline = blockValues(.baseline, .saturation) { $0.achievedRPS }
        return plan.arms.compactMap { arm -> SaturationRow? in
            let values = blockValues(arm, .saturation) { $0.achievedRPS }
            let present = values.compactMap { $0 }
            guard !present.isEmpty else { return nil }
            let comparison = arm == .baseline ? nil
                : PairedComparison.compare(baseline: baseline, arm: values, seed: plan.seed &+ 17)
            return SaturationRow(variant: arm.name, rps: Percentile.median(present), deltaPercent: comparison?.deltaPercent,
                                 deltaCI: comparison?.interval.map { [$0.low, $0.high] }, pValue: comparison?.pValue,
                                 blocks: present)
        }
    }

    func overheadRow(arm: BenchArm, load: Double, runs: [RunMeasurement], baselineP99: [Double?], mde: Double?,
                     saturation: [SaturationRow]) -> OverheadRow {
        var pooled = LatencyDistribution()
        runs.forEach { pooled.add($0.latency) }
        let p99 = blockValues(arm, .load(percent: load)) { $0.latency.microseconds(atQuantile: 0.99) }
        let comparison = arm == .baseline ? nil
            : PairedComparison.compare(baseline: baselineP99, arm: p99, seed: plan.seed &+ UInt64(load * 1000))
        var programRuns: [String: UInt64] = [:], programNanoseconds: [String: UInt64] = [:]
        var programSamples: [String: [Double]] = [:]
        for run in runs {
            for (name, cost) in run.programs {
                programRuns[name, default: 0] += cost.runs
                programNanoseconds[name, default: 0] += cost.nanoseconds
                if cost.runs > 0 { programSamples[name, default: []].append(Double(cost.nanoseconds) / Double(cost.runs)) }
            }
        }
        let requests = runs.reduce(0) { $0 + $1.requests }
        let saturationRow = saturation.first { $0.variant == arm.name }
        func median(_ value: (RunMeasurement) -> Double?) -> Double? { Percentile.median(runs.compactMap(value)) }
        return OverheadRow(
            arm: arm.name, variant: arm.variant ?? arm.name, mode: arm.mode, load: load,
            offeredRPS: runs.compactMap(\.offeredRPS).first ?? 0,
            achievedRPS: median { $0.achievedRPS },
            p50Microseconds: pooled.microseconds(atQuantile: 0.5), p99Microseconds: pooled.microseconds(atQuantile: 0.99),
            p999Microseconds: pooled.microseconds(atQuantile: 0.999),
            p99DeltaPercent: comparison?.deltaPercent, p99DeltaCI: comparison?.interval.map { [$0.low, $0.high] },
            pValue: comparison?.pValue, saturationRPS: saturationRow?.rps, saturationDeltaPercent: saturationRow?.deltaPercent,
            cpuMicrosecondsPerRequest: CPUBreakdown(
                services: median { $0.perRequest($0.serviceCPUMicroseconds) },
                agent: median { $0.perRequest($0.agentCPUMicroseconds) },
                bpf: median { $0.bpfMicrosecondsPerRequest },
                loadGenerator: median { $0.perRequest($0.loadGeneratorCPUMicroseconds) }),
            bpfNanosecondsPerRun: Dictionary(uniqueKeysWithValues: programRuns.compactMap { name, count in
                count == 0 ? nil : (name, Double(programNanoseconds[name] ?? 0) / Double(count))
            }),
            runsPerRequest: median { $0.runsPerRequest },
            bpfRunsPerRequest: requests == 0 ? [:] : programRuns.mapValues { Double($0) / Double(requests) },
            eventsLost: runs.reduce(0) { $0 + $1.eventsLost },
            unaccountedLosses: runs.reduce(0) { total, run in
                total + max(0, (run.accuracy?.missingSpans ?? 0) - Int(clamping: run.eventsLost))
            },
            agentRSSMegabytes: runs.compactMap(\.agentRSSMegabytes).max(),
            mdePercent: mde,
            verdict: arm == .baseline ? .reference : Verdict.judge(comparison, mde: mde),
            blocks: runs.count,
            samples: GateSamples(p99Microseconds: p99.compactMap { $0 },
                                 cpuMicrosecondsPerRequest: runs.compactMap(\.totalCPUPerRequest),
                                 runsPerRequest: runs.compactMap(\.runsPerRequest),
                                 bpfNanosecondsPerRun: programSamples))
    }

    func accuracyRows(arm: BenchArm, load: Double, runs: [RunMeasurement], chart: Bool) -> ([AccuracyRow], [ErrorHistogram]) {
        let withSpans = runs.compactMap(\.accuracy)
        guard !withSpans.isEmpty else { return ([], []) }
        var rows: [AccuracyRow] = [], charts: [ErrorHistogram] = []
        for hop in hops {
            for vantage in [Vantage.client, .server] {
                let key = HopVantage(hop: hop, vantage: vantage)
                var pooled = AccuracySample()
                var present = false
                for accuracy in withSpans {
                    if let sample = accuracy.samples[key] {
                        pooled.merge(sample)
                        present = true
                    }
                }
                guard present else { continue }
                rows.append(AccuracyRow(arm: arm.name, variant: arm.variant ?? arm.name, mode: arm.mode, vantage: vantage,
                                        hop: hop.description, load: load, sample: pooled))
                if chart, let histogram = ErrorHistogram.make(arm: arm.name, vantage: vantage, hop: hop.description, load: load,
                                                              errorsNanoseconds: pooled.errors) {
                    charts.append(histogram)
                }
            }
        }
        return (rows, charts)
    }

    /// Each probe arm's topology over all its valid load runs.
    func topology() -> TopologyRecord {
        var byVariant: [VariantTopology] = []
        for arm in plan.arms where !arm.isBaseline {
            let runs = measurements.filter { $0.run.arm == arm && $0.isValid && $0.run.phase != .saturation }.compactMap(\.accuracy)
            guard !runs.isEmpty else { continue }
            var observed: [TopologyEdge: Int] = [:], truth: [TopologyEdge: Int] = [:]
            for run in runs {
                observed.merge(run.observedEdges, uniquingKeysWith: +)
                truth.merge(run.truthEdges, uniquingKeysWith: +)
            }
            let expected = Dictionary(uniqueKeysWithValues: hops.map { ($0, truth[$0]) })
            byVariant.append(VariantTopology(variant: arm.name, score: TopologyScore.score(expected: expected, observed: observed)))
        }
        return TopologyRecord(byVariant: byVariant)
    }
}
