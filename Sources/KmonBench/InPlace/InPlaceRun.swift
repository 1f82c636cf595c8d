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
final class InPlaceRun {
    struct Settings {
        var phaseSeconds: Double
        var settleSeconds: Double
        var warmupSeconds: Double
        var connections: Int
        var seed: UInt64
    }

    struct Outcome {
        var phases: [PhaseMeasurement]
        /// Set when a service died or the load failed: the bench stops with this reason.
        var failure: String?
    }

    let workload: RunningWorkload
    let probes: [BenchArm: ArmProbe]
    /// The whole bench's stop (Ctrl-C, SIGTERM).
    let stop: StopToken
    let benchStart: UInt64

    init(workload: RunningWorkload, probes: [BenchArm: ArmProbe], stop: StopToken, benchStart: UInt64) {
        self.workload = workload
        self.probes = probes
        self.stop = stop
        self.benchStart = benchStart
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
            duration: max(planned * 4, planned + 120), warmUp: settings.warmupSeconds, seed: settings.seed, stop: runStop))
        let load = LoadThread(generator)

        var measured: [PhaseMeasurement] = []
        var attached: BenchArm?
        var failure: String?
        if !runStop.wait(seconds: settings.warmupSeconds + 0.05) {
            for (index, phase) in phases.enumerated() {
                progress?(phase, index)
                let switchStart = MonotonicClock.now()
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
                let switchNs = MonotonicClock.now() - switchStart
                if runStop.wait(seconds: settings.settleSeconds) { break }
                let before = snapshot()
                if runStop.wait(seconds: settings.phaseSeconds - settings.settleSeconds) { break }
                let after = snapshot()
                measured.append(phaseMeasurement(phase, before: before, after: after, switchNs: switchNs, rate: rate))
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
            var invalid = PhaseMeasurement(run: phase, startNs: MonotonicClock.now(), endNs: MonotonicClock.now(), switchNs: 0,
                                           offeredRPS: rate)
            invalid.invalidReason = failure
            measured.append(invalid)
        }
        return Outcome(phases: measured, failure: failure)
    }

    /// Every counter a phase needs, read as close together as possible.
    struct Snapshot {
        var at: UInt64
        var services: Double?
        var machineBusy: Double?
        var ownCPU: Double
        var probes: [BenchArm: ProbeCounters]
    }

    func snapshot() -> Snapshot {
        var counters: [BenchArm: ProbeCounters] = [:]
        for (arm, probe) in probes { counters[arm] = try? probe.counters() }
        let times = workload.cpuTime()
        let services: Double? = times.count == workload.services.count ? Double(times.values.reduce(0, +)) / 1000 : nil
        return Snapshot(at: MonotonicClock.now(), services: services, machineBusy: ProcFS.machineBusyMicroseconds(),
                        ownCPU: ProcFS.ownCPUMicroseconds(), probes: counters)
    }

    func phaseMeasurement(_ phase: ScheduledRun, before: Snapshot, after: Snapshot, switchNs: UInt64, rate: Double?) -> PhaseMeasurement {
        var m = PhaseMeasurement(run: phase, startNs: before.at, endNs: after.at, switchNs: switchNs, offeredRPS: rate)
        m.serviceCPUMicroseconds = difference(after.services, before.services)
        m.machineBusyMicroseconds = difference(after.machineBusy, before.machineBusy)
        var allAgents = 0.0
        for (arm, end) in after.probes {
            guard let start = before.probes[arm] else { continue }
            let delta = end - start
            allAgents += delta.agentCPUMicroseconds
            if arm == phase.arm {
                m.programs = delta.programs
                m.eventsLost = delta.lost
                m.agentCPUMicroseconds = delta.agentCPUMicroseconds
            } else {
                m.strayRuns += delta.runs
            }
        }
        m.loadGeneratorCPUMicroseconds = max(0, after.ownCPU - before.ownCPU - allAgents)
        return m
    }

    /// Gives each request to the phase whose window holds its intended send time, and each
    /// response to the window it completed in (the achieved rate).
    static func assign(_ records: [GroundTruthRecord], to phases: inout [PhaseMeasurement]) {
        let order = phases.indices.sorted { phases[$0].startNs < phases[$1].startNs }
        let starts = order.map { phases[$0].startNs }
        func window(of ns: UInt64) -> Int? {
            var low = 0, high = starts.count  // the last window starting at or before ns
            while low < high {
                let mid = (low + high) / 2
                if starts[mid] <= ns { low = mid + 1 } else { high = mid }
            }
            guard low > 0, ns < phases[order[low - 1]].endNs else { return nil }
            return order[low - 1]
        }
        for record in records {
            if let i = window(of: record.intendedNs) {
                phases[i].requests += 1
                if record.failed {
                    phases[i].failed += 1
                } else {
                    phases[i].latency.record(nanoseconds: record.correctedLatencyNs)
                    phases[i].latencySumNs += Double(record.correctedLatencyNs)
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

/// The load generator on its own thread, so the phase loop can switch arms meanwhile.
final class LoadThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var result: Result<LoadSummary, Error>?

    init(_ generator: LoadGenerator) {
        let thread = Thread { [self] in
            let outcome = Result { try generator.run() }
            lock.withLock { result = outcome }
            done.signal()
        }
        thread.name = "kmon-bench-load"
        thread.stackSize = 1 << 20
        thread.start()
    }

    var isFinished: Bool { lock.withLock { result != nil } }

    func join() -> Result<LoadSummary, Error> {
        done.wait()
        return lock.withLock { result! }
    }
}
