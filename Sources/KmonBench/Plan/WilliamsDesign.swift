import KmonSupport

/// Arm orders balanced for first-order carryover: a Williams Latin square.
///
/// A phase can pay for the arm before it (a detach still completing, caches cooled by a heavy
/// arm). Shuffling each block leaves that to chance, and over 10–30 blocks chance leaves some
/// arm following a heavy one more often than its A/A twin does. In a Williams square every arm
/// immediately follows every other arm equally often, so what the previous arm leaves behind
/// lands on every arm alike and cancels in the paired Δs.
public enum WilliamsDesign {
    /// The square's sequences of arm indices 0..<n: n of them for even n, 2n for odd n (the
    /// cyclic square and its mirror image). Over all of them each ordered pair (a, b), a ≠ b,
    /// is adjacent exactly once (even n) or twice (odd n). For odd n, sequence `n + i` is
    /// sequence `i` reversed: any set holding both of each such pair has every a→b as often as b→a.
    public static func sequences(_ n: Int) -> [[Int]] {
        guard n > 1 else { return n == 1 ? [[0]] : [] }
        // 0, 1, n-1, 2, n-2, …: the differences between neighbours take every nonzero value once.
        let first = (0..<n).map { j in j == 0 ? 0 : (j % 2 == 1 ? (j + 1) / 2 : n - j / 2) }
        let square = (0..<n).map { shift in first.map { ($0 + shift) % n } }
        return n % 2 == 0 ? square : square + square.map { Array($0.reversed()) }
    }

    /// The order of `blocks` blocks: each an index into `sequences(n)`.
    ///
    /// The sequences are used in cycles; each cycle uses all of them once, in an order drawn from
    /// `generator`, so every complete cycle is balanced. For odd n a cycle is drawn as mirror pairs,
    /// so a partial last cycle still has every a→b as often as b→a when it holds whole pairs.
    /// Blocks follow one another in one run, so a block's first arm follows the previous block's
    /// last. With one such transition per block, the n(n − 1) ordered pairs cannot be balanced
    /// there too; they are left to the draw (and, every `--reload-every` blocks, the boundary holds
    /// a reload with every arm detached). Only a repeat is avoided: a block never starts with the
    /// arm the previous one ended with, wherever an order of the cycle allows it (never for two
    /// arms), so every phase follows a switch.
    public static func blockOrder(arms n: Int, blocks: Int, using generator: inout SeededGenerator) -> [Int] {
        let all = sequences(n)
        guard !all.isEmpty else { return [] }
        var order: [Int] = []
        while order.count < blocks {
            let units: [[Int]] = n % 2 == 0 || n == 1
                ? (0..<all.count).map { [$0] }
                : (0..<n).map { [$0, $0 + n] }
            // A partial cycle's draw of units may admit no order without a repeat: draw again.
            var cycle: [Int] = []
            for _ in 0..<50 {
                cycle = []
                for unit in units.shuffled(using: &generator) where order.count + cycle.count < blocks {
                    cycle += unit.shuffled(using: &generator)
                }
                if let chained = chain(cycle, after: order.last.map { all[$0].last! }, all) {
                    cycle = chained
                    break
                }
            }
            order += cycle
        }
        return Array(order.prefix(blocks))
    }

    /// `cycle` reordered so that no sequence starts with the arm the one before it ended with
    /// (the first: with `last`), keeping the drawn order where it can; nil when none exists
    /// (two arms) or the search runs long.
    static func chain(_ cycle: [Int], after last: Int?, _ all: [[Int]]) -> [Int]? {
        var budget = 100_000
        var used = [Bool](repeating: false, count: cycle.count)
        var path: [Int] = []
        func extend(_ last: Int?) -> Bool {
            if path.count == cycle.count { return true }
            for (i, candidate) in cycle.enumerated() where !used[i] && all[candidate].first != last {
                budget -= 1
                if budget < 0 { return false }
                used[i] = true
                path.append(candidate)
                if extend(all[candidate].last) { return true }
                path.removeLast()
                used[i] = false
            }
            return false
        }
        return extend(last) ? path : nil
    }

    /// The arms of each of `blocks` blocks: the arm labels permuted once from `generator`, then
    /// each block one sequence of the square.
    public static func blocks<Arm>(_ arms: [Arm], count blocks: Int, using generator: inout SeededGenerator) -> [[Arm]] {
        let labels = arms.shuffled(using: &generator)
        let all = sequences(arms.count)
        return blockOrder(arms: arms.count, blocks: blocks, using: &generator).map { all[$0].map { labels[$0] } }
    }
}
