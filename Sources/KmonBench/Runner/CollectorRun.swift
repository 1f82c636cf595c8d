import Foundation
import Kmon

/// One collector arm's collector for one run, filtered to the workload's processes.
final class CollectorRun {
    /// fcount counts calls of named events; the bench counts the services' socket writes and reads.
    static let fcountEvents = ["syscalls:sys_enter_write", "syscalls:sys_enter_read"]

    private let set: CollectorSet

    private init(set: CollectorSet) { self.set = set }

    static func start(name: String, verbosity: Int, pids: [Int32]) throws -> CollectorRun {
        let kind = try CollectorKind.named(name)
        let settings = CollectorSettings(verbosity: verbosity, filter: ListenFilter(pids: Set(pids)),
                                         fcountEvents: kind == .fcount ? fcountEvents : [])
        return CollectorRun(set: try CollectorSet([kind: settings]))
    }

    /// Why this kernel cannot run the collector at this level, from a real start and stop on
    /// this process; nil when it can.
    static func unavailableReason(name: String, verbosity: Int) -> String? {
        do {
            let run = try start(name: name, verbosity: verbosity, pids: [getpid()])
            _ = try run.finish()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Detaches, then reads each program's run statistics and the losses.
    func finish() throws -> (programs: [String: RunMeasurement.ProgramCost], lost: UInt64) {
        try set.stop()
        var programs: [String: RunMeasurement.ProgramCost] = [:]
        var lost: UInt64 = 0
        for collector in set.collectors {
            for stats in try collector.programStats() {
                programs[stats.name] = RunMeasurement.ProgramCost(runs: stats.runCount, nanoseconds: stats.runTimeNanoseconds)
            }
            lost += try collector.losses().total
        }
        return (programs, lost)
    }

    /// Detaches on any path out. Safe after `finish()`.
    func abandon() {
        try? set.stop()
    }
}
