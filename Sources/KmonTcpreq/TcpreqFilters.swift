import BPF
import Foundation
import KmonBPFObjects
import KmonContainers
/// Which connections tcpreq watches, applied in the kernel once per connection, in the task
/// that first moves data on it. Empty filters watch every TCP connection on the machine
/// (except the monitor's own).
public struct TcpreqFilters: Sendable, Equatable {
    /// Processes (tgids) to watch.
    public var pids: [Int32]
    /// A cgroup v2 directory: tasks in it or below it are watched.
    public var cgroupPath: String?
    /// Ports: a connection is watched when its local or remote port is listed.
    public var ports: [UInt16]
    /// `--container`/`--pod`: only tasks (skb: sockets) in the chosen containers' cgroups, a set
    /// `ContainerFilterFeeder` keeps current.
    public var containers: ContainerSelector?
    /// Leave the monitoring process's own connections out (on unless a test drives traffic
    /// from the same process).
    public var excludeSelf: Bool

    public init(pids: [Int32] = [], cgroupPath: String? = nil, ports: [UInt16] = [], containers: ContainerSelector? = nil,
                excludeSelf: Bool = true) {
        self.containers = containers
        self.pids = pids
        self.cgroupPath = cgroupPath
        self.ports = ports
        self.excludeSelf = excludeSelf
    }
}

/// How to run a tcpreq session.
public struct TcpreqConfiguration: Sendable {
    public var variant: ProbeVariant
    public var mode: SpanMode
    public var filters: TcpreqFilters
    /// Ring buffer size in bytes (a power of two, at least a page). Records never wake the
    /// consumer, so the ring must hold one poll interval of records: 8 MiB holds 80k spans.
    public var ringBufferBytes: Int
    /// How often the consumer drains the ring: user mode always, kernel mode while the ring
    /// fills fast; a kernel-mode ring that fills slowly is drained with each batch flush,
    /// every 100 ms (`PollPacing`).
    public var pollIntervalMilliseconds: Int32
    /// Keep finished spans for `takeSpans()`. Turn off when only `spanHandler` is used.
    public var keepSpans: Bool
    /// The variant's object from elsewhere (the CI gate's base build) instead of this build's.
    public var object: ExternalObject?
    /// Extra loops at the start of every program run (`InjectedCost`); 0 in normal use.
    public var injectLoops: UInt32 = 0
    /// Connections the state hash holds, where the variant keeps its state in one (syscall,
    /// kprobe; skb, sock and fentry where socket storage is refused); nil keeps the object's 65,536.
    /// Past it an LRU map evicts (`lost.evicted`), a plain hash refuses (`lost.storage`).
    public var stateTableEntries: UInt32?
    /// Slots of the in-flight index (sock, fentry, skb in kernel and histogram modes): how many
    /// connections can have a response in flight at once and still be closed at stop. Rounded up
    /// to a power of two; nil keeps 16,384. Past it a span is counted in `lost.unindexed`.
    public var inFlightSlots: UInt32?
    /// Read each request's method and each response's status in the kernel (kernel and user
    /// modes; at most 16 bytes at a span's edges, and only the parsed fields leave the kernel).
    /// Off, no byte of payload is read and spans carry `.unknown` and 0 (`--http off`).
    public var readsHTTP = true

    public init(variant: ProbeVariant = .sock, mode: SpanMode = .kernel, filters: TcpreqFilters = TcpreqFilters(),
                ringBufferBytes: Int = 8 << 20, pollIntervalMilliseconds: Int32 = 20,
                keepSpans: Bool = true) {
        self.variant = variant
        self.mode = mode
        self.filters = filters
        self.ringBufferBytes = ringBufferBytes
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
        self.keepSpans = keepSpans
    }
}

/// A BPF object file from outside this build (the CI gate's base build), checked against the
/// layout this build's user space relies on.
public struct ExternalObject: Sendable {
    public var path: String
    public var elf: [UInt8]

    /// Reads `path` as a build of `variant`'s object; refuses it, naming the file and every
    /// difference, when its programs, maps or shared structs differ from this build's.
    public static func load(path: String, variant: ProbeVariant) throws -> ExternalObject {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TcpreqError.badObject("\(path): no such file, or not readable (build it with scripts/build-bpf DIR)")
        }
        return try ExternalObject(elf: [UInt8](data), path: path, variant: variant)
    }

    /// Checks the bytes `elf`, read from `path`, as `load(path:variant:)` does: any bytes at all
    /// (the fuzz target `object-layout` feeds it), refused with a `TcpreqError` unless they fit.
    public init(elf: [UInt8], path: String, variant: ProbeVariant) throws {
        let name = variant.objectName
        guard let ours = EmbeddedBPF.object(named: name) else { throw TcpreqError.missingObject(name) }
        let theirs: BPFObject
        do { theirs = try BPFObject(elf: elf, name: name) } catch {
            throw TcpreqError.badObject("\(path) is not a BPF object libbpf can open: \(error)")
        }
        let differences = ObjectLayout(try BPFObject(elf: ours, name: name), structPrefixes: ["tcpreq_"])
            .differences(from: ObjectLayout(theirs, structPrefixes: ["tcpreq_"]), mayLack: Self.mayLack)
        guard differences.isEmpty else {
            throw TcpreqError.badObject("\(path) does not fit this build's \(name): " + differences.joined(separator: "; "))
        }
        self.path = path
        self.elf = elf
    }

    /// What a build from before issue 25 lacks and a session goes without: the in-flight index
    /// (its responses in flight at stop then stay open), and the container filter's set (issue 27).
    static let mayLack: Set<String> = ["inflight", "target_cgroup_ids"]
}
