/* selftest: proves the whole path (build, CO-RE load, attach, ring buffer, run statistics).
 * Hook: tp_btf/sock_send_length, every socket send on the machine.
 * Emits: one selftest_event per send by targ_tgid; other processes return after one compare.
 * Cost: about 50 ns per run for other processes, about 300 ns for the target (one ring record). */
#include "kmon_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "selftest.h"

const volatile __u32 targ_tgid = 0;

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} lost SEC(".maps");

static __always_inline void count_lost(void)
{
    __u32 zero = 0;
    __u64 *n = bpf_map_lookup_elem(&lost, &zero);
    if (n)
        *n += 1;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(selftest_send, struct sock *sk, int ret, int flags)
{
    __u64 id = bpf_get_current_pid_tgid();
    if ((__u32)(id >> 32) != targ_tgid)
        return 0;
    struct selftest_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) {
        count_lost();
        return 0;
    }
    e->timestamp_ns = bpf_ktime_get_ns();
    e->cookie = bpf_get_socket_cookie(sk);
    e->tgid = id >> 32;
    e->tid = (__u32)id;
    e->bytes = ret;
    e->flags = flags;
    bpf_ringbuf_submit(e, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
