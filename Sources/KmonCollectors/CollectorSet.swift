import BPF
import Foundation
import KmonSupport
import KmonSystem

/// Several collectors run together, as `kmon monitor --collect …` does: started in a fixed
/// order, stopped together, reported together under `collectors.<name>`. Keeps the kernel's
/// run statistics on while it runs, so each report lists its programs' cost.
public final class CollectorSet {
    public let collectors: [any Collector]
    private var stats: BPFStats?

    /// Starts each collector of the plan; if one fails, the ones already started are stopped.
    public init(_ plan: [CollectorKind: CollectorSettings]) throws {
        stats = try? BPFStats()
        var running: [any Collector] = []
        do {
            for (kind, settings) in plan.sorted(by: { $0.key < $1.key }) {
                let collector = try CollectorRegistry.make(kind, settings: settings)
                try collector.start()
                running.append(collector)
            }
        } catch {
            for collector in running { try? collector.stop() }
            stats?.close()
            throw error
        }
        collectors = running
    }

    /// Detaches every collector; reports the first error after trying them all.
    public func stop() throws {
        var firstError: Error?
        for collector in collectors {
            do { try collector.stop() } catch { firstError = firstError ?? error }
        }
        stats?.close()
        stats = nil
        if let firstError { throw firstError }
    }

    /// Detaches or re-attaches every collector's hooks; see `Collector.setAttached`.
    public func setAttached(_ attached: Bool) throws {
        for collector in collectors { try collector.setAttached(attached) }
    }

    /// Each collector's report with its programs' run statistics, keyed by collector name.
    public func summaries() throws -> [String: CollectorSummary] {
        var result: [String: CollectorSummary] = [:]
        for collector in collectors {
            result[collector.kind.rawValue] = CollectorSummary(
                report: try collector.anyReport(),
                programs: try collector.programStats().map(ProgramRunRecord.init))
        }
        return result
    }

    /// One line per collector for the live view.
    public func liveLines() -> [String] {
        collectors.map { collector in
            let programs = (try? collector.programStats()) ?? []
            let lost = (try? collector.losses().total) ?? 0
            let cost = programs.nanosecondsPerRun.map { String(format: "%.0f ns/run", $0) } ?? "-"
            let runs = programs.totalRunCount
            return "\(collector.kind.rawValue) (verbosity \(collector.settings.verbosity)): \(runs) runs, \(cost), lost \(lost)"
        }
    }
}

/// `collectors.<name>` in `kmon monitor --json`: the collector's report plus the run statistics
/// of its programs, in one object.
public struct CollectorSummary: FlatEncodable, Sendable {
    public let report: any CollectorReport
    public let programs: [ProgramRunRecord]

    public var flatParts: [any Encodable] { [report, ["programs": programs]] }
}

