/* hookprobe: one do-nothing program per hook kind, for `kmon doctor`.
 * Doctor loads and attaches each program alone, then detaches it; whatever the kernel refuses
 * is reported with its reason. Cost: an empty program, about 50 ns per run while attached. */
#include "kmon_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_getppid")
int probe_tracepoint(void *ctx) { return 0; }

SEC("raw_tracepoint/sys_enter")
int probe_raw_tracepoint(void *ctx) { return 0; }

SEC("tp_btf/sched_switch")
int BPF_PROG(probe_tp_btf) { return 0; }

/* Kmon's original hook. */
SEC("kprobe/tcp_sendmsg")
int probe_kprobe(void *ctx) { return 0; }

SEC("fentry/tcp_sendmsg")
int BPF_PROG(probe_fentry) { return 0; }

/* Attached by hand to libc's getppid. */
SEC("uprobe")
int probe_uprobe(void *ctx) { return 0; }

SEC("sockops")
int probe_sockops(struct bpf_sock_ops *ops) { return 1; }

SEC("cgroup_skb/egress")
int probe_cgroup_skb(struct __sk_buff *skb) { return 1; }

SEC("tc")
int probe_tc(struct __sk_buff *skb) { return 0; /* TC_ACT_OK */ }
