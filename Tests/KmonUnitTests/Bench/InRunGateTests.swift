import Foundation
import KmonTestSupport
import Testing
@testable import KmonBench

/// The in-run gate's decision rule on synthetic phases: sock/kernel against its `@base` and `@aa`
/// twins in the same blocks, under a machine that drifts 30% over the run (`GatePhases`).
@Suite struct InRunGateUnitTests {
    @Test func identicalBuildsAreEqualDespiteDrift() {
        let report = GatePhases.check(GatePhases.make())
        #expect(report.outcome == .equal, "\(GateRenderer.render(report))")
        #expect(report.findings.map(\.metric) == ["BPF ns/req", "runs/req", "ns/run tcpreq_recv", "CPU µs/req"])
        // CPU per request is reported, never tested.
        #expect(report.findings.map(\.change) == [.equal, .equal, .equal, .notGated])
        #expect(report.comparisons == 3)
        #expect(report.decision.hasPrefix("no metric changed: 3 compared"))
        #expect(report.decision.contains("verdict over 3 tests; Holm, family-wise α 0.05"))
    }

    @Test func aTenPercentRegressionIsCaughtAndNamed() {
        let report = GatePhases.check(GatePhases.make(scale: GatePhases.current(1.10)))
        #expect(report.outcome == .regression, "\(GateRenderer.render(report))")
        let cost = report.findings[0]
        #expect(cost.metric == "BPF ns/req" && cost.change == .regression && abs(cost.deltaPercent! - 10) < 1.5)
        #expect(cost.adjustedPValue! >= cost.pValue! && cost.adjustedPValue! < 0.05)
        #expect(report.decision.hasPrefix("sock/kernel at 50%: BPF ns/req"))
        #expect(report.decision.contains("significant (Holm p") && report.decision.contains("verdict over 3 tests"))
    }

    @Test func theSameOnTheBaseIsAnImprovement() {
        let report = GatePhases.check(GatePhases.make(scale: { arm, _ in arm.build == .base ? 1.10 : 1 }))
        #expect(report.outcome == .improvement, "\(GateRenderer.render(report))")
        #expect(report.decision.hasPrefix("sock/kernel at 50%: BPF ns/req"))
    }

    /// Each condition alone keeps a change from failing the gate.
    @Test func everyConditionMustHold() {
        // Below the 5% tolerance, though significant.
        #expect(GatePhases.check(GatePhases.make(noise: { _ in 0.002 }, scale: GatePhases.current(1.03))).outcome == .equal)
        // Beyond tolerance but within the A/A noise floor: the A/A twin is as far off.
        let noisy = GatePhases.check(GatePhases.make(seed: 4, noise: { _ in 0.15 }, scale: GatePhases.current(1.08)))
        #expect(noisy.outcome == .equal, "\(GateRenderer.render(noisy))")
        // Beyond tolerance and MDE, but the A/A twin sits as far from this build: a placement
        // offset that lasted the run, not a change of code.
        let offset = GatePhases.check(GatePhases.make { arm, _ in arm.build == .current ? 1.08 : 1 })
        #expect(offset.outcome == .equal, "\(GateRenderer.render(offset))")
        #expect(offset.findings[0].note!.contains("within the A/A MDE or the A/A Δ (+"))
        // +20% of an arm that costs 100 ns per request: within the 50 ns/request floor.
        let cheap = ["tcpreq_recv": GatePhases.Program(runs: 1000, nanoseconds: 100)]
        #expect(GatePhases.check(GatePhases.make(programs: cheap, scale: GatePhases.current(1.2))).outcome == .equal)
        // Too few blocks for significance after the correction for every test.
        #expect(GatePhases.check(GatePhases.make(blocks: 4, scale: GatePhases.current(1.3)), blocks: 4).outcome == .equal)
    }

    @Test func hardFailuresFailTheGate() {
        let report = InRunGate().check(phases: GatePhases.make(), arms: GatePhases.arms(), loads: [50], blocks: 12, seed: 3,
                                       hardFailures: ["sock/kernel at 50%: 3 requests missing without a counted loss"])
        #expect(report.outcome == .regression && report.decision.hasPrefix("hard gate:"))
    }

    /// Seven blocks give an exact signed-rank p of 2/128 at best. Alone with runs/req, Holm holds
    /// it to 0.05/2 and passes it; beside a second arm's two tests, to 0.05/4, and it fails.
    @Test func moreComparisonsMakeAMarginalRegressionFail() {
        let rare = ["tcpreq_recv": GatePhases.Program(runs: 6000, nanoseconds: 300)]
        let oneArm = GatePhases.check(GatePhases.make(blocks: 7, programs: rare, scale: GatePhases.current(1.2)), blocks: 7)
        #expect(oneArm.outcome == .regression && oneArm.comparisons == 2, "\(GateRenderer.render(oneArm))")
        let probes = [GatePhases.sock, GatePhases.syscall]
        let twoArms = GatePhases.check(GatePhases.make(probes: probes, blocks: 7, programs: rare,
                                                       scale: { arm, _ in arm.variant == .sock && arm.build != .base ? 1.2 : 1 }),
                                       probes: probes, blocks: 7)
        #expect(twoArms.outcome == .equal && twoArms.comparisons == 4, "\(GateRenderer.render(twoArms))")
        let sock = twoArms.findings.first { $0.arm == "sock/kernel" && $0.metric == "BPF ns/req" }!
        #expect(sock.pValue! < 0.05 && sock.adjustedPValue! > 0.05)
        #expect(sock.note!.contains("beyond the A/A MDE and the A/A Δ") && sock.note!.contains("not significant (Holm p 0.062 over 4 tests"))
    }

    @Test func theDecisionNamesEveryArmThatMoved() {
        let probes = [GatePhases.sock, GatePhases.syscall]
        let both = GatePhases.check(GatePhases.make(probes: probes, scale: GatePhases.current(1.2)), probes: probes)
        #expect(both.outcome == .regression)
        #expect(both.decision.contains("(regressions in 2 arms: sock/kernel, syscall/kernel)"), "\(both.decision)")
        let one = GatePhases.check(GatePhases.make(probes: probes, scale: { arm, _ in arm.variant == .syscall && arm.build != .base ? 1.2 : 1 }),
                                   probes: probes)
        #expect(one.decision.hasPrefix("syscall/kernel at 50%: BPF ns/req") && !one.decision.contains("arms:"), "\(GateRenderer.render(one))")
    }

    @Test func theRecordKeepsTheNumberOfTests() throws {
        let report = GatePhases.check(GatePhases.make(scale: GatePhases.current(1.10)))
        let record = GateRecord(report, baseObjects: "/base")
        #expect(record.comparisons == 3 && record.familyControl == "Holm, family-wise α 0.05")
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        #expect(json.contains("\"comparisons\":3") && json.contains("\"p_adjusted\""))
        #expect(try JSONDecoder().decode(GateRecord.self, from: Data(json.utf8)) == record)
        var results = SampleResults.make()
        results.gate = record
        let problems = try ResultsSchemaTests.validator().validate(try JSONValue.parse(results.encoded()))
        #expect(problems.isEmpty, "\(problems)")
    }
}
