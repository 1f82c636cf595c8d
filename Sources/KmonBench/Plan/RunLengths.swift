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
    /// Blocks of the trigger level (0: none) and the driver's iterations per phase.
    public var triggerBlocks: Int
    public var triggerIterations: Int

    public init(blocks: Int, saturationBlocks: Int, phaseSeconds: Double, settleSeconds: Double, kneeSeconds: Double,
                accuracySeconds: Double, warmupSeconds: Double, connections: Int, triggerBlocks: Int = 0,
                triggerIterations: Int = 0) {
        self.blocks = blocks
        self.saturationBlocks = saturationBlocks
        self.phaseSeconds = phaseSeconds
        self.settleSeconds = settleSeconds
        self.kneeSeconds = kneeSeconds
        self.accuracySeconds = accuracySeconds
        self.warmupSeconds = warmupSeconds
        self.connections = connections
        self.triggerBlocks = triggerBlocks
        self.triggerIterations = triggerIterations
    }

    enum CodingKeys: String, CodingKey {
        case blocks, connections
        case saturationBlocks = "saturation_blocks", phaseSeconds = "phase_s", settleSeconds = "settle_s"
        case kneeSeconds = "knee_s", accuracySeconds = "accuracy_s", warmupSeconds = "warmup_s"
        case triggerBlocks = "trigger_blocks", triggerIterations = "trigger_iterations"
    }

    /// Results from before the trigger level read as runs without it.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(blocks: try c.decode(Int.self, forKey: .blocks), saturationBlocks: try c.decode(Int.self, forKey: .saturationBlocks),
                  phaseSeconds: try c.decode(Double.self, forKey: .phaseSeconds), settleSeconds: try c.decode(Double.self, forKey: .settleSeconds),
                  kneeSeconds: try c.decode(Double.self, forKey: .kneeSeconds), accuracySeconds: try c.decode(Double.self, forKey: .accuracySeconds),
                  warmupSeconds: try c.decode(Double.self, forKey: .warmupSeconds), connections: try c.decode(Int.self, forKey: .connections),
                  triggerBlocks: try c.decodeIfPresent(Int.self, forKey: .triggerBlocks) ?? 0,
                  triggerIterations: try c.decodeIfPresent(Int.self, forKey: .triggerIterations) ?? 0)
    }
}
