/* tcpreq, sock variant (default): request spans from the socket layer.
 * Hooks: tp_btf/sock_recv_length and tp_btf/sock_send_length (every recvmsg/sendmsg on the
 * machine, after it returns, with the struct sock), tp_btf/inet_sock_set_state (handshake role,
 * close). State per connection lives in socket-local storage (BPF_MAP_TYPE_SK_STORAGE), on
 * every kernel that allows it (else in `conn_table`, bpf/tcpreq_sk_storage.bpf.h); the
 * connections with a response in flight are also in the in-flight index, which user space walks
 * at stop to close their spans (bpf/tcpreq_inflight.bpf.h).
 * Emits, by targ_mode: user: one tcpreq_event per send/recv/close; kernel: each completed span
 * once, most in per-CPU batches of up to 16 (tcpreq_batch); histogram: no records, log2
 * histograms in `hists`.
 * Method and status (targ_http): the tracepoints carry no buffer, so the bytes come from the user
 * buffer of the system call in progress, found from the task's saved registers
 * (bpf/tcpreq_syscall_args.bpf.h); at span edges only, at most 12 bytes (docs/variants.md).
 * Cost per run (docs/costs.md, "Cost per path"): an unwatched socket pays one storage lookup
 * (one helper call); a watched one adds the state machine; a span edge on a read, or a write that
 * opens a span, adds one load of TCP's cached clock (edge_time), a response's write a clock read
 * (bpf_ktime_get_ns); a span's end a share of a batch record and the in-flight index's slot.
 * Measured on our 2-core VM (2026-12-05, `scripts/tcpreq-paths 5`, ns/run recv / send, empty
 * 51 / 55): unwatched 79 / 84, no edge 91 / 89, response move 91 / 143, request turn 97 / 156,
 * first data on a connection 644 / 743. Under wrk (`scripts/tcpreq-cost 3`) run-weighted 125 ns
 * against 59 for empty (2.1x); in the default bench's load levels 199-220 against 72-74
 * (2.7-3.1x), where cold caches cost more than the instructions; 118 warm (trigger level).
 */
#include "kmon_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tcpreq_sk_storage.bpf.h"

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcpreq_state, struct sock *sk, int oldstate, int newstate) { kmon_inject(); on_state(sk, oldstate, newstate); return 0; }

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tcpreq_recv, struct sock *sk, int ret, int flags)
{
    kmon_inject();
    on_data(sk, ret, flags, false);
    return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tcpreq_send, struct sock *sk, int ret, int flags)
{
    kmon_inject();
    on_data(sk, ret, flags, true);
    return 0;
}

/* Run by the session on each CPU, every 100 ms and at stop (bpf/tcpreq.bpf.h, flush_batch). */
SEC("raw_tp")
int tcpreq_flush_batch(struct bpf_raw_tracepoint_args *ctx) { return flush_batch(ctx->args[0]); }

char LICENSE[] SEC("license") = "GPL";
