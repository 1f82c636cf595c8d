import BPF
import KmonSystem

/// One of Kmon's collectors beside tcpreq: tcpdrop, offcpu, biostat, fcount.
///
/// Life cycle: `start()` runs open → configure (filters, verbosity) → load → attach; `snapshot()`
/// reads what the kernel gathered so far, as often as wanted; `stop()` detaches every link.
/// A collector that is dropped without `stop()` still detaches (its links do so on deinit).
public protocol Collector: AnyObject {
    associatedtype Report: CollectorReport

    static var kind: CollectorKind { get }
    var settings: CollectorSettings { get }

    func start() throws
    /// What the collector has seen since start, reported under `collectors.<name>`.
    func snapshot() throws -> Report
    /// The kernel's run statistics of each attached program (counted while `BPFStats` is on).
    func programStats() throws -> [ProgramRunStats]
    /// Records, keys and stacks lost so far.
    func losses() throws -> CollectorLosses
    /// Detaches every program. Safe to call twice.
    func stop() throws
    /// Detaches the hooks, or attaches them again, without reloading (the bench's in-place arms).
    func setAttached(_ attached: Bool) throws
}

/// A collector's JSON summary.
public protocol CollectorReport: Encodable, Sendable {}

extension Collector {
    public var kind: CollectorKind { Self.kind }

    /// The snapshot as an existential, for code handling every collector alike.
    public func anyReport() throws -> any CollectorReport { try snapshot() }
}

/// What a collector lost: ring-buffer records and hash-map keys it could not store, and stacks
/// `bpf_get_stackid` failed to record.
public struct CollectorLosses: Codable, Equatable, Sendable {
    public var records: UInt64 = 0
    public var mapFull: UInt64 = 0
    /// -EEXIST: the stack hashed to a bucket holding another stack.
    public var stackCollisions: UInt64 = 0
    /// -ENOMEM: the stack map was full.
    public var stackMapFull: UInt64 = 0
    /// Other failures, e.g. -EFAULT walking a user stack of a kernel thread.
    public var stackOther: UInt64 = 0
    /// Processes matching `--comm` that were not watched: the pid filter map was full.
    public var filterFull: UInt64 = 0

    public init() {}

    public var total: UInt64 { records + mapFull + stackCollisions + stackMapFull + stackOther + filterFull }

    enum CodingKeys: String, CodingKey {
        case records
        case mapFull = "map_full"
        case stackCollisions = "stack_collisions"
        case stackMapFull = "stack_map_full"
        case stackOther = "stack_other"
        case filterFull = "filter_full"
    }
}
