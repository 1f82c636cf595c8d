import Foundation

/// Two-sided non-parametric tests. Latency and cost figures are skewed and few (one value per
/// block), so rank tests, with exact null distributions when the samples are small and untied.
public enum RankTests {
    /// Mann-Whitney U: are two independent samples drawn from the same distribution?
    /// Used by the gate, where the baseline's blocks and the current run's blocks are not paired.
    public static func mannWhitneyP(_ x: [Double], _ y: [Double]) -> Double? {
        guard !x.isEmpty, !y.isEmpty else { return nil }
        let n1 = x.count, n2 = y.count
        let ranked = averageRanks(x + y)
        let rankSumX = ranked.ranks[0..<n1].reduce(0, +)
        let u = rankSumX - Double(n1 * (n1 + 1)) / 2
        let product = Double(n1 * n2)
        if !ranked.hasTies && n1 <= 30 && n2 <= 30 {
            let counts = mannWhitneyCounts(n1, n2)
            let total = counts.reduce(0, +)
            let smaller = Int(min(u, product - u).rounded())
            let tail = counts[0...smaller].reduce(0, +) / total
            return min(1, 2 * tail)
        }
        let n = Double(n1 + n2)
        let variance = product / 12 * ((n + 1) - ranked.tieTerm / (n * (n - 1)))
        guard variance > 0 else { return 1 }
        let z = max(0, abs(u - product / 2) - 0.5) / variance.squareRoot()
        return min(1, erfc(z / 2.0.squareRoot()))
    }

    /// Wilcoxon signed-rank on paired differences (for example B − A in each block): is their
    /// median zero? Zero differences are dropped, as in Wilcoxon's original test.
    public static func wilcoxonSignedRankP(_ differences: [Double]) -> Double? {
        let nonzero = differences.filter { $0 != 0 }
        guard !nonzero.isEmpty else { return differences.isEmpty ? nil : 1 }
        let n = nonzero.count
        let ranked = averageRanks(nonzero.map(abs))
        let positive = zip(nonzero, ranked.ranks).reduce(0.0) { $0 + ($1.0 > 0 ? $1.1 : 0) }
        let maxSum = n * (n + 1) / 2
        if !ranked.hasTies && n <= 30 {
            let counts = signedRankCounts(n)
            let total = counts.reduce(0, +)
            let w = Int(positive.rounded())
            let lower = counts[0...w].reduce(0, +) / total
            let upper = counts[w...maxSum].reduce(0, +) / total
            return min(1, 2 * min(lower, upper))
        }
        let mean = Double(maxSum) / 2
        let variance = Double(n * (n + 1) * (2 * n + 1)) / 24 - ranked.tieTerm / 48
        guard variance > 0 else { return 1 }
        let z = max(0, abs(positive - mean) - 0.5) / variance.squareRoot()
        return min(1, erfc(z / 2.0.squareRoot()))
    }

    /// Ranks 1...n with ties given their average rank, and Σ(t³ − t) over tie groups.
    static func averageRanks(_ values: [Double]) -> (ranks: [Double], hasTies: Bool, tieTerm: Double) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieTerm = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end + 2) / 2
            for i in start...end { ranks[order[i]] = rank }
            let t = Double(end - start + 1)
            tieTerm += t * t * t - t
            start = end + 1
        }
        return (ranks, tieTerm > 0, tieTerm)
    }

    /// How many arrangements of n1 + n2 untied values give each U = 0...n1·n2.
    static func mannWhitneyCounts(_ n1: Int, _ n2: Int) -> [Double] {
        // f(m, n)[u] = f(m − 1, n)[u − n] + f(m, n − 1)[u]: the largest value is either an x
        // (beating all n y's) or a y (beating nothing).
        var table = [[[Double]]](repeating: [[Double]](repeating: [], count: n2 + 1), count: n1 + 1)
        for m in 0...n1 {
            for n in 0...n2 {
                var counts = [Double](repeating: 0, count: m * n + 1)
                if m == 0 || n == 0 {
                    counts[0] = 1
                } else {
                    for (u, c) in table[m - 1][n].enumerated() { counts[u + n] += c }
                    for (u, c) in table[m][n - 1].enumerated() { counts[u] += c }
                }
                table[m][n] = counts
            }
        }
        return table[n1][n2]
    }

    /// How many of the 2ⁿ sign assignments of ranks 1...n give each positive-rank sum.
    static func signedRankCounts(_ n: Int) -> [Double] {
        var counts = [Double](repeating: 0, count: n * (n + 1) / 2 + 1)
        counts[0] = 1
        for rank in stride(from: 1, through: n, by: 1) {
            for sum in stride(from: counts.count - 1, through: rank, by: -1) { counts[sum] += counts[sum - rank] }
        }
        return counts
    }
}
