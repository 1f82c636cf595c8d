import KmonSupport

/// One phase: an arm's turn in a block of a level.
public struct ScheduledRun: Hashable, Sendable {
    public var level: BenchLevel
    public var block: Int
    public var arm: BenchArm
}

/// The order of phases: interleaved blocks, balanced for carryover.
///
/// Every block holds one phase of every arm. Arms are never run all-A-then-all-B, so the
/// machine's drift lands on every arm alike, and each block yields one paired value per arm.
/// Within a level the blocks follow a Williams square (`WilliamsDesign`) whose arm labels are
/// permuted from the seed once per level: each arm follows each other arm equally often, so
/// no arm pays more than another for what the arm before it left behind. Saturation comes
/// first, then each load level's blocks (one load run per level).
public struct BenchSchedule: Sendable {
    public var arms: [BenchArm]
    public var loadPercents: [Double]
    public var saturationBlocks: Int
    public var loadBlocks: Int
    public var seed: UInt64
    /// Blocks of the trigger level, after the load levels; 0 leaves it out.
    public var triggerBlocks = 0

    public init(arms: [BenchArm], loadPercents: [Double], saturationBlocks: Int, loadBlocks: Int, seed: UInt64) {
        self.arms = arms
        self.loadPercents = loadPercents
        self.saturationBlocks = saturationBlocks
        self.loadBlocks = loadBlocks
        self.seed = seed
    }

    public func runs() -> [ScheduledRun] {
        var generator = SeededGenerator(seed: seed)
        var runs: [ScheduledRun] = []
        let levels = [(BenchLevel.saturation, saturationBlocks)] + loadPercents.map { (BenchLevel.load(percent: $0), loadBlocks) }
        for (level, blocks) in levels {
            for (block, order) in WilliamsDesign.blocks(arms, count: blocks, using: &generator).enumerated() {
                runs += order.map { ScheduledRun(level: level, block: block, arm: $0) }
            }
        }
        for block in 0..<triggerBlocks {
            runs += arms.shuffled(using: &generator).map { ScheduledRun(level: .trigger, block: block, arm: $0) }
        }
        return runs
    }

    public func runs(of level: BenchLevel) -> [ScheduledRun] {
        runs().filter { $0.level == level }
    }

    /// A load percent as results.json keys it ("50", "12.5").
    static func format(_ value: Double) -> String { NumberText.plain(value) }
}
