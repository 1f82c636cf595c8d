import Foundation
import KmonCollectors
import KmonFeatures
import KmonSystem
import KmonTcpreq
import Logging

/// One arm's probe for a whole in-place run: a tcpreq session or a collector set, loaded once,
/// detached, then attached only during the arm's own phases.
final class ArmProbe {
    let arm: BenchArm
    private let session: TcpreqSession?
    private let collectors: CollectorSet?
    /// The threads loading started (ring-buffer consumer, pid feeder): the arm's agent.
    private let agentThreads: [Int32]

    private init(arm: BenchArm, session: TcpreqSession?, collectors: CollectorSet?, agentThreads: [Int32]) {
        self.arm = arm
        self.session = session
        self.collectors = collectors
        self.agentThreads = agentThreads
    }

    /// Loads the arm's programs with no hook attached; nil for baselines.
    static func load(_ arm: BenchArm, pids: [Int32], objects: ProbeObjects, logger: Logger) throws -> ArmProbe? {
        let threadsBefore = ProcFS.ownThreadIDs()
        var session: TcpreqSession?, collectors: CollectorSet?
        if let variant = arm.variant {
            var configuration = TcpreqConfiguration(variant: variant, mode: arm.mode ?? .kernel, filters: TcpreqFilters(pids: pids),
                                                    keepSpans: false)
            objects.configure(&configuration, for: arm)
            session = try TcpreqSession.start(configuration, logger: logger, attached: false)
        } else if let kind = arm.collector {
            let set = try CollectorRun.collectorSet(kind, verbosity: arm.verbosity ?? 1, pids: pids)
            do { try set.setAttached(false) } catch {
                try? set.stop()
                throw error
            }
            collectors = set
        } else {
            return nil
        }
        let threads = ProcFS.ownThreadIDs().subtracting(threadsBefore).sorted()
        return ArmProbe(arm: arm, session: session, collectors: collectors, agentThreads: threads)
    }

    var degraded: [Degradation] { session?.degradations ?? [] }

    func setAttached(_ attached: Bool) throws {
        if let session {
            if attached { try session.attach() } else { session.detach() }
        }
        try collectors?.setAttached(attached)
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
        let agent = agentThreads.compactMap(ProcFS.ownThreadCPUMicroseconds).reduce(0, +)
        return ProbeCounters(programs: programs, lost: lost, agentCPUMicroseconds: agent)
    }

    /// Detaches and unloads. Safe to call twice.
    func unload() {
        try? session?.stop()
        try? collectors?.stop()
    }

    deinit { unload() }
}

/// What a probe has counted since load; subtract two to get one phase's share.
struct ProbeCounters: Sendable {
    var programs: [String: ProgramRunStats]
    var lost: UInt64
    var agentCPUMicroseconds: Double

    static func - (after: ProbeCounters, before: ProbeCounters) -> ProbeCounters {
        var programs: [String: ProgramRunStats] = [:]
        for (name, stats) in after.programs {
            programs[name] = before.programs[name].map(stats.since) ?? stats
        }
        return ProbeCounters(programs: programs, lost: after.lost &- before.lost,
                             agentCPUMicroseconds: after.agentCPUMicroseconds - before.agentCPUMicroseconds)
    }

    var runs: UInt64 { programs.values.totalRunCount }
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
