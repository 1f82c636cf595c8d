import KmonSupport

/// One arm at the trigger level (results.json `trigger`): its programs' warm cost with the
/// driver firing the hooks, beside their in-situ cost under the services' load, and the
/// driver's time per iteration against the baseline's in the same blocks.
public struct TriggerRow: Codable, Sendable, Equatable {
    public var arm: String
    public var blocks: Int
    /// Driver iterations per phase (one request and one response each; median over blocks,
    /// fewer than asked where a burst hit its time limit).
    public var iterations: Int
    /// Medians over blocks of the driver thread's CPU ns per iteration, and of this arm's minus
    /// the baseline's in the same block.
    @ExplicitNull public var nanosecondsPerIteration: Double? = nil
    @ExplicitNull public var deltaNanosecondsPerIteration: Double? = nil
    /// Median elapsed ns per iteration: above the CPU figure by the time other work had the CPU.
    @ExplicitNull public var wallNanosecondsPerIteration: Double? = nil
    /// Runs of all the arm's programs per iteration (median over blocks).
    @ExplicitNull public var runsPerIteration: Double? = nil
    /// run_time_ns / run_cnt over every program and trigger phase (weighted by runs), and per phase in block order.
    @ExplicitNull public var warmNanosecondsPerRun: Double? = nil
    public var warmNanosecondsPerRunBlocks: [Double]
    /// The same over the load levels' phases: the services' load.
    @ExplicitNull public var inSituNanosecondsPerRun: Double? = nil
    /// Δ ns per iteration over runs per iteration: a run's cost with its hook dispatch, which
    /// run_time_ns leaves out (median over blocks, and per block).
    @ExplicitNull public var dispatchNanosecondsPerRun: Double? = nil
    public var dispatchNanosecondsPerRunBlocks: [Double]
    public var programs: [String: TriggerProgram]
    /// Runs of other arms' programs during this arm's phases: zero unless a detach failed.
    public var strayRuns: UInt64

    public init(arm: String, blocks: Int, iterations: Int) {
        self.arm = arm
        self.blocks = blocks
        self.iterations = iterations
        warmNanosecondsPerRunBlocks = []
        dispatchNanosecondsPerRunBlocks = []
        programs = [:]
        strayRuns = 0
    }

    enum CodingKeys: String, CodingKey {
        case arm, blocks, iterations, programs
        case nanosecondsPerIteration = "ns_per_iteration", deltaNanosecondsPerIteration = "delta_ns_per_iteration"
        case wallNanosecondsPerIteration = "wall_ns_per_iteration"
        case runsPerIteration = "runs_per_iteration", warmNanosecondsPerRun = "warm_ns_per_run"
        case warmNanosecondsPerRunBlocks = "warm_ns_per_run_blocks", inSituNanosecondsPerRun = "in_situ_ns_per_run"
        case dispatchNanosecondsPerRun = "dispatch_ns_per_run", dispatchNanosecondsPerRunBlocks = "dispatch_ns_per_run_blocks"
        case strayRuns = "stray_runs"
    }
}
