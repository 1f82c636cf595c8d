import CKmonEvents
import Foundation

/// How one collector runs: its verbosity, what it listens to, how often it exports, and the
/// options only some collectors have.
public struct CollectorSettings: Equatable, Sendable {
    public var verbosity: Int
    public var filter: ListenFilter
    /// Seconds between exports (YAML `export.period`); nil for the exporter's default.
    public var exportPeriodSeconds: Double?
    public var offCPU: OffCPUOptions
    /// fcount's events: `category:name` tracepoints, or `kprobe:function`.
    public var fcountEvents: [String]

    public init(verbosity: Int = 1, filter: ListenFilter = ListenFilter(), exportPeriodSeconds: Double? = nil,
                offCPU: OffCPUOptions = OffCPUOptions(), fcountEvents: [String] = []) {
        self.verbosity = verbosity
        self.filter = filter
        self.exportPeriodSeconds = exportPeriodSeconds
        self.offCPU = offCPU
        self.fcountEvents = fcountEvents
    }
}

/// Kmon's listen filters: which processes a collector watches. Applied in the kernel: pids
/// through the `target_tgids` map, the cgroup through `target_cgroup` (the cgroup and every
/// cgroup below it, as tcpreq's `--cgroup`). A comm regex cannot run in the kernel, so user
/// space matches /proc/<pid>/comm and feeds the matching pids into the same map, re-scanning
/// every `commRefreshSeconds` to catch new processes.
/// Pids and comm matches add up (a process passes if either names it); the cgroup applies on top.
public struct ListenFilter: Equatable, Sendable {
    public var pids: Set<Int32>
    /// A cgroup v2 directory, absolute or relative to the cgroup2 mount: its whole subtree.
    public var cgroup: String?
    /// A regular expression over the process name (`/proc/<pid>/comm`, at most 15 characters).
    public var comm: String?
    public var commRefreshSeconds: Double
    /// tcpreq only (`collector.tcpreq.listen`): the YAML spelling of `--container` and `--pod`,
    /// regexes over a container's name or id and a pod's `namespace/name`.
    public var container: String?
    public var pod: String?

    public init(pids: Set<Int32> = [], cgroup: String? = nil, comm: String? = nil, commRefreshSeconds: Double = 1) {
        self.pids = pids
        self.cgroup = cgroup
        self.comm = comm
        self.commRefreshSeconds = commRefreshSeconds
    }

    /// Whether the kernel must check the pid map.
    public var filtersPids: Bool { !pids.isEmpty || comm != nil }

    /// Checks the regex now, so a typo is a config error rather than a failure at start.
    public func validate() throws {
        if let comm {
            do { _ = try NSRegularExpression(pattern: comm) } catch {
                throw CollectorError.config("bad listen.comm regular expression \"\(comm)\": \(error.localizedDescription)")
            }
        }
        for (key, pattern) in [("container", container), ("pod", pod)] {
            guard let pattern else { continue }
            do { _ = try NSRegularExpression(pattern: pattern) } catch {
                throw CollectorError.config("bad listen.\(key) regular expression \"\(pattern)\": \(error.localizedDescription)")
            }
        }
    }
}

/// Task states offcpu can keep, as `ps` shows them.
public enum OffCPUTaskState: String, CaseIterable, Codable, Sendable {
    /// Sleeping, woken by a signal or event (S).
    case interruptible
    /// Waiting, usually on I/O (D).
    case uninterruptible
    /// Still runnable: switched out by preemption.
    case preempted

    var maskBit: UInt32 {
        switch self {
        case .interruptible: return UInt32(OFFCPU_STATE_INTERRUPTIBLE)
        case .uninterruptible: return UInt32(OFFCPU_STATE_UNINTERRUPTIBLE)
        case .preempted: return OFFCPU_STATE_PREEMPTED
        }
    }
}

/// offcpu's own filters: which switch-out states count, and the window of off-CPU durations kept.
public struct OffCPUOptions: Equatable, Sendable {
    public var states: Set<OffCPUTaskState>
    public var minNanoseconds: UInt64
    public var maxNanoseconds: UInt64

    public init(states: Set<OffCPUTaskState> = Set(OffCPUTaskState.allCases), minNanoseconds: UInt64 = 0,
                maxNanoseconds: UInt64 = .max) {
        self.states = states
        self.minNanoseconds = minNanoseconds
        self.maxNanoseconds = maxNanoseconds
    }

    var stateMask: UInt32 { states.reduce(0) { $0 | $1.maskBit } }

    public func validate() throws {
        if states.isEmpty { throw CollectorError.config("offcpu state list is empty; use any of interruptible, uninterruptible, preempted") }
        if minNanoseconds > maxNanoseconds {
            throw CollectorError.config("offcpu min_duration (\(minNanoseconds) ns) is above max_duration (\(maxNanoseconds) ns)")
        }
    }
}
