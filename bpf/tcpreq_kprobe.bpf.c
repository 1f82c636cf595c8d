/* tcpreq, kprobe variant: Kmon's original hooks, as the BCC tool attached them.
 * Hooks: kprobe/tcp_sendmsg (request size, at entry), kprobe/tcp_cleanup_rbuf (bytes copied to
 * the application), kprobe/tcp_close (flush, forget), tracepoint/sock/inet_sock_set_state
 * (handshake role, close). kprobe programs may not use socket-local storage, so the state sits
 * in a hash keyed by the struct sock address, which user space walks at stop.
 * Emits, by targ_mode, the sock variant's records. Needs CONFIG_KPROBES (absent here: the
 * session reports it skipped with that reason).
 * Cost per run: a kprobe's int3 trap costs more than a tracepoint (typically 100+ ns on its
 * own), plus one hash lookup per event; not measured here, as this kernel has no kprobes. */
#include "kmon_vmlinux.h"
/* Our pt_regs uses the kernel's field names (di, si, ...), which CO-RE relocates; this tells
 * bpf_tracing.h not to expect the UAPI names (rdi, rsi, ...). */
#define __VMLINUX_H__
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define TCPREQ_COOKIE(sk) ((__u64)(sk))
#include "tcpreq.bpf.h"
#include "tcpreq_syscall_args.bpf.h"

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 65536);
    __type(key, __u64);
    __type(value, struct tcpreq_conn);
} conn_state SEC(".maps");

static __always_inline struct tcpreq_conn *state_of(struct sock *sk, bool create)
{
    return table_state(&conn_state, (__u64)sk, create);
}

/* A move's first bytes, in the user buffer of the system call the probed function runs in. */
static __always_inline __u32 tcpreq_peek(void *src, __u64 *head, __u32 bytes, __u32 want)
{
    return task_syscall_peek(head, bytes, want);
}

static __always_inline void on_data(struct sock *sk, long bytes, bool is_send)
{
    if (bytes <= 0)
        return;
    struct tcpreq_conn *st = state_of(sk, true);
    if (st)
        tcpreq_on_data(st, sk, bytes, is_send, 0);
}

SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(tcpreq_send, struct sock *sk, void *msg, __u64 size)
{
    kmon_inject();
    on_data(sk, size, true);
    return 0;
}

SEC("kprobe/tcp_cleanup_rbuf")
int BPF_KPROBE(tcpreq_recv, struct sock *sk, int copied)
{
    kmon_inject();
    on_data(sk, copied, false);
    return 0;
}

SEC("kprobe/tcp_close")
int BPF_KPROBE(tcpreq_close, struct sock *sk)
{
    kmon_inject();
    __u64 key = (__u64)sk;
    struct tcpreq_conn *st = bpf_map_lookup_elem(&conn_state, &key);
    if (!st)
        return 0;
    tcpreq_on_close(st);
    table_forget(&conn_state, &key);
    return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int tcpreq_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
    kmon_inject();
    if (ctx->protocol != IPPROTO_TCP)
        return 0;
    struct sock *sk = (struct sock *)ctx->skaddr;
    if (ctx->newstate == TCP_ESTABLISHED && (ctx->oldstate == TCP_SYN_SENT || ctx->oldstate == TCP_SYN_RECV)) {
        struct tcpreq_conn *st = state_of(sk, true);
        if (st) {
            st->role = ctx->oldstate == TCP_SYN_SENT ? TCPREQ_ROLE_CLIENT : TCPREQ_ROLE_SERVER;
            st->seen_handshake = 1;
        }
    } else if (LISTENER_CHANGE(ctx->oldstate, ctx->newstate)) {
        track_listener(sk, ctx->newstate == TCP_LISTEN);
    } else if (ctx->oldstate == TCP_ESTABLISHED || ctx->newstate == TCP_CLOSE) {
        struct tcpreq_conn *st = state_of(sk, false);
        if (st)
            tcpreq_on_close(st);
    }
    return 0;
}

/* Run by the session on each CPU, every 100 ms and at stop (bpf/tcpreq.bpf.h, flush_batch). */
SEC("raw_tp")
int tcpreq_flush_batch(struct bpf_raw_tracepoint_args *ctx) { return flush_batch(ctx->args[0]); }

char LICENSE[] SEC("license") = "GPL";
