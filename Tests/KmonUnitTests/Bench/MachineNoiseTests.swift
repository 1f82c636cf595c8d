@testable import KmonBench
import Testing

/// The per-phase noise figures, from captured /proc and cgroup text.
@Suite struct MachineNoiseTests {
    @Test func procStatSplitsStealAndTaskTime() throws {
        let stat = "cpu  911612 45 189318 751789 7470 0 43814 1101 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"
        let counters = try #require(MachineCounters.parseStat(stat, ticksPerSecond: 100))
        #expect(counters.totalMicroseconds == Double(911612 + 45 + 189318 + 751789 + 7470 + 0 + 43814 + 1101) * 10_000)
        #expect(counters.stealMicroseconds == 1101 * 10_000)
        // Softirq (43814) is left out of task time: on loopback it is mostly our own requests.
        #expect(counters.taskMicroseconds == Double(911612 + 45 + 189318) * 10_000)
        #expect(MachineCounters.parseStat("intr 1 2 3", ticksPerSecond: 100) == nil)
    }

    @Test func pressureAndThrottlingParse() {
        let pressure = "some avg10=99.42 avg60=84.44 avg300=33.72 total=4006131095\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
        #expect(MachineCounters.parsePressureSomeTotal(pressure) == 4006131095)
        #expect(MachineCounters.parsePressureSomeTotal("") == nil)
        let cpuStat = "usage_usec 120\nuser_usec 100\nsystem_usec 20\nnr_periods 10\nnr_throttled 3\nthrottled_usec 4500\n"
        let throttling = MachineCounters.parseThrottling(cpuStat)
        #expect(throttling?.periods == 3 && throttling?.microseconds == 4500)
        #expect(MachineCounters.parseThrottling("usage_usec 120\n") == nil)
    }

    func counters(total: Double, steal: Double, tasks: Double, pressure: Double? = nil, throttled: Double? = nil) -> MachineCounters {
        MachineCounters(totalMicroseconds: total, stealMicroseconds: steal, taskMicroseconds: tasks, pressureMicroseconds: pressure,
                        throttledPeriods: throttled.map { _ in 0 }, throttledMicroseconds: throttled)
    }

    /// A 0.5 s window on 2 CPUs: 1 s of CPU time, of which 60 ms steal and 700 ms task time, 550 ms ours.
    @Test func aPhaseNoiseIsShareOfTheWindow() throws {
        let noise = try #require(PhaseNoise(before: counters(total: 0, steal: 0, tasks: 0, pressure: 0, throttled: 0),
                                            after: counters(total: 1_000_000, steal: 60_000, tasks: 700_000, pressure: 100_000, throttled: 0),
                                            ownMicroseconds: 550_000, windowSeconds: 0.5))
        #expect(abs(noise.stealPercent - 6) < 1e-9)
        #expect(abs(noise.otherPercent - 15) < 1e-9)
        #expect(abs(noise.pressurePercent! - 20) < 1e-9)
        #expect(noise.noisyReason == "noisy: steal 6.0% > 5%, other tenants' CPU 15.0% > 10%")
        // Ours above the machine's task time (tick rounding) reads as no other tenant, not negative.
        let quiet = try #require(PhaseNoise(before: counters(total: 0, steal: 0, tasks: 0), after: counters(total: 1_000_000, steal: 0, tasks: 500_000),
                                            ownMicroseconds: 520_000, windowSeconds: 0.5))
        #expect(quiet.otherPercent == 0 && quiet.noisyReason == nil)
        #expect(PhaseNoise(before: nil, after: counters(total: 1, steal: 0, tasks: 0), ownMicroseconds: 0, windowSeconds: 1) == nil)
    }

    @Test func throttlingFlagsAPhase() throws {
        let noise = try #require(PhaseNoise(before: counters(total: 0, steal: 0, tasks: 0, throttled: 100),
                                            after: counters(total: 1_000_000, steal: 0, tasks: 0, throttled: 2100),
                                            ownMicroseconds: 0, windowSeconds: 0.5))
        #expect(noise.throttledMicroseconds == 2000)
        #expect(noise.noisyReason == "noisy: services throttled 2000 µs")
    }

    /// `--drop-noisy` invalidates flagged phases only, with the reason; the others stay.
    @Test func dropNoisyInvalidatesFlaggedPhases() {
        func phase(steal: Double) -> PhaseMeasurement {
            var m = PhaseMeasurement(run: ScheduledRun(level: .load(percent: 50), block: 0, arm: .baseline), startNanoseconds: 0,
                                     endNanoseconds: 500_000_000, switchNanoseconds: 0, offeredRPS: 1000)
            (m.requests, m.completed) = (500, 500)
            m.noise = PhaseNoise(stealPercent: steal, otherPercent: 1)
            return m
        }
        var phases = [phase(steal: 1), phase(steal: 9), phase(steal: 4.9)]
        #expect(PhaseMeasurement.invalidateNoisy(&phases) == 1)
        #expect(phases.map(\.isValid) == [true, false, true])
        #expect(phases[1].invalidReason == .noisy("steal 9.0% > 5%"))
        #expect(phases[1].invalidReason?.description == "noisy: steal 9.0% > 5%")
    }

    @Test func placementSpreadIsCVAndMaxOverMin() throws {
        let spread = PlacementSpread(arm: "sock/kernel", level: .load(percent: 50), load: 50, nanosecondsPerRun: [100, 110, 90])
        #expect(abs(try #require(spread.cvPercent) - 10) < 1e-9)
        #expect(abs(try #require(spread.maxOverMin) - 110.0 / 90) < 1e-12)
        #expect(PlacementSpread(arm: "a", level: .saturation, load: nil, nanosecondsPerRun: [100]).cvPercent == nil)
        // Phases that agree within each load: all of the spread is placement.
        let placed = PlacementSpread(arm: "a", level: .saturation, load: nil, nanosecondsPerRun: [100, 110], phases: [[100, 100], [110, 110]])
        #expect(placed.phaseNoiseCVPercent == 0)
        // ±10 ns within each load of 2 phases: means would spread by 10/√2 · √2 = 10 ns from that alone.
        let noisy = PlacementSpread(arm: "a", level: .saturation, load: nil, nanosecondsPerRun: [100, 110], phases: [[90, 110], [100, 120]])
        #expect(abs(try #require(noisy.phaseNoiseCVPercent) - 10.0 / 105 * 100) < 1e-9)
        #expect(PlacementSpread(arm: "a", level: .saturation, load: nil, nanosecondsPerRun: [100, 110], phases: [[100], [110]]).phaseNoiseCVPercent == nil)
    }
}
