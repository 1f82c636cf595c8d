import Foundation
import KmonCollectors
import KmonFeatures
import KmonSystem
import KmonTcpreq
import Logging

/// One arm's probe, a tcpreq session or a collector set, with the agent's own accounting: the
/// threads loading started (ring-buffer consumer, pid feeder) and how much the process grew.
/// The in-place run loads each arm's once, detached, and attaches it only during the arm's own
/// phases; an accuracy run loads one attached, keeping its spans, for one run with fresh services.
final class ArmProbe {
    /// What the probe saw over its whole life, read by `finish()`.
    struct Finished {
        var spans: [Span]
        var counters: ProbeCounters
        var rssGrowthMegabytes: Double?
        var degraded: [Degradation]
    }

    let arm: BenchArm
    private let session: TcpreqSession?
    private let collectors: CollectorSet?
    private let agentThreads: [Int32]
    private let rssBeforeMegabytes: Double?

    private init(arm: BenchArm, session: TcpreqSession?, collectors: CollectorSet?, agentThreads: [Int32],
                 rssBeforeMegabytes: Double?) {
        self.arm = arm
        self.session = session
        self.collectors = collectors
        self.agentThreads = agentThreads
        self.rssBeforeMegabytes = rssBeforeMegabytes
    }

    /// Loads the arm's programs, attached or not, filtered to `pids`; nil for baselines.
    /// `objects` gives in-place arms their build (base objects, injected cost); `keepSpans`
    /// keeps a tcpreq session's spans for `finish()`.
    static func load(_ arm: BenchArm, pids: [Int32], objects: ProbeObjects? = nil, keepSpans: Bool = false,
                     attached: Bool, logger: Logger) throws -> ArmProbe? {
        let rss = ProcFS.residentMegabytes()
        let threadsBefore = ProcFS.ownThreadIDs()
        var session: TcpreqSession?, collectors: CollectorSet?
        if let variant = arm.variant {
            var configuration = TcpreqConfiguration(variant: variant, mode: arm.mode ?? .kernel, filters: TcpreqFilters(pids: pids),
                                                    keepSpans: keepSpans)
            objects?.configure(&configuration, for: arm)
            session = try TcpreqSession.start(configuration, logger: logger, attached: attached)
        } else if let kind = arm.collector {
            let set = try CollectorRun.collectorSet(kind, verbosity: arm.verbosity ?? 1, pids: pids)
            do { try set.setAttached(attached) } catch {
                try? set.stop()
                throw error
            }
            collectors = set
        } else {
            return nil
        }
        let threads = ProcFS.ownThreadIDs().subtracting(threadsBefore).sorted()
        return ArmProbe(arm: arm, session: session, collectors: collectors, agentThreads: threads, rssBeforeMegabytes: rss)
    }

    var degraded: [Degradation] { session?.degradations ?? [] }

    func setAttached(_ attached: Bool) throws {
        if let session {
            if attached { try session.attach() } else { session.detach() }
        }
        try collectors?.setAttached(attached)
    }

    /// CPU µs of the threads loading started, since load; 0 when it started none.
    func agentCPUMicroseconds() -> Double {
        agentThreads.compactMap(ProcFS.ownThreadCPUMicroseconds).reduce(0, +)
    }

    /// Cumulative counters since load: each program's runs and run time, losses, agent CPU.
    func counters() throws -> ProbeCounters {
        var programs: [String: ProgramRunStats] = [:]
        var lost: UInt64 = 0
        if let session {
            for stats in try session.programStats() { programs[stats.name] = stats }
            lost = try session.counters().lost.total
        }
        for collector in collectors?.collectors ?? [] {
            for stats in try collector.programStats() { programs[stats.name] = stats }
            lost += try collector.losses().total
        }
        return ProbeCounters(programs: programs, lost: lost, agentCPUMicroseconds: agentCPUMicroseconds())
    }

    /// Detaches and drains, reads what the probe saw, then unloads.
    func finish() throws -> Finished {
        try session?.stop()
        try collectors?.setAttached(false)
        let spans = session?.takeSpans() ?? []
        let counters = try counters()
        let rssAfter = ProcFS.residentMegabytes()
        unload()
        var growth: Double?
        if let before = rssBeforeMegabytes, let rssAfter { growth = max(0, rssAfter - before) }
        return Finished(spans: spans, counters: counters, rssGrowthMegabytes: growth, degraded: degraded)
    }

    /// Detaches and unloads, on any path out (errors, interrupts). Safe to call twice, and after `finish()`.
    func unload() {
        try? session?.stop()
        try? collectors?.stop()
    }

    deinit { unload() }
}
