import KmonSupport

/// One program at the trigger level.
public struct TriggerProgram: Codable, Sendable, Equatable {
    /// Median over the trigger phases of its runs, and its runs per driver iteration.
    public var runsPerPhase: Double
    public var runsPerIteration: Double
    @ExplicitNull public var warmNanosecondsPerRun: Double? = nil
    @ExplicitNull public var inSituNanosecondsPerRun: Double? = nil

    public init(runsPerPhase: Double, runsPerIteration: Double, warmNanosecondsPerRun: Double?, inSituNanosecondsPerRun: Double?) {
        self.runsPerPhase = runsPerPhase
        self.runsPerIteration = runsPerIteration
        self.warmNanosecondsPerRun = warmNanosecondsPerRun
        self.inSituNanosecondsPerRun = inSituNanosecondsPerRun
    }

    enum CodingKeys: String, CodingKey {
        case runsPerPhase = "runs_per_phase", runsPerIteration = "runs_per_iteration"
        case warmNanosecondsPerRun = "warm_ns_per_run", inSituNanosecondsPerRun = "in_situ_ns_per_run"
    }
}
