import CKmonEvents
import KmonFeatures

/// Which kernel hooks feed tcpreq. Each is one `bpf/tcpreq_<name>.bpf.c`.
public enum ProbeVariant: String, CaseIterable, Codable, Sendable {
    /// BTF tracepoints `sock:sock_recv_length`/`sock_send_length` plus `sock:inet_sock_set_state`,
    /// with per-socket state in socket-local storage. The default.
    case sock
    /// The BTF raw tracepoints `sys_enter`/`sys_exit`, dispatching on the read/write family's
    /// numbers, with (tgid, fd) mapped to sockets.
    case syscall
    /// Kmon's original hooks through kprobes: `tcp_sendmsg`, `tcp_cleanup_rbuf`, `tcp_close`.
    case kprobe
    /// The same kernel functions through fentry (BPF trampolines).
    case fentry
    /// Packet timestamps from cgroup_skb ingress/egress: the wire-side view of the same spans.
    case skb
    /// The sock variant's hooks with programs that return at once: the hooks' fixed cost.
    case empty

    /// The embedded BPF object (see `EmbeddedBPF`).
    public var objectName: String { "tcpreq_\(rawValue)" }

    /// The hook kinds this variant needs; `HookProbe` decides whether the kernel allows them.
    public var requiredHooks: [HookKind] {
        switch self {
        case .sock, .empty: return [.tpBTF, .ringbuf]
        case .syscall: return [.tpBTF, .tracepoint, .ringbuf]
        case .kprobe: return [.kprobe, .tracepoint, .ringbuf]
        case .fentry: return [.fentry, .tpBTF, .ringbuf]
        case .skb: return [.cgroupSKB, .ringbuf]
        }
    }

    /// The kernel features this variant cannot run without (the optional ones degrade instead:
    /// sock, fentry and skb keep their state in `conn_table` where socket storage is refused).
    public var requiredFeatures: [KernelFeature] {
        switch self {
        case .syscall: return [.taskStorage]
        case .sock, .fentry, .skb, .kprobe, .empty: return []
        }
    }

    /// Whether the per-connection state lives in socket-local storage (`conn_table` where the
    /// kernel refuses it), which user space cannot walk: these variants close the responses in
    /// flight at stop from the in-flight index. The others keep a hash user space walks itself.
    public var keepsStateInSocketStorage: Bool { self == .sock || self == .fentry || self == .skb }

    /// Programs without a task context (cgroup_skb): spans carry no pid, so Kmon finds the
    /// socket's owner in /proc and applies `--pid` in user space.
    public var runsWithoutTask: Bool { self == .skb }
}

/// Where spans are assembled. Orthogonal to the hooks.
public enum SpanMode: String, CaseIterable, Codable, Sendable {
    /// Every send, recv and close goes through the ring buffer; Swift assembles spans.
    case user
    /// The state machine runs in the kernel; each completed span is sent once, in per-CPU
    /// batches of up to 16 spans per ring record.
    case kernel
    /// The state machine runs in the kernel and fills log2 histograms; no per-request records.
    case histogram

    /// The value of the programs' `targ_mode` setting (bpf/include/tcpreq.h).
    var bpfValue: UInt32 {
        switch self {
        case .user: return UInt32(TCPREQ_MODE_USER)
        case .kernel: return UInt32(TCPREQ_MODE_KERNEL)
        case .histogram: return UInt32(TCPREQ_MODE_HISTOGRAM)
        }
    }
}
