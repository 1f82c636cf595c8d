import BPF
import KmonBPFObjects
import KmonTcpreq
import Testing

/// Every variant ships, including those this kernel cannot run: its object is embedded and
/// parses (no privileges, nothing reaches the kernel), with the hooks its header names, plus the
/// program the session runs itself (the `raw_tp` batch flusher). No iterator: the stop walks
/// the in-flight index (socket-local storage variants) or the state hash (the others) from user space.
@Suite("tcpreq probe objects")
struct ProbeObjectsTests {
    static let expectedSections: [ProbeVariant: Set<String>] = [
        .sock: ["tp_btf/sock_recv_length", "tp_btf/sock_send_length", "tp_btf/inet_sock_set_state", "raw_tp"],
        .empty: ["tp_btf/sock_recv_length", "tp_btf/sock_send_length", "tp_btf/inet_sock_set_state"],
        .fentry: ["fentry/tcp_sendmsg", "fentry/tcp_cleanup_rbuf", "fentry/tcp_close", "tp_btf/inet_sock_set_state", "raw_tp"],
        .kprobe: ["kprobe/tcp_sendmsg", "kprobe/tcp_cleanup_rbuf", "kprobe/tcp_close", "tracepoint/sock/inet_sock_set_state", "raw_tp"],
        .skb: ["cgroup_skb/ingress", "cgroup_skb/egress", "raw_tp"],
        // Two raw tracepoints that dispatch on the call's number, not 21 perf-event tracepoints.
        .syscall: ["tp_btf/sys_enter", "tp_btf/sys_exit", "tracepoint/sock/inet_sock_set_state", "raw_tp"],
    ]

    @Test(arguments: ProbeVariant.allCases)
    func objectIsEmbeddedAndParses(variant: ProbeVariant) throws {
        let elf = try #require(EmbeddedBPF.object(named: variant.objectName))
        let object = try BPFObject(elf: elf, name: variant.objectName)
        let sections = Set(object.programs.map(\.section))
        #expect(sections == Self.expectedSections[variant])
        if variant != .empty {
            for map in ["events", "lost", "conn_state", "hists", "hist_slots", "pending_spans", "target_tgids", "target_ports", "target_cgroup", "listeners"] {
                #expect((try? object.map(map)) != nil, "\(variant) has no map \(map)")
            }
            // Where the kernel refuses socket storage, state moves to a hash; socket storage cannot
            // be walked, so those variants index their responses in flight for the stop.
            #expect(((try? object.map("conn_table")) != nil) == variant.keepsStateInSocketStorage)
            #expect(((try? object.map("inflight")) != nil) == variant.keepsStateInSocketStorage)
        }
    }
}
