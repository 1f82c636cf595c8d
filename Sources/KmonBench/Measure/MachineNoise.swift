import Foundation
import KmonSystem

/// The machine-wide counters that say how noisy a phase's window was: CPU time by kind
/// (/proc/stat), CPU pressure (/proc/pressure/cpu) and the services' cgroup throttling. Read at
/// both ends of a window, like every other counter; the parsers take captured text for tests.
public struct MachineCounters: Sendable, Equatable {
    /// All CPUs together, µs: every column of /proc/stat's `cpu` line (idle included).
    public var totalMicroseconds: Double
    /// Time the hypervisor ran someone else while a vCPU wanted to run.
    public var stealMicroseconds: Double
    /// user + nice + system + irq: time charged to tasks. Softirq is left out: on loopback it is
    /// mostly our own requests' network stack, charged to no task.
    public var taskMicroseconds: Double
    /// `some` total of /proc/pressure/cpu: time at least one runnable task waited for a CPU.
    public var pressureMicroseconds: Double?
    /// The services' cgroups summed: periods throttled and time throttled by a cpu.max.
    public var throttledPeriods: UInt64?
    public var throttledMicroseconds: Double?

    public init(totalMicroseconds: Double, stealMicroseconds: Double, taskMicroseconds: Double, pressureMicroseconds: Double? = nil,
                throttledPeriods: UInt64? = nil, throttledMicroseconds: Double? = nil) {
        self.totalMicroseconds = totalMicroseconds
        self.stealMicroseconds = stealMicroseconds
        self.taskMicroseconds = taskMicroseconds
        self.pressureMicroseconds = pressureMicroseconds
        self.throttledPeriods = throttledPeriods
        self.throttledMicroseconds = throttledMicroseconds
    }

    /// Reads them now; nil when /proc/stat cannot be read.
    static func read(cgroups: [String]) -> MachineCounters? {
        guard let stat = ProcFile.read("/proc/stat"), var counters = parseStat(stat, ticksPerSecond: ProcFS.ticksPerSecond) else {
            return nil
        }
        counters.pressureMicroseconds = ProcFile.read("/proc/pressure/cpu").flatMap(parsePressureSomeTotal)
        var periods: UInt64 = 0, throttled = 0.0, found = false
        for cgroup in cgroups {
            guard let text = ProcFile.read(cgroup + "/cpu.stat"), let values = parseThrottling(text) else { continue }
            periods += values.periods
            throttled += values.microseconds
            found = true
        }
        if found { (counters.throttledPeriods, counters.throttledMicroseconds) = (periods, throttled) }
        return counters
    }

    /// The `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal [guest guest_nice].
    /// Guest time is already inside user and nice, so it is not added again.
    public static func parseStat(_ text: String, ticksPerSecond: Double) -> MachineCounters? {
        guard let line = text.split(separator: "\n").first, line.hasPrefix("cpu "), ticksPerSecond > 0 else { return nil }
        let f = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard f.count >= 8 else { return nil }
        let scale = 1_000_000 / ticksPerSecond
        return MachineCounters(totalMicroseconds: Double(f[0...7].reduce(0, +)) * scale, stealMicroseconds: Double(f[7]) * scale,
                               taskMicroseconds: Double(f[0] + f[1] + f[2] + f[5]) * scale)
    }

    /// `total=` of the `some` line, µs.
    public static func parsePressureSomeTotal(_ text: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("some ") }) else { return nil }
        return line.split(separator: " ").first { $0.hasPrefix("total=") }.flatMap { Double($0.dropFirst(6)) }
    }

    /// `nr_throttled` and `throttled_usec` of a cgroup v2 cpu.stat.
    public static func parseThrottling(_ text: String) -> (periods: UInt64, microseconds: Double)? {
        var periods: UInt64?, microseconds: Double?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            if parts[0] == "nr_throttled" { periods = UInt64(parts[1]) }
            if parts[0] == "throttled_usec" { microseconds = Double(parts[1]) }
        }
        guard let periods, let microseconds else { return nil }
        return (periods, microseconds)
    }
}

/// How noisy one phase's window was, from `MachineCounters` at its two ends and our own CPU.
public struct PhaseNoise: Sendable, Equatable {
    /// Steal, percent of all CPUs' time in the window.
    public var stealPercent: Double
    /// Other tenants: task time on the machine that was neither the services' nor this process's
    /// (load generator, agents, the bench itself), percent of all CPUs' time. Clock-tick
    /// resolution (10 ms per CPU), so a short window reads a few percent either way.
    public var otherPercent: Double
    /// CPU pressure `some`, percent of the window's wall time.
    public var pressurePercent: Double?
    /// Time the services' cgroups were throttled in the window, µs.
    public var throttledMicroseconds: Double?

    public init(stealPercent: Double, otherPercent: Double, pressurePercent: Double? = nil, throttledMicroseconds: Double? = nil) {
        self.stealPercent = stealPercent
        self.otherPercent = otherPercent
        self.pressurePercent = pressurePercent
        self.throttledMicroseconds = throttledMicroseconds
    }

    /// Limits past which a phase is flagged noisy. Steal of 5% and other tenants' 10% of the
    /// machine are each about twice the per-block A/A spread of CPU µs/request on our 2-core VM
    /// (4–6%): a phase past them lost more to others than the effects the bench must resolve.
    /// Throttling is any at all: the bench sets no cpu.max, so throttled time is someone else's
    /// limit biting. CPU pressure is recorded but never flagged: at the load levels our own
    /// threads queue for the two CPUs, so it measures the load as much as the noise.
    public static let stealLimitPercent = 5.0
    public static let otherLimitPercent = 10.0

    public init?(before: MachineCounters?, after: MachineCounters?, ownMicroseconds: Double?, windowSeconds: Double) {
        guard let before, let after, after.totalMicroseconds > before.totalMicroseconds, windowSeconds > 0 else { return nil }
        let total = after.totalMicroseconds - before.totalMicroseconds
        stealPercent = (after.stealMicroseconds - before.stealMicroseconds) / total * 100
        let tasks = after.taskMicroseconds - before.taskMicroseconds
        otherPercent = max(0, tasks - (ownMicroseconds ?? 0)) / total * 100
        if let start = before.pressureMicroseconds, let end = after.pressureMicroseconds {
            pressurePercent = (end - start) / (windowSeconds * 1e6) * 100
        }
        if let start = before.throttledMicroseconds, let end = after.throttledMicroseconds { throttledMicroseconds = end - start }
    }

    /// Why this phase counts as noisy, or nil: `phases[].noisy` in results.json.
    public var noisyReason: String? { noisyDetail.map { InvalidReason.noisy($0).description } }

    /// Which limits the phase passed, or nil when it passed none.
    public var noisyDetail: String? {
        var reasons: [String] = []
        if stealPercent > Self.stealLimitPercent {
            reasons.append(String(format: "steal %.1f%% > %.0f%%", stealPercent, Self.stealLimitPercent))
        }
        if otherPercent > Self.otherLimitPercent {
            reasons.append(String(format: "other tenants' CPU %.1f%% > %.0f%%", otherPercent, Self.otherLimitPercent))
        }
        if let throttled = throttledMicroseconds, throttled > 0 {
            reasons.append(String(format: "services throttled %.0f µs", throttled))
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: ", ")
    }
}
