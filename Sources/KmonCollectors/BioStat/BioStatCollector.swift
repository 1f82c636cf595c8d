import BPF
import CKmonEvents
import Foundation
import KmonSystem

/// Block I/O latency and bytes per device and per process (bpf/biostat.bpf.c).
/// Verbosity 1: totals; 2: plus log2 latency histograms.
public final class BioStatCollector: Collector {
    public static let kind = CollectorKind.biostat
    public let settings: CollectorSettings
    private var runtime: CollectorRuntime?

    public init(settings: CollectorSettings) throws {
        try Self.kind.validate(verbosity: settings.verbosity)
        self.settings = settings
    }

    public func start() throws {
        let runtime = try CollectorRuntime(objectName: "biostat", filter: settings.filter)
        try runtime.configureCommon(stacks: false)
        try runtime.object.setGlobal("targ_histograms", to: UInt32(settings.verbosity >= 2 ? 1 : 0))
        // block_io_start (kernel 6.5+) names the process that queued a request; without it the
        // issuing task stands in.
        let ownerHook = KernelBTF.hasType("btf_trace_block_io_start")
        try runtime.object.program("biostat_io_start").autoload = ownerHook
        try runtime.load()
        if ownerHook { try runtime.attach("biostat_io_start") }
        try runtime.attach("biostat_issue")
        try runtime.attach("biostat_complete")
        self.runtime = runtime
    }

    public func snapshot() throws -> BioStatReport {
        guard let runtime else { throw CollectorError.config("biostat is not started") }
        let names = Self.deviceNames()
        let histograms = settings.verbosity >= 2
        func row(pid: Int32?, dev: UInt32, op: UInt32, _ s: biostat_stats) -> BioStatReport.Row {
            let device = "\(dev >> 20):\(dev & 0xfffff)"
            return BioStatReport.Row(
                pid: pid, comm: pid == nil ? nil : String(cCharArray: s.comm), device: device, deviceName: names[device],
                operation: Self.operation(op), count: s.count, bytes: s.bytes, totalNanoseconds: s.total_ns,
                maxNanoseconds: s.max_ns, histogram: histograms ? Log2Histogram(unit: "us", slots: u64Array(s.slots)) : nil)
        }
        let byDevice = try runtime.object.map("by_device"), byPid = try runtime.object.map("by_pid")
        let devices = try byDevice.keys(as: biostat_dev_key.self).compactMap { key in
            try byDevice.lookup(key, as: biostat_stats.self).map { row(pid: nil, dev: key.dev, op: key.op, $0) }
        }
        let processes = try byPid.keys(as: biostat_pid_key.self).compactMap { key in
            try byPid.lookup(key, as: biostat_stats.self).map {
                row(pid: Int32(bitPattern: key.tgid), dev: key.dev, op: key.op, $0)
            }
        }
        return BioStatReport(verbosity: settings.verbosity, devices: devices.sorted { $0.bytes > $1.bytes },
                             processes: processes.sorted { $0.bytes > $1.bytes }, lost: try runtime.losses())
    }

    public func programStats() throws -> [ProgramRunStats] { try runtime?.programStats() ?? [] }
    public func losses() throws -> CollectorLosses { try runtime?.losses() ?? CollectorLosses() }
    public func stop() throws { try runtime?.stop() }
    public func setAttached(_ attached: Bool) throws { try runtime?.setAttached(attached) }

    /// REQ_OP_* names (include/linux/blk_types.h).
    static func operation(_ op: UInt32) -> String {
        switch op {
        case 0: return "read"
        case 1: return "write"
        case 2: return "flush"
        case 3: return "discard"
        case 5: return "secure_erase"
        case 9: return "write_zeroes"
        default: return "op\(op)"
        }
    }

    /// `major:minor` → device name, from /sys/dev/block/*/uevent.
    static func deviceNames() -> [String: String] {
        let dir = "/sys/dev/block"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [:] }
        var names: [String: String] = [:]
        for entry in entries {
            guard let uevent = ProcFile.read("\(dir)/\(entry)/uevent"),
                  let line = uevent.split(separator: "\n").first(where: { $0.hasPrefix("DEVNAME=") }) else { continue }
            names[entry] = String(line.dropFirst("DEVNAME=".count))
        }
        return names
    }
}
