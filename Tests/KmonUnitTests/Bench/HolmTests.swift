import Testing
@testable import KmonBench

/// Holm's step-down adjustment against hand-worked p-value sets.
@Suite struct HolmTests {
    @Test func knownSetsGiveKnownAdjustments() {
        // Sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04 → running max.
        let adjusted = Holm.adjusted([0.01, 0.04, 0.03, 0.005])
        let expected: [Double] = [0.03, 0.06, 0.06, 0.02]
        #expect(zip(adjusted, expected).allSatisfy { abs($0! - $1) < 1e-12 })
        #expect(Holm.rejected([0.01, 0.04, 0.03, 0.005], alpha: 0.05) == [true, false, false, true])
        #expect(Holm.adjusted([0.6, 0.9]).map { $0! } == [1, 1])
    }

    @Test func holmRejectsMoreThanBonferroni() {
        // Bonferroni: 0.03, 0.06, 0.12 → one rejection. Holm: 0.03, 0.04, 0.04 → all three.
        #expect(Holm.rejected([0.01, 0.02, 0.04], alpha: 0.05) == [true, true, true])
    }

    @Test func moreComparisonsMakeAMarginalOneFail() {
        #expect(Holm.rejected([0.03], alpha: 0.05) == [true])
        #expect(Holm.rejected([0.03, 0.5], alpha: 0.05) == [false, false])
        #expect(Holm.rejected([0.0015] + Array(repeating: 0.5, count: 40), alpha: 0.05)[0] == false)
        #expect(Holm.rejected([0.0015] + Array(repeating: 0.5, count: 30), alpha: 0.05)[0] == true)
    }

    @Test func missingPValuesAreNotTests() {
        #expect(Holm.adjusted([0.02, nil]) == [0.02, nil])
        #expect(Holm.rejected([nil, 0.03, nil], alpha: 0.05) == [false, true, false])
        #expect(Holm.adjusted([]).isEmpty)
    }
}
