@testable import KmonBench
import KmonLoad
import KmonSystem
import Testing

@Suite struct ScheduleTests {
    let arms: [BenchArm] = [.baseline, .baselineRepeat, .probe(.empty), .probe(.sock, mode: .kernel), .probe(.syscall, mode: .user)]

    func schedule(seed: UInt64) -> BenchSchedule {
        BenchSchedule(arms: arms, loadPercents: [50, 90], saturationBlocks: 3, loadBlocks: 6, seed: seed)
    }

    @Test func armNames() {
        #expect(arms.map(\.name) == ["baseline", "baseline-aa", "empty", "sock/kernel", "syscall/user"])
        #expect(BenchArm.baselineRepeat.isBaseline)
        #expect(arms.map(\.reportsSpans) == [false, false, false, true, true])
        #expect(BenchArm.collector(.offcpu, verbosity: 2).name == "offcpu@2")
    }

    @Test func everyBlockRunsEveryArmOnce() {
        let runs = schedule(seed: 1).runs()
        #expect(runs.count == arms.count * (3 + 6 * 2))
        let groups = Dictionary(grouping: runs) { "\($0.level)#\($0.block)" }
        #expect(groups.count == 3 + 12)
        for group in groups.values { #expect(Set(group.map(\.arm)) == Set(arms) && group.count == arms.count) }
        // Runs of a block are contiguous: blocks interleave the arms, never all of A then all of B.
        var seen: [String] = []
        for run in runs where seen.last != "\(run.level)#\(run.block)" { seen.append("\(run.level)#\(run.block)") }
        #expect(seen.count == groups.count)
    }

    /// One load run per level: saturation first, then each level's blocks together, in order.
    @Test func levelsAreContiguous() {
        let runs = schedule(seed: 1).runs()
        var levels: [BenchLevel] = []
        for run in runs where levels.last != run.level { levels.append(run.level) }
        #expect(levels == [.saturation, .load(percent: 50), .load(percent: 90)])
        #expect(schedule(seed: 1).runs(of: .load(percent: 90)).count == arms.count * 6)
    }

    @Test func orderVariesPerBlockAndIsReproducible() {
        let runs = schedule(seed: 42).runs()
        #expect(runs == schedule(seed: 42).runs())
        #expect(runs != schedule(seed: 43).runs())
        let orders = Set(Dictionary(grouping: runs) { "\($0.level)#\($0.block)" }.values.map { $0.map(\.arm.name) })
        #expect(orders.count > 5)
    }

    @Test func kneeIsTheLastRateBelowThreeTimesTheLowLoadP99() {
        func point(_ rate: Double, _ p99: Double, achieved: Double? = nil) -> KneeSearch.Point {
            KneeSearch.Point(rate: rate, achievedRPS: achieved ?? rate, p99Microseconds: p99)
        }
        #expect(KneeSearch.knee([point(100, 200), point(300, 250), point(400, 590), point(500, 601), point(600, 300)]) == 400)
        // A rate that falls behind is past the knee even if its p99 looks fine.
        #expect(KneeSearch.knee([point(100, 200), point(300, 250), point(400, 260, achieved: 350)]) == 300)
        #expect(KneeSearch.knee([point(100, 200), point(300, 900)]) == nil)
        #expect(KneeSearch.knee([point(100, 200)]) == nil)
        #expect(KneeSearch.knee([]) == nil)
    }

    /// Requests belong to the window their intended send time falls in; settling gaps to none.
    @Test func requestsAreAssignedToTheirPhaseWindow() {
        let arm = BenchArm.baseline
        var phases = [ScheduledRun(level: .load(percent: 50), block: 0, arm: arm),
                      ScheduledRun(level: .load(percent: 50), block: 1, arm: arm)].enumerated().map { index, run in
            PhaseMeasurement(run: run, startNanoseconds: UInt64(index) * 1000 + 100, endNanoseconds: UInt64(index) * 1000 + 1000, switchNanoseconds: 0, offeredRPS: 1)
        }
        func record(_ intended: UInt64, _ complete: UInt64, failed: Bool = false) -> GroundTruthRecord {
            GroundTruthRecord(intendedNs: intended, sendNs: intended, completeNs: complete, 
                              tuple: .none, ordinal: 0, flags: failed ? .error : [])
        }
        InPlaceRun.assign([record(50, 150), record(100, 400), record(999, 1150), record(1050, 1200), record(1500, 1600, failed: true),
                           record(2500, 2600)], to: &phases)
        #expect(phases.map(\.requests) == [2, 1])
        #expect(phases.map(\.failed) == [0, 1])
        #expect(phases.map(\.completed) == [2, 2])
        #expect(phases[0].latency.count == 2 && phases[0].meanMicroseconds == 0.2255)
    }

    /// An open-loop phase whose responses stray more than 3% (and 10) from the offered rate
    /// measured a backlog: it is marked invalid with the direction; closed loop never is.
    @Test func phasesOffTheOfferedRateAreInvalid() {
        func phase(offered: Double?, completed: Int, seconds: Double = 0.4) -> PhaseMeasurement {
            var m = PhaseMeasurement(run: ScheduledRun(level: .load(percent: 75), block: 0, arm: .baseline), startNanoseconds: 0,
                                     endNanoseconds: UInt64(seconds * 1e9), switchNanoseconds: 0, offeredRPS: offered)
            (m.requests, m.completed) = (max(completed, 1), completed)
            return m
        }
        #expect(phase(offered: 7814, completed: 3126).offScheduleReason == nil)  // 3125.6 expected
        #expect(phase(offered: 7814, completed: 3032).offScheduleReason == nil)  // 3.0% behind
        let behind = phase(offered: 7814, completed: 2063).offScheduleReason?.description
        #expect(behind == "off schedule: responses more than 3% behind the offered 7814 req/s (a backlog built)")
        #expect(phase(offered: 7814, completed: 4669).offScheduleReason?.description.hasSuffix("ahead of the offered 7814 req/s (a backlog drained)") == true)
        // 100 expected in a short phase at a low rate: 7 off is within the 10-response slack, 11 is not.
        #expect(phase(offered: 500, completed: 93, seconds: 0.2).offScheduleReason == nil)
        #expect(phase(offered: 500, completed: 89, seconds: 0.2).offScheduleReason != nil)
        #expect(phase(offered: nil, completed: 10).offScheduleReason == nil)

        var phases = [phase(offered: 7814, completed: 3126), phase(offered: 7814, completed: 2063)]
        #expect(PhaseMeasurement.invalidateOffSchedule(&phases) == 1)
        #expect(phases.map(\.isValid) == [true, false])
        #expect(phases[1].invalidReason?.description == behind)
    }

    @Test func logAxisTicksSpanTheValues() {
        let axis = LogAxis(low: 130, high: 4200)
        #expect(axis.low <= 130 && axis.high >= 4200)
        #expect(axis.ticks.contains(200) && axis.ticks.contains(1000) && axis.ticks.contains(2000))
        #expect(axis.fraction(axis.low) == 0 && abs(axis.fraction(axis.high) - 1) < 1e-12)
    }
}
