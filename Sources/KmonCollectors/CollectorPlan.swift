/// Which collectors `kmon monitor` runs and how, from its flags and an optional YAML config.
///
/// - Collectors: `--collect` if given; else the config's sections; else tcpreq alone.
///   `--fcount EVENT` adds fcount.
/// - Settings: the config's section, else defaults. A section without `listen` takes the
///   monitor's `--pid`/`--cgroup`/`--comm`.
/// - Verbosity: `--verbose-level N` sets every collector to N, capped at its highest level;
///   `--verbose-level NAME=N` sets one and must be in range. Flags override the config.
public struct CollectorPlan: Equatable, Sendable {
    public var runsTcpreq: Bool
    public var collectors: [CollectorKind: CollectorSettings]
    /// The config's `collector.tcpreq.listen` (container and pod), which flags override.
    public var tcpreqFilter: ListenFilter?

    public static func resolve(collect: String?, fcountEvents: [String], verboseLevels: [String],
                               config: CollectorConfigFile?, filter: ListenFilter) throws -> CollectorPlan {
        var kinds: [CollectorKind]
        if let collect {
            kinds = try CollectorKind.list(collect)
        } else if let config, !config.collectors.isEmpty {
            kinds = config.collectors.keys.sorted()
        } else {
            kinds = [.tcpreq]
        }
        if !fcountEvents.isEmpty && !kinds.contains(.fcount) { kinds.append(.fcount) }

        var collectors: [CollectorKind: CollectorSettings] = [:]
        for kind in kinds where kind != .tcpreq {
            var settings = config?.collectors[kind] ?? CollectorSettings()
            if settings.filter == ListenFilter() { settings.filter = filter }
            if kind == .fcount { settings.fcountEvents += fcountEvents }
            collectors[kind] = settings
        }
        for level in verboseLevels {
            let parts = level.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 1 {
                guard let n = Int(parts[0]), (1...3).contains(n) else {
                    throw CollectorError.config("bad --verbose-level \"\(level)\": expected 1 to 3, or NAME=LEVEL such as offcpu=2")
                }
                for kind in collectors.keys { collectors[kind]?.verbosity = min(n, kind.maxVerbosity) }
            } else {
                let kind = try CollectorKind.named(parts[0])
                guard collectors[kind] != nil else {
                    throw CollectorError.config("--verbose-level \(level) names \(kind.rawValue), which is not collected; add it to --collect")
                }
                guard let n = Int(parts[1]) else { throw CollectorError.badVerbosity(collector: kind, value: "\"\(parts[1])\"") }
                try kind.validate(verbosity: n)
                collectors[kind]?.verbosity = n
            }
        }
        if let fcount = collectors[.fcount], fcount.fcountEvents.isEmpty {
            throw CollectorError.config("fcount needs at least one event: --fcount syscalls:sys_enter_write, or events: in its config section")
        }
        return CollectorPlan(runsTcpreq: kinds.contains(.tcpreq), collectors: collectors,
                             tcpreqFilter: config?.collectors[.tcpreq]?.filter)
    }
}
