/* tcpreq, sock variant (default): request spans from the socket layer.
 * Hooks: tp_btf/sock_recv_length and tp_btf/sock_send_length (every recvmsg/sendmsg on the
 * machine, after it returns, with the struct sock), tp_btf/inet_sock_set_state (handshake role,
 * close). State per connection lives in socket-local storage (BPF_MAP_TYPE_SK_STORAGE).
 * iter/bpf_sk_storage_map (run once at session stop) closes the responses still in flight.
 * Emits, by targ_mode: user: one tcpreq_event per send/recv/close; kernel: one tcpreq_span per
 * completed request; histogram: no records, log2 histograms in `hists`.
 * Cost per run (README table): an unwatched socket pays one storage lookup (about 50-60 ns with
 * the hook); a watched one adds the state machine, and a ring record only when a span ends. */
#include "kmon_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define TCPREQ_COOKIE(sk) bpf_get_socket_cookie(sk)
#include "tcpreq.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_SK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, struct conn_state);
} conn_state SEC(".maps");

static __always_inline void on_data(struct sock *sk, int ret, int flags, bool is_send)
{
    if (ret <= 0 || (flags & MSG_PEEK))
        return;
    struct conn_state *st = bpf_sk_storage_get(&conn_state, sk, 0, 0);
    if (!st) {
        /* Unix and UDP sockets never get storage: two loads and they are out. */
        if (sk->sk_protocol != IPPROTO_TCP)
            return;
        st = bpf_sk_storage_get(&conn_state, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
        if (!st) {
            count_lost(LOST_STORAGE);
            return;
        }
    }
    tcpreq_on_data(st, sk, ret, is_send);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tcpreq_recv, struct sock *sk, int ret, int flags)
{
    on_data(sk, ret, flags, false);
    return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tcpreq_send, struct sock *sk, int ret, int flags)
{
    on_data(sk, ret, flags, true);
    return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcpreq_state, struct sock *sk, int oldstate, int newstate)
{
    if (sk->sk_protocol != IPPROTO_TCP)
        return 0;
    if (newstate == TCP_ESTABLISHED && (oldstate == TCP_SYN_SENT || oldstate == TCP_SYN_RECV)) {
        struct conn_state *st = bpf_sk_storage_get(&conn_state, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
        if (!st) {
            count_lost(LOST_STORAGE);
            return 0;
        }
        st->role = oldstate == TCP_SYN_SENT ? TCPREQ_ROLE_CLIENT : TCPREQ_ROLE_SERVER;
        return 0;
    }
    if (oldstate == TCP_ESTABLISHED || newstate == TCP_CLOSE) {
        struct conn_state *st = bpf_sk_storage_get(&conn_state, sk, 0, 0);
        if (st)
            tcpreq_on_close(st);
    }
    return 0;
}

/* Session stop, after the other programs are detached: a keep-alive connection's last
 * response is otherwise closed only by its next request or its close. */
SEC("iter/bpf_sk_storage_map")
int tcpreq_flush(struct bpf_iter__bpf_sk_storage_map *ctx)
{
    struct conn_state *st = ctx->value;
    if (!ctx->sk || !st)
        return 0;
    if (targ_mode != TCPREQ_MODE_USER && st->targeted == TARGET_YES && st->phase == PHASE_RESPONSE)
        finish_span(st);
    return 0;
}
