import KmonSupport

/// Kernel features beyond the hook kinds that Kmon's programs rely on, as `kmon doctor` lists
/// them. Each is probed by really loading a tiny program (`FeatureProbe`).
public enum KernelFeature: String, CaseIterable, Codable, Sendable {
    /// BPF iterators over maps (`iter/bpf_map_elem`, `iter/bpf_sk_storage_map`).
    case iterator = "iter"
    /// `BPF_PROG_TEST_RUN` with `BPF_F_TEST_RUN_ON_CPU` on a `raw_tp` program.
    case testRunOnCPU = "test_run_on_cpu"
    /// `BPF_MAP_TYPE_SK_STORAGE` from a `tp_btf` program.
    case socketStorage = "sk_storage"
    /// `BPF_MAP_TYPE_TASK_STORAGE` from a tracepoint program.
    case taskStorage = "task_storage"
    /// A read refreshes TCP's cached clock (`tcp_sock.tcp_clock_cache`), and `bpf_rdonly_cast`
    /// lets a program load it: kernels from 6.2 until a late-2025 change that stopped refreshing it in reads.
    case readClock = "tcp_read_clock"

    /// Optional features: Kmon runs without them, degraded as `effectWithout` says. The others
    /// are required by the variants in `usedBy`, which are unavailable without them.
    public var isOptional: Bool { self == .iterator || self == .testRunOnCPU || self == .socketStorage || self == .readClock }

    /// What depends on the feature.
    public var usedBy: String {
        switch self {
        case .iterator: return "nothing: the in-flight index closes the responses in flight at stop without it; listed as a fact of the kernel"
        case .testRunOnCPU: return "tcpreq kernel mode: sending per-CPU span batches that stopped filling"
        case .socketStorage: return "tcpreq sock, fentry and skb variants: per-connection state"
        case .taskStorage: return "tcpreq syscall variant: a call's fd from enter to exit"
        case .readClock: return "tcpreq sock and fentry variants: a read's time from TCP's own clock, with no clock read"
        }
    }

    /// What happens on a kernel without it.
    public var effectWithout: String {
        switch self {
        case .iterator:
            return "nothing changes"
        case .testRunOnCPU:
            return "each span is its own ring record, not one record per batch of up to 16"
        case .socketStorage:
            return "sock, fentry and skb keep connection state in conn_table, a hash by socket cookie (at most 65536 "
                + "connections, more are counted as lost; a cookie helper and a hashed lookup more per run)"
        case .taskStorage: return "the syscall variant is unavailable"
        case .readClock: return "each read that moves a span edge reads the clock itself (bpf_ktime_get_ns, 70-80 ns on our VM)"
        }
    }
}

/// Whether one kernel feature works here, and if not, why; with what depends on it.
public struct FeatureAvailability: Codable, Equatable, Sendable {
    public var feature: KernelFeature
    public var available: Bool
    /// Null in JSON when available, like the hook rows.
    @ExplicitNull public var reason: String?
    public var usedBy: String
    public var effectWithout: String

    public init(feature: KernelFeature, available: Bool, reason: String?) {
        self.feature = feature
        self.available = available
        self.reason = reason
        usedBy = feature.usedBy
        effectWithout = feature.effectWithout
    }

    enum CodingKeys: String, CodingKey {
        case feature, available, reason
        case usedBy = "used_by", effectWithout = "without"
    }
}
