import Foundation
import KmonTestSupport
import Testing
@testable import KmonBench

/// Per-level machine noise and the placement spread, from phases as the in-place run records them.
@Suite struct NoiseResultsTests {
    /// ResultsBuilderTests' phases, with noise (steal = block %, one phase of other tenants) and
    /// sock's objects reloaded every 2 blocks, each load 10% dearer than the one before.
    static func phases(_ plan: BenchPlan) -> [PhaseMeasurement] {
        ResultsBuilderTests.phases(plan: plan).map { phase in
            var m = phase
            m.noise = PhaseNoise(stealPercent: Double(m.run.block), otherPercent: m.run.block == 3 ? 30 : 2, pressurePercent: 40,
                                 throttledMicroseconds: 0)
            m.objectsLoad = m.run.block / 2
            if !m.programs.isEmpty {
                let scale = 1 + 0.1 * Double(m.objectsLoad)
                m.programs = m.programs.mapValues { var stats = $0; stats.runTimeNanoseconds = UInt64(Double($0.runTimeNanoseconds) * scale); return stats }
            }
            return m
        }
    }

    func build(_ plan: BenchPlan, _ phases: [PhaseMeasurement]) -> BenchResults {
        ResultsBuilderTests().build(plan, phases)
    }

    @Test func noiseIsSummarizedPerLevelBesideTheFloor() throws {
        let plan = ResultsBuilderTests.plan()
        let results = build(plan, Self.phases(plan))
        let noise = try #require(results.machineNoise)
        #expect(noise.levels.map(\.level) == [.saturation, .load(percent: 50)])
        let level = noise.levels[1]
        #expect(level.phases == 30)
        // Blocks 6–9 pass the 5% steal limit, block 3 the other tenants' 10%: 5 blocks of 3 arms.
        #expect(level.flagged == 15)
        #expect(level.stealMaxPercent == 9 && level.stealMedianPercent == 4.5)
        #expect(level.otherMaxPercent == 30 && level.otherMedianPercent == 2)
        #expect(level.mdeP50Percent == results.noiseFloor.mdePercent["50"]?.p50 && level.mdeCPUPercent != nil)
        #expect(!noise.dropped)
        let text = TablesRenderer.render(results)
        #expect(text.contains("## Machine noise") && text.contains("| 50%") && text.contains("9.00"))
    }

    @Test func placementSpreadIsPerLoadOfTheObjects() throws {
        let plan = ResultsBuilderTests.plan()
        let results = build(plan, Self.phases(plan))
        let sock = try #require(results.placement?.first { $0.arm == "sock/kernel" && $0.load == 50 })
        // 10 blocks, reloaded every 2: five loads at 190, 209, 228, 247, 266 ns/run.
        #expect(sock.nanosecondsPerRun.count == 5)
        #expect(abs(sock.nanosecondsPerRun[0] - 190) < 1e-3 && abs(sock.nanosecondsPerRun[4] - 266) < 1e-3)
        #expect(abs(try #require(sock.maxOverMin) - 1.4) < 1e-5)
        #expect(results.placement?.contains { $0.arm.hasPrefix("baseline") } == false)
        #expect(TablesRenderer.render(results).contains("## Placement (reloaded objects)"))
    }

    /// `--drop-noisy` takes flagged phases out of every Δ: they are invalid blocks with the reason.
    @Test func droppedNoisyPhasesAreInvalidBlocks() throws {
        var plan = ResultsBuilderTests.plan()
        plan.dropNoisy = true
        var phases = Self.phases(plan)
        _ = PhaseMeasurement.invalidateNoisy(&phases)
        let results = build(plan, phases)
        #expect(results.machineNoise?.dropped == true && results.machineNoise?.levels[1].flagged == 15)
        #expect(results.invalidBlocks.filter { if case .noisy = $0.reason { true } else { false } }.count == 15)
        #expect(results.phases.allSatisfy { $0.noisy == nil })
    }

    @Test func resultsWithNoiseValidateAgainstTheSchema() throws {
        let plan = ResultsBuilderTests.plan()
        let data = try build(plan, Self.phases(plan)).encoded()
        let problems = try ResultsSchemaTests.validator().validate(try JSONValue.parse(data))
        #expect(problems.isEmpty, "\(problems)")
        let decoded = try BenchResults.decode(data, source: "test")
        #expect(decoded.placement?.count == 1 * 2 && decoded.machineNoise?.levels.count == 2)
        #expect(decoded.phases.first?.objectsLoad == 0 && decoded.phases.first?.stealPercent == 0)
        #expect(decoded.config.reloadEvery == 2 && decoded.config.dropNoisy == false)
    }
}
