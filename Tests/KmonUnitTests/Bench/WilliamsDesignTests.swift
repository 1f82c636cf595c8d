@testable import KmonBench
import KmonSupport
import Testing

/// The arm order's carryover balance: which arm precedes which, counted over blocks.
@Suite struct WilliamsDesignTests {
    /// Ordered pairs (a, b) with b right after a inside a block, counted over `blocks`.
    func pairCounts(_ blocks: [[Int]]) -> [[Int]: Int] {
        var counts: [[Int]: Int] = [:]
        for block in blocks {
            for (a, b) in zip(block, block.dropFirst()) { counts[[a, b], default: 0] += 1 }
        }
        return counts
    }

    func allPairs(_ n: Int) -> [[Int]] {
        (0..<n).flatMap { a in (0..<n).filter { $0 != a }.map { [a, $0] } }
    }

    @Test(arguments: [2, 4, 6, 10])
    func evenSquaresHaveEveryOrderedPairOnce(n: Int) {
        let square = WilliamsDesign.sequences(n)
        #expect(square.count == n)
        for row in square { #expect(row.sorted() == Array(0..<n)) }
        let counts = pairCounts(square)
        #expect(counts.count == n * (n - 1))
        for pair in allPairs(n) { #expect(counts[pair] == 1, "\(pair)") }
    }

    @Test(arguments: [3, 5, 7, 11])
    func oddSquaresHaveEveryOrderedPairTwice(n: Int) {
        let square = WilliamsDesign.sequences(n)
        #expect(square.count == 2 * n)
        for row in square { #expect(row.sorted() == Array(0..<n)) }
        let counts = pairCounts(square)
        for pair in allPairs(n) { #expect(counts[pair] == 2, "\(pair)") }
        // The cyclic square alone has each neighbour pair twice, in whichever direction.
        let half = pairCounts(Array(square.prefix(n)))
        for pair in allPairs(n) where pair[0] < pair[1] { #expect((half[pair] ?? 0) + (half[[pair[1], pair[0]]] ?? 0) == 2) }
    }

    /// Whole cycles of blocks are balanced exactly; each block is a permutation of the arms.
    @Test(arguments: [(4, 12), (5, 30), (5, 10), (11, 22), (6, 18)])
    func completeCyclesOfBlocksAreBalanced(n: Int, blocks: Int) {
        var generator = SeededGenerator(seed: 7)
        let order = WilliamsDesign.blocks(Array(0..<n), count: blocks, using: &generator)
        #expect(order.count == blocks)
        for block in order { #expect(block.sorted() == Array(0..<n)) }
        let expected = blocks * (n - 1) / (n * (n - 1))
        let counts = pairCounts(order)
        for pair in allPairs(n) { #expect(counts[pair] == expected, "\(pair) in \(n) arms × \(blocks) blocks") }
    }

    /// The gate's 11 arms in 20 blocks (of 22 sequences): every a→b as often as b→a, and no
    /// ordered pair more than twice.
    @Test func aPartialOddCycleKeepsBothDirectionsEqual() {
        var generator = SeededGenerator(seed: 3)
        let counts = pairCounts(WilliamsDesign.blocks(Array(0..<11), count: 20, using: &generator))
        for pair in allPairs(11) {
            #expect(counts[pair, default: 0] == counts[[pair[1], pair[0]], default: 0], "\(pair)")
            #expect(counts[pair, default: 0] <= 2)
        }
    }

    /// A block never starts with the arm the previous block ended with: every phase follows a switch.
    @Test(arguments: [3, 4, 5, 11])
    func noBlockRepeatsThePreviousBlocksLastArm(n: Int) {
        for seed in UInt64(1)...20 {
            var generator = SeededGenerator(seed: seed)
            let order = WilliamsDesign.blocks(Array(0..<n), count: 3 * n, using: &generator)
            for (a, b) in zip(order, order.dropFirst()) { #expect(a.last != b.first, "seed \(seed)") }
        }
    }

    @Test func theScheduleIsBalancedPerLevelAndReproducible() {
        let arms: [BenchArm] = [.baseline, .baselineRepeat, .probe(.empty), .probe(.sock, mode: .kernel), .probe(.syscall, mode: .kernel)]
        let schedule = BenchSchedule(arms: arms, loadPercents: [25, 50], saturationBlocks: 4, loadBlocks: 10, seed: 11)
        #expect(schedule.runs() == schedule.runs())
        var other = schedule
        other.seed = 12
        #expect(schedule.runs() != other.runs())
        for level in [BenchLevel.load(percent: 25), .load(percent: 50)] {
            let blocks = Dictionary(grouping: schedule.runs(of: level), by: \.block).sorted { $0.key < $1.key }
                .map { $0.value.map { arms.firstIndex(of: $0.arm)! } }
            #expect(blocks.count == 10)
            let counts = pairCounts(blocks)
            for pair in allPairs(arms.count) { #expect(counts[pair] == 2, "\(level) \(pair)") }
        }
    }
}
