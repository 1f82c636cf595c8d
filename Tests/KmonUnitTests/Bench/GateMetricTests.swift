import KmonSupport
import Testing
@testable import KmonBench

/// What the in-run gate tests: an arm's cost per request, a program's ns/run only where it ran
/// often enough, and of several cost figures the one its A/A pair shows tightest.
@Suite struct GateMetricTests {
    @Test func bpfNanosecondsPerRequestSumsEveryProgram() {
        let run = ScheduledRun(level: .load(percent: 50), block: 0, arm: GatePhases.sock)
        var phase = PhaseMeasurement(run: run, startNanoseconds: 0, endNanoseconds: 1_000_000, switchNanoseconds: 0, offeredRPS: 1000)
        phase.requests = 1000
        phase.completed = 1000
        let metric = GateMetric.bpfNanosecondsPerRequest(floor: 50)
        #expect(metric.value(phase) == nil)
        phase.programs = ["tcpreq_recv": .init(name: "tcpreq_recv", runCount: 6000, runTimeNanoseconds: 1_800_000),
                          "tcpreq_enter_close": .init(name: "tcpreq_enter_close", runCount: 10, runTimeNanoseconds: 50_000)]
        #expect(metric.value(phase) == 1850)
        #expect(GateMetric.runsPerRequest(floor: 0.5).value(phase) == 6.01)
        #expect(GateMetric.nanosecondsPerRun("tcpreq_enter_close", floor: 20).value(phase) == 5000)
        #expect(GateMetric.nanosecondsPerRun("tcpreq_enter_close", floor: 20).runs?(phase) == 10)
    }

    /// A program that ran 10 times a phase moved +18% on its own (as a placement offset would):
    /// it is reported, not tested, and its arm's cost per request did not move.
    @Test func aRareProgramIsNotGatedAlone() {
        let programs = GatePhases.hot.merging(["tcpreq_enter_close": GatePhases.Program(runs: 10, nanoseconds: 2000)]) { a, _ in a }
        let report = GatePhases.check(GatePhases.make(programs: programs, noise: { _ in 0.002 }) { arm, program in
            program == "tcpreq_enter_close" && arm.build != .base ? 1.18 : 1
        })
        #expect(report.outcome == .equal, "\(GateRenderer.render(report))")
        let close = report.findings.first { $0.metric == "ns/run tcpreq_enter_close" }!
        #expect(close.change == .notGated && abs(close.deltaPercent! - 18) < 1)
        #expect(close.note == "not gated: a phase had 10 runs, under the 10000 a stable ns/run needs")
        #expect(report.findings.first { $0.metric == "ns/run tcpreq_recv" }!.change == .equal)
    }

    /// The same program, when it spends a third of the arm's time, doubles its cost: the arm's
    /// ns per request catches it though the program is not tested alone.
    @Test func aRareProgramThatDoublesMovesCostPerRequest() {
        let programs = GatePhases.hot.merging(["tcpreq_enter_close": GatePhases.Program(runs: 500, nanoseconds: 2000)]) { a, _ in a }
        let report = GatePhases.check(GatePhases.make(programs: programs) { arm, program in
            program == "tcpreq_enter_close" && arm.build != .base ? 2 : 1
        })
        #expect(report.outcome == .regression, "\(GateRenderer.render(report))")
        #expect(report.decision.hasPrefix("sock/kernel at 50%: BPF ns/req"))
        let cost = report.findings.first { $0.metric == "BPF ns/req" }!
        #expect(abs(cost.deltaPercent! - 33.3) < 2)
        #expect(report.findings.first { $0.metric == "ns/run tcpreq_enter_close" }!.change == .notGated)
    }

    /// Two load levels, the lower one noisier: the gate tests ns/request where its A/A pair is
    /// tighter, says so, and reports the other.
    @Test func theTighterCostFigureIsTested() {
        let phases = GatePhases.make(loads: [25, 50], noise: { $0 == 25 ? 0.10 : 0.01 }, scale: GatePhases.current(1.10))
        let report = GatePhases.check(phases, loads: [25, 50])
        #expect(report.outcome == .regression, "\(GateRenderer.render(report))")
        let low = report.findings.first { $0.metric == "BPF ns/req" && $0.load == 25 }!
        let high = report.findings.first { $0.metric == "BPF ns/req" && $0.load == 50 }!
        #expect(low.change == .notGated && low.note!.contains("is wider than BPF ns/req at 50%"))
        #expect(high.change == .regression && high.note!.hasPrefix("gated as the tightest A/A"))
        #expect(high.note!.contains("of 2 cost figures"))
        #expect(high.mdePercent! < low.mdePercent!)
        #expect(report.decision.hasPrefix("sock/kernel at 50%: BPF ns/req"))
    }

    /// A further candidate (here a noiseless stand-in for a driver's warm ns/run) wins when its
    /// A/A pair is tighter, and the finding names it.
    @Test func anExtraCandidateWinsWhenTighter() {
        let warm = GateMetric(name: "warm ns/run", role: .cost, floor: 20) { phase in
            phase.run.arm.build == .base ? 300 : 330
        }
        let phases = GatePhases.make(noise: { _ in 0.03 }, scale: GatePhases.current(1.10))
        let report = GatePhases.check(phases, gate: InRunGate(extraCostCandidates: [warm]))
        #expect(report.findings.map(\.metric).prefix(2) == ["BPF ns/req", "warm ns/run"])
        #expect(report.findings[0].change == .notGated && report.findings[0].note!.contains("wider than warm ns/run at 50%"))
        #expect(report.findings[1].change == .regression, "\(GateRenderer.render(report))")
        #expect(report.decision.hasPrefix("sock/kernel at 50%: warm ns/run 300.00 → 330.00"))
    }

    /// The trigger level's phases give each arm a warm ns/run: with the services' load noisy
    /// (10% per phase) and the driver's phases tight, the warm figure is the one tested, at
    /// "trigger", and it catches a +10%.
    @Test func theTriggerLevelsWarmCostIsTestedWhenTighter() {
        var phases = GatePhases.make(noise: { _ in 0.10 }, scale: GatePhases.current(1.10))
        var generator = SeededGenerator(seed: 9)
        for block in 0..<12 {
            for arm in GatePhases.arms() {
                var m = PhaseMeasurement(run: ScheduledRun(level: .trigger, block: block, arm: arm), startNanoseconds: 0, endNanoseconds: 1, switchNanoseconds: 0,
                                         offeredRPS: nil)
                m.requests = 20_000
                m.completed = 20_000
                if arm.variant != nil {
                    let ns = 170 * (arm.build == .base ? 1 : 1.10) * (1 + Double.random(in: -0.005...0.005, using: &generator))
                    m.programs["tcpreq_recv"] = .init(name: "tcpreq_recv", runCount: 40_000, runTimeNanoseconds: UInt64(ns * 40_000))
                }
                phases.append(m)
            }
        }
        let report = GatePhases.check(phases)
        let warm = report.findings.first { $0.metric == "warm ns/run" }
        #expect(warm?.level == "trigger" && warm?.place == "trigger")
        #expect(warm?.change == .regression, "\(GateRenderer.render(report))")
        #expect(report.findings.first { $0.metric == "BPF ns/req" }?.change == .notGated)
        #expect(report.decision.hasPrefix("sock/kernel at trigger: warm ns/run"))
    }
}
