import Foundation
import KmonFeatures
import KmonSystem
import KmonTcpreq
import Logging

/// One arm's tcpreq session for one run, with the agent's own accounting: CPU of its consumer
/// thread and how much the process grew while it ran.
final class ProbeRun {
    struct Result {
        var spans: [Span]
        var reportsSpans: Bool
        var programs: [String: ProgramRunStats]
        var lost: UInt64
        var rssGrowthMegabytes: Double?
        var degraded: [Degradation]
    }

    private let session: TcpreqSession
    private let rssBefore: Double?
    private let consumerThreads: [Int32]

    private init(session: TcpreqSession, rssBefore: Double?, consumerThreads: [Int32]) {
        self.session = session
        self.rssBefore = rssBefore
        self.consumerThreads = consumerThreads
    }

    static func start(variant probeVariant: ProbeVariant, mode: SpanMode?, pids: [Int32], keepSpans: Bool,
                      logger: Logger) throws -> ProbeRun {
        let spanMode = mode ?? .kernel
        let rss = ProcFS.residentMegabytes()
        let threadsBefore = ProcFS.ownThreadIDs()
        let session = try TcpreqSession.start(
            TcpreqConfiguration(variant: probeVariant, mode: spanMode, filters: TcpreqFilters(pids: pids), keepSpans: keepSpans),
            logger: logger)
        // The threads the session started are its agent: the ring-buffer consumer.
        let agentThreads = ProcFS.ownThreadIDs().subtracting(threadsBefore).sorted()
        return ProbeRun(session: session, rssBefore: rss, consumerThreads: agentThreads)
    }

    func agentCPUMicroseconds() -> Double? {
        guard !consumerThreads.isEmpty else { return nil }
        return consumerThreads.compactMap(ProcFS.ownThreadCPUMicroseconds).reduce(0, +)
    }

    /// Detaches, drains, and reads the session's spans, program statistics and losses.
    func finish() throws -> Result {
        try session.stop()
        let spans = session.takeSpans()
        let programs = try session.programStats()
        let counters = try session.counters()
        let rssAfter = ProcFS.residentMegabytes()
        let costs = Dictionary(programs.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        var growth: Double?
        if let before = rssBefore, let after = rssAfter { growth = max(0, after - before) }
        let configuration = session.configuration
        return Result(spans: spans,
                      reportsSpans: configuration.variant != .empty && configuration.mode != .histogram,
                      programs: costs, lost: counters.lost.total, rssGrowthMegabytes: growth,
                      degraded: session.degradations)
    }

    /// Detaches on any path out (errors, interrupts). Safe after `finish()`.
    func abandon() {
        try? session.stop()
    }
}
