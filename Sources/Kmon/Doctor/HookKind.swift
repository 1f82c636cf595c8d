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
    public var reason: String?

    public init(kind: HookKind, available: Bool, reason: String?) {
        self.kind = kind
        self.available = available
        self.reason = reason
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(available, forKey: .available)
        try c.encode(reason, forKey: .reason) // null when available, as documented
    }
}
