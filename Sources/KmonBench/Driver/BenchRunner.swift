import BPF
import Foundation
import KmonFeatures
import KmonSupport
import KmonTcpreq
import KmonWorkload
import Logging

/// Runs a whole bench (docs/bench.md): one workload for every overhead figure, with every
/// probe loaded ahead (and afresh every few blocks) and the arms taking turns in place. First closed-loop saturation, then
/// the baseline's knee, then one open-loop run per load level; last, fresh-service accuracy
/// runs for the arms that report spans. Stops early, cleaning up, on Ctrl-C or when a service dies.
public final class BenchRunner {
    public struct Outcome {
        /// Nil when interrupted before anything could be summarized.
        public var results: BenchResults?
        public var interrupted: Bool
        /// Set when the bench stopped early because something failed (a service died).
        public var failure: String?
        /// With `--base-objects`: this build against the base build, from the paired phases.
        public var gate: RegressionGate.Report?
    }

    public var plan: BenchPlan
    public let spec: WorkloadSpec
    public let network: WorkloadNetworkMode
    public let stop: StopToken
    public let logger: Logger
    public let objects: ProbeObjects

    public init(plan: BenchPlan, spec: WorkloadSpec, network: WorkloadNetworkMode, stop: StopToken, logger: Logger,
                objects: ProbeObjects = ProbeObjects()) {
        self.plan = plan
        self.spec = spec
        self.network = network
        self.stop = stop
        self.logger = logger
        self.objects = objects
    }

    /// Arms whose variant or collector the kernel cannot run, with the kernel's reason.
    static func unavailableArms(_ arms: [BenchArm]) -> [ArmSkip] {
        var reasons: [ProbeVariant: String?] = [:]
        return arms.compactMap { arm in
            if let kind = arm.collector {
                return CollectorRun.unavailableReason(kind, verbosity: arm.verbosity ?? 1)
                    .map { ArmSkip(arm: arm, reason: $0) }
            }
            guard let variant = arm.variant else { return nil }
            if reasons[variant] == nil { reasons[variant] = TcpreqSession.unavailableReason(variant) }
            return (reasons[variant] ?? nil).map { ArmSkip(arm: arm, reason: $0) }
        }
    }

    public func run(progress makeProgress: (BenchPlan) -> BenchProgress) throws -> Outcome {
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let clockStart = MonotonicClock.now()
        var skipped = Self.unavailableArms(plan.arms)
        plan.arms.removeAll { skipped.skips($0) }
        // Run statistics stay on for every arm, baselines included: turning them on costs time.
        let stats = try? BPFStats()
        defer { stats?.close() }
        let progress = makeProgress(plan)
        defer { progress.done() }
        for skip in skipped { progress.note("skipping \(skip.arm.name): \(skip.reason)") }
        let scratchDirectory: ScratchDirectory
        do { scratchDirectory = try ScratchDirectory(prefix: "bench") } catch {
            throw BenchError(description: "cannot create a scratch directory: \(error)")
        }
        defer { scratchDirectory.remove() }
        let scratch = scratchDirectory.path

        guard let overhead = try measureOverhead(scratch: scratch, benchStart: clockStart, progress: progress, skipped: &skipped) else {
            return Outcome(results: nil, interrupted: true, failure: nil)
        }
        plan.arms.removeAll { skipped.skips($0) }

        var accuracyRuns: [RunMeasurement] = []
        var failure = overhead.failure
        if failure == nil {
            let runner = ArmRunner(spec: spec, plan: plan, network: network, stop: stop, scratch: scratch, logger: logger)
            accuracy: for percent in plan.loadPercents {
                let seconds = ArmRunner.duration(rate: overhead.rate(percent), lengths: plan.lengths)
                if seconds > plan.lengths.accuracySeconds && !plan.accuracyArms.isEmpty {
                    progress.note(String(format: "accuracy at %@ (%.0f req/s): runs of %.1f s instead of %.1f s, for %.0f requests",
                                         Format.load(percent), overhead.rate(percent), seconds, plan.lengths.accuracySeconds,
                                         min(ArmRunner.minimumRequests, seconds * overhead.rate(percent))))
                }
                for arm in plan.accuracyArms {
                    let scheduled = ScheduledRun(level: .load(percent: percent), block: 0, arm: arm)
                    progress.step("accuracy \(scheduled.level) · \(arm.name) (fresh services)")
                    let measurement: RunMeasurement?
                    do {
                        measurement = try runner.run(scheduled, index: accuracyRuns.count, rate: overhead.rate(percent))
                    } catch let failed as ArmStartError {
                        progress.note("accuracy run of \(failed.arm.name) could not start: \(failed.reason)")
                        continue
                    }
                    guard let measurement else { return Outcome(results: nil, interrupted: true, failure: nil) }
                    accuracyRuns.append(measurement)
                    if let reason = measurement.invalidReason {
                        failure = reason.description
                        break accuracy
                    }
                }
            }
        }
        if stop.isStopped { return Outcome(results: nil, interrupted: true, failure: nil) }
        let elapsed = Double(MonotonicClock.now() - clockStart) / 1e9
        var results = ResultsBuilder(plan: plan, phases: overhead.phases, accuracyRuns: accuracyRuns, knee: overhead.knee,
                                     hops: Adapters.hops(spec), benchStartNanoseconds: clockStart,
                                     probeDegradations: overhead.degradations)
            .build(environment: .current(bpfStats: stats?.mode.rawValue), startedAt: startedAt, elapsedSeconds: elapsed,
                   skipped: skipped.map(\.record))
        let gate = objects.hasBase
            ? InRunGate().check(phases: overhead.phases, arms: plan.arms, loads: plan.loadPercents,
                                blocks: max(plan.lengths.blocks, plan.lengths.triggerBlocks),
                                seed: plan.seed, hardFailures: RegressionGate().hardFailures(results))
            : nil
        results.gate = gate.map { GateRecord($0, baseObjects: objects.directory ?? "") }
        return Outcome(results: results, interrupted: false, failure: failure, gate: gate)
    }

    /// What the in-place part measured.
    struct OverheadPart {
        var phases: [PhaseMeasurement] = []
        var knee = KneeRecord(saturationRPS: 0, factor: KneeSearch.factor, points: [], kneeRPS: nil)
        var degradations: [(arm: String, degraded: [Degradation])] = []
        var failure: String?

        /// The absolute rate of a load level: a percentage of the knee (of the low-load rate
        /// when no rate stayed below the knee).
        func rate(_ percent: Double) -> Double {
            (knee.kneeRPS ?? knee.points.first?.rate ?? 0) * percent / 100
        }
    }

    /// With `--drop-noisy`: a level's phases past the noise limits (`PhaseNoise`) marked invalid.
    private func dropNoisy(_ phases: [PhaseMeasurement], _ level: BenchLevel, _ progress: BenchProgress) -> [PhaseMeasurement] {
        guard plan.dropNoisy else { return phases }
        var phases = phases
        let noisy = PhaseMeasurement.invalidateNoisy(&phases)
        if noisy > 0 { progress.note("\(level): \(noisy) of \(phases.count) phases were noisy; they are left out (invalid blocks)") }
        return phases
    }

    /// Saturation, knee and load levels on one workload; nil when interrupted.
    private func measureOverhead(scratch: String, benchStart: UInt64, progress: BenchProgress,
                                 skipped: inout [ArmSkip]) throws -> OverheadPart? {
        let workload: RunningWorkload
        do {
            workload = try WorkloadController.start(
                spec: spec, options: WorkloadOptions(mode: network, recordsDirectory: "\(scratch)/in-place", ephemeralPorts: true,
                                                     cancel: stop),
                logger: logger)
        } catch where stop.isStopped {
            return nil
        }
        defer { workload.stop() }

        var part = OverheadPart()
        // Before the probes load: the trigger driver's pid is in every arm's filter.
        let trigger = startTriggerDriver(progress: progress)
        defer { trigger?.stop() }
        var probes: [BenchArm: ArmProbe] = [:]
        defer { probes.values.forEach { $0.unload() } }
        let pids = workload.services.map(\.pid) + (trigger.map { [$0.pid] } ?? [])
        for arm in plan.arms where !arm.isBaseline {
            do {
                guard let probe = try ArmProbe.load(arm, pids: pids, objects: objects, attached: false, logger: logger) else {
                    continue
                }
                probes[arm] = probe
                part.degradations.append((arm.name, probe.degraded))
                for degradation in probe.degraded { progress.note("\(arm.name) \(degradation)") }
            } catch {
                skipped.append(ArmSkip(arm: arm, reason: "\(error)"))
                progress.note("skipping \(arm.name): \(error)")
            }
        }
        let arms = plan.arms.filter { !skipped.skips($0) }
        var schedule = BenchSchedule(arms: arms, loadPercents: plan.loadPercents, saturationBlocks: plan.lengths.saturationBlocks,
                                     loadBlocks: plan.lengths.blocks, seed: plan.seed)
        schedule.triggerBlocks = trigger == nil ? 0 : plan.lengths.triggerBlocks
        let reloads = ProbeReloads { [objects, logger] arm in try ArmProbe.load(arm, pids: pids, objects: objects, attached: false, logger: logger) }
        let inPlace = InPlaceRun(workload: workload, probes: probes, stop: stop, benchStart: benchStart, reloads: reloads)
        defer { inPlace.unloadAll() }
        var seed = plan.seed
        func settings(phase: Double, settle: Double) -> InPlaceRun.Settings {
            seed &+= 1
            return .init(phaseSeconds: phase, settleSeconds: settle, warmupSeconds: plan.lengths.warmupSeconds,
                         connections: plan.lengths.connections, seed: seed, reloadEvery: plan.reloadEvery)
        }
        func step(_ run: ScheduledRun, _ index: Int) { progress.step("\(run.level) · block \(run.block + 1) · \(run.arm.name)") }

        // Closed-loop saturation: the top of the knee search, and each arm's throughput Δ.
        progress.note("saturation: closed loop, \(plan.lengths.saturationBlocks) blocks of \(arms.count) arms in place")
        guard let saturation = try inPlace.run(schedule.runs(of: .saturation), rate: nil,
                                               settings: settings(phase: plan.lengths.phaseSeconds, settle: plan.lengths.settleSeconds),
                                               progress: step) else { return nil }
        part.phases += dropNoisy(saturation.phases, .saturation, progress)
        if let failure = saturation.failure { part.failure = failure; return part }
        let baselineSaturation = saturation.phases.filter { $0.run.arm == .baseline && $0.isValid }.map(\.achievedRPS)
        guard let top = Percentile.median(baselineSaturation), top > 0 else { throw BenchError.noSaturation() }

        // The knee: the baseline alone, at increasing rates, until p99 climbs past 3× its low-load value.
        var points: [KneeSearch.Point] = []
        sweep: for fraction in KneeSearch.fractions {
            let rate = (top * fraction).rounded()
            // A point past the knee is measured once more: one stall of the machine must not end the sweep.
            for attempt in 0..<2 {
                let phase = ScheduledRun(level: .knee(rate: rate), block: attempt, arm: .baseline)
                guard let outcome = try inPlace.run([phase], rate: rate, settings: settings(phase: plan.lengths.kneeSeconds, settle: 0),
                                                    progress: step) else { return nil }
                if let failure = outcome.failure { part.failure = failure; return part }
                guard let measured = outcome.phases.first, let p99 = measured.latency.microseconds(atQuantile: 0.99) else { break sweep }
                let point = KneeSearch.Point(rate: rate, achievedRPS: measured.achievedRPS, p99Microseconds: p99)
                if points.isEmpty || KneeSearch.passes(point, lowP99: points[0].p99Microseconds) {
                    points.append(point)
                    continue sweep
                }
                if attempt == 0 {
                    progress.note(String(format: "knee search: %.0f req/s looked past the knee (p99 %.0f µs); measuring it again", rate, p99))
                } else {
                    points.append(point)
                    break sweep
                }
            }
        }
        part.knee = KneeRecord(saturationRPS: top, factor: KneeSearch.factor, points: points, kneeRPS: KneeSearch.knee(points))
        var summary = String(format: "baseline saturation %.0f req/s; ", top)
        if let knee = part.knee.kneeRPS {
            summary += String(format: "knee %.0f req/s (p99 within %.0f× the low-load %.0f µs)", knee, KneeSearch.factor,
                              points[0].p99Microseconds)
        } else {
            summary += "no rate kept p99 within \(Int(KneeSearch.factor))× the low-load p99: levels are fractions of the low-load rate"
        }
        progress.note(summary + "; load levels: " + plan.loadPercents.map {
            String(format: "%@ = %.0f req/s", Format.load($0), part.rate($0))
        }.joined(separator: ", "))

        for percent in plan.loadPercents {
            let level = BenchLevel.load(percent: percent)
            guard let outcome = try inPlace.run(schedule.runs(of: level), rate: part.rate(percent),
                                                settings: settings(phase: plan.lengths.phaseSeconds, settle: plan.lengths.settleSeconds),
                                                progress: step) else { return nil }
            var phases = outcome.phases
            let offSchedule = PhaseMeasurement.invalidateOffSchedule(&phases)
            if offSchedule > 0 {
                progress.note("\(level): \(offSchedule) of \(phases.count) phases fell behind the offered "
                    + String(format: "%.0f req/s or drained a backlog; they measured queueing and are left out (invalid blocks)",
                             part.rate(percent)))
            }
            part.phases += dropNoisy(phases, level, progress)
            if let failure = outcome.failure { part.failure = failure; return part }
        }
        if let trigger, !measureTrigger(driver: trigger, inPlace: inPlace, schedule: schedule, progress: progress, part: &part) {
            return nil
        }
        if reloads.reloads > 0 {
            progress.note(String(format: "objects reloaded %d times, %.2f s of loading in all (between blocks, unmeasured)",
                                 reloads.reloads, reloads.loadingSeconds))
        }
        return part
    }
}
