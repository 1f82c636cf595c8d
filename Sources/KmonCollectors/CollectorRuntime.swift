import BPF
import CKmonEvents
import Foundation
import Glibc
import KmonBPFObjects
import KmonSystem

/// The BPF side every collector shares: its object, the listen filters, the attached links and
/// the common counters (`lost`, `stack_errors`). Each collector drives the steps in order:
/// `init` (open) → `configureCommon` and its own settings → `load` → `attach` → … → `stop`.
final class CollectorRuntime {
    let object: BPFObject
    let filter: ListenFilter
    private(set) var links: [BPFLink] = []
    /// Closes detached links off the caller's thread; `stop()` waits for every close.
    private let releaser = LinkReleaser()
    /// Every program that was attached, kept after stop so its run statistics stay readable.
    private var attachedPrograms: [BPFProgram] = []
    private var pidFeeder: BPFSetFeeder<Int32>?
    /// The pid feeder's refusals, kept once it has stopped.
    private var filterFullAtStop: UInt64 = 0
    /// The listen filter's cgroup directory, resolved; its subtree is watched.
    private var cgroupPath: String?

    init(objectName: String, filter: ListenFilter) throws {
        guard let elf = EmbeddedBPF.object(named: objectName) else { throw CollectorError.missingObject(objectName) }
        try filter.validate()
        object = try BPFObject(elf: elf, name: objectName)
        self.filter = filter
    }

    /// Sets the filter globals (bpf/kmon_common.bpf.h) and shrinks the stack map to one entry
    /// when no stacks are wanted.
    func configureCommon(stacks: Bool) throws {
        if filter.filtersPids { try object.setGlobal("targ_filter_tgids", to: UInt32(1)) }
        if let cgroup = filter.cgroup {
            cgroupPath = try CgroupDirectory.resolve(cgroup)
            try object.setGlobal("targ_filter_cgroup", to: UInt32(1))
        }
        if !stacks { try object.map("stacks").setMaxEntries(1) }
    }

    /// Loads the programs, then fills the cgroup slot and the pid map (and keeps that fresh for
    /// a comm regex).
    func load() throws {
        try object.load()
        if let cgroupPath {
            let fd = try CgroupDirectory.open(cgroupPath)
            defer { close(fd) }
            try object.map("target_cgroup").update(UInt32(0), fd)
        }
        if filter.filtersPids {
            let feeder = try PidFilterFeeder.make(map: object.map("target_tgids"), filter: filter)
            feeder.refresh()
            if filter.comm != nil { feeder.start(every: filter.commRefreshSeconds) }
            pidFeeder = feeder
        }
    }

    /// How to make each link again, for `setAttached(true)` after a detach.
    private var attachers: [() throws -> BPFLink] = []

    @discardableResult
    func attach(_ programName: String) throws -> BPFLink {
        let program = try object.program(programName)
        return try attach { try program.attach() }
    }

    /// Attaches with `make` now, and again whenever the collector is re-attached.
    @discardableResult
    func attach(using make: @escaping () throws -> BPFLink) throws -> BPFLink {
        let link = try make()
        attachers.append(make)
        links.append(link)
        if !attachedPrograms.contains(where: { $0.name == link.program.name }) { attachedPrograms.append(link.program) }
        return link
    }

    /// Detaches every link, or makes them all again; programs and maps stay loaded, so the
    /// bench can switch a collector arm in place. Detaching returns once every close has begun
    /// (`LinkReleaser`); a close's error surfaces at `stop()`.
    func setAttached(_ attached: Bool) throws {
        if !attached {
            detachLinks()
        } else if links.isEmpty {
            var made: [BPFLink] = []
            do {
                for attacher in attachers { made.append(try attacher()) }
            } catch {
                releaser.release(made)
                throw error
            }
            links = made
        }
    }

    private func detachLinks() {
        releaser.release(links)
        links = []
    }

    /// Run statistics of every program that was attached, once each; still readable after stop.
    func programStats() throws -> [ProgramRunStats] {
        try attachedPrograms.map { try $0.runStats() }
    }

    func losses() throws -> CollectorLosses {
        var result = CollectorLosses()
        let lost = try object.map("lost"), stackErrors = try object.map("stack_errors")
        result.records = try lost.sumPerCPUCounter(at: UInt32(KMON_LOST_RINGBUF))
        result.mapFull = try lost.sumPerCPUCounter(at: UInt32(KMON_LOST_MAP_FULL))
        result.stackCollisions = try stackErrors.sumPerCPUCounter(at: UInt32(KMON_STACK_ERR_EEXIST))
        result.stackMapFull = try stackErrors.sumPerCPUCounter(at: UInt32(KMON_STACK_ERR_ENOMEM))
        result.stackOther = try stackErrors.sumPerCPUCounter(at: UInt32(KMON_STACK_ERR_OTHER))
        result.filterFull = pidFeeder?.refusedCount ?? filterFullAtStop
        return result
    }

    /// Detaches every link (all of them, even if one fails) and stops the pid feeder.
    func stop() throws {
        pidFeeder?.stop()
        filterFullAtStop = pidFeeder?.refusedCount ?? filterFullAtStop
        pidFeeder = nil
        attachers = []
        detachLinks()
        try releaser.wait()
    }

    deinit { try? stop() }
}

/// The listen filter's cgroup v2 directory. The kernel side watches its whole subtree
/// (`bpf_current_task_under_cgroup`), as tcpreq's `--cgroup` does.
public enum CgroupDirectory {
    /// The absolute path of `path` (absolute, or relative to the cgroup2 mount), checked to be a
    /// directory; `field` (`listen.cgroup`, `--cgroup`) names where it came from in the error.
    public static func resolve(_ path: String, field: String = "listen.cgroup") throws -> String {
        var full = path
        if !path.hasPrefix("/") {
            guard let root = KernelMounts.cgroup2Path() else {
                throw CollectorError.unavailable("\(field) \"\(path)\" needs a cgroup v2 hierarchy, and none is mounted")
            }
            full = root + "/" + path
        }
        var info = stat()
        guard stat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw CollectorError.config("\(field) \"\(path)\": \(full) is not a cgroup directory")
        }
        return full
    }

    /// An fd for the cgroup array map; the map keeps its own reference, so it can be closed.
    static func open(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CollectorError.config("listen.cgroup: cannot open: \(SystemCallError("open(\(path))"))")
        }
        return fd
    }
}
