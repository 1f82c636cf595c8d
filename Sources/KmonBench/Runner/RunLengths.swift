/// How long and how often a bench measures: what a preset proposes, the plan runs, and
/// results.json's `config` records (flat, beside the workload and the arms).
public struct RunLengths: Codable, Sendable, Equatable {
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

    public init(blocks: Int, saturationBlocks: Int, phaseSeconds: Double, settleSeconds: Double, kneeSeconds: Double,
                accuracySeconds: Double, warmupSeconds: Double, connections: Int) {
        self.blocks = blocks
        self.saturationBlocks = saturationBlocks
        self.phaseSeconds = phaseSeconds
        self.settleSeconds = settleSeconds
        self.kneeSeconds = kneeSeconds
        self.accuracySeconds = accuracySeconds
        self.warmupSeconds = warmupSeconds
        self.connections = connections
    }

    enum CodingKeys: String, CodingKey {
        case blocks, connections
        case saturationBlocks = "saturation_blocks", phaseSeconds = "phase_s", settleSeconds = "settle_s"
        case kneeSeconds = "knee_s", accuracySeconds = "accuracy_s", warmupSeconds = "warmup_s"
    }
}
