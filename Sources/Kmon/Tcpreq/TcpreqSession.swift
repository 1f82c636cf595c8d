import BPF
import CLibbpf
import Foundation
import Glibc
import KmonBPFObjects
import KmonSupport
import Logging

/// A running tcpreq probe: one variant's BPF programs attached, with one span mode.
///
/// The bench and `kmon monitor` use it the same way:
/// ```
/// let session = try TcpreqSession.start(TcpreqConfiguration(variant: .sock, mode: .kernel,
///                                                            filters: TcpreqFilters(pids: pids)))
/// defer { try? session.stop() }
/// … drive traffic …
/// try session.stop()               // detach, drain the ring, close spans still in flight
/// let spans = session.takeSpans()  // server and client spans, with 4-tuple, ordinal, start/end
/// let programs = session.programStats()   // per-program runs and run time
/// let counters = session.counters()       // records read, spans, losses
/// ```
/// Kernel run statistics stay enabled for the session's life. A variant the kernel cannot run
/// throws `TcpreqError.unavailable` with the kernel's reason before anything is loaded. An
/// optional feature the kernel refuses (`KernelFeature.isOptional`) is turned off before load,
/// and `degradations` says what that changes. Every path out (stop, error during start,
/// deinit) detaches all links.
public final class TcpreqSession {
    public let configuration: TcpreqConfiguration
    private let object: BPFObject
    /// Attached hooks; empty while detached (see `TcpreqSession+Switching.swift`).
    var links: [BPFLink] = []
    private var stats: BPFStats?
    private let logger: Logger
    private let processNames: ProcessNames
    private let spanHandler: ((Span) -> Void)?

    private let lock = NSLock()
    private var spans: [Span] = []
    private var recordCount: UInt64 = 0
    private var spanCount: UInt64 = 0
    private var partialSpanCount: UInt64 = 0
    private var decodeErrors: UInt64 = 0
    private var finalLost: TcpreqCounters.Lost?
    private var finalPrograms: [ProgramRunStats]?
    private var finalHistograms: [TcpreqHistogram]?
    /// The optional features this session runs without, and what that changes.
    public private(set) var degradations: [Degradation] = []
    /// How responses still in flight are closed at stop; decided before load.
    private var stopFlush = StopFlush.none
    /// Histogram mode with a user-space stop flush: spans it closed, for `histograms()`.
    private var spansClosedAtStop: [Span] = []

    private var ring: RingBufferConsumer?
    private var assembler: SpanAssembler
    /// Consumer thread only, like the assembler.
    private let texts = TcpreqTextCache()
    /// For variants without a task (skb): who owns each connection, and the --pid filter.
    private let owners: SocketOwners?
    private let wantedPIDs: Set<Int32>
    public private(set) var isStopped = false
    /// CLOCK_MONOTONIC when every hook was attached, and when the first was detached: the window
    /// in which the session sees whole requests (nil while running).
    public internal(set) var attachedAtNanoseconds: UInt64 = 0
    public private(set) var detachedAtNanoseconds: UInt64?

    /// Checks the variant, then opens, configures, loads and attaches it, and starts reading.
    /// `spanHandler` (optional) sees each span on the consumer thread as it completes.
    /// With `attached: false` the programs load but no hook fires until `attach()`.
    public static func start(_ configuration: TcpreqConfiguration, logger: Logger = Logger(label: "kmon.tcpreq"),
                             processNames: ProcessNames = ProcessNames(), attached: Bool = true,
                             spanHandler: ((Span) -> Void)? = nil) throws -> TcpreqSession {
        if let reason = unavailableReason(configuration.variant) {
            throw TcpreqError.unavailable(configuration.variant, reason: reason)
        }
        return try TcpreqSession(configuration, logger: logger, processNames: processNames, attached: attached,
                                 spanHandler: spanHandler)
    }

    /// Why the kernel cannot run `variant`, by really loading a tiny program of each hook kind
    /// it needs (see `HookProbe`), or nil when it can.
    public static func unavailableReason(_ variant: ProbeVariant) -> String? {
        LibbpfLog.demotingWarnings {
            for hook in variant.requiredHooks {
                let availability = HookProbe.check(hook)
                if !availability.available { return "\(hook.rawValue): \(availability.reason ?? "unavailable")" }
            }
            for feature in variant.requiredFeatures {
                let availability = FeatureProbe.check(feature, disabled: DisabledFeatures())
                if !availability.available { return "\(feature.rawValue): \(availability.reason ?? "unavailable")" }
            }
            return nil
        }
    }

    private init(_ configuration: TcpreqConfiguration, logger: Logger, processNames: ProcessNames, attached: Bool,
                 spanHandler: ((Span) -> Void)?) throws {
        self.configuration = configuration
        self.logger = logger
        self.processNames = processNames
        self.spanHandler = spanHandler
        wantedPIDs = Set(configuration.filters.pids)
        owners = configuration.variant.runsWithoutTask ? SocketOwners() : nil
        assembler = SpanAssembler(processName: processNames.name(of:))
        let name = configuration.variant.objectName
        guard let elf = configuration.object?.elf ?? EmbeddedBPF.object(named: name) else { throw TcpreqError.missingObject(name) }
        object = try BPFObject(elf: elf, name: name)
        do {
            try configure()
            try object.load()
            try fillFilterMaps()
            do { stats = try BPFStats() } catch {
                degradations.append(Degradation(feature: HookKind.bpfStats.rawValue, reason: "\(error)",
                                                 effect: HookKind.bpfStats.effectWithout))
            }
            if let batchFlusher {
                // Batches need the flusher: find out now, not at stop, if this kernel cannot run it.
                do { try Self.flushBatches(batchFlusher, force: true) } catch {
                    throw TcpreqError.kernel("kernel mode cannot send its span batches (\(error)); --mode user or --mode histogram do not batch")
                }
            }
            if attached {
                try attachAll()
                attachedAtNanoseconds = MonotonicClock.now()
            }
            try startConsumer()
        } catch {
            detachAll()
            throw error
        }
    }

    deinit {
        if !isStopped { try? stop() }
    }

    /// How often the consumer sends batches that stopped filling: the most a span waits in one.
    static let batchFlushPeriodNanoseconds: UInt64 = 100_000_000

    private var hasWork: Bool { configuration.variant != .empty }

    // MARK: configure → load → attach

    private func configure() throws {
        if configuration.injectLoops > 0 {
            do { try object.setGlobal("targ_inject_loops", to: configuration.injectLoops) } catch {
                throw TcpreqError.kernel("\(configuration.object?.path ?? object.name) cannot take injected work (no targ_inject_loops; build it from a tree with bpf/kmon_inject.bpf.h): \(error)")
            }
        }
        guard hasWork else { return }
        let filters = configuration.filters
        try object.setGlobal("targ_mode", to: configuration.mode.bpfValue)
        try object.setGlobal("targ_self_tgid", to: filters.excludeSelf ? UInt32(getpid()) : 0)
        try object.setGlobal("targ_filter_tgids", to: UInt32(filters.pids.isEmpty ? 0 : 1))
        try object.setGlobal("targ_filter_ports", to: UInt32(filters.ports.isEmpty ? 0 : 1))
        try object.setGlobal("targ_filter_cgroup", to: UInt32(filters.cgroupPath == nil ? 0 : 1))
        try object.map("events").setMaxEntries(UInt32(configuration.ringBufferBytes))
        try chooseOptionalFeatures()
    }

    /// How a session closes the responses in flight at stop. User mode needs none: Swift
    /// closes its own spans.
    private enum StopFlush: Equatable {
        case none
        /// The `tcpreq_flush` iterator program walks socket-local storage in the kernel.
        case iterator
        /// User space walks the named hash map of connection states.
        case walk(map: String)
    }

    /// Turns off, before load, what this kernel refuses among the optional features: the stop
    /// flush's iterator (state then lives in `conn_table`, which user space walks) and the
    /// batch flusher's test run on a CPU (spans then travel alone).
    private func chooseOptionalFeatures() throws {
        let disabled: DisabledFeatures
        do { disabled = try DisabledFeatures.fromEnvironment() } catch { throw TcpreqError.badEnvironment("\(error)") }
        let variant = configuration.variant, mode = configuration.mode
        let forced = try Self.forcedStateHome()
        if mode != .user {
            if !variant.keepsStateInSocketStorage {
                stopFlush = .walk(map: "conn_state")
            } else if forced == "table" {
                stopFlush = .walk(map: "conn_table")
            } else if let refused = refusal(.iterator, disabled) {
                if forced == "storage" {
                    degradations.append(Degradation(feature: KernelFeature.iterator.rawValue, reason: refused,
                                                     effect: "\(Self.stateHomeVariable)=storage: responses in flight at stop are not closed"))
                } else {
                    stopFlush = .walk(map: "conn_table")
                    degradations.append(Degradation(.iterator, reason: refused))
                }
            } else {
                stopFlush = .iterator
            }
        }
        if stopFlush == .walk(map: "conn_table") { try object.setGlobal("targ_state_table", to: UInt32(1)) }
        if variant.keepsStateInSocketStorage, stopFlush != .walk(map: "conn_table") {
            try object.map("conn_table").setMaxEntries(1) // unused: socket-local storage holds the state
        }
        if stopFlush != .iterator { (try? object.program("tcpreq_flush"))?.autoload = false }

        var batches = false
        if mode == .kernel {
            if let refused = refusal(.testRunOnCPU, disabled) {
                degradations.append(Degradation(.testRunOnCPU, reason: refused))
            } else {
                batches = true
            }
        }
        try object.setGlobal("targ_batch", to: UInt32(batches ? 1 : 0))
        if !batches { (try? object.program("tcpreq_flush_batch"))?.autoload = false }
    }

    /// For measuring what each home of the sock/fentry/skb state costs per run, on any kernel:
    /// `table` or `storage` overrides the choice the iterator's availability makes.
    static let stateHomeVariable = "KMON_TCPREQ_STATE"

    private static func forcedStateHome() throws -> String? {
        guard let value = ProcessInfo.processInfo.environment[stateHomeVariable], !value.isEmpty else { return nil }
        guard value == "table" || value == "storage" else {
            throw TcpreqError.badEnvironment("\(stateHomeVariable) is '\(value)'; it takes table or storage")
        }
        return value
    }

    /// Why `feature` is off here, or nil when it is on.
    private func refusal(_ feature: KernelFeature, _ disabled: DisabledFeatures) -> String? {
        let availability = LibbpfLog.demotingWarnings { FeatureProbe.check(feature, disabled: disabled) }
        return availability.available ? nil : availability.reason ?? "unavailable"
    }

    private func fillFilterMaps() throws {
        guard hasWork else { return }
        let filters = configuration.filters
        let one: UInt8 = 1
        for pid in filters.pids {
            guard kill(pid, 0) == 0 || errno == EPERM else { throw TcpreqError.badFilter("no process with pid \(pid)") }
            try object.map("target_tgids").update(UInt32(bitPattern: pid), one)
        }
        for port in filters.ports {
            try object.map("target_ports").update(tcpreq_port_key(port: port, pad: 0), one)
        }
        if let path = filters.cgroupPath {
            let fd = try Self.openCgroup(path)
            defer { close(fd) }
            try object.map("target_cgroup").update(UInt32(0), fd)
        }
        // Before the hooks attach: connections met mid-way take their role from here at once.
        // A listener that opens or closes between this read and the attach stays unknown or
        // stale; the kernel tracks every change after it.
        let listeners = try object.map("listeners")
        for (socket, count) in ListeningSockets.current() {
            try listeners.update(socket.key, count)
        }
    }

    static func openCgroup(_ path: String) throws -> Int32 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TcpreqError.badFilter("cgroup \(path) does not exist")
        }
        // Only cgroup v2 directories have cgroup.controllers.
        guard FileManager.default.fileExists(atPath: path + "/cgroup.controllers") else {
            throw TcpreqError.badFilter("\(path) is not a cgroup v2 directory (e.g. /sys/fs/cgroup/system.slice)")
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw TcpreqError.badFilter("cannot open cgroup \(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    func attachAll() throws {
        for program in object.programs where program.fd >= 0 {
            if Self.runsOnDemand(program) { continue }
            if program.section.hasPrefix("cgroup_skb/") {
                let cgroup = configuration.filters.cgroupPath ?? KernelMounts.cgroup2Path()
                guard let cgroup else {
                    throw TcpreqError.unavailable(.skb, reason: "no cgroup v2 hierarchy is mounted to attach to")
                }
                links.append(try program.attachCgroup(path: cgroup))
            } else {
                links.append(try program.attach())
            }
        }
    }

    /// Programs the session runs itself, never attached: the stop-time iterator over the
    /// connection state, and the batch flusher (a bare `raw_tp`).
    private static func runsOnDemand(_ program: BPFProgram) -> Bool {
        program.section.hasPrefix("iter/") || program.section == "raw_tp"
    }

    func detachAll() {
        for link in links {
            do { try link.detach() } catch { logger.error("\(error)") }
        }
        links.removeAll()
    }

    // MARK: reading

    private func startConsumer() throws {
        guard hasWork, configuration.mode != .histogram else { return }
        let ring = try RingBufferConsumer(map: try object.map("events")) { [unowned self] bytes in
            self.handle(bytes)
        }
        self.ring = ring
        let interval = configuration.pollIntervalMilliseconds
        let batchFlusher = batchFlusher
        var lastFlush = MonotonicClock.now()
        ring.start(name: "kmon-tcpreq", pollMilliseconds: interval, afterPoll: { [logger] in
            if let batchFlusher, MonotonicClock.now() - lastFlush >= Self.batchFlushPeriodNanoseconds {
                lastFlush = MonotonicClock.now()
                // Worked at start; a failure now delays spans to the stop, where it is reported.
                do { try Self.flushBatches(batchFlusher, force: false) } catch { logger.warning("\(error)") }
            }
        }, onError: { [logger] error in
            logger.error("tcpreq ring buffer: \(error)")
        })
    }

    /// Runs on the consumer thread only.
    private func handle(_ bytes: UnsafeRawBufferPointer) {
        let finished: [Span]
        do {
            finished = try spans(in: TcpreqRecord.decode(bytes, texts: texts))
        } catch {
            lock.withLock { decodeErrors += 1 }
            return
        }
        lock.withLock { recordCount += 1 }
        deliver(finished)
    }

    /// The spans a record finishes: its own (kernel mode), or what the assembler completes with
    /// it (user mode); attributed, and filtered by --pid where the kernel could not.
    private func spans(in record: TcpreqRecord) -> [Span] {
        if case .event(var event) = record {
            if event.tgid == 0, let owner = owners?.owner(of: event.tuple, role: event.role ?? .client) { event.tgid = owner }
            return filtered(assembler.consume(event).map { [$0] } ?? [])
        }
        return filtered(record.spans.map(attributed))
    }

    /// `--pid`, for probes that cannot see the task.
    private func filtered(_ spans: [Span]) -> [Span] {
        guard configuration.variant.runsWithoutTask, !wantedPIDs.isEmpty else { return spans }
        return spans.filter { wantedPIDs.contains($0.tgid) }
    }

    /// Names the owner of a span recorded without a task (skb).
    private func attributed(_ span: Span) -> Span {
        guard span.tgid == 0, let owner = owners?.owner(of: span.tuple, role: span.role) else { return span }
        var named = span
        named.tgid = owner
        named.comm = processNames.name(of: owner)
        return named
    }

    private func deliver(_ finished: [Span]) {
        lock.withLock {
            spanCount += UInt64(finished.count)
            partialSpanCount += UInt64(finished.count { $0.partial })
            if configuration.keepSpans { spans.append(contentsOf: finished) }
        }
        finished.forEach { spanHandler?($0) }
    }

    /// Closes the responses still in flight in the kernel's per-connection state (kernel and
    /// histogram modes), as a connection close would: keep-alive connections idle at the end
    /// would otherwise keep their last span. Runs after the hooks are detached. The iterator
    /// writes its spans to the ring; a user-space walk returns them, to deliver last.
    private func flushInFlight() throws -> [Span] {
        guard hasWork else { return [] }
        switch stopFlush {
        case .none:
            return []
        case .iterator:
            let iterator = try object.program("tcpreq_flush").attachIterator(map: try object.map("conn_state"))
            defer { try? iterator.link.detach() }
            try iterator.run()
            return []
        case .walk(let map):
            return filtered(try InFlightSpans.read(try object.map(map), texts: TcpreqTextCache()).map(attributed))
        }
    }

    /// Kernel mode: sends each CPU's batch of spans that stopped filling (every batch when
    /// `force`), by running `tcpreq_flush_batch` on every online CPU. A forced flush waits out
    /// a hook still finishing on that CPU (the program answers 1 while the slot is in use).
    private static func flushBatches(_ flusher: BPFProgram, force: Bool) throws {
        for cpu in try OnlineCPUs.current() {
            var busy = try flusher.run(onCPU: cpu, arguments: [force ? 1 : 0]) != 0
            for _ in 0..<100 where force && busy {
                usleep(1_000)
                busy = try flusher.run(onCPU: cpu, arguments: [1]) != 0
            }
            if busy && force { throw TcpreqError.kernel("the span batch on CPU \(cpu) stayed in use for 100 ms after the hooks were detached") }
        }
    }

    /// The program that sends stalled batches, in kernel mode only.
    private var batchFlusher: BPFProgram? {
        guard hasWork, configuration.mode == .kernel else { return nil }
        return object.programs.first { $0.name == "tcpreq_flush_batch" && $0.fd >= 0 }
    }

    // MARK: results

    /// Returns the spans finished since the last call, and forgets them.
    public func takeSpans() -> [Span] {
        lock.withLock {
            defer { spans.removeAll(keepingCapacity: true) }
            return spans
        }
    }

    /// Histogram mode: the in-kernel histograms so far (after `stop()`, the final ones).
    public func histograms() throws -> [TcpreqHistogram] {
        if let finalHistograms { return finalHistograms }
        guard hasWork, configuration.mode == .histogram else { return [] }
        let slots = try object.map("hist_slots"), rows = try object.map("hists")
        return try slots.keys(as: tcpreq_hist_key.self).compactMap { key in
            guard let index = try slots.lookup(key, as: UInt32.self),
                  var histogram = TcpreqHistogram(key: key, perCPU: try rows.lookupPerCPU(index, as: tcpreq_hist.self)) else { return nil }
            if histogram.tgid == 0, histogram.role == .server {
                // skb: the listening socket's owner serves this endpoint.
                let listener = ConnectionTuple(localAddress: histogram.endpoint.address, localPort: histogram.endpoint.port,
                                               remoteAddress: "", remotePort: 0)
                histogram.tgid = owners?.owner(of: listener, role: .server) ?? 0
            }
            return histogram
        }.adding(spansClosedAtStop)
    }

    /// Each hook program's kernel run statistics since load (after `stop()`, as of the stop).
    /// The programs the session runs itself are left out: they are no per-event cost.
    public func programStats() throws -> [ProgramRunStats] {
        if let finalPrograms { return finalPrograms }
        return try object.programs.filter { $0.fd >= 0 && !Self.runsOnDemand($0) }.map { try $0.runStats() }
    }

    /// Kernel ids of every program this session loaded, for checking none outlives it.
    public func loadedProgramIDs() throws -> [UInt32] {
        try object.programs.filter { $0.fd >= 0 }.map { try $0.kernelID() }
    }

    /// Records read, spans finished, and losses so far.
    public func counters() throws -> TcpreqCounters {
        let lost: TcpreqCounters.Lost
        if let finalLost {
            lost = finalLost
        } else if hasWork {
            let map = try object.map("lost")
            lost = .init(ringBuffer: try map.sumPerCPUCounter(at: 0), storage: try map.sumPerCPUCounter(at: 1))
        } else {
            lost = .init(ringBuffer: 0, storage: 0)
        }
        // Histogram mode has no spans to count: the histograms hold the partial ones apart.
        let partialInHistograms = configuration.mode == .histogram ? (try histograms()).reduce(0) { $0 + $1.partial } : 0
        return lock.withLock {
            TcpreqCounters(records: recordCount, spans: spanCount, decodeErrors: decodeErrors, lost: lost,
                           partialSpans: partialSpanCount + partialInHistograms)
        }
    }

    /// Detaches every program, reads what is left in the ring and in the per-CPU batches, and
    /// closes spans whose response was in flight. Results stay readable afterwards. Safe to call twice.
    public func stop() throws {
        guard !isStopped else { return }
        isStopped = true
        detachedAtNanoseconds = MonotonicClock.now()
        var firstError: Error?
        for link in links {
            do { try link.detach() } catch { firstError = firstError ?? error }
        }
        links.removeAll()
        var closedAtStop: [Span] = []
        do { closedAtStop = try flushInFlight() } catch { firstError = firstError ?? error }
        if let batchFlusher {
            do { try Self.flushBatches(batchFlusher, force: true) } catch { firstError = firstError ?? error }
        }
        if let ring {
            ring.stop()
            do { try ring.drain() } catch { firstError = firstError ?? error }
        }
        if configuration.mode == .user { deliver(assembler.finishAll()) }
        if configuration.mode == .histogram { spansClosedAtStop = closedAtStop } else { deliver(closedAtStop) }
        finalPrograms = try? programStats()
        finalHistograms = try? histograms()
        if let counters = try? counters() { finalLost = counters.lost }
        stats?.close()
        stats = nil
        if let firstError { throw firstError }
    }
}

/// What a session has read and lost.
public struct TcpreqCounters: Equatable, Sendable {
    public struct Lost: Equatable, Sendable {
        /// Records dropped because the ring buffer was full.
        public var ringBuffer: UInt64
        /// Connections or histogram rows not tracked because a map was full.
        public var storage: UInt64
        public var total: UInt64 { ringBuffer + storage }

        public init(ringBuffer: UInt64, storage: UInt64) {
            self.ringBuffer = ringBuffer
            self.storage = storage
        }
    }

    /// Ring records read: raw events (user mode), or spans and batches of spans (kernel mode).
    public var records: UInt64
    /// Spans finished.
    public var spans: UInt64
    /// Ring records this build could not decode.
    public var decodeErrors: UInt64
    public var lost: Lost
    /// Spans (or, in histogram mode, requests) that may have begun before the session attached:
    /// each connection's first when its handshake went unseen. In `spans`, not in latencies.
    public var partialSpans: UInt64

    public init(records: UInt64, spans: UInt64, decodeErrors: UInt64, lost: Lost, partialSpans: UInt64 = 0) {
        self.partialSpans = partialSpans
        self.records = records
        self.spans = spans
        self.decodeErrors = decodeErrors
        self.lost = lost
    }
}
