import Foundation
import KmonLoad
import KmonSupport
import KmonSystem
import KmonTcpreq
import KmonWorkload
import Logging

/// Runs one accuracy run end to end: fresh services, the arm's probe, one load run, then
/// teardown, and joins the probe's spans to the ground truth.
///
/// Services start fresh for every run so that each probe session sees every connection from its
/// first request (span ordinals count from there) and no run inherits another's state.
final class ArmRunner {
    let spec: WorkloadSpec
    let plan: BenchPlan
    let network: WorkloadNetworkMode
    /// The whole bench's stop (Ctrl-C, SIGTERM).
    let stop: StopToken
    let logger: Logger
    let benchStart = MonotonicClock.now()
    let scratch: String

    init(spec: WorkloadSpec, plan: BenchPlan, network: WorkloadNetworkMode, stop: StopToken, scratch: String, logger: Logger) {
        self.spec = spec
        self.plan = plan
        self.network = network
        self.stop = stop
        self.scratch = scratch
        self.logger = logger
    }

    /// Requests an open-loop accuracy run aims for: one miss in them is 0.05%, so a per-mille
    /// claim rests on 2,000 requests, not on however few a low knee leaves in `--duration`.
    static let minimumRequests = 2_000.0
    /// The most an accuracy run is lengthened to, as a multiple of `--duration`.
    static let maximumStretch = 10.0

    /// `--duration`, lengthened at low rates towards `minimumRequests`, within `maximumStretch`.
    static func duration(rate: Double?, lengths: RunLengths) -> Double {
        guard let rate, rate > 0 else { return lengths.accuracySeconds }
        return min(max(lengths.accuracySeconds, minimumRequests / rate), lengths.accuracySeconds * maximumStretch)
    }

    /// The run's measurement, or nil when the bench was interrupted during it.
    func run(_ scheduled: ScheduledRun, index: Int, rate: Double?) throws -> RunMeasurement? {
        let records = "\(scratch)/run-\(index)"
        defer { try? FileManager.default.removeItem(atPath: records) }
        let workload: RunningWorkload
        do {
            workload = try WorkloadController.start(
                spec: spec, options: WorkloadOptions(mode: network, recordsDirectory: records, ephemeralPorts: true, cancel: stop),
                logger: logger)
        } catch where stop.isStopped {
            return nil
        }
        defer { workload.stop() }

        let probe: ArmProbe?
        do {
            probe = try ArmProbe.load(scheduled.arm, pids: workload.services.map(\.pid), keepSpans: true, attached: true, logger: logger)
        } catch {
            throw ArmStartError(arm: scheduled.arm, reason: "\(error)")
        }
        defer { probe?.unload() }

        let servicesBefore = workload.cpuTime()
        let selfBefore = ProcFS.ownCPUMicroseconds()
        let agentBefore = probe?.agentCPUMicroseconds() ?? 0

        let runStop = StopToken()
        let watcher = DeathWatcher(workload: workload, bench: stop, run: runStop, benchStart: benchStart)
        let ingress = workload.ingress.endpoint
        let generator = LoadGenerator(LoadConfiguration(
            target: LoadTarget(endpoint: ingress), connections: plan.lengths.connections, threads: 1,
            model: rate.map { .openLoop(rate: $0, poisson: false) } ?? .closedLoop,
            duration: Self.duration(rate: rate, lengths: plan.lengths),
            warmUp: plan.lengths.warmupSeconds, seed: plan.seed &+ UInt64(index), stop: runStop, requests: spec.requests))
        let summary: LoadSummary
        do {
            summary = try generator.run()
        } catch {
            watcher.finish()
            if stop.isStopped { return nil }
            throw error
        }
        let death = watcher.finish()

        let servicesAfter = workload.cpuTime()
        let selfCPU = ProcFS.ownCPUMicroseconds() - selfBefore
        let agentCPU = probe.map { $0.agentCPUMicroseconds() - agentBefore }
        let probeResult = try probe?.finish()
        workload.stop()  // services write out their records as they exit
        if stop.isStopped { return nil }

        var serviceCPU: Double? = 0
        for (name, before) in servicesBefore {
            guard let after = servicesAfter[name] else { serviceCPU = nil; break }
            serviceCPU = serviceCPU.map { $0 + Double(after &- before) / 1000 }
        }
        let sent = generator.records.filter { !$0.flags.contains(.notSent) }
        var latency = LatencyDistribution()
        latency = LatencyDistribution(nanoseconds: generator.records.lazy
            .filter { !$0.flags.contains(.warmUp) && !$0.failed }.map(\.correctedLatencyNs))

        var accuracy: RunAccuracy?
        if death == nil, let probeResult, scheduled.arm.reportsSpans {
            accuracy = try evaluateAccuracy(workload: workload, load: generator.records, spans: probeResult.spans)
        }
        var measurement = RunMeasurement(
            run: scheduled, invalidReason: death.map(InvalidReason.failed), offeredRPS: rate, achievedRPS: summary.achievedRPS, requests: sent.count,
            latency: latency, serviceCPUMicroseconds: serviceCPU, agentCPUMicroseconds: agentCPU,
            loadGeneratorCPUMicroseconds: max(0, selfCPU - (agentCPU ?? 0)),
            programs: probeResult?.counters.programs ?? [:], eventsLost: probeResult?.counters.lost ?? 0,
            agentRSSMegabytes: probeResult?.rssGrowthMegabytes, accuracy: accuracy)
        measurement.degraded = probeResult?.degraded ?? []
        return measurement
    }

    private func evaluateAccuracy(workload: RunningWorkload, load: [GroundTruthRecord], spans: [Span]) throws -> RunAccuracy {
        var services: [String: RunObservations.ServiceTruth] = [:]
        var endpoints: [String: SocketEndpoint] = [:]
        var byPid: [Int32: String] = [:]
        for service in workload.services {
            endpoints[service.name] = service.endpoint
            byPid[service.pid] = service.name
            guard let path = service.recordsPath else { continue }
            services[service.name] = Adapters.serviceTruth(try ServiceRecords.read(path: path))
        }
        let names = Dictionary(spec.services.map { ($0.processName, $0.name) }, uniquingKeysWith: { first, _ in first })
        let probeSpans = spans.map { Adapters.probeSpan($0, service: byPid[$0.tgid] ?? names[$0.comm]) }
        return RunAccuracy.evaluate(RunObservations(
            endpoints: endpoints, specEdges: Adapters.hops(spec), clientRecords: Adapters.clientRecords(load),
            services: services, spans: probeSpans))
    }
}
