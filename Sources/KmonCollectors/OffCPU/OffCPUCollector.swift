import BPF
import CKmonEvents
import KmonSystem

/// Off-CPU time per watched thread (bpf/offcpu.bpf.c on tp_btf/sched_switch).
/// Verbosity 1: log2 histograms per thread; 2: plus time per kernel stack; 3: plus user stacks.
public final class OffCPUCollector: Collector {
    public static let kind = CollectorKind.offcpu
    /// Stacks listed in a report, heaviest first.
    public static let stackLimit = 50
    public let settings: CollectorSettings
    private var runtime: CollectorRuntime?
    private var symbolizer: StackSymbolizer?

    public init(settings: CollectorSettings) throws {
        try Self.kind.validate(verbosity: settings.verbosity)
        try settings.offCPU.validate()
        self.settings = settings
    }

    public func start() throws {
        let runtime = try CollectorRuntime(objectName: "offcpu", filter: settings.filter)
        let stacks = settings.verbosity >= 2
        try runtime.configureCommon(stacks: stacks)
        let object = runtime.object
        try object.setGlobal("targ_state_mask", to: settings.offCPU.stateMask)
        try object.setGlobal("targ_min_ns", to: settings.offCPU.minNanoseconds)
        try object.setGlobal("targ_max_ns", to: settings.offCPU.maxNanoseconds)
        try object.setGlobal("targ_kernel_stacks", to: UInt32(stacks ? 1 : 0))
        try object.setGlobal("targ_user_stacks", to: UInt32(settings.verbosity >= 3 ? 1 : 0))
        if !stacks { try object.map("stack_time").setMaxEntries(1) }
        try runtime.load()
        try runtime.attach("offcpu_switch")
        symbolizer = stacks ? StackSymbolizer(map: try object.map("stacks"), kernelFrames: true) : nil
        self.runtime = runtime
    }

    public func snapshot() throws -> OffCPUReport {
        guard let runtime else { throw CollectorError.config("offcpu is not started") }
        let hists = try runtime.object.map("hists")
        let threads = try hists.keys(as: offcpu_thread_key.self).compactMap { key -> OffCPUReport.Thread? in
            guard let h = try hists.lookup(key, as: offcpu_hist.self) else { return nil }
            return OffCPUReport.Thread(
                pid: Int32(bitPattern: key.tgid), tid: Int32(bitPattern: key.tid), comm: String(cCharArray: h.comm),
                count: h.count, totalNanoseconds: h.total_ns,
                histogram: Log2Histogram(unit: "us", slots: u64Array(h.slots)))
        }.sorted { $0.totalNanoseconds > $1.totalNanoseconds }
        let stacks = try stacks(runtime)
        return OffCPUReport(verbosity: settings.verbosity, threads: threads, stacks: stacks,
                            lost: try runtime.losses(), symbols: symbolizer?.symbolization ?? SymbolizationReport())
    }

    private func stacks(_ runtime: CollectorRuntime) throws -> [OffCPUReport.Stack] {
        guard let symbolizer else { return [] }
        symbolizer.forgetProcesses()
        symbolizer.resetSymbolization()
        let map = try runtime.object.map("stack_time")
        let entries = try map.keys(as: offcpu_stack_key.self).compactMap { key in
            try map.lookup(key, as: offcpu_stack_value.self).map { (key, $0) }
        }
        return entries.sorted { $0.1.total_ns > $1.1.total_ns }.prefix(Self.stackLimit).map { key, value in
            let pid = Int32(bitPattern: key.tgid)
            return OffCPUReport.Stack(
                pid: pid, tid: Int32(bitPattern: key.tid), count: value.count, totalNanoseconds: value.total_ns,
                kernelStack: symbolizer.kernelFrames(key.kernel_stack),
                userStack: symbolizer.userFrames(key.user_stack, pid: pid))
        }
    }

    public func programStats() throws -> [ProgramRunStats] { try runtime?.programStats() ?? [] }
    public func losses() throws -> CollectorLosses { try runtime?.losses() ?? CollectorLosses() }
    public func stop() throws { try runtime?.stop() }
    public func setAttached(_ attached: Bool) throws { try runtime?.setAttached(attached) }
}
