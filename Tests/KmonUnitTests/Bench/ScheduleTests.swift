import Testing
@testable import KmonBench

@Suite struct ScheduleTests {
    let arms: [BenchArm] = [.baseline, .baselineRepeat, .probe("empty"), .probe("sock", mode: "kernel"), .probe("syscall")]

    func schedule(seed: UInt64) -> BenchSchedule {
        BenchSchedule(arms: arms, loadPercents: [50, 90], saturationBlocks: 3, loadBlocks: 6, seed: seed)
    }

    @Test func armNames() {
        #expect(arms.map(\.name) == ["baseline", "baseline-aa", "empty", "sock/kernel", "syscall"])
        #expect(BenchArm.baselineRepeat.isBaseline)
    }

    @Test func everyBlockRunsEveryArmOnce() {
        let runs = schedule(seed: 1).runs()
        #expect(runs.count == arms.count * (3 + 6 * 2))
        let groups = Dictionary(grouping: runs) { "\($0.phase)#\($0.block)" }
        #expect(groups.count == 3 + 12)
        for group in groups.values { #expect(Set(group.map(\.arm)) == Set(arms) && group.count == arms.count) }
        // Runs of a block are contiguous: blocks interleave the arms, never all of A then all of B.
        var seen: [String] = []
        for run in runs where seen.last != "\(run.phase)#\(run.block)" { seen.append("\(run.phase)#\(run.block)") }
        #expect(seen.count == groups.count)
    }

    @Test func saturationComesFirst() {
        let runs = schedule(seed: 1).runs()
        let firstLoad = runs.firstIndex { $0.phase != .saturation }!
        #expect(runs[..<firstLoad].allSatisfy { $0.phase == .saturation })
        #expect(runs[firstLoad...].allSatisfy { $0.phase != .saturation })
    }

    @Test func orderIsShuffledPerBlockAndReproducible() {
        let runs = schedule(seed: 42).runs()
        #expect(runs == schedule(seed: 42).runs())
        #expect(runs != schedule(seed: 43).runs())
        let orders = Set(Dictionary(grouping: runs) { "\($0.phase)#\($0.block)" }.values.map { $0.map(\.arm.name) })
        #expect(orders.count > 5)
    }
}
