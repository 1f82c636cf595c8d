import KmonSupport
import Testing
@testable import KmonBench

/// The paired decision rule of the CI gate on synthetic phases: `sock/kernel` against its
/// `@base` and `@aa` twins in the same blocks, under a machine that drifts 30% over the run.
@Suite struct InRunGateUnitTests {
    static let arm = BenchArm.probe(.sock, mode: .kernel)
    static let arms: [BenchArm] = [.baseline, .baselineRepeat, arm, arm.with(.base), arm.with(.again)]

    /// `factor` scales this build's ns/run (and `againFactor` its A/A twin's) against the base's 300 ns.
    static func phases(factor: Double, againFactor: Double = 1, blocks: Int = 12, noise: Double = 0.01,
                       seed: UInt64 = 1) -> [PhaseMeasurement] {
        var generator = SeededGenerator(seed: seed)
        let schedule = BenchSchedule(arms: arms, loadPercents: [50], saturationBlocks: 0, loadBlocks: blocks, seed: seed)
        return schedule.runs().enumerated().map { index, run in
            let drift = 1 + 0.3 * Double(run.block) / Double(blocks)
            var m = PhaseMeasurement(run: run, startNs: UInt64(index) * 1000, endNs: UInt64(index) * 1000 + 900, switchNs: 0,
                                     offeredRPS: 1000)
            m.requests = 1000
            m.completed = 1000
            m.serviceCPUMicroseconds = 1000 * 150 * drift
            guard run.arm.variant != nil else { return m }
            let scale: Double = switch run.arm.build {
            case .base: 1
            case .current: factor
            case .again: factor * againFactor
            }
            let ns = 300 * scale * drift * (1 + Double.random(in: -noise...noise, using: &generator))
            m.programs = ["tcpreq_recv": .init(runs: 6000, nanoseconds: UInt64(ns * 6000))]
            return m
        }
    }

    func check(_ phases: [PhaseMeasurement], blocks: Int = 12) -> RegressionGate.Report {
        InRunGate().check(phases: phases, arms: Self.arms, loads: [50], blocks: blocks, seed: 3)
    }

    @Test func identicalBuildsAreEqualDespiteDrift() {
        let report = check(Self.phases(factor: 1))
        #expect(report.outcome == .equal, "\(GateRenderer.render(report))")
        #expect(report.findings.map(\.metric) == ["ns/run tcpreq_recv", "runs/req", "CPU µs/req"])
        #expect(report.decision.hasPrefix("no metric changed: 3 compared"))
    }

    @Test func aFifteenPercentRegressionIsCaughtAndNamed() {
        let report = check(Self.phases(factor: 1.15))
        #expect(report.outcome == .regression)
        let recv = report.findings[0]
        #expect(recv.change == .regression && abs(recv.deltaPercent! - 15) < 2)
        #expect(report.decision.contains("sock/kernel at 50%: ns/run tcpreq_recv") && report.decision.contains("significant"))
    }

    @Test func aCheaperBuildIsAnImprovement() {
        #expect(check(Self.phases(factor: 0.85)).outcome == .improvement)
    }

    /// Each condition alone keeps a change from failing the gate.
    @Test func everyConditionMustHold() {
        // Below the 10% tolerance, though significant.
        #expect(check(Self.phases(factor: 1.04, noise: 0.002)).outcome == .equal)
        // Beyond tolerance but within the A/A noise floor: the A/A twin is as far off.
        let noisy = check(Self.phases(factor: 1.08, noise: 0.15, seed: 4))
        #expect(noisy.outcome == .equal, "\(GateRenderer.render(noisy))")
        // Too few blocks for significance after the correction for several metrics.
        #expect(check(Self.phases(factor: 1.3, blocks: 4), blocks: 4).outcome == .equal)
    }

    @Test func hardFailuresFailTheGate() {
        let report = InRunGate().check(phases: Self.phases(factor: 1), arms: Self.arms, loads: [50], blocks: 12, seed: 3,
                                       hardFailures: ["sock/kernel at 50%: 3 requests missing without a counted loss"])
        #expect(report.outcome == .regression && report.decision.hasPrefix("hard gate:"))
    }
}
