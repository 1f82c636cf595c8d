import BPF
import CKmonEvents
import KmonFeatures
import KmonSystem

/// Counts events by name (bpf/fcount.bpf.c): one program attached to every requested
/// tracepoint, its BPF cookie naming the counter slot; kprobes likewise where the kernel has them.
public final class FCountCollector: Collector {
    public static let kind = CollectorKind.fcount
    public let settings: CollectorSettings
    public let events: [FCountEvent]
    private var runtime: CollectorRuntime?
    private var attached: [(slot: UInt32, event: FCountEvent)] = []
    private var unavailable: [FCountReport.Unavailable] = []

    public init(settings: CollectorSettings) throws {
        try Self.kind.validate(verbosity: settings.verbosity)
        events = try settings.fcountEvents.map(FCountEvent.init(parsing:))
        guard !events.isEmpty else {
            throw CollectorError.config("fcount needs at least one event, e.g. --fcount syscalls:sys_enter_write")
        }
        guard events.count <= Int(FCOUNT_MAX_EVENTS) else {
            throw CollectorError.config("fcount counts at most \(FCOUNT_MAX_EVENTS) events; \(events.count) were given")
        }
        self.settings = settings
    }

    public func start() throws {
        _ = KernelMounts.check(mountMissing: true)
        for event in events { try event.checkExists() }
        let wantsKprobes = events.contains { if case .kprobe = $0 { return true } else { return false } }
        let kprobes = wantsKprobes ? HookProbe.check(.kprobe) : HookAvailability(kind: .kprobe, available: false, reason: nil)

        let runtime = try CollectorRuntime(objectName: "fcount", filter: settings.filter)
        try runtime.configureCommon(stacks: false)
        try runtime.object.program("fcount_kprobe").autoload = kprobes.available
        try runtime.load()
        self.runtime = runtime
        let tracepoint = try runtime.object.program("fcount_tracepoint")
        for (slot, event) in events.enumerated() {
            switch event {
            case let .tracepoint(category, name):
                try runtime.attach { try tracepoint.attachTracepoint(category: category, name: name, cookie: UInt64(slot)) }
            case let .kprobe(function):
                guard kprobes.available else {
                    unavailable.append(.init(event: event.description, reason: "kprobes unavailable: \(kprobes.reason ?? "unknown")"))
                    continue
                }
                let kprobe = try runtime.object.program("fcount_kprobe")
                try runtime.attach { try kprobe.attachKprobe(function: function, cookie: UInt64(slot)) }
            }
            attached.append((UInt32(slot), event))
        }
        if attached.isEmpty {
            try runtime.stop()
            throw CollectorError.unavailable("fcount has nothing to count: " + unavailable.map { "\($0.event): \($0.reason)" }.joined(separator: "; "))
        }
    }

    /// The count so far for one event, summed over CPUs.
    public func count(of event: FCountEvent) throws -> UInt64? {
        guard let runtime, let slot = attached.first(where: { $0.event == event })?.slot else { return nil }
        return try runtime.object.map("counts").sumPerCPUCounter(at: slot)
    }

    public func snapshot() throws -> FCountReport {
        guard let runtime else { throw CollectorError.config("fcount is not started") }
        let counts = try runtime.object.map("counts")
        return FCountReport(
            counts: try attached.map { .init(event: $0.event.description, count: try counts.sumPerCPUCounter(at: $0.slot)) },
            unavailable: unavailable, lost: try runtime.losses())
    }

    public func programStats() throws -> [ProgramRunStats] { try runtime?.programStats() ?? [] }
    public func losses() throws -> CollectorLosses { try runtime?.losses() ?? CollectorLosses() }
    public func stop() throws { try runtime?.stop() }
    public func setAttached(_ attached: Bool) throws { try runtime?.setAttached(attached) }
}
