import BPF
import CKmonEvents
import Foundation
import Glibc
import KmonBPFObjects
import KmonContainers
import KmonFeatures
import KmonSupport
import KmonSystem
import Logging

/// Configure, load and attach: the settings, the optional features this kernel refuses, the
/// filter maps, and the links.
extension TcpreqSession {
    func configure() throws {
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
        if filters.containers != nil { try object.setGlobal("targ_filter_cgroup_ids", to: UInt32(1)) }
        try object.setGlobal("targ_http", to: UInt32(configuration.readsHTTP && configuration.mode != .histogram ? 1 : 0))
        try object.map("events").setMaxEntries(UInt32(configuration.ringBufferBytes))
        try sizeListeners()
        try chooseOptionalFeatures()
    }

    /// How a session closes the responses in flight at stop. User mode needs none: Swift
    /// closes its own spans.
    enum StopFlush: Equatable {
        case none
        /// User space walks the named hash map of connection states (syscall, kprobe).
        case states(map: String)
        /// User space walks the in-flight index (sock, fentry, skb; bpf/tcpreq_inflight.bpf.h).
        case index
    }

    /// Turns off, before load, what this kernel refuses among the optional features: socket
    /// storage (sock, fentry and skb then keep their state in `conn_table`), the batch
    /// flusher's test run on a CPU (spans then travel alone) and the read clock.
    func chooseOptionalFeatures() throws {
        let disabled: DisabledFeatures
        do { disabled = try DisabledFeatures.fromEnvironment() } catch { throw TcpreqError.badEnvironment("\(error)") }
        let variant = configuration.variant, mode = configuration.mode
        if variant.keepsStateInSocketStorage {
            try chooseStateHome(refused: refusal(.socketStorage, disabled))
            if mode != .user {
                stopFlush = try sizeInFlightIndex() ? .index : .none
            } else if let index = try? object.map("inflight") {
                try index.setMaxEntries(1) // user mode: Swift closes its own spans; programs never reach it
            }
        } else if mode != .user, variant != .empty {
            stopFlush = .states(map: "conn_state")
        }
        (try? object.program("tcpreq_flush"))?.autoload = false // older objects' iterator: the index replaced it
        if let entries = configuration.stateTableEntries, let table = stateTable {
            try object.map(table).setMaxEntries(max(entries, 1))
        }

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
        try chooseReadClock(disabled)
    }

    /// Reads take their time from TCP's clock where the kernel refreshes it in reads (sock,
    /// fentry; kernel and histogram modes), saving a clock read per span edge on a read.
    func chooseReadClock(_ disabled: DisabledFeatures) throws {
        guard configuration.mode != .user, configuration.variant == .sock || configuration.variant == .fentry else { return }
        if let refused = refusal(.readClock, disabled) {
            degradations.append(Degradation(.readClock, reason: refused))
            return
        }
        do { try object.setGlobal("targ_read_clock", to: UInt32(1)) } catch let error as BPFError where error.errno == ENOENT {
            // An object built before the read clock (`kmon bench --base-objects`): it reads the clock.
        }
    }

    /// sock, fentry, skb: socket-local storage wherever the kernel allows it, else `conn_table`
    /// (a stated degradation); `KMON_TCPREQ_STATE` forces either, to measure both homes.
    func chooseStateHome(refused: String?) throws {
        let forced = try Self.forcedStateHome()
        if forced == "storage", let refused {
            throw TcpreqError.unavailable(configuration.variant, reason: "\(Self.stateHomeVariable)=storage, but \(KernelFeature.socketStorage.rawValue): \(refused)")
        }
        if forced == "table" || (forced == nil && refused != nil) {
            stateHome = .table
            try object.setGlobal("targ_state_table", to: UInt32(1))
            if let refused {
                degradations.append(Degradation(.socketStorage, reason: refused))
                try object.map("conn_state").setAutocreate(false) // the kernel would refuse the map itself
            }
        } else {
            stateHome = .socketStorage
            try object.map("conn_table").setMaxEntries(1) // unused: socket-local storage holds the state
        }
    }

    /// Sizes the in-flight index (`inFlightSlots`, rounded up to a power of two); false for an
    /// older object without one, whose spans in flight at stop then stay open.
    func sizeInFlightIndex() throws -> Bool {
        guard let index = try? object.map("inflight") else {
            logger.warning("\(object.name) has no in-flight index (an older build): responses in flight at stop are not closed")
            return false
        }
        let slots = Self.inFlightIndexSlots(configuration.inFlightSlots)
        try index.setMaxEntries(slots)
        try object.setGlobal("targ_inflight_mask", to: slots - 1)
        return true
    }

    /// A power of two from 1 to 2^18 (a slot is 112 bytes), at least `requested`; 16,384 by default.
    static func inFlightIndexSlots(_ requested: UInt32?) -> UInt32 {
        guard let requested else { return 16_384 }
        let wanted = min(max(requested, 1), 1 << 18)
        return wanted.nonzeroBitCount == 1 ? wanted : 1 << (32 - (wanted - 1).leadingZeroBitCount)
    }

    /// For measuring what each home of the sock/fentry/skb state costs per run, on any kernel:
    /// `table` or `storage` overrides the choice socket storage's availability makes.
    static let stateHomeVariable = "KMON_TCPREQ_STATE"

    static func forcedStateHome() throws -> String? {
        guard let value = ProcessInfo.processInfo.environment[stateHomeVariable], !value.isEmpty else { return nil }
        guard value == "table" || value == "storage" else {
            throw TcpreqError.badEnvironment("\(stateHomeVariable) is '\(value)'; it takes table or storage")
        }
        return value
    }

    /// Why `feature` is off here, or nil when it is on.
    func refusal(_ feature: KernelFeature, _ disabled: DisabledFeatures) -> String? {
        let availability = LibbpfLog.demotingWarnings { FeatureProbe.check(feature, disabled: disabled) }
        return availability.available ? nil : availability.reason ?? "unavailable"
    }

    func fillFilterMaps() throws {
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
        if let selector = filters.containers {
            guard let root = KernelMounts.cgroup2Path() else { throw TcpreqError.badFilter("--container and --pod need a cgroup v2 mount") }
            let feeder = ContainerFilterFeeder.make(map: try object.map("target_cgroup_ids"), selector: selector,
                                                    resolver: ContainerResolver(cgroupRoot: root), root: root, logger: logger)
            feeder.refresh()
            feeder.start(every: ContainerFilterFeeder.interval)
            containerFeeder = feeder
        }
        // Before the hooks attach: connections met mid-way take their role from here at once.
        // A listener that opens or closes between this read and the attach stays unknown or
        // stale; the kernel tracks every change after it.
        try fillListeners()
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
        guard fd >= 0 else { throw TcpreqError.badFilter("cannot open cgroup: \(SystemCallError("open(\(path))"))") }
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

    /// Programs the session runs itself, never attached: the batch flusher (a bare `raw_tp`),
    /// and older objects' stop-time iterator (not loaded).
    static func runsOnDemand(_ program: BPFProgram) -> Bool {
        program.section.hasPrefix("iter/") || program.section == "raw_tp"
    }

    /// Starts closing every link in the background (`LinkReleaser`): the programs stop within
    /// milliseconds, the grace periods run out off this thread. `stop()` waits for them.
    func detachAll() {
        containerFeeder?.stop()
        releaser.release(links)
        links.removeAll()
    }
}
