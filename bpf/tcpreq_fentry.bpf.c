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
#include "tcpreq_sk_storage.bpf.h"

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

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcpreq_state, struct sock *sk, int oldstate, int newstate) { kmon_inject(); on_state(sk, oldstate, newstate); return 0; }

/* Run by the session on each CPU, every 100 ms and at stop (bpf/tcpreq.bpf.h, flush_batch). */
SEC("raw_tp")
int tcpreq_flush_batch(struct bpf_raw_tracepoint_args *ctx) { return flush_batch(ctx->args[0]); }

char LICENSE[] SEC("license") = "GPL";
