/// One row of the overhead table: an arm at one load level, summarised over its valid blocks.
public struct OverheadRow: Codable, Sendable {
    public var arm: String
    public var variant: String
    public var mode: String?
    /// Percent of baseline saturation.
    public var load: Double
    public var offeredRPS: Double
    public var achievedRPS: Double?
    public var p50Microseconds: Double?
    public var p99Microseconds: Double?
    public var p999Microseconds: Double?
    public var p99DeltaPercent: Double?
    public var p99DeltaCI: [Double]?
    public var pValue: Double?
    public var saturationRPS: Double?
    public var saturationDeltaPercent: Double?
    public var cpuMicrosecondsPerRequest: CPUBreakdown
    public var bpfNanosecondsPerRun: [String: Double]
    public var runsPerRequest: Double?
    public var bpfRunsPerRequest: [String: Double]
    public var eventsLost: UInt64
    public var unaccountedLosses: Int
    public var agentRSSMegabytes: Double?
    public var mdePercent: Double?
    public var verdict: Verdict
    public var blocks: Int
    public var samples: GateSamples

    public init(arm: String, variant: String, mode: String?, load: Double, offeredRPS: Double, achievedRPS: Double?,
                p50Microseconds: Double?, p99Microseconds: Double?, p999Microseconds: Double?,
                p99DeltaPercent: Double?, p99DeltaCI: [Double]?, pValue: Double?, saturationRPS: Double?,
                saturationDeltaPercent: Double?, cpuMicrosecondsPerRequest: CPUBreakdown,
                bpfNanosecondsPerRun: [String: Double], runsPerRequest: Double?, bpfRunsPerRequest: [String: Double],
                eventsLost: UInt64, unaccountedLosses: Int, agentRSSMegabytes: Double?, mdePercent: Double?,
                verdict: Verdict, blocks: Int, samples: GateSamples) {
        self.arm = arm
        self.variant = variant
        self.mode = mode
        self.load = load
        self.offeredRPS = offeredRPS
        self.achievedRPS = achievedRPS
        self.p50Microseconds = p50Microseconds
        self.p99Microseconds = p99Microseconds
        self.p999Microseconds = p999Microseconds
        self.p99DeltaPercent = p99DeltaPercent
        self.p99DeltaCI = p99DeltaCI
        self.pValue = pValue
        self.saturationRPS = saturationRPS
        self.saturationDeltaPercent = saturationDeltaPercent
        self.cpuMicrosecondsPerRequest = cpuMicrosecondsPerRequest
        self.bpfNanosecondsPerRun = bpfNanosecondsPerRun
        self.runsPerRequest = runsPerRequest
        self.bpfRunsPerRequest = bpfRunsPerRequest
        self.eventsLost = eventsLost
        self.unaccountedLosses = unaccountedLosses
        self.agentRSSMegabytes = agentRSSMegabytes
        self.mdePercent = mdePercent
        self.verdict = verdict
        self.blocks = blocks
        self.samples = samples
    }

    enum CodingKeys: String, CodingKey {
        case arm, variant, mode, load, verdict, blocks, samples
        case offeredRPS = "offered_rps", achievedRPS = "achieved_rps"
        case p50Microseconds = "p50_us", p99Microseconds = "p99_us", p999Microseconds = "p999_us"
        case p99DeltaPercent = "p99_delta_pct", p99DeltaCI = "p99_delta_ci", pValue = "p_value"
        case saturationRPS = "saturation_rps", saturationDeltaPercent = "saturation_delta_pct"
        case cpuMicrosecondsPerRequest = "cpu_us_per_req", bpfNanosecondsPerRun = "bpf_ns_per_run"
        case runsPerRequest = "runs_per_req", bpfRunsPerRequest = "bpf_runs_per_req"
        case eventsLost = "events_lost", unaccountedLosses = "unaccounted_losses"
        case agentRSSMegabytes = "agent_rss_mb", mdePercent = "mde_pct"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(arm, forKey: .arm)
        try c.encode(variant, forKey: .variant)
        try c.encode(mode, forKey: .mode)
        try c.encode(load, forKey: .load)
        try c.encode(offeredRPS, forKey: .offeredRPS)
        try c.encode(achievedRPS, forKey: .achievedRPS)
        try c.encode(p50Microseconds, forKey: .p50Microseconds)
        try c.encode(p99Microseconds, forKey: .p99Microseconds)
        try c.encode(p999Microseconds, forKey: .p999Microseconds)
        try c.encode(p99DeltaPercent, forKey: .p99DeltaPercent)
        try c.encode(p99DeltaCI, forKey: .p99DeltaCI)
        try c.encode(pValue, forKey: .pValue)
        try c.encode(saturationRPS, forKey: .saturationRPS)
        try c.encode(saturationDeltaPercent, forKey: .saturationDeltaPercent)
        try c.encode(cpuMicrosecondsPerRequest, forKey: .cpuMicrosecondsPerRequest)
        try c.encode(bpfNanosecondsPerRun, forKey: .bpfNanosecondsPerRun)
        try c.encode(runsPerRequest, forKey: .runsPerRequest)
        try c.encode(bpfRunsPerRequest, forKey: .bpfRunsPerRequest)
        try c.encode(eventsLost, forKey: .eventsLost)
        try c.encode(unaccountedLosses, forKey: .unaccountedLosses)
        try c.encode(agentRSSMegabytes, forKey: .agentRSSMegabytes)
        try c.encode(mdePercent, forKey: .mdePercent)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(blocks, forKey: .blocks)
        try c.encode(samples, forKey: .samples)
    }
}

/// CPU time per request, µs: the services' processes, the agent's user space (ring-buffer
/// consumer and span assembly), the BPF programs (kernel run statistics), and the load generator.
public struct CPUBreakdown: Codable, Sendable, Equatable {
    public var services: Double?
    public var agent: Double?
    public var bpf: Double?
    public var loadGenerator: Double?

    public init(services: Double?, agent: Double?, bpf: Double?, loadGenerator: Double?) {
        self.services = services
        self.agent = agent
        self.bpf = bpf
        self.loadGenerator = loadGenerator
    }

    /// Everything Kmon adds: its agent and its programs.
    public var kmonTotal: Double? {
        guard agent != nil || bpf != nil else { return nil }
        return (agent ?? 0) + (bpf ?? 0)
    }

    enum CodingKeys: String, CodingKey { case services, agent, bpf, loadGenerator = "load_generator" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(services, forKey: .services)
        try c.encode(agent, forKey: .agent)
        try c.encode(bpf, forKey: .bpf)
        try c.encode(loadGenerator, forKey: .loadGenerator)
    }
}

/// Per-block values of the figures the regression gate compares, so a later run can test its
/// blocks against these with a rank test rather than against one number.
public struct GateSamples: Codable, Sendable, Equatable {
    public var p99Microseconds: [Double]
    /// Services + agent + BPF CPU µs per request, per block.
    public var cpuMicrosecondsPerRequest: [Double]
    public var runsPerRequest: [Double]
    public var bpfNanosecondsPerRun: [String: [Double]]

    public init(p99Microseconds: [Double] = [], cpuMicrosecondsPerRequest: [Double] = [], runsPerRequest: [Double] = [],
                bpfNanosecondsPerRun: [String: [Double]] = [:]) {
        self.p99Microseconds = p99Microseconds
        self.cpuMicrosecondsPerRequest = cpuMicrosecondsPerRequest
        self.runsPerRequest = runsPerRequest
        self.bpfNanosecondsPerRun = bpfNanosecondsPerRun
    }

    enum CodingKeys: String, CodingKey {
        case p99Microseconds = "p99_us", cpuMicrosecondsPerRequest = "cpu_us_per_req"
        case runsPerRequest = "runs_per_req", bpfNanosecondsPerRun = "bpf_ns_per_run"
    }
}
