import KmonSupport
@testable import KmonBench

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
                overhead.append(OverheadRow(
                    arm: arm, variant: variant, mode: mode, load: load, offeredRPS: load * 200, achievedRPS: load * 199.5,
                    p50Microseconds: 120, p99Microseconds: 300, p999Microseconds: 900,
                    p99DeltaPercent: probe ? 4.2 : nil, p99DeltaCI: probe ? [1.1, 7.9] : nil, pValue: probe ? 0.012 : nil,
                    saturationRPS: 20_000, saturationDeltaPercent: probe ? -3.5 : nil,
                    cpuMicrosecondsPerRequest: CPUBreakdown(services: 50, agent: probe ? 4 : nil, bpf: probe ? 2.1 : nil, loadGenerator: 12),
                    bpfNanosecondsPerRun: probe ? ["handle_send": 120 * cost, "handle_recv": 260 * cost] : [:],
                    runsPerRequest: probe ? 8 * cost : nil, bpfRunsPerRequest: probe ? ["handle_send": 4, "handle_recv": 4] : [:],
                    eventsLost: 0, unaccountedLosses: probe ? unaccountedLosses : 0, agentRSSMegabytes: probe ? 22.5 : nil,
                    mdePercent: 2.5, verdict: probe ? .slower : .reference, blocks: 8, samples: samples))
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
        return BenchResults(
            kmonVersion: "0.1.0", startedAt: "2026-11-27T18:00:00Z", elapsedSeconds: 301,
            environment: BenchEnvironment(kernel: "Linux 6.18.0", cpu: "Test CPU", cores: 2, machine: "x86_64",
                                          hostname: "test", memoryMB: 2048, bpfStats: "BPF_ENABLE_STATS"),
            config: BenchConfigRecord(workload: "workloads/chain3.yaml", network: "loopback",
                                      arms: ["baseline", "baseline-aa", "sock/kernel", "syscall"], loads: [50, 90], blocks: 8,
                                      saturationBlocks: 3, durationSeconds: 10, warmupSeconds: 2, connections: 16, seed: seed,
                                      quick: false, command: "kmon bench"),
            noiseFloor: NoiseFloorRecord(blocks: ["50": 8, "90": 8], mdePercent: ["50": 2.5, "90": 4]),
            saturation: [SaturationRow(variant: "baseline", rps: 20_000, deltaPercent: nil, deltaCI: nil, pValue: nil, blocks: [20_000, 20_100, 19_900]),
                         SaturationRow(variant: "sock/kernel", rps: 19_300, deltaPercent: -3.5, deltaCI: [-5, -2], pValue: 0.25, blocks: [19_300, 19_200, 19_400])],
            overhead: overhead, accuracy: accuracy, topology: topology,
            skipped: [SkippedArm(variant: "kprobe", reason: "kernel built without CONFIG_KPROBES")],
            invalidBlocks: [InvalidBlock(phase: "load 90%", block: 3, variant: "syscall", reason: "api died (signal 9) at 41.2 s")],
            charts: ChartData(latencyCDF: cdf, errorHistograms: [histogram]))
    }
}
