/* tcpreq, fentry variant: Kmon's original hooks through BPF trampolines.
 * Hooks: fentry/tcp_sendmsg (request size, at entry), fentry/tcp_cleanup_rbuf (bytes copied to
 * the application), fentry/tcp_close, tp_btf/inet_sock_set_state (handshake role). Same state
 * machine, state (bpf/tcpreq_sk_storage.bpf.h) and in-flight index as the sock variant.
 * Emits, by targ_mode, the sock variant's records. Needs BPF trampolines (x86-64/arm64, 5.5+);
 * on kernels that refuse fentry (EPERM here) the session reports it skipped.
 * Cost per run: like sock, minus the tracepoint dispatch (trampolines are a direct call, a few
 * ns cheaper); not measured here, as this kernel refuses fentry. */
#include "kmon_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define TCPREQ_COOKIE(sk) bpf_get_socket_cookie(sk)
#define TCPREQ_INFLIGHT_INDEX
/* TCP's cached clock (bpf/tcpreq.bpf.h, edge_time), loaded directly: bpf_rdonly_cast (6.2+)
 * turns the trusted struct sock into a read-only tcp_sock with no call, where
 * bpf_probe_read_kernel would cost about what the clock read it replaces does. Weak: older
 * kernels load the object with targ_read_clock 0, which leaves this call out. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#define TCPREQ_READ_CLOCK(sk) \
    (((struct tcp_sock *)bpf_rdonly_cast((sk), bpf_core_type_id_kernel(struct tcp_sock)))->tcp_clock_cache)
#include "tcpreq.bpf.h"
#include "tcpreq_syscall_args.bpf.h"
#include "tcpreq_sk_storage.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("fentry/tcp_sendmsg")
int BPF_PROG(tcpreq_send, struct sock *sk, void *msg, __u64 size)
{
    kmon_inject();
    on_data(sk, size, 0, true);
    return 0;
}

SEC("fentry/tcp_cleanup_rbuf")
int BPF_PROG(tcpreq_recv, struct sock *sk, int copied)
{
    kmon_inject();
    on_data(sk, copied, 0, false);
    return 0;
}

SEC("fentry/tcp_close")
int BPF_PROG(tcpreq_close, struct sock *sk, long timeout)
{
    kmon_inject();
    struct tcpreq_conn *st = state_of(sk, false);
    if (st)
        tcpreq_on_close(st); /* inet_sock_set_state forgets a table entry at TCP_CLOSE */
    return 0;
}
