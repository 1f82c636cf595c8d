
/// What one phase measured: an arm's turn in one block of an in-place run, over the window
/// after its settling time.
public struct PhaseMeasurement: Sendable {
    public var run: ScheduledRun
    /// The measured window, CLOCK_MONOTONIC ns.
    public var startNs: UInt64
    public var endNs: UInt64
    /// Time to detach the previous arm and attach this one.
    public var switchNs: UInt64
    public var offeredRPS: Double?
    /// Corrected latency (from the intended send) of the successful requests intended in the window.
    public var latency = LatencyDistribution()
    public var latencySumNs: Double = 0
    /// Requests intended in the window: their latencies are this phase's.
    public var requests = 0
    /// Responses completed in the window: its achieved rate, and the divisor of every per-request
    /// cost, since the counters saw the work of the requests served in the window (the same
    /// number as `requests` unless the load falls behind its schedule).
    public var completed = 0
    public var failed = 0
    /// CPU µs over the window.
    public var serviceCPUMicroseconds: Double?
    public var agentCPUMicroseconds: Double?
    public var loadGeneratorCPUMicroseconds: Double?
    /// All CPUs' busy time (`/proc/stat`, clock ticks): includes softirq work charged to no cgroup.
    public var machineBusyMicroseconds: Double?
    /// This arm's programs over the window.
    public var programs: [String: RunMeasurement.ProgramCost] = [:]
    /// Runs of every other arm's programs over the window: zero unless a detach failed.
    public var strayRuns: UInt64 = 0
    public var eventsLost: UInt64 = 0
    public var invalidReason: String?

    public init(run: ScheduledRun, startNs: UInt64, endNs: UInt64, switchNs: UInt64, offeredRPS: Double?) {
        self.run = run
        self.startNs = startNs
        self.endNs = endNs
        self.switchNs = switchNs
        self.offeredRPS = offeredRPS
    }

    public var isValid: Bool { invalidReason == nil && requests > 0 }
    public var seconds: Double { Double(endNs &- startNs) / 1e9 }
    public var achievedRPS: Double { seconds > 0 ? Double(completed) / seconds : 0 }
    public var meanMicroseconds: Double? { latency.count == 0 ? nil : latencySumNs / Double(latency.count) / 1000 }

    func perRequest(_ microseconds: Double?) -> Double? {
        guard let microseconds, completed > 0 else { return nil }
        return microseconds / Double(completed)
    }

    /// The `cpu` metric: the services' CPU (which holds the BPF time run in their context) plus the agent's.
    public var cpuPerRequest: Double? {
        guard let services = perRequest(serviceCPUMicroseconds) else { return nil }
        return services + (perRequest(agentCPUMicroseconds) ?? 0)
    }

    var bpfMicrosecondsPerRequest: Double? {
        programs.isEmpty ? nil : perRequest(Double(programs.values.reduce(0) { $0 + $1.nanoseconds }) / 1000)
    }

    var runsPerRequest: Double? {
        programs.isEmpty || completed == 0 ? nil : Double(programs.values.reduce(0) { $0 + $1.runs }) / Double(completed)
    }
}
