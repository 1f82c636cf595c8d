import BPF
import Foundation
import Kmon
import KmonSupport
import KmonWorkload
import Logging

/// Runs a whole bench: checks which arms this kernel can run, runs the interleaved schedule
/// (saturation first, then the load levels at fractions of the baseline's saturation), and
/// builds the results. Stops early, cleaning up, on Ctrl-C or when a service dies.
public final class BenchRunner {
    public struct Outcome {
        /// Nil when interrupted before anything could be summarized.
        public var results: BenchResults?
        public var interrupted: Bool
        /// Set when the bench stopped early because something failed (a service died).
        public var failure: String?
    }

    public var plan: BenchPlan
    public let spec: WorkloadSpec
    public let network: WorkloadNetworkMode
    public let stop: StopToken
    public let logger: Logger

    public init(plan: BenchPlan, spec: WorkloadSpec, network: WorkloadNetworkMode, stop: StopToken, logger: Logger) {
        self.plan = plan
        self.spec = spec
        self.network = network
        self.stop = stop
        self.logger = logger
    }

    /// Arms whose variant or collector the kernel cannot run, with the kernel's reason.
    public static func unavailableArms(_ arms: [BenchArm]) -> [SkippedArm] {
        var reasons: [String: String?] = [:]
        return arms.compactMap { arm in
            if let name = arm.collector {
                return CollectorRun.unavailableReason(name: name, verbosity: arm.verbosity ?? 1)
                    .map { SkippedArm(variant: arm.name, reason: $0) }
            }
            guard let name = arm.variant, let variant = ProbeVariant(rawValue: name) else { return nil }
            if reasons[name] == nil { reasons[name] = TcpreqSession.unavailableReason(variant) }
            return (reasons[name] ?? nil).map { SkippedArm(variant: arm.name, reason: $0) }
        }
    }

    public func run(progress makeProgress: (BenchPlan, Int) -> BenchProgress) throws -> Outcome {
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let clockStart = MonotonicClock.now()
        var skipped = Self.unavailableArms(plan.arms)
        plan.arms.removeAll { arm in skipped.contains { $0.variant == arm.name } }
        // Run statistics stay on for every arm, baselines included: turning them on costs time.
        let stats = try? BPFStats()
        defer { stats?.close() }

        let runs = plan.schedule.runs()
        let progress = makeProgress(plan, runs.count)
        for arm in skipped { progress.note("skipping \(arm.variant): \(arm.reason)") }
        let scratch = try Self.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let runner = ArmRunner(spec: spec, plan: plan, network: network, stop: stop, scratch: scratch, logger: logger)

        var measurements: [RunMeasurement] = []
        var rates: [Double: Double] = [:]
        var failure: String?
        var interrupted = false
        var degradationsSeen = Set<Degradation>()
        for (index, scheduled) in runs.enumerated() {
            if stop.isStopped { interrupted = true; break }
            if skipped.contains(where: { $0.variant == scheduled.arm.name }) { continue }
            var rate: Double?
            if case .load(let percent) = scheduled.phase {
                if rates.isEmpty {
                    let saturation = measurements.filter { $0.run.arm == .baseline && $0.run.phase == .saturation && $0.isValid }
                    guard let median = Percentile.median(saturation.map(\.achievedRPS)), median > 0 else { throw BenchError.noSaturation() }
                    for load in plan.loadPercents { rates[load] = median * load / 100 }
                    progress.note(String(format: "baseline saturation %.0f req/s; load levels: ", median)
                                  + plan.loadPercents.map { String(format: "%@ = %.0f req/s", Format.load($0), rates[$0]!) }.joined(separator: ", "))
                }
                rate = rates[percent]
            }
            progress.started(scheduled, index: index, blocks: scheduled.phase == .saturation ? plan.saturationBlocks : plan.blocks, rate: rate)
            let result: RunMeasurement?
            do {
                result = try runner.run(scheduled, index: index, rate: rate)
            } catch let failed as ArmStartError {
                skipped.append(SkippedArm(variant: failed.arm.name, reason: failed.reason))
                measurements.removeAll { $0.run.arm == failed.arm }
                progress.note("skipping \(failed.arm.name): \(failed.reason)")
                continue
            }
            guard let measurement = result else {
                interrupted = true
                break
            }
            measurements.append(measurement)
            for degradation in measurement.degraded where degradationsSeen.insert(degradation).inserted {
                progress.note("\(scheduled.arm.name) \(degradation)")
            }
            progress.finished(measurement)
            if let reason = measurement.invalidReason {
                failure = reason
                break
            }
        }
        progress.done()
        if interrupted { return Outcome(results: nil, interrupted: true, failure: nil) }
        plan.arms.removeAll { arm in skipped.contains { $0.variant == arm.name } }
        let elapsed = Double(MonotonicClock.now() - clockStart) / 1e9
        let results = ResultsBuilder(plan: plan, measurements: measurements, hops: Adapters.hops(spec))
            .build(environment: .current(bpfStats: stats?.mode.rawValue), startedAt: startedAt, elapsedSeconds: elapsed, skipped: skipped)
        return Outcome(results: results, interrupted: false, failure: failure)
    }

    static func makeScratchDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "kmon-bench-XXXXXX").utf8CString)
        guard let path = mkdtemp(&template) else {
            throw BenchError(description: "cannot create a scratch directory under \(NSTemporaryDirectory())")
        }
        return String(cString: path)
    }
}
