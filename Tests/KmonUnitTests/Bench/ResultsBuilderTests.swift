import Foundation
import KmonSupport
import KmonTestSupport
import Testing
@testable import KmonBench

@Suite struct ResultsBuilderTests {
    static let arms: [BenchArm] = [.baseline, .baselineRepeat, .probe(.sock, mode: .kernel)]
    static let phaseNs: UInt64 = 500_000_000

    static func plan(blocks: Int = 10) -> BenchPlan {
        BenchPlan(workload: "workloads/chain3.yaml", network: "loopback", arms: arms, loadPercents: [50],
                  lengths: RunLengths(blocks: blocks, saturationBlocks: 3, phaseSeconds: 0.5, settleSeconds: 0.1, kneeSeconds: 1,
                                      accuracySeconds: 2, warmupSeconds: 0.5, connections: 8),
                  seed: 9, quick: false, command: "kmon bench")
    }

    /// In-place phases: latency uniform over 50–150 µs, sock exactly 10% slower and 2 µs of agent
    /// CPU per request more, all under a machine that drifts 20% slower over the run (pairing by
    /// block must cancel it) and ±0.5% of noise per phase.
    static func phases(plan: BenchPlan, killBlock: Int? = nil) -> [PhaseMeasurement] {
        var generator = SeededGenerator(seed: 4)
        return plan.schedule.runs().enumerated().map { index, run in
            let isProbe = !run.arm.isBaseline
            let drift = 1 + 0.2 * Double(run.block) / Double(plan.lengths.blocks)
            let scale = (isProbe ? 1.10 : 1.0) * drift * (1 + Double.random(in: -0.005...0.005, using: &generator))
            let start = UInt64(index) * phaseNs
            var m = PhaseMeasurement(run: run, startNanoseconds: start + 100_000_000, endNanoseconds: start + phaseNs, switchNanoseconds: 900_000,
                                     offeredRPS: run.level == .saturation ? nil : 5000)
            for i in 0..<2000 {
                let ns = UInt64(Double(50_000 + i * 50) * scale)
                m.latency.record(nanoseconds: ns)
                m.latencySumNanoseconds += Double(ns)
            }
            m.requests = 2000
            m.completed = run.level == .saturation ? Int(4000 / scale) : 2000
            m.serviceCPUMicroseconds = 2000 * 50 * drift * (1 + Double.random(in: -0.005...0.005, using: &generator))
            m.agentCPUMicroseconds = isProbe ? 4000 : nil
            m.loadGeneratorCPUMicroseconds = 20_000
            m.machineBusyMicroseconds = 2000 * 70 * drift
            if isProbe {
                m.programs = ["sock_send": .init(name: "sock_send", runCount: 8000, runTimeNanoseconds: 960_000),
                              "sock_recv": .init(name: "sock_recv", runCount: 8000, runTimeNanoseconds: 2_080_000)]
            }
            if run.block == killBlock && run.arm == .baseline && run.level != .saturation { m.invalidReason = .failed("api died (signal 9) at 12.0 s") }
            return m
        }
    }

    static func accuracyRuns() -> [RunMeasurement] {
        [RunMeasurement(run: ScheduledRun(level: .load(percent: 50), block: 0, arm: arms[2]), offeredRPS: 5000, achievedRPS: 4990,
                        requests: 10_000, latency: LatencyDistribution(), serviceCPUMicroseconds: 500_000, agentCPUMicroseconds: 20_000,
                        loadGeneratorCPUMicroseconds: 100_000, programs: [:], eventsLost: 0, agentRSSMegabytes: 30,
                        accuracy: RunAccuracy.evaluate(RunAccuracyTests.observations()))]
    }

    static let knee = KneeRecord(saturationRPS: 20_000, factor: 3, points: [
        KneeSearch.Point(rate: 2000, achievedRPS: 2000, p99Microseconds: 100),
        KneeSearch.Point(rate: 10_000, achievedRPS: 10_000, p99Microseconds: 150)], kneeRPS: 10_000)

    func build(_ plan: BenchPlan, _ phases: [PhaseMeasurement]) -> BenchResults {
        ResultsBuilder(plan: plan, phases: phases, accuracyRuns: Self.accuracyRuns(), knee: Self.knee, hops: RunAccuracyTests.edges)
            .build(environment: .current(bpfStats: nil), startedAt: "2026-11-27T18:00:00Z", elapsedSeconds: 10,
                   skipped: [SkippedArm(arm: "kprobe", reason: "no kprobes")])
    }

    @Test func overheadRowsPairPhasesWithTheBaselineOfTheSameBlock() throws {
        let plan = Self.plan()
        let results = build(plan, Self.phases(plan: plan))
        #expect(results.overhead.map(\.arm) == ["baseline", "baseline-aa", "sock/kernel"])
        let aa = results.overhead[1], sock = results.overhead[2]
        // The 20% drift is shared by the arms of a block, so it cancels: within the ±0.5% noise.
        for delta in [sock.p50DeltaPercent!, sock.p90DeltaPercent!, sock.p99DeltaPercent!, sock.meanDeltaPercent!] {
            #expect(abs(delta - 10) < 1.1, "\(delta)")
        }
        #expect(abs(aa.p50DeltaPercent!) < 1.1)
        #expect(abs(sock.cpuDeltaPercent! - 4) < 1.1, "services 50 µs + agent 2 µs per request")
        #expect(sock.verdicts == Verdicts(p50: .slower, p99: .slower, cpu: .slower))
        #expect(aa.verdicts.p50 == .notDetected && aa.verdicts.cpu == .notDetected)
        #expect(results.overhead[0].verdicts == Verdicts(p50: .reference, p99: .reference, cpu: .reference))
        #expect(sock.p50DeltaCI!.count == 2 && sock.p50DeltaCI![0] < sock.p50DeltaPercent! && sock.p50DeltaPercent! < sock.p50DeltaCI![1])
        #expect(sock.bpfNanosecondsPerRun == ["sock_send": 120, "sock_recv": 260])
        #expect(sock.runsPerRequest == 8)
        #expect(abs(sock.cpuMicrosecondsPerRequest.bpf! - 1.52) < 1e-9)
        #expect(sock.cpuMicrosecondsPerRequest.agent == 2)
        #expect(sock.switchMicroseconds == 900)
        #expect(sock.samples.p99Microseconds.count == 10)
        #expect(sock.samples.bpfNanosecondsPerRun["sock_send"]?.count == 10)
        #expect(sock.unaccountedLosses == 0 && sock.agentRSSMegabytes == 30)
        #expect(results.noiseFloor.blocks["50"] == 10)
        let mde = try #require(results.noiseFloor.mdePercent["50"])
        #expect(mde.p50! < 1 && mde.cpu! < 1, "\(mde)")
        #expect(sock.mdePercent == mde)
        #expect(results.saturation.count == 3)
        #expect(abs(results.saturation[2].deltaPercent! + 9.1) < 1)
    }

    @Test func phasesAreATimeline() {
        let plan = Self.plan()
        let results = build(plan, Self.phases(plan: plan))
        #expect(results.phases.count == plan.schedule.runs().count)
        #expect(zip(results.phases, results.phases.dropFirst()).allSatisfy { $0.startSeconds < $1.startSeconds })
        let first = results.phases[0]
        #expect(first.level == .saturation && first.load == nil && abs(first.seconds - 0.4) < 1e-9 && first.switchMicroseconds == 900)
        #expect(results.phases.filter { $0.arm == "sock/kernel" }.allSatisfy { $0.bpfRuns == 16_000 })
    }

    @Test func accuracyAndTopologyComeFromTheAccuracyRuns() {
        let plan = Self.plan()
        let results = build(plan, Self.phases(plan: plan))
        #expect(results.accuracy.count == 6)
        #expect(results.accuracy.allSatisfy { $0.truthRequests == 3 && $0.matchedPercent == 100 })
        #expect(results.accuracy.map(\.hop).first == "client→frontend")
        #expect(results.topology.precision == 1 && results.topology.recall == 1)
        #expect(results.charts.errorHistograms.count == 6)
        #expect(results.charts.latencyCDF.count == 3)
        #expect(results.knee == Self.knee)
    }

    @Test func invalidPhasesAreListedAndDropped() {
        let plan = Self.plan()
        let results = build(plan, Self.phases(plan: plan, killBlock: 2))
        #expect(results.invalidBlocks == [InvalidBlock(phase: "load 50%", block: 2, arm: "baseline", reason: .failed("api died (signal 9) at 12.0 s"))])
        #expect(results.overhead[0].blocks == 9)
        #expect(results.noiseFloor.blocks["50"] == 9)
    }

    @Test func builtResultsValidate() throws {
        let plan = Self.plan(blocks: 3)
        let results = build(plan, Self.phases(plan: plan))
        #expect(results.overhead[2].verdicts == Verdicts(p50: .tooFewBlocks, p99: .tooFewBlocks, cpu: .tooFewBlocks))
        let problems = try ResultsSchemaTests.validator().validate(JSONValue.parse(results.encoded()))
        #expect(problems.isEmpty, "\(problems)")
    }
}
