/// The shape of one bench run: which arms, which loads, how many blocks of how long.
public struct BenchPlan: Sendable {
    public var workload: String
    public var network: String
    public var arms: [BenchArm]
    /// Percent of the baseline's knee (`KneeSearch`).
    public var loadPercents: [Double]
    /// Blocks per load level: each holds one phase of every arm.
    public var blocks: Int
    public var saturationBlocks: Int
    /// One arm's turn in a block, settling time included.
    public var phaseSeconds: Double
    /// Discarded after each switch of arms.
    public var settleSeconds: Double
    /// Measured seconds per rate of the knee search.
    public var kneeSeconds: Double
    /// Measured seconds of each fresh-service accuracy run.
    public var accuracySeconds: Double
    /// Before each load run's first phase.
    public var warmupSeconds: Double
    public var connections: Int
    public var seed: UInt64
    public var quick: Bool
    public var command: String

    public init(workload: String, network: String, arms: [BenchArm], loadPercents: [Double], blocks: Int,
                saturationBlocks: Int, phaseSeconds: Double, settleSeconds: Double, kneeSeconds: Double,
                accuracySeconds: Double, warmupSeconds: Double, connections: Int, seed: UInt64, quick: Bool, command: String) {
        self.workload = workload
        self.network = network
        self.arms = arms
        self.loadPercents = loadPercents
        self.blocks = blocks
        self.saturationBlocks = saturationBlocks
        self.phaseSeconds = phaseSeconds
        self.settleSeconds = settleSeconds
        self.kneeSeconds = kneeSeconds
        self.accuracySeconds = accuracySeconds
        self.warmupSeconds = warmupSeconds
        self.connections = connections
        self.seed = seed
        self.quick = quick
        self.command = command
    }

    public var schedule: BenchSchedule {
        BenchSchedule(arms: arms, loadPercents: loadPercents, saturationBlocks: saturationBlocks, loadBlocks: blocks, seed: seed)
    }

    /// Arms that get fresh-service accuracy runs: those whose probe reports spans.
    public var accuracyArms: [BenchArm] { arms.filter { $0.reportsSpans && $0.build == .current } }

    /// A rough length of the whole bench, for the progress bar: about a second per service start.
    public var estimatedSeconds: Double {
        let phases = Double(arms.count * (saturationBlocks + blocks * loadPercents.count)) * phaseSeconds
        let warmups = Double(1 + loadPercents.count) * warmupSeconds
        let knee = Double(KneeSearch.fractions.count) * (kneeSeconds + warmupSeconds)
        let accuracy = Double(accuracyArms.count * loadPercents.count) * (accuracySeconds + warmupSeconds + 1.5)
        return phases + warmups + knee + accuracy + 2
    }

    public var record: BenchConfigRecord {
        BenchConfigRecord(workload: workload, network: network, arms: arms.map(\.name), loads: loadPercents, blocks: blocks,
                          saturationBlocks: saturationBlocks, phaseSeconds: phaseSeconds, settleSeconds: settleSeconds,
                          kneeSeconds: kneeSeconds, accuracySeconds: accuracySeconds, warmupSeconds: warmupSeconds,
                          connections: connections, seed: seed, quick: quick, command: command)
    }
}
