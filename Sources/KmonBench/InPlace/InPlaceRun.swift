import Foundation
import KmonLoad
import KmonSupport
import KmonWorkload
import Logging

/// One load run on a running workload in which the arms take turns in place (docs/bench.md).
///
/// The load generator runs on its own thread for the whole run; this thread walks the phases:
/// detach the previous arm, attach the next, wait out the settling time, then measure a window
/// by reading every counter at its two ends. Afterwards each request is assigned to the window
/// its intended send time falls in. Requests in settling times belong to no phase.
///
/// Every `reloadEvery` blocks each probe arm's objects are loaded afresh at the block boundary
/// (`ProbeReloads`), so where their code and maps land varies within the run.
final class InPlaceRun {
    struct Settings {
        var phaseSeconds: Double
        var settleSeconds: Double
        var warmupSeconds: Double
        var connections: Int
        var seed: UInt64
        /// Reload every probe's objects every this many blocks of a load level; 0 never.
        var reloadEvery = 0
    }

    struct Outcome {
        var phases: [PhaseMeasurement]
        /// Set when a service died or the load failed: the bench stops with this reason.
        var failure: String?
    }

    let workload: RunningWorkload
    /// The loaded probes now; `reloads` swaps in fresh loads at block boundaries.
    private(set) var probes: [BenchArm: ArmProbe]
    let reloads: ProbeReloads?
    /// The whole bench's stop (Ctrl-C, SIGTERM).
    let stop: StopToken
    let benchStart: UInt64

    init(workload: RunningWorkload, probes: [BenchArm: ArmProbe], stop: StopToken, benchStart: UInt64,
         reloads: ProbeReloads? = nil) {
        self.workload = workload
        self.probes = probes
        self.reloads = reloads
        self.stop = stop
        self.benchStart = benchStart
    }

    /// Unloads every probe loaded now and waits for the retired ones. Safe to call twice.
    func unloadAll() {
        probes.values.forEach { $0.unload() }
        reloads?.finish()
    }

    /// At a block boundary due for a reload (`ProbeReloads.isDue`), detaches the attached arm
    /// and loads every probe afresh. Called in the gap before the block's first window.
    func reloadIfDue(_ phase: ScheduledRun, previousBlock: Int?, every: Int, attached: inout BenchArm?) throws {
        guard let reloads, reloads.isDue(phase, previousBlock: previousBlock, every: every) else { return }
        try? attached.flatMap { probes[$0] }?.setAttached(false)
        attached = nil
        try reloads.reload(&probes)
    }

    /// Runs `phases` in order under one load (open loop at `rate`, or closed loop when nil).
    /// Nil when the bench was interrupted.
    func run(_ phases: [ScheduledRun], rate: Double?, settings: Settings,
             progress: ((ScheduledRun, Int) -> Void)? = nil) throws -> Outcome? {
        let runStop = StopToken()
        let watcher = DeathWatcher(workload: workload, bench: stop, run: runStop, benchStart: benchStart)
        let ingress = workload.ingress.endpoint
        // An upper bound only: the phase loop stops the load when it is done. Switches and
        // counter reads add to each phase (with many arms of many programs, as much again), so
        // the bound leaves ample room; it also sizes the generator's first record chunk.
        let planned = Double(phases.count) * settings.phaseSeconds
        let generator = LoadGenerator(LoadConfiguration(
            target: LoadTarget(endpoint: ingress), connections: settings.connections, threads: 1,
            model: rate.map { .openLoop(rate: $0, poisson: false) } ?? .closedLoop,
            duration: max(planned * 4, planned + 120), warmUp: settings.warmupSeconds, seed: settings.seed, stop: runStop,
            requests: workload.spec.requests))
        let load = LoadThread(generator)

        var measured: [PhaseMeasurement] = []
        var attached: BenchArm?
        var failure: String?
        // Every retired copy is unloaded before the run returns, interrupted or not.
        defer { reloads?.finish() }
        if !runStop.wait(seconds: settings.warmupSeconds + 0.05) {
            var previousBlock: Int?
            for (index, phase) in phases.enumerated() {
                progress?(phase, index)
                do { try reloadIfDue(phase, previousBlock: previousBlock, every: settings.reloadEvery, attached: &attached) } catch {
                    failure = "reloading the probes' objects failed: \(error)"
                    break
                }
                previousBlock = phase.block
                let switchStart = MonotonicClock.now()
                let leaving = attached.flatMap { probes[$0] }
                if attached != phase.arm {
                    // The next arm attaches before the last one detaches: on a tracepoint both
                    // use, a first probe added soon after the last one left waits for a grace
                    // period (tracepoint_add_func), up to 300 ms under load. The overlap falls
                    // in the settle; the detach only starts the closes (LinkReleaser).
                    do {
                        try probes[phase.arm]?.setAttached(true)
                        let previous = attached
                        attached = phase.arm
                        try previous.flatMap { probes[$0] }?.setAttached(false)
                    } catch {
                        failure = "switching to \(phase.arm.name) failed: \(error)"
                        break
                    }
                }
                let switchNanoseconds = MonotonicClock.now() - switchStart
                let leftRuns = attached == phase.arm && leaving !== probes[phase.arm] ? leaving.flatMap { try? $0.counters().runs } : nil
                if runStop.wait(seconds: settings.settleSeconds) { break }
                let extraSettleNanoseconds = settleUntilStill(leaving, runs: leftRuns, stop: runStop)
                if runStop.isStopped { break }
                let before = snapshot()
                if runStop.wait(seconds: settings.phaseSeconds - settings.settleSeconds) { break }
                let after = snapshot()
                var m = phaseMeasurement(phase, before: before, after: after, switchNanoseconds: switchNanoseconds, rate: rate)
                m.extraSettleNanoseconds = extraSettleNanoseconds
                m.objectsLoad = reloads?.loadIndex(phase.arm) ?? 0
                measured.append(m)
                if load.isFinished { break }
            }
        }
        try? attached.flatMap { probes[$0] }?.setAttached(false)
        attached = nil
        runStop.stop(reason: "phases done")
        let loadResult = load.join()
        let death = watcher.finish()
        if stop.isStopped { return nil }
        if let death {
            failure = death
        } else if case .failure(let error) = loadResult {
            failure = "load generator: \(error)"
        } else if failure == nil && measured.count < phases.count {
            failure = "the load ended after \(measured.count) of \(phases.count) phases"
        }
        Self.assign(generator.records, to: &measured)
        if let failure {
            // The phase it happened in is marked invalid, with the reason.
            let phase = phases[min(measured.count, phases.count - 1)]
            var invalid = PhaseMeasurement(run: phase, startNanoseconds: MonotonicClock.now(), endNanoseconds: MonotonicClock.now(), switchNanoseconds: 0,
                                           offeredRPS: rate)
            invalid.invalidReason = .failed(failure)
            measured.append(invalid)
        }
        return Outcome(phases: measured, failure: failure)
    }

    /// The longest settling added after a switch while the previous arm's programs still run.
    static let maxExtraSettleSeconds = 1.0
    static let stillPollSeconds = 0.02

    /// Settles on past the fixed settling time while the arm just left still runs: a detach may
    /// complete asynchronously, and a phase measured while the previous arm's programs still run
    /// pays for them. Waits until its run count stops moving over one poll, at most
    /// `maxExtraSettleSeconds`; returns the time added.
    func settleUntilStill(_ leaving: ArmProbe?, runs: UInt64?, stop: StopToken) -> UInt64 {
        guard let leaving, var last = runs else { return 0 }
        let start = MonotonicClock.now()
        guard var now = try? leaving.counters().runs, now != last else { return 0 }
        while now != last && Double(MonotonicClock.now() - start) / 1e9 < Self.maxExtraSettleSeconds {
            if stop.wait(seconds: Self.stillPollSeconds) { break }
            last = now
            now = (try? leaving.counters().runs) ?? last
        }
        return MonotonicClock.now() - start
    }

    /// Every counter a phase needs, read as close together as possible.
    struct Snapshot {
        var at: UInt64
        var services: Double?
        var machineBusy: Double?
        var machine: MachineCounters?
        var ownCPU: Double
        var probes: [BenchArm: ProbeCounters]
    }

    func snapshot() -> Snapshot {
        var counters: [BenchArm: ProbeCounters] = [:]
        for (arm, probe) in probes { counters[arm] = try? probe.counters() }
        let times = workload.cpuTime()
        let services: Double? = times.count == workload.services.count ? Double(times.values.reduce(0, +)) / 1000 : nil
        return Snapshot(at: MonotonicClock.now(), services: services, machineBusy: ProcFS.machineBusyMicroseconds(),
                        machine: MachineCounters.read(cgroups: workload.services.compactMap(\.cgroup)),
                        ownCPU: ProcFS.ownCPUMicroseconds(), probes: counters)
    }

    func phaseMeasurement(_ phase: ScheduledRun, before: Snapshot, after: Snapshot, switchNanoseconds: UInt64, rate: Double?) -> PhaseMeasurement {
        var m = PhaseMeasurement(run: phase, startNanoseconds: before.at, endNanoseconds: after.at, switchNanoseconds: switchNanoseconds, offeredRPS: rate)
        m.serviceCPUMicroseconds = difference(after.services, before.services)
        m.machineBusyMicroseconds = difference(after.machineBusy, before.machineBusy)
        let allAgents = m.attribute(before: before.probes, after: after.probes)
        m.loadGeneratorCPUMicroseconds = max(0, after.ownCPU - before.ownCPU - allAgents)
        m.noise = PhaseNoise(before: before.machine, after: after.machine,
                             ownMicroseconds: (m.serviceCPUMicroseconds ?? 0) + after.ownCPU - before.ownCPU, windowSeconds: m.seconds)
        return m
    }

    /// Gives each request to the phase whose window holds its intended send time, and each
    /// response to the window it completed in (the achieved rate).
    static func assign(_ records: [GroundTruthRecord], to phases: inout [PhaseMeasurement]) {
        let order = phases.indices.sorted { phases[$0].startNanoseconds < phases[$1].startNanoseconds }
        let starts = order.map { phases[$0].startNanoseconds }
        func window(of ns: UInt64) -> Int? {
            var low = 0, high = starts.count  // the last window starting at or before ns
            while low < high {
                let mid = (low + high) / 2
                if starts[mid] <= ns { low = mid + 1 } else { high = mid }
            }
            guard low > 0, ns < phases[order[low - 1]].endNanoseconds else { return nil }
            return order[low - 1]
        }
        for record in records {
            if let i = window(of: record.intendedNs) {
                phases[i].requests += 1
                if record.failed {
                    phases[i].failed += 1
                } else {
                    phases[i].latency.record(nanoseconds: record.correctedLatencyNs)
                    phases[i].latencySumNanoseconds += Double(record.correctedLatencyNs)
                }
            }
            if !record.failed, let i = window(of: record.completeNs) { phases[i].completed += 1 }
        }
    }
}

private func difference(_ after: Double?, _ before: Double?) -> Double? {
    guard let after, let before else { return nil }
    return after - before
}
