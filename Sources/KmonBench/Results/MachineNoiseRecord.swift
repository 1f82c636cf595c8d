import KmonSupport

/// How noisy the machine was, per level (results.json `machine_noise`): from each phase's
/// steal, other tenants' CPU, CPU pressure and throttling, beside the A/A noise floor, so a
/// reader sees both the noise and the smallest effect the run could have seen.
public struct MachineNoiseRecord: Codable, Sendable, Equatable {
    /// The limits past which a phase is flagged noisy (`PhaseNoise`).
    public var stealLimitPercent: Double
    public var otherLimitPercent: Double
    /// Whether flagged phases were left out of the Δs (`--drop-noisy`).
    public var dropped: Bool
    public var levels: [Level]

    public init(stealLimitPercent: Double = PhaseNoise.stealLimitPercent, otherLimitPercent: Double = PhaseNoise.otherLimitPercent,
                dropped: Bool, levels: [Level]) {
        self.stealLimitPercent = stealLimitPercent
        self.otherLimitPercent = otherLimitPercent
        self.dropped = dropped
        self.levels = levels
    }

    public struct Level: Codable, Sendable, Equatable {
        /// `saturation` or `load 50%`; `load` is nil for saturation.
        public var level: BenchLevel
        @ExplicitNull public var load: Double? = nil
        /// Phases with noise figures, and how many of them passed a limit.
        public var phases: Int
        public var flagged: Int
        @ExplicitNull public var stealMedianPercent: Double? = nil
        @ExplicitNull public var stealMaxPercent: Double? = nil
        @ExplicitNull public var otherMedianPercent: Double? = nil
        @ExplicitNull public var otherMaxPercent: Double? = nil
        @ExplicitNull public var pressureMedianPercent: Double? = nil
        /// Phases in which the services' cgroups were throttled at all.
        public var throttledPhases: Int
        /// The A/A noise floor of the level (nil for saturation): the smallest Δ the run could call.
        @ExplicitNull public var mdeP50Percent: Double? = nil
        @ExplicitNull public var mdeCPUPercent: Double? = nil

        enum CodingKeys: String, CodingKey {
            case level, load, phases, flagged
            case stealMedianPercent = "steal_median_pct", stealMaxPercent = "steal_max_pct"
            case otherMedianPercent = "other_cpu_median_pct", otherMaxPercent = "other_cpu_max_pct"
            case pressureMedianPercent = "cpu_pressure_median_pct", throttledPhases = "throttled_phases"
            case mdeP50Percent = "mde_p50_pct", mdeCPUPercent = "mde_cpu_pct"
        }
    }

    enum CodingKeys: String, CodingKey {
        case dropped, levels
        case stealLimitPercent = "steal_limit_pct", otherLimitPercent = "other_cpu_limit_pct"
    }
}
