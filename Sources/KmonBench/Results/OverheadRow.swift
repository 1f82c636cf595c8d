import KmonSupport

/// One row of the overhead table: an arm at one load level, against the baseline phases of the
/// same blocks of the same in-place run.
///
/// Every Δ is the median over blocks of arm/baseline, with a bootstrap 95% CI (resampling
/// blocks) and a Wilcoxon signed-rank p-value; `mde_pct` is each metric's A/A noise floor.
public struct OverheadRow: Codable, Sendable {
    public var arm: String
    public var variant: String
    @ExplicitNull public var mode: String? = nil
    /// Percent of the baseline's knee.
    public var load: Double
    public var offeredRPS: Double
    @ExplicitNull public var achievedRPS: Double? = nil
    /// Pooled over the arm's phases.
    @ExplicitNull public var p50Microseconds: Double? = nil
    @ExplicitNull public var p90Microseconds: Double? = nil
    @ExplicitNull public var p99Microseconds: Double? = nil
    @ExplicitNull public var p999Microseconds: Double? = nil
    @ExplicitNull public var meanMicroseconds: Double? = nil
    @ExplicitNull public var p50DeltaPercent: Double? = nil
    @ExplicitNull public var p50DeltaCI: [Double]? = nil
    @ExplicitNull public var p50PValue: Double? = nil
    @ExplicitNull public var p90DeltaPercent: Double? = nil
    @ExplicitNull public var p90DeltaCI: [Double]? = nil
    @ExplicitNull public var p99DeltaPercent: Double? = nil
    @ExplicitNull public var p99DeltaCI: [Double]? = nil
    /// The p99 Δ's p-value.
    @ExplicitNull public var pValue: Double? = nil
    @ExplicitNull public var meanDeltaPercent: Double? = nil
    @ExplicitNull public var meanDeltaCI: [Double]? = nil
    /// The `cpu` metric: services + agent CPU µs per request.
    @ExplicitNull public var cpuDeltaPercent: Double? = nil
    @ExplicitNull public var cpuDeltaCI: [Double]? = nil
    @ExplicitNull public var cpuPValue: Double? = nil
    /// Whole-machine busy time per request.
    @ExplicitNull public var machineDeltaPercent: Double? = nil
    @ExplicitNull public var machineDeltaCI: [Double]? = nil
    @ExplicitNull public var saturationRPS: Double? = nil
    @ExplicitNull public var saturationDeltaPercent: Double? = nil
    public var cpuMicrosecondsPerRequest = CPUBreakdown(services: nil, agent: nil, bpf: nil, loadGenerator: nil)
    public var bpfNanosecondsPerRun: [String: Double] = [:]
    @ExplicitNull public var runsPerRequest: Double? = nil
    public var bpfRunsPerRequest: [String: Double] = [:]
    public var eventsLost: UInt64 = 0
    /// Spans the accuracy runs missed without a counted loss.
    public var unaccountedLosses = 0
    @ExplicitNull public var agentRSSMegabytes: Double? = nil
    /// Median time to switch to this arm (detach the previous, attach this one).
    @ExplicitNull public var switchMicroseconds: Double? = nil
    public var mdePercent = MetricMDE()
    public var verdicts = Verdicts(p50: .reference, p99: .reference, cpu: .reference)
    public var blocks = 0
    public var samples = GateSamples()

    public init(arm: String, variant: String, mode: String?, load: Double, offeredRPS: Double) {
        self.arm = arm
        self.variant = variant
        self.mode = mode
        self.load = load
        self.offeredRPS = offeredRPS
    }

    enum CodingKeys: String, CodingKey {
        case arm, variant, mode, load, verdicts, blocks, samples
        case offeredRPS = "offered_rps", achievedRPS = "achieved_rps"
        case p50Microseconds = "p50_us", p90Microseconds = "p90_us", p99Microseconds = "p99_us"
        case p999Microseconds = "p999_us", meanMicroseconds = "mean_us"
        case p50DeltaPercent = "p50_delta_pct", p50DeltaCI = "p50_delta_ci", p50PValue = "p50_p_value"
        case p90DeltaPercent = "p90_delta_pct", p90DeltaCI = "p90_delta_ci"
        case p99DeltaPercent = "p99_delta_pct", p99DeltaCI = "p99_delta_ci", pValue = "p_value"
        case meanDeltaPercent = "mean_delta_pct", meanDeltaCI = "mean_delta_ci"
        case cpuDeltaPercent = "cpu_delta_pct", cpuDeltaCI = "cpu_delta_ci", cpuPValue = "cpu_p_value"
        case machineDeltaPercent = "machine_delta_pct", machineDeltaCI = "machine_delta_ci"
        case saturationRPS = "saturation_rps", saturationDeltaPercent = "saturation_delta_pct"
        case cpuMicrosecondsPerRequest = "cpu_us_per_req", bpfNanosecondsPerRun = "bpf_ns_per_run"
        case runsPerRequest = "runs_per_req", bpfRunsPerRequest = "bpf_runs_per_req"
        case eventsLost = "events_lost", unaccountedLosses = "unaccounted_losses"
        case agentRSSMegabytes = "agent_rss_mb", switchMicroseconds = "switch_us", mdePercent = "mde_pct"
    }
}
