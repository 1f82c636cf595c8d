import Foundation
import KmonSupport
import Yams

/// Kmon-style YAML configuration: one `collector:` section per collector, with `verbose`,
/// `listen` (pid, cgroup, comm) and `export.period`, plus each collector's own keys:
///
/// ```yaml
/// collector:
///   tcpdrop:
///     verbose: 2
///     listen: { pid: [1234], comm: "^kmon-service$" }
///     export: { period: 10s }
///   offcpu:
///     verbose: 1
///     state: [uninterruptible]
///     min_duration: 1ms
///     max_duration: 10s
///   fcount:
///     events: [syscalls:sys_enter_write]
///   tcpreq:
///     listen: { container: "^shop-", pod: "^prod/api-" }   # tcpreq only, in the kernel
/// ```
/// Every unknown key, collector, verbosity, duration or event is an error naming its path.
public struct CollectorConfigFile: Equatable, Sendable {
    public var collectors: [CollectorKind: CollectorSettings]

    public init(collectors: [CollectorKind: CollectorSettings] = [:]) { self.collectors = collectors }

    public static func load(path: String) throws -> CollectorConfigFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CollectorError.config("cannot read config \(path): \(error.localizedDescription)")
        }
        do { return try parse(yaml: text) } catch let error as CollectorError {
            throw CollectorError.config("\(path): \(error.description)")
        }
    }

    public static func parse(yaml text: String) throws -> CollectorConfigFile {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw CollectorError.config("not valid YAML: \(error)")
        }
        guard let root else { return CollectorConfigFile() }
        let top = try ConfigNode(root, path: "").mapping(allowed: ["collector"])
        guard let sections = top["collector"] else { return CollectorConfigFile() }
        var result = CollectorConfigFile()
        for (name, node) in try sections.mappingEntries() {
            let kind: CollectorKind
            do { kind = try CollectorKind.named(name) } catch let error as CollectorError {
                throw CollectorError.config("collector.\(name): \(error.description)")
            }
            result.collectors[kind] = try section(kind, node)
        }
        return result
    }

    static func section(_ kind: CollectorKind, _ node: ConfigNode) throws -> CollectorSettings {
        var allowed = ["verbose", "listen", "export"]
        switch kind {
        case .offcpu: allowed += ["state", "min_duration", "max_duration"]
        case .fcount: allowed += ["events"]
        default: break
        }
        let keys = node.isNull ? [:] : try node.mapping(allowed: allowed)
        var settings = CollectorSettings()
        if let verbose = keys["verbose"] {
            guard let level = verbose.int, (1...kind.maxVerbosity).contains(level) else {
                throw CollectorError.config("\(verbose.path): "
                    + CollectorError.badVerbosity(collector: kind, value: "\"\(verbose.scalar ?? "?")\"").description)
            }
            settings.verbosity = level
        }
        if let listen = keys["listen"] { settings.filter = try self.listen(listen, containers: kind == .tcpreq) }
        if let export = keys["export"], let period = try export.mapping(allowed: ["period"])["period"] {
            settings.exportPeriodSeconds = try period.durationSeconds(in: .exportPeriodSeconds)
        }
        if let state = keys["state"] {
            settings.offCPU.states = Set(try state.scalarList().map { name in
                guard let s = OffCPUTaskState(rawValue: name) else {
                    throw CollectorError.config("\(state.path): unknown task state \"\(name)\"; use "
                        + OffCPUTaskState.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return s
            })
        }
        if let min = keys["min_duration"] { settings.offCPU.minNanoseconds = try min.durationNanoseconds() }
        if let max = keys["max_duration"] { settings.offCPU.maxNanoseconds = try max.durationNanoseconds() }
        if let events = keys["events"] {
            settings.fcountEvents = try events.scalarList()
            for event in settings.fcountEvents {
                do { _ = try FCountEvent(parsing: event) } catch let error as CollectorError {
                    throw CollectorError.config("\(events.path): \(error.description)")
                }
            }
        }
        try settings.offCPU.validate()
        return settings
    }

    /// `containers`: the section may filter by container and pod (tcpreq's programs check a
    /// cgroup id set; the other collectors have none).
    static func listen(_ node: ConfigNode, containers: Bool = false) throws -> ListenFilter {
        let keys = try node.mapping(allowed: ["pid", "cgroup", "comm"] + (containers ? ["container", "pod"] : []))
        var filter = ListenFilter()
        if let pids = keys["pid"] {
            filter.pids = Set(try pids.scalarList().map { text in
                guard let pid = Int32(text), pid > 0 else {
                    throw CollectorError.config("\(pids.path): \"\(text)\" is not a process id")
                }
                return pid
            })
        }
        filter.cgroup = try keys["cgroup"]?.string()
        filter.comm = try keys["comm"]?.string()
        filter.container = try keys["container"]?.string()
        filter.pod = try keys["pod"]?.string()
        do { try filter.validate() } catch let error as CollectorError {
            let key = error.description.contains("listen.container") ? "container" : error.description.contains("listen.pod") ? "pod" : "comm"
            throw CollectorError.config("\(node.path).\(key): \(error.description)")
        }
        return filter
    }
}
