/* Per-connection state for programs that get a trusted struct sock (tp_btf, fentry): in
 * socket-local storage, which lives and dies with the socket so nothing needs deleting; or,
 * with targ_state_table, in `conn_table`, a hash keyed by socket cookie.
 *
 * Storage on every kernel that allows it: the responses still in flight at stop are closed
 * from the in-flight index (bpf/tcpreq_inflight.bpf.h), not by walking the state, so iterators
 * are not needed. The loader picks the table only where the kernel refuses socket storage
 * (doctor's `sk_storage`), since the table costs a cookie helper and a hashed lookup per run,
 * holds at most its max_entries connections (a connection past that is counted in
 * KMON_LOST_MAP_FULL) and needs a delete at close. */
#ifndef KMON_TCPREQ_SK_STORAGE_BPF_H
#define KMON_TCPREQ_SK_STORAGE_BPF_H

/* A delete at close keeps the table exact here: these programs see every socket's end. */
TCPREQ_STATE_MAPS(BPF_MAP_TYPE_HASH)

/* The socket cookie, not the address: a freed socket's address is soon reused, and a missed
 * delete must not hand its state to a new connection. */
static __always_inline __u64 table_key(struct sock *sk)
{
    return bpf_get_socket_cookie(sk);
}

static __always_inline struct tcpreq_conn *state_of(struct sock *sk, bool create)
{
    return targ_state_table ? table_state(&conn_table, table_key(sk), create) : storage_state(&conn_state, sk, create);
}

/* A move's first bytes, in the user buffer of the system call this hook runs in (sock's
 * tracepoints and fentry's functions run on its path, in the calling thread). */
static __always_inline __u32 tcpreq_peek(void *src, __u64 *head, __u32 bytes, __u32 want)
{
    return task_syscall_peek(head, bytes, want);
}

/* The socket is gone: a table entry must go with it (storage goes by itself). */
static __always_inline void forget(struct sock *sk)
{
    if (targ_state_table) {
        __u64 key = table_key(sk);
        table_forget(&conn_table, &key);
    }
}

static __always_inline void on_data(struct sock *sk, int ret, int flags, bool is_send)
{
    if (ret <= 0 || (flags & MSG_PEEK))
        return;
    /* Unix and UDP sockets never get state: one load and they are out, before the lookup
     * (a helper call, about 60 ns on our VM). */
    if (sk->sk_protocol != IPPROTO_TCP)
        return;
    struct tcpreq_conn *st = state_of(sk, true);
    if (st)
        tcpreq_on_data(st, sk, ret, is_send, 0);
}

/* Most state changes matter to nobody: the states (registers) are compared before the socket
 * is read, and state is looked up only where a role is learnt or a connection ends; a
 * listener opening or closing updates `listeners`. */
static __always_inline void on_state(struct sock *sk, int oldstate, int newstate)
{
    if (newstate == TCP_ESTABLISHED && (oldstate == TCP_SYN_SENT || oldstate == TCP_SYN_RECV)) {
        if (sk->sk_protocol != IPPROTO_TCP)
            return;
        struct tcpreq_conn *st = state_of(sk, true);
        if (!st)
            return;
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
    struct tcpreq_conn *st = state_of(sk, false);
    if (!st)
        return;
    tcpreq_on_close(st);
    if (newstate == TCP_CLOSE)
        forget(sk);
}

/* The program sock and fentry share word for word: state changes. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcpreq_state, struct sock *sk, int oldstate, int newstate)
{
    kmon_inject();
    on_state(sk, oldstate, newstate);
    return 0;
}

#endif
