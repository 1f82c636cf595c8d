import Testing
@testable import KmonLoad

@Suite struct SendScheduleTests {
    @Test func constantRateIsEvenlySpacedWithoutDrift() {
        var schedule = SendSchedule(start: 1_000, ratePerSecond: 3_000, poisson: false)
        let times = (0..<30_001).map { _ in schedule.next() }
        #expect(times[0] == 1_000)
        #expect(times[1] - times[0] == 333_333)
        // k / rate computed from k: the 30000th send is exactly 10 s later, not 10 s minus rounding.
        #expect(times[30_000] == 1_000 + 10_000_000_000)
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 >= 333_333 && $1 - $0 <= 333_334 })
    }

    @Test func poissonGapsHaveTheRequestedMeanAndSpread() {
        var schedule = SendSchedule(start: 0, ratePerSecond: 10_000, poisson: true, seed: 42)
        var previous: UInt64 = 0
        var gaps: [Double] = []
        for _ in 0..<200_000 {
            let t = schedule.next()
            gaps.append(Double(t - previous))
            previous = t
        }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let variance = gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)
        // Exponential gaps: mean 100 µs and standard deviation equal to the mean.
        #expect(abs(mean - 100_000) / 100_000 < 0.01)
        #expect(abs(variance.squareRoot() - mean) / mean < 0.02)
        // Memorylessness: about e^-1 of the gaps exceed the mean.
        let longer = Double(gaps.filter { $0 > 100_000 }.count) / Double(gaps.count)
        #expect(abs(longer - 0.3679) < 0.01)
    }

    @Test func poissonScheduleRepeatsForASeedAndDiffersAcrossSeeds() {
        var a = SendSchedule(start: 0, ratePerSecond: 1_000, poisson: true, seed: 7)
        var b = SendSchedule(start: 0, ratePerSecond: 1_000, poisson: true, seed: 7)
        var c = SendSchedule(start: 0, ratePerSecond: 1_000, poisson: true, seed: 8)
        let ta = (0..<100).map { _ in a.next() }
        #expect(ta == (0..<100).map { _ in b.next() })
        #expect(ta != (0..<100).map { _ in c.next() })
        #expect(zip(ta, ta.dropFirst()).allSatisfy { $0 <= $1 })
    }
}
