/* Per-connection state for programs that get a trusted struct sock (tp_btf, fentry: the sock
 * and fentry variants, which include this in place of tcpreq.bpf.h): in
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

/* What the core needs from these variants (bpf/tcpreq.bpf.h): the socket cookie names the
 * connection, the in-flight index closes its spans at stop, and TCP's cached clock times a read. */
#define TCPREQ_COOKIE(sk) bpf_get_socket_cookie(sk)
#define TCPREQ_INFLIGHT_INDEX
/* TCP's cached clock (edge_time), loaded directly: bpf_rdonly_cast (6.2+) turns the trusted
 * struct sock into a read-only tcp_sock with no call, where bpf_probe_read_kernel would cost
 * about what the clock read it replaces does. Weak: older kernels load the object with
 * targ_read_clock 0, which leaves this call out. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#define TCPREQ_READ_CLOCK(sk) \
    (((struct tcp_sock *)bpf_rdonly_cast((sk), bpf_core_type_id_kernel(struct tcp_sock)))->tcp_clock_cache)
#include "tcpreq.bpf.h"
#include "tcpreq_syscall_args.bpf.h"

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

#endif
