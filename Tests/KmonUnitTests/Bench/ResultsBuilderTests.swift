import Foundation
import KmonSupport
import Testing
@testable import KmonBench

@Suite struct ResultsBuilderTests {
    static let arms: [BenchArm] = [.baseline, .baselineRepeat, .probe("sock", mode: "kernel")]

    static func plan(blocks: Int = 6) -> BenchPlan {
        BenchPlan(workload: "workloads/chain3.yaml", network: "loopback", arms: arms, loadPercents: [50], blocks: blocks,
                  saturationBlocks: 2, durationSeconds: 2, saturationSeconds: 1, warmupSeconds: 0.5, connections: 8,
                  seed: 9, quick: false, command: "kmon bench")
    }

    /// Latencies around 100 µs (sock: 10% slower), with a little block-to-block noise.
    static func measurements(plan: BenchPlan, killBlock: Int? = nil) -> [RunMeasurement] {
        var generator = SeededGenerator(seed: 4)
        return plan.schedule.runs().map { run in
            let isProbe = !run.arm.isBaseline
            let scale = (isProbe ? 1.10 : 1.0) * (1 + Double.random(in: -0.01...0.01, using: &generator))
            let latency = LatencyDistribution(nanoseconds: (0..<2000).map { UInt64(Double(50_000 + $0 * 50) * scale) })
            let accuracy = isProbe ? RunAccuracy.evaluate(RunAccuracyTests.observations()) : nil
            return RunMeasurement(
                run: run,
                invalidReason: run.block == killBlock && run.arm == .baseline && run.phase != .saturation ? "api died (signal 9) at 12.0 s" : nil,
                offeredRPS: run.phase == .saturation ? nil : 5000, achievedRPS: run.phase == .saturation ? 10_000 / scale : 4990,
                requests: 10_000, latency: latency, serviceCPUMicroseconds: 500_000, agentCPUMicroseconds: isProbe ? 20_000 : nil,
                loadGeneratorCPUMicroseconds: 100_000,
                programs: isProbe ? ["sock_send": .init(runs: 40_000, nanoseconds: 4_800_000), "sock_recv": .init(runs: 40_000, nanoseconds: 10_400_000)] : [:],
                eventsLost: 0, agentRSSMegabytes: isProbe ? 30 : nil, accuracy: accuracy)
        }
    }

    func build(_ plan: BenchPlan, _ measurements: [RunMeasurement]) -> BenchResults {
        ResultsBuilder(plan: plan, measurements: measurements, hops: RunAccuracyTests.edges)
            .build(environment: .current(bpfStats: nil), startedAt: "2026-11-27T18:00:00Z", elapsedSeconds: 10,
                   skipped: [SkippedArm(variant: "kprobe", reason: "no kprobes")])
    }

    @Test func overheadRowsPairBlocksWithTheBaseline() throws {
        let plan = Self.plan()
        let results = build(plan, Self.measurements(plan: plan))
        #expect(results.overhead.map(\.arm) == ["baseline", "baseline-aa", "sock/kernel"])
        let sock = results.overhead[2]
        #expect(abs(sock.p99DeltaPercent! - 10) < 2)
        #expect(sock.verdict == .slower)
        #expect(results.overhead[0].verdict == .reference)
        #expect(sock.bpfNanosecondsPerRun == ["sock_send": 120, "sock_recv": 260])
        #expect(sock.runsPerRequest == 8)
        #expect(abs(sock.cpuMicrosecondsPerRequest.bpf! - 1.52) < 1e-9)
        #expect(sock.cpuMicrosecondsPerRequest.agent == 2)
        #expect(sock.cpuMicrosecondsPerRequest.services == 50)
        #expect(sock.samples.p99Microseconds.count == 6)
        #expect(sock.samples.bpfNanosecondsPerRun["sock_send"]?.count == 6)
        #expect(sock.unaccountedLosses == 0)
        #expect(results.noiseFloor.blocks["50"] == 6)
        #expect(results.noiseFloor.mdePercent["50"] != nil)
        #expect(results.saturation.count == 3)
        #expect(abs(results.saturation[2].deltaPercent! + 9.1) < 2)
    }

    @Test func accuracyAndTopologyPoolOverBlocks() {
        let plan = Self.plan()
        let results = build(plan, Self.measurements(plan: plan))
        #expect(results.accuracy.count == 6)
        #expect(results.accuracy.allSatisfy { $0.truthRequests == 18 && $0.matchedPercent == 100 })
        #expect(results.accuracy.map(\.hop).first == "client→frontend")
        #expect(results.topology.precision == 1 && results.topology.recall == 1)
        #expect(results.charts.errorHistograms.count == 6)
        #expect(results.charts.latencyCDF.count == 3)
    }

    @Test func invalidBlocksAreListedAndDropped() {
        let plan = Self.plan()
        let results = build(plan, Self.measurements(plan: plan, killBlock: 2))
        #expect(results.invalidBlocks == [InvalidBlock(phase: "load 50%", block: 2, variant: "baseline", reason: "api died (signal 9) at 12.0 s")])
        #expect(results.overhead[0].blocks == 5)
        #expect(results.noiseFloor.blocks["50"] == 5)
    }

    @Test func builtResultsValidate() throws {
        let plan = Self.plan(blocks: 3)
        let results = build(plan, Self.measurements(plan: plan))
        #expect(results.overhead[2].verdict == .tooFewBlocks)
        let problems = try ResultsSchemaTests.validator().validate(JSONValue.parse(results.encoded()))
        #expect(problems.isEmpty, "\(problems)")
    }
}
