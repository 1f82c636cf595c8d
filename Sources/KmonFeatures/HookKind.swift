import KmonSupport

/// The kinds of kernel hook Kmon's programs use, as `kmon doctor` reports them.
public enum HookKind: String, CaseIterable, Codable, Sendable {
    case tracepoint
    case rawTracepoint = "raw_tracepoint"
    case tpBTF = "tp_btf"
    case kprobe
    case fentry
    case uprobe
    case sockops
    case cgroupSKB = "cgroup_skb"
    case tc
    case ringbuf
    case bpfStats = "bpf_stats"

    /// What depends on this hook kind.
    public var usedBy: String {
        switch self {
        case .tracepoint: return "tcpreq syscall and kprobe variants (inet_sock_set_state); collectors tcpdrop, offcpu, biostat, fcount"
        case .rawTracepoint: return "tcpreq kernel mode's batch flusher (a raw_tp run on demand)"
        case .tpBTF: return "tcpreq sock (default), syscall, fentry and empty variants"
        case .kprobe: return "tcpreq kprobe variant (Kmon's original hooks)"
        case .fentry: return "tcpreq fentry variant"
        case .uprobe: return "nothing yet (probed for users' own programs)"
        case .sockops: return "nothing yet (probed for users' own programs)"
        case .cgroupSKB: return "tcpreq skb variant"
        case .tc: return "nothing yet (probed for users' own programs)"
        case .ringbuf: return "every tcpreq variant and collector"
        case .bpfStats: return "per-program ns/run in kmon monitor and kmon bench"
        }
    }

    /// What happens on a kernel without it.
    public var effectWithout: String {
        switch self {
        case .tracepoint: return "the syscall and kprobe variants and the collectors are unavailable"
        case .rawTracepoint: return "kernel mode sends each span alone (see test_run_on_cpu)"
        case .tpBTF: return "the sock, syscall, fentry and empty variants are unavailable; use --variant kprobe or skb"
        case .kprobe: return "the kprobe variant is unavailable"
        case .fentry: return "the fentry variant is unavailable"
        case .uprobe, .sockops, .tc: return "no effect on Kmon"
        case .cgroupSKB: return "the skb variant is unavailable"
        case .ringbuf: return "Kmon cannot run"
        case .bpfStats: return "programs show 0 runs and 0 ns; the bench's cost table is empty"
        }
    }

    /// The program in bpf/hookprobe.bpf.c that exercises this kind, if it is a program kind.
    var probeProgram: String? {
        switch self {
        case .ringbuf, .bpfStats: return nil
        default: return "probe_\(rawValue)"
        }
    }
}

/// Whether one hook kind works on this kernel, and if not, why.
public struct HookAvailability: Codable, Equatable, Sendable {
    public var kind: HookKind
    public var available: Bool
    /// Null in JSON when available, as documented.
    @ExplicitNull public var reason: String?
    /// The kind's own texts, stored so that JSON carries them.
    public var usedBy: String
    public var effectWithout: String

    public init(kind: HookKind, available: Bool, reason: String?) {
        self.kind = kind
        self.available = available
        self.reason = reason
        usedBy = kind.usedBy
        effectWithout = kind.effectWithout
    }

    enum CodingKeys: String, CodingKey {
        case kind, available, reason
        case usedBy = "used_by", effectWithout = "without"
    }
}
