import KmonSupport
/// What kind of load a scheduled run applies.
public enum BenchPhase: Hashable, Sendable, CustomStringConvertible {
    /// Closed loop, as fast as the arm can go.
    case saturation
    /// Open loop at this percentage of the baseline's saturation throughput.
    case load(percent: Double)

    public var description: String {
        switch self {
        case .saturation: "saturation"
        case .load(let percent): "load \(BenchSchedule.format(percent))%"
        }
    }
}

/// One measured run: an arm under a phase, in a block.
public struct ScheduledRun: Hashable, Sendable {
    public var phase: BenchPhase
    public var block: Int
    public var arm: BenchArm
}

/// The order of runs: randomized, interleaved blocks.
///
/// Every block runs every arm once, in an order shuffled per block from the seed. Arms are
/// never run all-A-then-all-B, so the machine's drift lands on every arm alike, and each block
/// yields one paired value per arm. Saturation blocks come first because the load levels are
/// fractions of the baseline's saturation.
public struct BenchSchedule: Sendable {
    public var arms: [BenchArm]
    public var loadPercents: [Double]
    public var saturationBlocks: Int
    public var loadBlocks: Int
    public var seed: UInt64

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
        for block in 0..<saturationBlocks {
            runs += arms.shuffled(using: &generator).map { ScheduledRun(phase: .saturation, block: block, arm: $0) }
        }
        for block in 0..<loadBlocks {
            for percent in loadPercents.shuffled(using: &generator) {
                runs += arms.shuffled(using: &generator).map {
                    ScheduledRun(phase: .load(percent: percent), block: block, arm: $0)
                }
            }
        }
        return runs
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
