import Foundation
import Glibc
import KmonSupport
import KmonSystem
import Logging

/// Starts a workload: every service as its own `kmon-service` process, callees before
/// callers, each checked healthy before the next starts. Any failure tears down what was
/// started before the error is thrown.
public enum WorkloadController {
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func start(spec: WorkloadSpec, options: WorkloadOptions = WorkloadOptions(),
                             logger: Logger = Logger(label: "kmon.workload")) throws -> RunningWorkload {
        guard FileManager.default.isExecutableFile(atPath: options.serviceExecutable) else {
            throw StartError(description: "kmon-service not found at \(options.serviceExecutable); build it (swift build --product kmon-service) and keep it beside kmon")
        }
        if let directory = options.recordsDirectory {
            // Services write <service>.records into it, never through a symlink (OutputFile).
            do { try OutputDirectory(creating: directory).close() } catch {
                throw StartError(description: "--records \(error)")
            }
        }
        if options.mode == .netns && geteuid() != 0 {
            throw StartError(description: "--netns needs root to create network namespaces and veth devices")
        }
        cleanUpAfterDeadControllers(logger: logger)
        let workload = try RunningWorkload(spec: spec, options: options, logger: logger)
        do {
            try workload.launch()
        } catch {
            workload.stop()
            throw error
        }
        return workload
    }

    /// Removes namespaces, devices, cgroups and temporary files that controllers killed before
    /// they could stop left behind. Returns what was swept and what could not be removed.
    @discardableResult
    public static func cleanUpAfterDeadControllers(logger: Logger = Logger(label: "kmon.workload")) -> (swept: [String], failures: [String]) {
        let result = WorkloadLedger.sweepStale()
        for line in result.swept { logger.notice("cleaned up after a dead controller: \(line)") }
        for failure in result.failures { logger.error("cleanup: \(failure)") }
        return result
    }
}
