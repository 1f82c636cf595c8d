import BPF
import CKmonEvents
import Foundation
import Glibc
import KmonBPFObjects
import KmonFeatures
import KmonSupport
import KmonSystem
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
    let object: BPFObject
    /// Attached hooks; empty while detached (see `TcpreqSession+Switching.swift`).
    var links: [BPFLink] = []
    /// Closes detached links off the caller's thread; `stop()` waits for every close.
    let releaser = LinkReleaser()
    var stats: BPFStats?
    let logger: Logger
    let processNames: ProcessNames
    let spanHandler: ((Span) -> Void)?

    let lock = NSLock()
    var spans: [Span] = []
    var recordCount: UInt64 = 0
    var spanCount: UInt64 = 0
    var partialSpanCount: UInt64 = 0
    var decodeErrors: UInt64 = 0
    /// Set once by the consumer thread when it ends on an error (see `consumerStopped`).
    var consumerFailure: TcpreqError?
    var finalLost: TcpreqCounters.Lost?
    /// LRU evictions counted once the hooks were detached (exact).
    var finalEvicted: UInt64?
    /// The node's listeners, read before load to size the map, until they are loaded into it.
    var initialListeners: [ListeningSocket: UInt32] = [:]
    var listenersNotLoaded: UInt64 = 0
    var finalPrograms: [ProgramRunStats]?
    var finalHistograms: [TcpreqHistogram]?
    /// The optional features this session runs without, and what that changes.
    public internal(set) var degradations: [Degradation] = []
    /// How responses still in flight are closed at stop; decided before load.
    var stopFlush = StopFlush.none
    /// Where sock, fentry and skb keep per-connection state (nil for the other variants).
    public internal(set) var stateHome: StateHome?
    /// Histogram mode with a user-space stop flush: spans it closed, for `histograms()`.
    var spansClosedAtStop: [Span] = []

    var ring: RingBufferConsumer?
    /// Consumer thread only: the spans of the record being handled, and the names they carry.
    var decoded: [Span] = []
    var commNames = CommNames()
    /// Kernel mode: sends the per-CPU span batches that stopped filling.
    var flusher: BatchFlusher?
    /// Keeps the container filter's cgroup set current (`--container`, `--pod`).
    var containerFeeder: BPFSetFeeder<UInt64>?
    var assembler: SpanAssembler
    /// Consumer thread only, like the assembler.
    /// For variants without a task (skb): who owns each connection, and the --pid filter.
    let owners: SocketOwners?
    let wantedPIDs: Set<Int32>
    public internal(set) var isStopped = false
    /// CLOCK_MONOTONIC when every hook was attached, and when the first was detached: the window
    /// in which the session sees whole requests (nil while running).
    public internal(set) var attachedAtNanoseconds: UInt64 = 0
    public internal(set) var detachedAtNanoseconds: UInt64?
    /// When the last link was closed. The links close together, each waiting for a grace period
    /// (about 330 ms on the 2-core VM) after its program stopped, so requests that end in
    /// between may still be seen, or not: the window's fuzzy edge.
    public internal(set) var lastDetachedAtNanoseconds: UInt64?

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
            flusher = makeFlusher()
            if let flusher {
                // Batches need the flusher: find out now, not at stop, if this kernel cannot run it.
                do { try flusher.flushAll() } catch {
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
            try? releaser.wait()
            throw error
        }
    }

    deinit {
        if !isStopped { try? stop() }
    }

    /// How often the consumer sends batches that stopped filling: the most a span waits in one.
    static let batchFlushPeriodNanoseconds: UInt64 = 100_000_000

    var hasWork: Bool { configuration.variant != .empty }

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
                let listener = ConnectionTuple(local: histogram.endpoint, remote: ConnectionTuple.none.remote)
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
            lost = .init(ringBuffer: try map.sumPerCPUCounter(at: UInt32(KMON_LOST_RINGBUF)),
                         storage: try map.sumPerCPUCounter(at: UInt32(KMON_LOST_MAP_FULL)),
                         evicted: try finalEvicted ?? evictions(exact: false), listeners: try listenersNotTracked(),
                         unindexed: try unindexedInFlight())
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
        // All links close at once, and so do any an earlier detach() left closing: when stop
        // returns, no link of the session remains.
        detachAll()
        do { try releaser.wait() } catch { firstError = error }
        lastDetachedAtNanoseconds = MonotonicClock.now()
        if hasWork { do { finalEvicted = try evictions(exact: true) } catch { firstError = firstError ?? error } }
        var closedAtStop: [Span] = []
        do { closedAtStop = try flushInFlight() } catch { firstError = firstError ?? error }
        if let flusher {
            do { try flusher.flushAll() } catch { firstError = firstError ?? error }
        }
        if let ring {
            ring.stop()
            do { try ring.drain() } catch { firstError = firstError ?? error }
        }
        if let consumerError { firstError = consumerError }
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

extension TcpreqSession {
    /// The fill of each hash map the session loaded (listeners, filters, per-connection tables),
    /// leaving out the one-entry placeholders of maps a variant does not use.
    public func mapFill() throws -> [BPFMapFill] {
        try object.maps.filter { $0.fd >= 0 && $0.isHashLike && $0.maxEntries > 1 }.map { try $0.fill() }
    }
}
