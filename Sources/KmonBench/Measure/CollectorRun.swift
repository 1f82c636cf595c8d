import Foundation
import KmonCollectors

/// How the bench runs a collector arm: filtered to the workload's processes.
enum CollectorRun {
    /// fcount counts calls of named events; the bench counts the services' socket writes and reads.
    static let fcountEvents = ["syscalls:sys_enter_write", "syscalls:sys_enter_read"]

    /// The collector as the bench runs it, started and attached.
    static func collectorSet(_ kind: CollectorKind, verbosity: Int, pids: [Int32]) throws -> CollectorSet {
        let settings = CollectorSettings(verbosity: verbosity, filter: ListenFilter(pids: Set(pids)),
                                         fcountEvents: kind == .fcount ? fcountEvents : [])
        return try CollectorSet([kind: settings])
    }

    /// Why this kernel cannot run the collector at this level, from a real start and stop on
    /// this process; nil when it can.
    static func unavailableReason(_ kind: CollectorKind, verbosity: Int) -> String? {
        do {
            try collectorSet(kind, verbosity: verbosity, pids: [getpid()]).stop()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
