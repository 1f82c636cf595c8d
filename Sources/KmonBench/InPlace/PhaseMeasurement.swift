import KmonSystem

/// What one phase measured: an arm's turn in one block of an in-place run, over the window
/// after its settling time.
public struct PhaseMeasurement: Sendable {
    public var run: ScheduledRun
    /// The measured window, CLOCK_MONOTONIC ns.
    public var startNanoseconds: UInt64
    public var endNanoseconds: UInt64
    /// Time to detach the previous arm and attach this one.
    public var switchNanoseconds: UInt64
    public var offeredRPS: Double?
    /// Corrected latency (from the intended send) of the successful requests intended in the window.
    public var latency = LatencyDistribution()
    public var latencySumNanoseconds: Double = 0
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
    public var programs: [String: ProgramRunStats] = [:]
    /// Runs of every other arm's programs over the window: zero unless a detach failed.
    public var strayRuns: UInt64 = 0
    public var eventsLost: UInt64 = 0
    public var invalidReason: InvalidReason?
    /// How noisy the machine was over the window (steal, other tenants, pressure, throttling).
    public var noise: PhaseNoise?
    /// Which load of the arm's objects ran the phase (0 = the first; `InPlaceRun` reloads them).
    public var objectsLoad = 0
    /// Settling added after the fixed settle, while the previous arm's programs still ran.
    public var extraSettleNanoseconds: UInt64 = 0
    /// Trigger phases: the driver's iterations (one request and response each), its thread's CPU
    /// time over them (the attached programs' runs and dispatch included; other tenants' time
    /// on the CPU not), and their elapsed time.
    public var driverIterations = 0
    public var driverNanoseconds: UInt64 = 0
    public var driverWallNanoseconds: UInt64 = 0

    public init(run: ScheduledRun, startNanoseconds: UInt64, endNanoseconds: UInt64, switchNanoseconds: UInt64, offeredRPS: Double?) {
        self.run = run
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
        self.switchNanoseconds = switchNanoseconds
        self.offeredRPS = offeredRPS
    }

    public var isValid: Bool { invalidReason == nil && requests > 0 }
    public var seconds: Double { Double(endNanoseconds &- startNanoseconds) / 1e9 }
    public var achievedRPS: Double { seconds > 0 ? Double(completed) / seconds : 0 }
    public var meanMicroseconds: Double? { latency.count == 0 ? nil : latencySumNanoseconds / Double(latency.count) / 1000 }

    /// How far an open-loop phase's responses may stray from the offered rate: the knee search's
    /// keep-up share (3%), but never less than 10 responses (short phases at low rates).
    static let scheduleTolerance = 1 - KneeSearch.keepUp
    static let scheduleSlack = 10.0

    /// Why an open-loop phase measured queueing instead of its arm, or nil. When the services
    /// fall behind the offered rate a backlog builds, and once they catch up it drains faster
    /// than offered; either way its latencies are waiting time carried between phases, so
    /// comparing such a phase with its block's baseline says nothing about the probe.
    public var offScheduleReason: InvalidReason? {
        guard let offered = offeredRPS, offered > 0, isValid else { return nil }
        let expected = offered * seconds
        let miss = Double(completed) - expected
        guard abs(miss) > max(Self.scheduleTolerance * expected, Self.scheduleSlack) else { return nil }
        let (direction, backlog) = miss < 0 ? ("behind", "built") : ("ahead of", "drained")
        return .offSchedule(String(format: "responses more than %.0f%% %@ the offered %.0f req/s (a backlog %@)",
                                   Self.scheduleTolerance * 100, direction, offered, backlog))
    }

    /// Marks every off-schedule phase invalid, with its reason; returns how many there were.
    public static func invalidateOffSchedule(_ phases: inout [PhaseMeasurement]) -> Int {
        var count = 0
        for i in phases.indices {
            guard let reason = phases[i].offScheduleReason else { continue }
            phases[i].invalidReason = reason
            count += 1
        }
        return count
    }

    /// Marks every valid phase past the noise limits invalid (`--drop-noisy`), with its reason;
    /// returns how many there were.
    public static func invalidateNoisy(_ phases: inout [PhaseMeasurement]) -> Int {
        var count = 0
        for i in phases.indices where phases[i].isValid {
            guard let detail = phases[i].noise?.noisyDetail else { continue }
            let reason = InvalidReason.noisy(detail)
            phases[i].invalidReason = reason
            count += 1
        }
        return count
    }

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
        programs.isEmpty ? nil : perRequest(Double(programs.values.totalRunTimeNanoseconds) / 1000)
    }

    /// Trigger phases: the driver's CPU ns per iteration.
    public var nanosecondsPerIteration: Double? {
        driverIterations > 0 ? Double(driverNanoseconds) / Double(driverIterations) : nil
    }

    /// The arm's programs' run time over their runs (run statistics leave dispatch out).
    public var nanosecondsPerRun: Double? { programs.values.nanosecondsPerRun }

    var runsPerRequest: Double? {
        programs.isEmpty || completed == 0 ? nil : Double(programs.values.totalRunCount) / Double(completed)
    }
}

extension PhaseMeasurement {
    /// Gives the phase its arm's share of the probes' counters over the window (programs,
    /// losses, agent CPU) and every other arm's runs as stray; returns all agents' CPU µs.
    @discardableResult
    mutating func attribute(before: [BenchArm: ProbeCounters], after: [BenchArm: ProbeCounters]) -> Double {
        var allAgents = 0.0
        for (arm, end) in after {
            guard let start = before[arm] else { continue }
            let delta = end - start
            allAgents += delta.agentCPUMicroseconds
            if arm == run.arm {
                programs = delta.programs
                eventsLost = delta.lost
                agentCPUMicroseconds = delta.agentCPUMicroseconds
            } else {
                strayRuns += delta.runs
            }
        }
        return allAgents
    }
}
