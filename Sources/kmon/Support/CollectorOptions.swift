import ArgumentParser
import Foundation
import KmonCollectors

/// `kmon monitor`'s collector flags: which collectors run, at what verbosity, with which config.
struct CollectorOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Collectors to run, comma-separated: \(CollectorKind.allCases.map(\.rawValue).joined(separator: ", ")) (default: tcpreq, or the --config sections).",
        valueName: "list"))
    var collect: String?

    @Option(name: .customLong("fcount"), help: ArgumentHelp(
        "An event for fcount to count: a tracepoint category:name, or kprobe:function (repeatable; adds fcount).",
        valueName: "event"))
    var fcountEvents: [String] = []

    @Option(name: .customLong("verbose-level"), help: ArgumentHelp(
        "Collector verbosity: N for all (capped at each one's highest), or name=N (repeatable). "
            + CollectorKind.allCases.filter { $0 != .tcpreq }.map { "\($0.rawValue): \($0.verbosityLevels)" }.joined(separator: "; ") + ".",
        valueName: "level"))
    var verboseLevels: [String] = []

    @Option(help: ArgumentHelp("Kmon-style YAML config with collector: sections (verbose, listen, export.period).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp(
        "Collectors watch processes whose name matches this regular expression; matched in /proc and re-scanned every second.",
        valueName: "regex"))
    var comm: String?

    func validate() throws {
        do {
            _ = try CollectorPlan.resolve(collect: collect, fcountEvents: fcountEvents, verboseLevels: verboseLevels,
                                          config: nil, filter: ListenFilter(comm: comm))
            for event in fcountEvents { _ = try FCountEvent(parsing: event) }
            try ListenFilter(comm: comm).validate()
        } catch let error as CollectorError where config != nil && error.description.hasPrefix("fcount needs") {
            // The config file may name fcount's events; checked again once it is read.
        } catch let error as CollectorError {
            throw ValidationError(error.description)
        }
    }

    /// The plan, with the config file read; a bad file exits 65 with a sentence naming the problem.
    func plan(pids: [Int32], cgroup: String?) throws -> CollectorPlan {
        let file: CollectorConfigFile?
        do {
            file = try config.map(CollectorConfigFile.load(path:))
            return try CollectorPlan.resolve(collect: collect, fcountEvents: fcountEvents, verboseLevels: verboseLevels,
                                             config: file, filter: ListenFilter(pids: Set(pids), cgroup: cgroup, comm: comm))
        } catch let error as CollectorError {
            printError(error)
            throw ExitCodes.badInput
        }
    }

    /// Starts the planned collectors, or exits: 69 when the kernel lacks something, 65 for a
    /// bad setting only found at start (unknown tracepoint, missing cgroup), 1 otherwise.
    static func start(_ plan: CollectorPlan) throws -> CollectorSet {
        do {
            return try CollectorSet(plan.collectors)
        } catch let error as CollectorError {
            printError(error)
            throw error.isUnavailable ? ExitCodes.unavailable : ExitCodes.badInput
        } catch {
            printError("starting collectors: \(error)")
            throw ExitCodes.failure
        }
    }
}
