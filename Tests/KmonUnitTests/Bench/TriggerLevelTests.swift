import Foundation
import KmonTestSupport
import Testing
@testable import KmonBench

/// The trigger level's arithmetic, schedule and output, on synthetic phases.
@Suite struct TriggerLevelTests {
    static let sock = BenchArm.probe(.sock, mode: .kernel)

    /// A trigger phase: `nsPerIteration` per driver iteration, and each program's (runs, ns).
    static func phase(_ arm: BenchArm, block: Int, iterations: Int = 10_000, nsPerIteration: Double,
                      programs: [String: (UInt64, UInt64)] = [:]) -> PhaseMeasurement {
        var m = PhaseMeasurement(run: ScheduledRun(level: .trigger, block: block, arm: arm), startNanoseconds: 1, endNanoseconds: 2, switchNanoseconds: 0,
                                 offeredRPS: nil)
        m.driverIterations = iterations
        m.driverNanoseconds = UInt64(nsPerIteration * Double(iterations))
        m.driverWallNanoseconds = m.driverNanoseconds * 2
        m.requests = iterations
        m.completed = iterations
        m.programs = Dictionary(uniqueKeysWithValues: programs.map { ($0.key, .init(name: $0.key, runCount: $0.value.0, runTimeNanoseconds: $0.value.1)) })
        return m
    }

    @Test func dispatchIsTheDeltaPerIterationOverRunsPerIteration() {
        // 4 runs per iteration (send 50 ns, recv 150 ns by run statistics); the driver sees 1000 ns more per iteration.
        let armPhase = Self.phase(Self.sock, block: 0, nsPerIteration: 6000,
                                  programs: ["send": (20_000, 1_000_000), "recv": (20_000, 3_000_000)])
        let base = Self.phase(.baseline, block: 0, nsPerIteration: 5000)
        let delta = ResultsBuilder.deltaPerIteration(armPhase, base)
        #expect(delta == 1000)
        #expect(ResultsBuilder.dispatchPerRun(deltaPerIteration: 1000, armPhase) == 250)
        #expect(armPhase.nanosecondsPerRun == 100)
        #expect(armPhase.nanosecondsPerIteration == 6000)
    }

    @Test func rowPairsByBlockAndWeighsProgramsByRuns() {
        let programs: [[String: (UInt64, UInt64)]] = [
            ["send": (20_000, 1_000_000), "recv": (20_000, 3_000_000)],
            ["send": (20_000, 1_200_000), "recv": (20_000, 2_800_000)],
            ["send": (20_000, 1_000_000), "recv": (20_000, 3_000_000)]]
        // The machine drifts: block 2 is 20% slower for both arms; pairing by block keeps Δ at 1000 ns.
        let armPhases = (0..<3).map { Self.phase(Self.sock, block: $0, nsPerIteration: $0 == 2 ? 7200 : 6000, programs: programs[$0]) }
        let baseline = Dictionary(uniqueKeysWithValues: (0..<3).map { ($0, Self.phase(.baseline, block: $0, nsPerIteration: $0 == 2 ? 6200 : 5000)) })
        var situ = PhaseMeasurement(run: ScheduledRun(level: .load(percent: 50), block: 0, arm: Self.sock), startNanoseconds: 0, endNanoseconds: 1,
                                    switchNanoseconds: 0, offeredRPS: 5000)
        situ.programs = ["send": .init(name: "send", runCount: 100, runTimeNanoseconds: 20_000),
                         "recv": .init(name: "recv", runCount: 300, runTimeNanoseconds: 60_000)]
        let row = ResultsBuilder.triggerRow(arm: "sock/kernel", phases: armPhases, baseline: baseline, inSitu: [situ])
        #expect(row.blocks == 3 && row.iterations == 10_000)
        #expect(row.wallNanosecondsPerIteration == 12_000)
        #expect(row.deltaNanosecondsPerIteration == 1000)
        #expect(row.dispatchNanosecondsPerRunBlocks == [250, 250, 250])
        #expect(row.dispatchNanosecondsPerRun == 250)
        #expect(row.runsPerIteration == 4)
        #expect(row.warmNanosecondsPerRun == 100)
        #expect(row.warmNanosecondsPerRunBlocks == [100, 100, 100])
        #expect(row.inSituNanosecondsPerRun == 200)
        #expect(row.programs["send"]?.warmNanosecondsPerRun.map { abs($0 - 3_200_000.0 / 60_000) < 1e-9 } == true)
        #expect(row.programs["recv"]?.inSituNanosecondsPerRun == 200)
        #expect(row.programs["send"]?.runsPerPhase == 20_000)
        #expect(row.programs["send"]?.runsPerIteration == 2)
    }

    /// A collector the driver never triggers has no runs: no warm cost, no dispatch figure, no division by zero.
    @Test func anArmTheDriverNeverRunsHasNoCostFigures() {
        let phases = [Self.phase(.collector(.offcpu, verbosity: 1), block: 0, nsPerIteration: 5100, programs: ["offcpu": (0, 0)])]
        let row = ResultsBuilder.triggerRow(arm: "offcpu@1", phases: phases, baseline: [0: Self.phase(.baseline, block: 0, nsPerIteration: 5000)],
                                            inSitu: [])
        #expect(row.deltaNanosecondsPerIteration == 100)
        #expect(row.dispatchNanosecondsPerRun == nil && row.dispatchNanosecondsPerRunBlocks.isEmpty)
        #expect(row.warmNanosecondsPerRun == nil && row.inSituNanosecondsPerRun == nil)
        #expect(row.runsPerIteration == 0)
    }

    @Test func triggerBlocksComeLastAndHoldEveryArmOnce() {
        var schedule = BenchSchedule(arms: ResultsBuilderTests.arms, loadPercents: [50], saturationBlocks: 2, loadBlocks: 3, seed: 5)
        #expect(schedule.runs(of: .trigger).isEmpty)
        schedule.triggerBlocks = 4
        let runs = schedule.runs()
        let trigger = runs.filter { $0.level == .trigger }
        #expect(trigger.count == 4 * ResultsBuilderTests.arms.count)
        #expect(runs.suffix(trigger.count).allSatisfy { $0.level == .trigger })
        for block in 0..<4 {
            #expect(Set(trigger.filter { $0.block == block }.map(\.arm)) == Set(ResultsBuilderTests.arms))
        }
        #expect(BenchLevel.trigger.description == "trigger")
    }

    @Test func presetsSizeTheLevelAndOldResultsReadWithout() throws {
        #expect(BenchPreset.quick.lengths.triggerBlocks > 0 && BenchPreset.quick.lengths.triggerBlocks < BenchPreset.standard.lengths.triggerBlocks)
        #expect(BenchPreset.paper.lengths.triggerBlocks == BenchPreset.standard.lengths.triggerBlocks)
        #expect(BenchPreset.quick.lengths.triggerIterations >= 10_000)
        let old = #"{"blocks":8,"saturation_blocks":3,"phase_s":0.5,"settle_s":0.1,"knee_s":1,"accuracy_s":2,"warmup_s":0.5,"connections":8}"#
        let lengths = try JSONDecoder().decode(RunLengths.self, from: Data(old.utf8))
        #expect(lengths.triggerBlocks == 0 && lengths.triggerIterations == 0)
    }

    /// A whole run through the builder: rows for every arm with trigger phases, which validate
    /// against the schema and render as one table and a CSV.
    @Test func builtRowsValidateAndRender() throws {
        var plan = ResultsBuilderTests.plan()
        plan.lengths.triggerBlocks = 3
        plan.lengths.triggerIterations = 10_000
        var phases = ResultsBuilderTests.phases(plan: plan).filter { $0.run.level != .trigger }
        for run in plan.schedule.runs(of: .trigger) {
            phases.append(Self.phase(run.arm, block: run.block, nsPerIteration: run.arm.isBaseline ? 5000 : 5600,
                                     programs: run.arm.isBaseline ? [:] : ["sock_send": (20_000, 1_000_000), "sock_recv": (20_000, 2_000_000)]))
        }
        let results = ResultsBuilder(plan: plan, phases: phases, accuracyRuns: ResultsBuilderTests.accuracyRuns(),
                                     knee: ResultsBuilderTests.knee, hops: [])
            .build(environment: .current(bpfStats: nil), startedAt: "now", elapsedSeconds: 1, skipped: [])
        let rows = try #require(results.trigger)
        #expect(rows.map(\.arm) == ["baseline", "baseline-aa", "sock/kernel"])
        let sock = try #require(rows.last)
        #expect(sock.dispatchNanosecondsPerRun == 150 && sock.warmNanosecondsPerRun == 75)
        #expect(sock.inSituNanosecondsPerRun == 190)
        #expect(rows[1].deltaNanosecondsPerIteration == 0)
        // The overhead rows stay per load level: trigger phases are not requests of the services.
        #expect(results.overhead.allSatisfy { $0.load == 50 })
        let problems = try ResultsSchemaTests.validator().validate(JSONValue.parse(results.encoded()))
        #expect(problems.isEmpty, "\(problems)")
        let decoded = try BenchResults.decode(results.encoded(), source: "test")
        #expect(decoded.trigger == rows)
        let tables = TablesRenderer.render(results)
        #expect(tables.contains("## Trigger level") && tables.contains("dispatch-incl. ns/run"))
        let csv = TriggerTable.csv(rows)
        #expect(csv.hasPrefix("arm,blocks,iterations,ns_per_iteration") && csv.contains("sock_send=50"))
    }
}
