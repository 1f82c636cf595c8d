/// The shape of one bench run: which arms, which loads, how many blocks of how long.
public struct BenchPlan: Sendable {
    public var workload: String
    public var network: String
    public var arms: [BenchArm]
    /// Percent of the baseline's saturation throughput.
    public var loadPercents: [Double]
    public var blocks: Int
    public var saturationBlocks: Int
    /// Measured seconds per open-loop run, after `warmupSeconds`.
    public var durationSeconds: Double
    public var saturationSeconds: Double
    public var warmupSeconds: Double
    public var connections: Int
    public var seed: UInt64
    public var quick: Bool
    public var command: String

    public init(workload: String, network: String, arms: [BenchArm], loadPercents: [Double], blocks: Int,
                saturationBlocks: Int, durationSeconds: Double, saturationSeconds: Double, warmupSeconds: Double,
                connections: Int, seed: UInt64, quick: Bool, command: String) {
        self.workload = workload
        self.network = network
        self.arms = arms
        self.loadPercents = loadPercents
        self.blocks = blocks
        self.saturationBlocks = saturationBlocks
        self.durationSeconds = durationSeconds
        self.saturationSeconds = saturationSeconds
        self.warmupSeconds = warmupSeconds
        self.connections = connections
        self.seed = seed
        self.quick = quick
        self.command = command
    }

    public var schedule: BenchSchedule {
        BenchSchedule(arms: arms, loadPercents: loadPercents, saturationBlocks: saturationBlocks, loadBlocks: blocks, seed: seed)
    }

    public func seconds(of phase: BenchPhase) -> Double {
        switch phase {
        case .saturation: saturationSeconds + warmupSeconds
        case .load: durationSeconds + warmupSeconds
        }
    }

    public var record: BenchConfigRecord {
        BenchConfigRecord(workload: workload, network: network, arms: arms.map(\.name), loads: loadPercents, blocks: blocks,
                          saturationBlocks: saturationBlocks, durationSeconds: durationSeconds, warmupSeconds: warmupSeconds,
                          connections: connections, seed: seed, quick: quick, command: command)
    }
}
