import KmonSupport
import KmonWorkload

/// The trigger level (docs/bench.md): no load generator, the arms take turns while the trigger
/// driver fires their hooks in a tight loop, as the kernel's BPF benchmarks drive programs under
/// test. Each phase is one switch, a short unmeasured warm-up burst, then one measured burst.
/// The programs' run statistics give warm ns/run; the driver's own clock, set against the
/// baseline's in the same block, gives the cost of the hook with its dispatch.
final class TriggerRun {
    let driver: TriggerProcess
    /// The load levels' probes, reloaded here at block boundaries as there.
    let inPlace: InPlaceRun
    let stop: StopToken

    init(driver: TriggerProcess, probes inPlace: InPlaceRun, stop: StopToken) {
        self.driver = driver
        self.inPlace = inPlace
        self.stop = stop
    }

    private var probes: [BenchArm: ArmProbe] { inPlace.probes }

    /// A tenth of a phase's iterations, run unmeasured after each switch: caches and the
    /// programs' maps warm up, as the settling time does under load.
    static func warmupIterations(_ iterations: Int) -> Int { max(1, iterations / 10) }
    /// A burst stops here even if its iterations are not done: on a machine busy with other
    /// work a phase would otherwise take many times its usual 0.2 s.
    static let maxBurstSeconds = 1.0

    /// The phases in order; nil when the bench was interrupted. A failure (a switch, the
    /// driver) ends the level with one invalid phase that says why.
    func run(_ phases: [ScheduledRun], iterations: Int, reloadEvery: Int = 0,
             progress: ((ScheduledRun, Int) -> Void)? = nil) -> [PhaseMeasurement]? {
        var measured: [PhaseMeasurement] = []
        var attached: BenchArm?
        var previousBlock: Int?
        defer {
            try? attached.flatMap { probes[$0] }?.setAttached(false)
            inPlace.reloads?.finish()
        }
        for (index, phase) in phases.enumerated() {
            if stop.isStopped { return nil }
            progress?(phase, index)
            do {
                try inPlace.reloadIfDue(phase, previousBlock: previousBlock, every: reloadEvery, attached: &attached)
                previousBlock = phase.block
                let switchStart = MonotonicClock.now()
                let leaving = attached == phase.arm ? nil : attached.flatMap { probes[$0] }
                if attached != phase.arm {
                    // As in InPlaceRun: attach the next arm first, then start the last one's detach.
                    let previous = attached
                    try probes[phase.arm]?.setAttached(true)
                    attached = phase.arm
                    try previous.flatMap { probes[$0] }?.setAttached(false)
                }
                let switchNanoseconds = MonotonicClock.now() - switchStart
                try warmUp(iterations: iterations, leaving: leaving)
                let before = counters()
                let start = MonotonicClock.now()
                let burst = try driver.burst(iterations, maxSeconds: Self.maxBurstSeconds)
                let end = MonotonicClock.now()
                let after = counters()
                measured.append(Self.measurement(phase, start: start, end: end, switchNanoseconds: switchNanoseconds, burst: burst,
                                                 before: before, after: after))
            } catch {
                var invalid = PhaseMeasurement(run: phase, startNanoseconds: MonotonicClock.now(), endNanoseconds: MonotonicClock.now(), switchNanoseconds: 0,
                                               offeredRPS: nil)
                invalid.invalidReason = .failed("trigger \(phase.arm.name): \(error)")
                measured.append(invalid)
                break
            }
        }
        return stop.isStopped ? nil : measured
    }

    /// Unmeasured warm-up bursts, repeated (at most 10) while the last arm's programs still run:
    /// its detach completes off the switch (LinkReleaser), and the driver is the only traffic
    /// that would show its programs still hooked.
    private func warmUp(iterations: Int, leaving: ArmProbe?) throws {
        var leftRuns = leaving.flatMap { try? $0.counters().runs }
        for _ in 0..<10 {
            _ = try driver.burst(Self.warmupIterations(iterations), maxSeconds: Self.maxBurstSeconds / 10)
            guard let before = leftRuns, let now = try? leaving?.counters().runs, now != before else { return }
            leftRuns = now
        }
    }

    private func counters() -> [BenchArm: ProbeCounters] {
        var counters: [BenchArm: ProbeCounters] = [:]
        for (arm, probe) in probes { counters[arm] = try? probe.counters() }
        return counters
    }

    /// One trigger phase: the arm's programs over the measured burst, other arms' runs as stray.
    /// Requests and responses are the driver's iterations, so per-request figures are per iteration.
    static func measurement(_ phase: ScheduledRun, start: UInt64, end: UInt64, switchNanoseconds: UInt64, burst: TriggerProcess.Burst,
                            before: [BenchArm: ProbeCounters], after: [BenchArm: ProbeCounters]) -> PhaseMeasurement {
        var m = PhaseMeasurement(run: phase, startNanoseconds: start, endNanoseconds: end, switchNanoseconds: switchNanoseconds, offeredRPS: nil)
        m.driverIterations = burst.iterations
        m.driverNanoseconds = burst.cpuNanoseconds
        m.driverWallNanoseconds = burst.wallNanoseconds
        m.requests = burst.iterations
        m.completed = burst.iterations
        m.attribute(before: before, after: after)
        return m
    }
}
