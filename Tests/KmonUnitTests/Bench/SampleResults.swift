import KmonSupport
@testable import KmonBench
import KmonSystem

/// Synthetic results with the shape a real run has, for schema, rendering and gate tests.
enum SampleResults {
    /// `cost` scales every cost figure of the probe arms; `seed` varies the block noise.
    static func make(cost: Double = 1, seed: UInt64 = 1, unaccountedLosses: Int = 0, matched: Int = 10_000) -> BenchResults {
        var generator = SeededGenerator(seed: seed)
        func noisy(_ value: Double, _ count: Int = 8) -> [Double] {
            (0..<count).map { _ in value * (1 + Double.random(in: -0.02...0.02, using: &generator)) }
        }
        var overhead: [OverheadRow] = []
        for load in [50.0, 90.0] {
            for (arm, variant, mode) in [("baseline", "baseline", nil), ("sock/kernel", "sock", "kernel"), ("syscall", "syscall", nil)] as [(String, String, String?)] {
                let probe = variant != "baseline"
                let samples = GateSamples(
                    p99Microseconds: noisy(300),
                    cpuMicrosecondsPerRequest: noisy(probe ? 60 * cost : 50),
                    runsPerRequest: probe ? noisy(8 * cost) : [],
                    bpfNanosecondsPerRun: probe ? ["handle_send": noisy(120 * cost), "handle_recv": noisy(260 * cost)] : [:])
                var row = OverheadRow(arm: arm, variant: variant, mode: mode, load: load, offeredRPS: load * 200)
                row.achievedRPS = load * 199.5
                row.p50Microseconds = 120
                row.p90Microseconds = 200
                row.p99Microseconds = 300
                row.p999Microseconds = 900
                row.meanMicroseconds = 140
                if probe {
                    (row.p50DeltaPercent, row.p50DeltaCI, row.p50PValue) = (1.8, [1.2, 2.4], 0.002)
                    (row.p90DeltaPercent, row.p90DeltaCI) = (2.5, [1.0, 4.0])
                    (row.p99DeltaPercent, row.p99DeltaCI, row.pValue) = (4.2, [1.1, 7.9], 0.012)
                    (row.meanDeltaPercent, row.meanDeltaCI) = (2.0, [1.0, 3.0])
                    (row.cpuDeltaPercent, row.cpuDeltaCI, row.cpuPValue) = (3.1, [2.0, 4.2], 0.001)
                    (row.machineDeltaPercent, row.machineDeltaCI) = (2.9, [1.5, 4.3])
                    row.saturationDeltaPercent = -3.5
                    row.verdicts = Verdicts(p50: .slower, p99: .notDetected, cpu: .slower)
                    row.agentRSSMegabytes = 22.5
                    row.unaccountedLosses = unaccountedLosses
                    row.switchMicroseconds = 850
                }
                row.saturationRPS = 20_000
                row.cpuMicrosecondsPerRequest = CPUBreakdown(services: 50, agent: probe ? 4 : nil, bpf: probe ? 2.1 : nil,
                                                             loadGenerator: 12, machine: 70)
                row.bpfNanosecondsPerRun = probe ? ["handle_send": 120 * cost, "handle_recv": 260 * cost] : [:]
                row.runsPerRequest = probe ? 8 * cost : nil
                row.bpfRunsPerRequest = probe ? ["handle_send": 4, "handle_recv": 4] : [:]
                row.mdePercent = MetricMDE(p50: 0.8, p90: 1.5, p99: 9, mean: 1, cpu: 1.6, machine: 2)
                row.blocks = 8
                row.samples = samples
                overhead.append(row)
            }
        }
        var sample = AccuracySample()
        sample.truthCount = 10_000
        sample.matched = matched
        sample.unmatchedTruth = 10_000 - matched
        sample.unmatchedProbe = 2
        sample.errors = (0..<500).map { Double($0 % 50) * 100 - 2_000 }
        sample.relativeErrors = [0.01, 0.02]
        sample.truthDurations = [100_000, 200_000]
        sample.probeDurations = [98_000, 199_000]
        sample.nestingChecked = 10_000
        sample.status.compared = 10_000
        sample.status.agreed = 9_998
        sample.status.disagreements = [StatusAgreement.Pair(probe: HTTPExchange(method: .get, status: 200),
                                                            truth: HTTPExchange(method: .get, status: 500)): 2]
        sample.status.examples = ["127.0.0.1:40000 > 127.0.0.1:18080 #7"]
        let accuracy = ["client→frontend", "frontend→api", "api→store"].flatMap { hop in
            [Vantage.client, .server].map { AccuracyRow(arm: "sock/kernel", variant: "sock", mode: "kernel", vantage: $0, hop: hop, load: 50, sample: sample) }
        }
        let spec: [TopologyEdge: Int?] = [TopologyEdge(from: "client", to: "frontend"): 10_000,
                                          TopologyEdge(from: "frontend", to: "api"): 10_000, TopologyEdge(from: "api", to: "store"): 10_000]
        let topology = TopologyRecord(byVariant: [VariantTopology(variant: "sock/kernel",
                                                                  score: TopologyScore.score(expected: spec, observed: spec.mapValues { $0! }))])
        let cdf = ["baseline", "sock/kernel"].map { arm in
            LatencyCDF(arm: arm, load: 50, points: LatencyCDF.quantiles.map { [$0, 100 + 400 * $0 * $0] })
        }
        let histogram = ErrorHistogram.make(arm: "sock/kernel", vantage: .client, hop: "client→frontend", load: 50,
                                            errorsNanoseconds: sample.errors)!
        var results = BenchResults(
            kmonVersion: "0.1.0", startedAt: "2026-11-27T18:00:00Z", elapsedSeconds: 301,
            environment: BenchEnvironment(kernel: "Linux 6.18.0", cpu: "Test CPU", cores: 2, machine: "x86_64",
                                          hostname: "test", memoryMB: 2048, bpfStats: "BPF_ENABLE_STATS"),
            config: BenchConfigRecord(workload: "workloads/chain3.yaml", network: "loopback",
                                      arms: ["baseline", "baseline-aa", "sock/kernel", "syscall"], loads: [50, 90],
                                      lengths: RunLengths(blocks: 8, saturationBlocks: 3, phaseSeconds: 0.5, settleSeconds: 0.1,
                                                          kneeSeconds: 1, accuracySeconds: 2, warmupSeconds: 0.5, connections: 16),
                                      seed: seed,
                                      quick: false, command: "kmon bench"),
            noiseFloor: NoiseFloorRecord(blocks: ["50": 8, "90": 8],
                                         mdePercent: ["50": MetricMDE(p50: 0.8, p99: 9, cpu: 1.6), "90": MetricMDE(p50: 1.2, p99: 14, cpu: 2)]),
            knee: KneeRecord(saturationRPS: 20_000, factor: 3, points: [
                KneeSearch.Point(rate: 2000, achievedRPS: 2000, p99Microseconds: 250),
                KneeSearch.Point(rate: 6000, achievedRPS: 6000, p99Microseconds: 300),
                KneeSearch.Point(rate: 10_000, achievedRPS: 9990, p99Microseconds: 600),
                KneeSearch.Point(rate: 14_000, achievedRPS: 12_000, p99Microseconds: 9000)], kneeRPS: 10_000),
            saturation: [SaturationRow(arm: "baseline", rps: 20_000, deltaPercent: nil, deltaCI: nil, pValue: nil, blocks: [20_000, 20_100, 19_900]),
                         SaturationRow(arm: "sock/kernel", rps: 19_300, deltaPercent: -3.5, deltaCI: [-5, -2], pValue: 0.25, blocks: [19_300, 19_200, 19_400])],
            overhead: overhead,
            phases: (0..<8).flatMap { block in
                ["baseline", "sock/kernel"].enumerated().map { index, arm in
                    PhaseRecord(level: .load(percent: 50), load: 50, block: block, arm: arm, startSeconds: Double(block * 2 + index) * 0.5,
                                seconds: 0.4, switchMicroseconds: 900, requests: 4000, achievedRPS: 10_000,
                                p50Microseconds: 120 + Double(index) * 2, p99Microseconds: 300, cpuMicrosecondsPerRequest: 50 + Double(index) * 4,
                                machineMicrosecondsPerRequest: 70, bpfRuns: index == 0 ? 0 : 32_000, strayRuns: 0, eventsLost: 0)
                }
            },
            accuracy: accuracy, topology: topology,
            skipped: [SkippedArm(arm: "kprobe", reason: "kernel built without CONFIG_KPROBES")],
            invalidBlocks: [InvalidBlock(phase: "load 90%", block: 3, arm: "syscall", reason: .failed("api died (signal 9) at 41.2 s"))],
            charts: ChartData(latencyCDF: cdf, errorHistograms: [histogram]))
        var store = ServiceErrorSample()
        store.probeRequests = 10_000
        store.probe5xx = 300
        store.probe4xx = 200
        store.truthRequests = 10_000
        store.truth5xx = 300
        store.truth4xx = 200
        results.serviceErrors = [ServiceErrorRow(arm: "sock/kernel", variant: "sock", mode: "kernel", load: 50, service: "store", sample: store),
                                 ServiceErrorRow(arm: "sock/kernel", variant: "sock", mode: "kernel", load: 50, service: "idle",
                                                 sample: ServiceErrorSample())]
        return results
    }
}
