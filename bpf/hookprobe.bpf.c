/* hookprobe: one do-nothing program per hook kind, for `kmon doctor`.
 * Doctor loads and attaches each program alone, then detaches it; whatever the kernel refuses
 * is reported with its reason. Cost: an empty program, about 50 ns per run while attached. */
#include "kmon_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kmon_inject.bpf.h"

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

/* Kernel features beyond the hooks, one program each, loaded alone (doctor and the tcpreq
 * session's feature checks). Each map is created only with the program that uses it. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} probe_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_SK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, __u32);
} probe_sk_storage_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, __u32);
} probe_task_storage_map SEC(".maps");

/* Attached to probe_hash and run once. */
SEC("iter/bpf_map_elem")
int probe_iter_map_elem(struct bpf_iter__bpf_map_elem *ctx) { return 0; }

/* Attached to probe_sk_storage_map and run once. */
SEC("iter/bpf_sk_storage_map")
int probe_iter_sk_storage(struct bpf_iter__bpf_sk_storage_map *ctx) { return 0; }

/* Run on the last online CPU with BPF_F_TEST_RUN_ON_CPU; answers its argument plus one. */
SEC("raw_tp")
int probe_test_run_on_cpu(struct bpf_raw_tracepoint_args *ctx) { return ctx->args[0] + 1; }

SEC("tp_btf/sock_send_length")
int BPF_PROG(probe_sk_storage, struct sock *sk)
{
    bpf_sk_storage_get(&probe_sk_storage_map, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int probe_task_storage(void *ctx)
{
    bpf_task_storage_get(&probe_task_storage_map, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    return 0;
}

/* Times kmon_inject's loop, so `kmon bench --inject-ns N` can turn ns into loops (InjectedCost). */
SEC("raw_tp")
int kmon_inject_calibrate(void *ctx)
{
    kmon_inject();
    return 0;
}

/* Whether a read refreshes TCP's clock (KernelFeature.readClock): how far the cached clock
 * trails the end of a read by targ_probe_tgid, the latest in probe_read_clock_lag. The feature
 * probe pauses between write and read, so a clock last refreshed by the packet's arrival
 * trails by the whole pause. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
const volatile __u32 targ_probe_tgid = 0;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} probe_read_clock_lag SEC(".maps");

SEC("tp_btf/sock_recv_length")
int BPF_PROG(probe_read_clock, struct sock *sk, int ret)
{
    __u32 zero = 0;
    __u64 *lag = bpf_map_lookup_elem(&probe_read_clock_lag, &zero);
    if (!lag || ret <= 0 || bpf_get_current_pid_tgid() >> 32 != targ_probe_tgid)
        return 0;
    struct tcp_sock *tp = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct tcp_sock));
    __u64 cached = tp->tcp_clock_cache, now = bpf_ktime_get_ns();
    *lag = now > cached ? now - cached : 1;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
