import Testing
@testable import KmonBench

@Suite struct GateTests {
    @Test func aRunAgainstItselfIsEqual() {
        let results = SampleResults.make()
        let report = RegressionGate().check(baseline: results, current: results)
        #expect(report.outcome == .equal)
        #expect(report.outcome.exitCode == 0)
        #expect(report.findings.count == 2 * 2 * 4)  // 2 arms × 2 loads × (2 programs + runs/req + CPU)
    }

    @Test func noiseWithinToleranceIsEqual() {
        let report = RegressionGate().check(baseline: SampleResults.make(seed: 1), current: SampleResults.make(seed: 2))
        #expect(report.outcome == .equal)
    }

    @Test func aBaselineThirtyPercentCheaperIsARegression() {
        let report = RegressionGate().check(baseline: SampleResults.make(cost: 0.7), current: SampleResults.make(seed: 2))
        #expect(report.outcome == .regression)
        #expect(report.outcome.exitCode == 2)
        let send = report.findings.first { $0.metric == "ns/run handle_send" }!
        #expect(send.change == .regression)
        #expect(abs(send.deltaPercent! - (1 / 0.7 - 1) * 100) < 5)
        #expect(GateRenderer.render(report).contains("gate: regression (exit 2)"))
    }

    @Test func cheaperRunsAreImprovementsOnly() {
        let report = RegressionGate().check(baseline: SampleResults.make(), current: SampleResults.make(cost: 0.7, seed: 3))
        #expect(report.outcome == .improvement)
        #expect(report.outcome.exitCode == 4)
    }

    @Test func smallButSignificantChangesBelowTheFloorsPass() {
        // +10%: significant with these tight blocks, but under the 15% tolerance.
        let report = RegressionGate().check(baseline: SampleResults.make(), current: SampleResults.make(cost: 1.10, seed: 4))
        #expect(report.outcome == .equal)
    }

    @Test func tooFewBlocksCannotFail() {
        var baseline = SampleResults.make(cost: 0.5)
        for index in baseline.overhead.indices {
            baseline.overhead[index].samples.bpfNanosecondsPerRun = baseline.overhead[index].samples.bpfNanosecondsPerRun.mapValues { Array($0.prefix(2)) }
            baseline.overhead[index].samples.runsPerRequest = Array(baseline.overhead[index].samples.runsPerRequest.prefix(2))
            baseline.overhead[index].samples.cpuMicrosecondsPerRequest = Array(baseline.overhead[index].samples.cpuMicrosecondsPerRequest.prefix(2))
        }
        var current = SampleResults.make()
        for index in current.overhead.indices {
            current.overhead[index].samples.bpfNanosecondsPerRun = current.overhead[index].samples.bpfNanosecondsPerRun.mapValues { Array($0.prefix(2)) }
            current.overhead[index].samples.runsPerRequest = Array(current.overhead[index].samples.runsPerRequest.prefix(2))
            current.overhead[index].samples.cpuMicrosecondsPerRequest = Array(current.overhead[index].samples.cpuMicrosecondsPerRequest.prefix(2))
        }
        // Two blocks a side: the smallest exact Mann-Whitney p is 1/3, never significant.
        #expect(RegressionGate().check(baseline: baseline, current: current).outcome == .equal)
    }

    @Test func hardGatesFailOnTheirOwn() {
        let lossy = RegressionGate().check(baseline: SampleResults.make(), current: SampleResults.make(unaccountedLosses: 3))
        #expect(lossy.outcome == .regression)
        #expect(lossy.hardFailures.contains { $0.contains("3 requests missing without a counted loss") })
        let poorJoin = RegressionGate().check(baseline: SampleResults.make(), current: SampleResults.make(matched: 9_900))
        #expect(poorJoin.outcome == .regression)
        #expect(poorJoin.hardFailures.contains { $0.contains("join rate 99.000% is below 99.9%") })
    }

    @Test func missingArmsAreReportedNotCompared() {
        var current = SampleResults.make()
        current.overhead.removeAll { $0.arm == "syscall" }
        let report = RegressionGate().check(baseline: SampleResults.make(), current: current)
        #expect(report.findings.contains { $0.arm == "syscall" && $0.change == .notCompared })
        #expect(report.outcome == .equal)
    }

    @Test func compareShowsDeltas() {
        let text = GateRenderer.compare(SampleResults.make(), SampleResults.make(cost: 1.5, seed: 9), nameA: "a", nameB: "b")
        #expect(text.contains("## Overhead (A → B)"))
        #expect(text.contains("## Accuracy (A → B)"))
        #expect(text.contains("gate: regression (exit 2)"))
    }
}
