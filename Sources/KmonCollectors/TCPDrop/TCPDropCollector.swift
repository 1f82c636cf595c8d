import BPF
import CKmonEvents
import Foundation
import KmonSupport
import KmonSystem

/// TCP drops with a real reason, retransmits and resets (bpf/tcpdrop.bpf.c).
/// Verbosity 1: events; 2: plus user stacks; 3: plus kernel stacks, named from /proc/kallsyms.
/// Stacks are symbolized as each record arrives, while its process still lives.
public final class TCPDropCollector: Collector {
    public static let kind = CollectorKind.tcpdrop
    public static let recentLimit = 1024
    public let settings: CollectorSettings
    /// Called on the ring-buffer thread for every event (e.g. a JSONL exporter).
    public var onEvent: ((TCPDropRecord) -> Void)?

    private var runtime: CollectorRuntime?
    private var consumer: RingBufferConsumer?
    /// How long a record may wait in the ring: the kernel side does not wake the reader (a
    /// wakeup costs more than the rest of the program), so the reader polls this often.
    public static let pollMilliseconds: Int32 = 100
    private var symbolizer: StackSymbolizer?
    private let state = NSLock()
    private var recent: [TCPDropRecord] = []
    private var total: UInt64 = 0
    private var byKind: [String: UInt64] = [:]
    private var byReason: [String: UInt64] = [:]

    public init(settings: CollectorSettings) throws {
        try Self.kind.validate(verbosity: settings.verbosity)
        self.settings = settings
    }

    public func start() throws {
        let runtime = try CollectorRuntime(objectName: "tcpdrop", filter: settings.filter)
        try runtime.configureCommon(stacks: settings.verbosity >= 2)
        try runtime.object.setGlobal("targ_user_stacks", to: UInt32(settings.verbosity >= 2 ? 1 : 0))
        try runtime.object.setGlobal("targ_kernel_stacks", to: UInt32(settings.verbosity >= 3 ? 1 : 0))
        try runtime.load()
        self.runtime = runtime
        if settings.verbosity >= 2 { symbolizer = StackSymbolizer(map: try runtime.object.map("stacks"), kernelFrames: settings.verbosity >= 3) }
        let dropReasons = KernelEnumNames.dropReasons(), resetReasons = KernelEnumNames.resetReasons()
        let records = EventDecoder(ring: "tcpdrop")
        let consumer = try RingBufferConsumer(map: runtime.object.map("events")) { [weak self] bytes in
            // A record this build cannot read is skipped, as a dropped one would be.
            guard let self, let event = try? records.load(bytes, as: tcpdrop_event.self, "event") else { return }
            guard var record = TCPDropRecord(event: event, dropReasons: dropReasons, resetReasons: resetReasons) else { return }
            if let symbolizer = self.symbolizer {
                record.userStack = symbolizer.userFrames(event.user_stack, pid: record.pid)
                record.kernelStack = symbolizer.kernelFrames(event.kernel_stack)
            }
            self.record(record)
        }
        for program in ["tcpdrop_kfree_skb", "tcpdrop_retransmit", "tcpdrop_send_reset", "tcpdrop_receive_reset"] {
            try runtime.attach(program)
        }
        self.consumer = consumer
        // Waits for a wakeup (sent only when the ring is filling) or the poll period, then
        // reads whatever is there.
        consumer.start(name: "kmon-tcpdrop", pollMilliseconds: Self.pollMilliseconds)
    }

    private func record(_ r: TCPDropRecord) {
        state.withLock {
            total += 1
            byKind[r.kind.rawValue, default: 0] += 1
            if r.kind == .drop, let reason = r.reason { byReason[reason, default: 0] += 1 }
            recent.append(r)
            if recent.count > Self.recentLimit { recent.removeFirst(recent.count - Self.recentLimit) }
        }
        onEvent?(r)
    }

    public func snapshot() throws -> TCPDropReport {
        guard let runtime else { throw CollectorError.config("tcpdrop is not started") }
        let lost = try runtime.losses()
        let symbols = symbolizer?.symbolization ?? SymbolizationReport()
        return state.withLock {
            TCPDropReport(verbosity: settings.verbosity, total: total, byKind: byKind, byReason: byReason,
                          recent: recent, lost: lost, symbols: symbols)
        }
    }

    public func programStats() throws -> [ProgramRunStats] { try runtime?.programStats() ?? [] }
    public func losses() throws -> CollectorLosses { try runtime?.losses() ?? CollectorLosses() }
    public func setAttached(_ attached: Bool) throws { try runtime?.setAttached(attached) }

    deinit { try? stop() }

    public func stop() throws {
        try runtime?.stop()
        consumer?.stop()
    }
}
