import ArgumentParser
import BPF
import Foundation
import Glibc
import KmonCollectors
import KmonContainers
import KmonExport
import KmonExportAdapters
import KmonSupport
import KmonSystem
import KmonTcpreq
import KmonWorkload
import Logging

struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Watch request latency per service and the service topology from kernel hooks, with no change to the services.",
        discussion: """
            Variants: sock (default), syscall, kprobe, fentry, skb, empty. Modes: kernel (default; \
            each span sent once, up to 16 per ring record), user (raw events, spans assembled here), histogram \
            (in-kernel histograms only). Filters apply in the kernel; without any, every TCP \
            connection on the machine is watched. Stops after --duration (exit 0), or on Ctrl-C/SIGTERM \
            (exit 130, after the summary); every path out detaches the probes. A variant the kernel cannot run is reported in \
            `skipped` with the kernel's reason and exits 69.
            """)

    @Option(help: "Probe variant.")
    var variant: ProbeVariant = .sock

    @Option(help: "Span mode.")
    var mode: SpanMode = .kernel

    @Option(help: "Read each request's method and each response's status in the kernel: on, or off to read no byte of payload (spans then carry no method or status). At most 12 bytes at a span's edges; only the parsed codes leave the kernel.")
    var http: HTTPReading = .on

    @Option(name: .customLong("pid"), help: "Watch this process (repeatable).")
    var pids: [Int32] = []

    @Option(help: "Watch tasks in this cgroup v2 directory and below (absolute, or relative to the cgroup2 mount).")
    var cgroup: String?

    @Option(help: "Watch only containers whose name or id this regex finds (in the kernel; re-read every second).")
    var container: String?

    @Option(help: "Watch only pods whose NAMESPACE/NAME this regex finds (in the kernel; re-read every second).")
    var pod: String?

    @Option(name: .customLong("name-by"), help: "Name services by (workload: a pod's controller, else the container, else the process name).")
    var nameBy: ServiceNaming = .workload

    @Option(name: .customLong("port"), help: "Watch connections with this local or remote port (repeatable).")
    var ports: [UInt16] = []

    @Option(help: "Seconds to run; without it, until Ctrl-C.")
    var duration: Double?

    @Option(help: "Seconds between live view refreshes.")
    var interval: Double = 1

    @Option(help: "Workload spec: names services by its endpoint map (port → service).")
    var workload: String?

    @Flag(help: "Print a JSON summary at the end (the live view then goes to stderr).")
    var json = false

    @Option(help: "Write the final topology as Graphviz DOT to this file.")
    var dot: String?

    @OptionGroup var export: ExportOptions

    @OptionGroup var collectorOptions: CollectorOptions

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        _ = try containerSelector()
        if let duration { try AcceptedRange.positiveSeconds.checkFlag(duration, "--duration") }
        try AcceptedRange.seconds(from: 0.05).checkFlag(interval, "--interval")
        if let bad = pids.first(where: { $0 <= 0 }) { throw ValidationError("--pid must be a positive process id (got \(bad))") }
        // kill(pid, 0) finds a process without touching it (EPERM: it exists, owned by someone else).
        if let gone = pids.first(where: { kill($0, 0) != 0 && errno != EPERM }) { throw ValidationError("--pid \(gone): no such process") }
        _ = try resolvedCgroup()
        if ports.contains(0) { throw ValidationError("--port must be from 1 to 65535 (got 0)") }
        if json && export.jsonl == "-" { throw ValidationError("--json and --jsonl - both write to standard output; give --jsonl a file") }
    }

    func run() throws {
        let logger = logging.bootstrap()
        try requireBPFPrivileges()
        _ = KernelMounts.check(mountMissing: true)
        let endpointNames = try loadEndpointNames()
        if let dot { try checkOutput(dot, flag: "--dot") }
        let trap = SignalTrap()
        let cgroup = try resolvedCgroup()
        let plan = try collectorOptions.plan(pids: pids, cgroup: cgroup)

        var monitor: TcpreqMonitor?
        var configuration = TcpreqConfiguration(variant: variant, mode: mode, filters: TcpreqFilters(pids: pids, cgroupPath: cgroup, ports: ports,
                                                                                                    containers: try containerSelector(plan.tcpreqFilter)))
        configuration.readsHTTP = http.readsHTTP
        if plan.runsTcpreq { do {
            monitor = try TcpreqMonitor(configuration, endpointNames: endpointNames, naming: nameBy,
                                        logger: logger)
            monitor?.session.degradations.forEach { printError($0, prefix: "kmon: ") }
        } catch let error as TcpreqError {
            if error.isBadEnvironment || error.isBadFilter {
                printError(error)
                throw ExitCodes.usage
            }
            if let skipped = error.unavailableVariant {
                if json { try printJSON(TcpreqSummary.skipped(variant: variant, mode: mode, reason: skipped.reason)) }
                printError(error)
                throw ExitCodes.unavailable
            }
            printError(error)
            throw ExitCodes.failure
        } }

        let collectors: CollectorSet
        do { collectors = try CollectorOptions.start(plan) } catch {
            try? monitor?.stop()
            throw error
        }
        let exportAdapter: TcpreqExportAdapter?
        do {
            exportAdapter = try makeExportAdapter(endpointNames: endpointNames, plan: plan, collectors: collectors,
                                                  containers: monitor?.containers, logger: logger)
        } catch {
            try? monitor?.stop()
            try? collectors.stop()
            printError(error)
            // A sink that refuses the credentials at start is bad input, like a bad config file.
            throw (error as? ExportError)?.isBadCredentials == true ? ExitCodes.badInput : ExitCodes.failure
        }
        let sinks: [TcpreqSnapshotSink] = exportAdapter.map { [$0] } ?? []
        let view = LiveViewPrinter(toStandardError: json || export.jsonl == "-")
        var previous: TcpreqSnapshot?
        var failure: Error?
        let deadline = duration.map { MonotonicClock.now() + UInt64(saturating: $0 * 1e9) }
        do {
            while !trap.token.isStopped {
                let remaining = deadline.map { deadline in
                    let now = MonotonicClock.now()
                    return deadline > now ? Double(deadline - now) / 1e9 : 0
                } ?? interval
                if remaining <= 0 { break }
                if trap.token.wait(seconds: min(interval, remaining)) { break }
                guard let monitor else { view.show(collectors.liveLines()); exportAdapter?.tick(); continue }
                let snapshot = try monitor.snapshot()
                view.show(TcpreqLiveView.render(snapshot, previous: previous) + collectors.liveLines())
                for sink in sinks { try sink.publish(snapshot) }
                previous = snapshot
            }
        } catch {
            failure = error
        }
        // Every path out detaches first, then reports.
        do { try monitor?.stop() } catch { failure = failure ?? error }
        do { try collectors.stop() } catch { failure = failure ?? error }
        let final = try monitor?.snapshot()
        if let final {
            for sink in sinks { try sink.finish(final) }
            view.show(TcpreqLiveView.render(final, previous: previous) + collectors.liveLines())
            if let dot {
                do { try OutputFile.replace(dot, with: final.topology.dot()) } catch { failure = failure ?? error }
            }
        } else {
            exportAdapter?.finish()
            view.show(collectors.liveLines())
        }
        exportAdapter.map { ExportOptions.report($0.finalStats) }
        if json { try printJSON(MonitorJSONSummary(tcpreq: final.map { TcpreqSummary($0) }, collectors: try collectors.summaries())) }
        if let failure {
            printError(failure)
            throw ExitCodes.failure
        }
        // Stopped by a signal, with or without --duration: everything is detached and reported, and
        // the exit code says it was cut short (README "Exit codes").
        if trap.received != nil { throw ExitCodes.interrupted }
    }

    /// The exporters (`--prometheus`, `--influx`, `--clickhouse`, `--jsonl`), fed by tcpreq and every collector.
    /// Without `--export-period`, the config's shortest `export.period` applies.
    private func makeExportAdapter(endpointNames: [UInt16: String], plan: CollectorPlan, collectors: CollectorSet,
                                   containers: ContainerResolver?, logger: Logger) throws -> TcpreqExportAdapter? {
        var configuration = try export.configuration()
        guard !configuration.isEmpty else { return nil }
        if export.exportPeriod == nil, let period = plan.collectors.values.compactMap(\.exportPeriodSeconds).min() {
            configuration.period = max(period, 0.1)
        }
        let exporters = try ExporterSet.open(configuration, logger: logger)
        return TcpreqExportAdapter(exporters: exporters, endpointNames: endpointNames, collectors: collectors.collectors,
                                   containers: containers, naming: nameBy)
    }

    /// `--cgroup` as one absolute path for tcpreq and the collectors alike: absolute, or relative
    /// to the cgroup2 mount. A directory that is not there is a bad argument (exit 64).
    private func resolvedCgroup() throws -> String? {
        guard let cgroup else { return nil }
        do { return try CgroupDirectory.resolve(cgroup, field: "--cgroup") } catch let error as CollectorError {
            guard error.isUnavailable else { throw ValidationError(error.description) }
            printError(error)
            throw ExitCodes.unavailable
        }
    }

    /// `--container` and `--pod`, else the config's `collector.tcpreq.listen.container`/`.pod`;
    /// nil when none is given. A bad regex is a usage error.
    private func containerSelector(_ config: ListenFilter? = nil) throws -> ContainerSelector? {
        let flags = container != nil || pod != nil
        let (container, pod) = flags ? (container, pod) : (config?.container, config?.pod)
        guard container != nil || pod != nil else { return nil }
        let fields = flags ? ("--container", "--pod") : ("collector.tcpreq.listen.container", "collector.tcpreq.listen.pod")
        do { return try ContainerSelector(container: container, pod: pod, field: fields) } catch let error as ContainerSelectorError {
            throw ValidationError(error.description)
        }
    }

    private func loadEndpointNames() throws -> [UInt16: String] {
        guard let workload else { return [:] }
        do {
            let spec = try WorkloadSpec.load(path: workload)
            return Dictionary(spec.services.map { ($0.port, $0.name) }, uniquingKeysWith: { a, _ in a })
        } catch {
            printError(error)
            throw ExitCodes.badInput
        }
    }

    private func printJSON(_ summary: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }
}

/// Redraws the live view in place on a terminal; prints plain blocks otherwise.
private struct LiveViewPrinter {
    let handle: FileHandle
    let isTTY: Bool

    init(toStandardError: Bool) {
        let fd = toStandardError ? STDERR_FILENO : STDOUT_FILENO
        handle = toStandardError ? .standardError : .standardOutput
        isTTY = isatty(fd) == 1
    }

    func show(_ lines: [String]) {
        let text = lines.joined(separator: "\n") + "\n"
        handle.write(Data(((isTTY ? "\u{1B}[H\u{1B}[2J" : "") + text + (isTTY ? "" : "\n")).utf8))
    }
}
