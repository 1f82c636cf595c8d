import KmonSupport
import Testing
@testable import KmonBench

@Suite struct StatisticsTests {
    @Test func percentilesInterpolateBetweenRanks() {
        let values: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        #expect(Percentile.of(values, 0) == 1)
        #expect(Percentile.of(values, 1) == 10)
        #expect(Percentile.median(values) == 5.5)
        #expect(abs(Percentile.of(values, 0.99)! - 9.91) < 1e-9)
        #expect(Percentile.of([], 0.5) == nil)
        #expect(Percentile.of([42], 0.99) == 42)
        #expect(abs(Percentile.standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])! - 2.13809) < 1e-5)
    }

    @Test func seededGeneratorRepeats() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }

    @Test func bootstrapIntervalIsReproducibleAndCoversTheMedian() {
        var generator = SeededGenerator(seed: 1)
        let values = (0..<40).map { _ in 100 + Double.random(in: -10...10, using: &generator) }
        let interval = Bootstrap.medianInterval(values, seed: 3)!
        #expect(interval == Bootstrap.medianInterval(values, seed: 3)!)
        #expect(interval.contains(Percentile.median(values)!))
        #expect(interval.high - interval.low < 10)
        let wide = Bootstrap.medianInterval(Array(values.prefix(6)), seed: 3)!
        #expect(wide.high - wide.low > interval.high - interval.low)
        #expect(Bootstrap.medianInterval([1], seed: 3) == nil)
    }

    // Reference p-values from scipy.stats 1.17 (mannwhitneyu, wilcoxon).
    @Test func mannWhitneyMatchesScipy() {
        #expect(abs(RankTests.mannWhitneyP([1, 2, 3], [4, 5, 6])! - 0.1) < 1e-12)
        #expect(abs(RankTests.mannWhitneyP([1, 2, 3, 4], [5, 6, 7, 8])! - 2.0 / 70) < 1e-12)
        #expect(abs(RankTests.mannWhitneyP([1.1, 2.2, 3.3, 4.4], [0.5, 2.5, 3.6, 5.0, 6.1])! - 0.5555555555555556) < 1e-12)
        // Tied values: normal approximation with tie and continuity corrections.
        #expect(abs(RankTests.mannWhitneyP([1, 2, 2, 3, 5], [2, 4, 6, 7, 7, 8])! - 0.052477978971014166) < 1e-9)
        #expect(RankTests.mannWhitneyP([], [1]) == nil)
    }

    @Test func wilcoxonSignedRankMatchesScipy() {
        #expect(abs(RankTests.wilcoxonSignedRankP([1, 2, 3, 4, 5, 6])! - 0.03125) < 1e-12)
        #expect(abs(RankTests.wilcoxonSignedRankP([0.5, -1.2, 2.1, 3.3, -0.2, 4.4, 1.7])! - 0.109375) < 1e-12)
        #expect(abs(RankTests.wilcoxonSignedRankP([1, 1, 2, -3, 4, 4, 5])! - 0.10705794596591937) < 1e-9)
        #expect(RankTests.wilcoxonSignedRankP([0, 0]) == 1)
    }

    @Test func pairedComparisonFindsATenPercentSlowdown() {
        var generator = SeededGenerator(seed: 11)
        let baseline = (0..<10).map { _ in Double?(100 + Double.random(in: -3...3, using: &generator)) }
        let arm = baseline.map { $0.map { $0 * 1.10 * (1 + Double.random(in: -0.01...0.01, using: &generator)) } }
        let comparison = PairedComparison.compare(baseline: baseline, arm: arm, seed: 5)!
        #expect(comparison.blocks == 10)
        #expect(abs(comparison.deltaPercent - 10) < 1.5)
        #expect(comparison.interval!.contains(comparison.deltaPercent))
        #expect(!comparison.interval!.contains(0))
        #expect(comparison.pValue! < 0.01)
        #expect(Verdict.judge(comparison, mde: 3) == .slower)
        #expect(Verdict.judge(comparison, mde: 20) == .notDetected)
    }

    @Test func invalidBlocksDropTheirPair() {
        let comparison = PairedComparison.compare(baseline: [100, nil, 100, 100], arm: [110, 500, nil, 110], seed: 1)!
        #expect(comparison.blocks == 2)
        #expect(abs(comparison.deltaPercent - 10) < 1e-9)
        #expect(Verdict.judge(comparison, mde: nil) == .tooFewBlocks)
    }

    @Test func noDifferenceIsNotSignificant() {
        var generator = SeededGenerator(seed: 2)
        let baseline = (0..<10).map { _ in Double?(100 + Double.random(in: -5...5, using: &generator)) }
        let arm = (0..<10).map { _ in Double?(100 + Double.random(in: -5...5, using: &generator)) }
        let comparison = PairedComparison.compare(baseline: baseline, arm: arm, seed: 5)!
        #expect(Verdict.judge(comparison, mde: nil) == .notSignificant)
    }

    @Test func minimumDetectableEffectFollowsTheAAFormula() {
        let first: [Double?] = [100, 100, 100, 100, 100]
        let second: [Double?] = [102, 98, 101, 99, 100]
        // Differences +2, −2, +1, −1, 0 %: median 0, MAD 1, σ = 1.4826, MDE = 2.8σ/√5.
        let expected = 2.8 * 1.4826 / 5.0.squareRoot()
        #expect(abs(NoiseFloor.minimumDetectableEffect(first: first, second: second)! - expected) < 1e-9)
        #expect(NoiseFloor.minimumDetectableEffect(first: [100], second: [101]) == nil)
    }

    /// One stalled block does not blow up the floor: the medians the Δs come from barely move either.
    @Test func oneStallBarelyMovesTheNoiseFloor() {
        let first: [Double?] = [100, 100, 100, 100, 100, 100]
        let calm = NoiseFloor.minimumDetectableEffect(first: first, second: [102, 98, 101, 99, 100, 101])!
        let stalled = NoiseFloor.minimumDetectableEffect(first: first, second: [102, 98, 101, 99, 100, 900])!
        #expect(stalled < calm * 1.5, "\(calm) → \(stalled)")
    }

    /// The block bootstrap: the CI resamples blocks, so it narrows with more blocks and holds the truth.
    @Test func blockBootstrapCoversTheTrueRatioAndNarrowsWithBlocks() {
        var generator = SeededGenerator(seed: 12)
        func blocks(_ n: Int) -> (baseline: [Double?], arm: [Double?]) {
            var baseline: [Double?] = [], arm: [Double?] = []
            for block in 0..<n {
                let drift = 100 * (1 + 0.3 * Double(block) / Double(n))
                baseline.append(drift * (1 + Double.random(in: -0.02...0.02, using: &generator)))
                arm.append(drift * 1.03 * (1 + Double.random(in: -0.02...0.02, using: &generator)))
            }
            return (baseline, arm)
        }
        let few = blocks(10), many = blocks(40)
        let small = PairedComparison.compare(baseline: few.baseline, arm: few.arm, seed: 1)!
        let large = PairedComparison.compare(baseline: many.baseline, arm: many.arm, seed: 1)!
        #expect(small.interval!.contains(3) && large.interval!.contains(3), "\(small.interval!) \(large.interval!)")
        #expect(large.interval!.high - large.interval!.low < small.interval!.high - small.interval!.low)
        #expect(PairedComparison.compare(baseline: many.baseline, arm: many.arm, seed: 1) == large, "seeded: reproducible")
    }
}
