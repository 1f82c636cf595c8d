/* Socket-local storage for the tcpreq state: for programs that get a trusted struct sock
 * (tp_btf, fentry). The storage lives and dies with the socket, so nothing needs deleting. */
#ifndef KMON_TCPREQ_SK_STORAGE_BPF_H
#define KMON_TCPREQ_SK_STORAGE_BPF_H

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
    /* Unix and UDP sockets never get storage: one load and they are out, before the lookup
     * (a helper call, about 60 ns on our VM). */
    if (sk->sk_protocol != IPPROTO_TCP)
        return;
    struct conn_state *st = bpf_sk_storage_get(&conn_state, sk, 0, 0);
    if (!st) {
        st = bpf_sk_storage_get(&conn_state, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
        if (!st) {
            count_lost(LOST_STORAGE, 1);
            return;
        }
    }
    tcpreq_on_data(st, sk, ret, is_send);
}

/* Most state changes matter to nobody: the states (registers) are compared before the socket
 * is read, and storage is looked up only where a role is learnt or a connection ends; a
 * listener opening or closing updates `listeners`. */
static __always_inline void on_state(struct sock *sk, int oldstate, int newstate)
{
    if (newstate == TCP_ESTABLISHED && (oldstate == TCP_SYN_SENT || oldstate == TCP_SYN_RECV)) {
        if (sk->sk_protocol != IPPROTO_TCP)
            return;
        struct conn_state *st = bpf_sk_storage_get(&conn_state, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
        if (!st) {
            count_lost(LOST_STORAGE, 1);
            return;
        }
        st->role = oldstate == TCP_SYN_SENT ? TCPREQ_ROLE_CLIENT : TCPREQ_ROLE_SERVER;
        st->seen_handshake = 1;
        return;
    }
    if (LISTENER_CHANGE(oldstate, newstate)) {
        if (sk->sk_protocol == IPPROTO_TCP)
            track_listener(sk, newstate == TCP_LISTEN);
        return;
    }
    if (oldstate != TCP_ESTABLISHED && newstate != TCP_CLOSE)
        return;
    if (sk->sk_protocol != IPPROTO_TCP)
        return;
    struct conn_state *st = bpf_sk_storage_get(&conn_state, sk, 0, 0);
    if (st)
        tcpreq_on_close(st);
}

/* Session stop, after the hooks are detached: a keep-alive connection's last response is
 * otherwise closed only by its next request or its close. */
static __always_inline void flush_one(struct sock *sk, struct conn_state *st)
{
    if (!sk || !st)
        return;
    if (targ_mode != TCPREQ_MODE_USER && st->targeted == TARGET_YES && st->phase == PHASE_RESPONSE)
        finish_span(st);
}

#endif
