import KmonSupport

/// One measured phase in results.json's `phases` timeline: an arm's turn in a block, so a
/// reader can see drift and stalls over the run.
public struct PhaseRecord: Codable, Sendable, Equatable {
    /// `saturation` or `load 50%`.
    public var level: BenchLevel
    /// Percent of the knee; nil for saturation.
    @ExplicitNull public var load: Double? = nil
    public var block: Int
    public var arm: String
    /// Window start, seconds since the bench started, and its length.
    public var startSeconds: Double
    public var seconds: Double
    public var switchMicroseconds: Double
    public var requests: Int
    public var achievedRPS: Double
    @ExplicitNull public var p50Microseconds: Double? = nil
    @ExplicitNull public var p99Microseconds: Double? = nil
    @ExplicitNull public var cpuMicrosecondsPerRequest: Double? = nil
    @ExplicitNull public var machineMicrosecondsPerRequest: Double? = nil
    /// Runs of the arm's own programs, and of every other arm's (zero unless a detach failed).
    public var bpfRuns: UInt64
    public var strayRuns: UInt64
    public var eventsLost: UInt64
    /// The machine's noise over the window (`PhaseNoise`): steal and other tenants' CPU as
    /// percent of all CPUs' time, CPU pressure as percent of the window, the services' cgroups'
    /// throttled µs, and why the phase is flagged noisy (nil when it is not).
    @ExplicitNull public var stealPercent: Double? = nil
    @ExplicitNull public var otherCPUPercent: Double? = nil
    @ExplicitNull public var cpuPressurePercent: Double? = nil
    @ExplicitNull public var throttledMicroseconds: Double? = nil
    @ExplicitNull public var noisy: String? = nil
    /// Which load of the arm's objects ran it (0 = the first), and the settling added while
    /// the previous arm's programs still ran.
    @ExplicitNull public var objectsLoad: Int? = nil
    @ExplicitNull public var extraSettleMicroseconds: Double? = nil

    public init(level: BenchLevel, load: Double?, block: Int, arm: String, startSeconds: Double, seconds: Double,
                switchMicroseconds: Double, requests: Int, achievedRPS: Double, p50Microseconds: Double?,
                p99Microseconds: Double?, cpuMicrosecondsPerRequest: Double?, machineMicrosecondsPerRequest: Double?,
                bpfRuns: UInt64, strayRuns: UInt64, eventsLost: UInt64) {
        self.level = level
        self.load = load
        self.block = block
        self.arm = arm
        self.startSeconds = startSeconds
        self.seconds = seconds
        self.switchMicroseconds = switchMicroseconds
        self.requests = requests
        self.achievedRPS = achievedRPS
        self.p50Microseconds = p50Microseconds
        self.p99Microseconds = p99Microseconds
        self.cpuMicrosecondsPerRequest = cpuMicrosecondsPerRequest
        self.machineMicrosecondsPerRequest = machineMicrosecondsPerRequest
        self.bpfRuns = bpfRuns
        self.strayRuns = strayRuns
        self.eventsLost = eventsLost
    }

    init(_ phase: PhaseMeasurement, benchStartNanoseconds: UInt64) {
        var load: Double?
        if case .load(let percent) = phase.run.level { load = percent }
        self.init(level: phase.run.level, load: load, block: phase.run.block, arm: phase.run.arm.name,
                  startSeconds: Double(phase.startNanoseconds &- benchStartNanoseconds) / 1e9, seconds: phase.seconds,
                  switchMicroseconds: Double(phase.switchNanoseconds) / 1000, requests: phase.requests, achievedRPS: phase.achievedRPS,
                  p50Microseconds: phase.latency.microseconds(atQuantile: 0.5),
                  p99Microseconds: phase.latency.microseconds(atQuantile: 0.99),
                  cpuMicrosecondsPerRequest: phase.cpuPerRequest,
                  machineMicrosecondsPerRequest: phase.perRequest(phase.machineBusyMicroseconds),
                  bpfRuns: phase.programs.values.totalRunCount, strayRuns: phase.strayRuns,
                  eventsLost: phase.eventsLost)
        stealPercent = phase.noise?.stealPercent
        otherCPUPercent = phase.noise?.otherPercent
        cpuPressurePercent = phase.noise?.pressurePercent
        throttledMicroseconds = phase.noise?.throttledMicroseconds
        noisy = phase.noise?.noisyReason
        objectsLoad = phase.objectsLoad
        extraSettleMicroseconds = Double(phase.extraSettleNanoseconds) / 1000
    }

    enum CodingKeys: String, CodingKey {
        case level, load, block, arm, seconds, requests
        case startSeconds = "start_s", switchMicroseconds = "switch_us", achievedRPS = "achieved_rps"
        case p50Microseconds = "p50_us", p99Microseconds = "p99_us", cpuMicrosecondsPerRequest = "cpu_us_per_req"
        case machineMicrosecondsPerRequest = "machine_us_per_req", bpfRuns = "bpf_runs", strayRuns = "stray_runs"
        case eventsLost = "events_lost", stealPercent = "steal_pct", otherCPUPercent = "other_cpu_pct"
        case cpuPressurePercent = "cpu_pressure_pct", throttledMicroseconds = "throttled_us", noisy
        case objectsLoad = "objects_load", extraSettleMicroseconds = "extra_settle_us"
    }
}
