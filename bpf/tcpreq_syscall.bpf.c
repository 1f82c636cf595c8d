/* tcpreq, syscall variant: request spans from the system calls applications make.
 * Hooks: tp_btf/sys_enter and tp_btf/sys_exit (every system call on the machine), which dispatch
 * on the call's number: read, write, readv, writev, recvfrom, sendto, recvmsg, sendmsg (enter and
 * exit), accept and accept4 (exit: server role), connect (enter: client role), close (enter:
 * flush); sock/inet_sock_set_state (listeners, for the role of connections opened before we
 * attached). Two BTF raw tracepoints rather than the 21 syscalls:sys_*_* tracepoints they
 * replace: those are perf events, whose release serializes on a kernel mutex and keeps the
 * syscall slow path on for ~0.75 s after the programs stop, so a bench switch took over 1 s and
 * its cost landed on the next phase; raw tracepoint links detach in milliseconds.
 * The first call on a (tgid, fd) walks task->files to its struct sock once; the result, socket
 * or not, is cached in `conn_state`, so later calls pay one hash lookup, and the call itself
 * travels from enter to exit in task-local storage. At stop, user space walks `conn_state` to
 * close the responses still in flight. Not seen: sendfile, splice, io_uring,
 * sendmmsg/recvmmsg, and 32-bit (compat) calls, as the syscalls:* tracepoints skip them too.
 * Emits, by targ_mode, the same records as the sock variant (bpf/tcpreq.bpf.h).
 * Method and status (targ_http): from the call's user buffer (or first iovec), at sys_exit, with
 * the registers sys_exit is given; at span edges only, at most 12 bytes (docs/variants.md).
 * Syscall numbers and argument registers are per architecture (x86_64, arm64); the registers
 * are relocated by CO-RE (kmon_vmlinux.h), as is inet_sock_set_state's trace_event_raw_* context.
 * Cost per run (docs/costs.md): every system call on the machine runs the programs once on enter
 * and once on exit; an unwatched call returns after the number check, a watched call on a
 * non-socket fd of an unwatched process after the first lookup. Measured under wrk
 * (`scripts/tcpreq-cost 3`, 2026-12-05): sys_enter 137, sys_exit 123 ns, 6.2 runs each per
 * request, against 59 for empty; in the default bench 188 warm, 191-209 in situ. */
#include "kmon_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* No socket cookie helper in tracepoint programs: the kernel address names the socket. */
#define TCPREQ_COOKIE(sk) ((__u64)(sk))
#include "tcpreq.bpf.h"
#include "tcpreq_syscall_args.bpf.h"

#define S_IFMT 00170000
#define S_IFSOCK 0140000

struct fd_key {
    __u32 tgid;
    __s32 fd;
};

struct fd_conn {
    struct tcpreq_conn st;
    __u64 sk;      /* struct sock *, once resolved */
    __u32 resolved; /* the fd walk ran */
    __u32 pad;
};

/* (tgid, fd) -> connection; non-sockets are cached too, as TCPREQ_TARGET_NO. LRU: an evicted idle
 * entry is walked again on its next use (its span state is lost: user space counts evictions from
 * state_counts; keep max_entries above the watched fds). */
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 65536);
    __type(key, struct fd_key);
    __type(value, struct fd_conn);
} conn_state SEC(".maps");

/* A thread's watched call, from enter to exit: its fd and direction. Task-local storage, so a
 * call costs a lookup and three stores rather than a hash insert and delete. */
struct call {
    __s32 fd;
    __u8 is_send;
    __u8 active; /* between a watched enter and its exit */
    __u16 pad;
};

struct {
    __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, struct call);
} calls SEC(".maps");

static __always_inline struct sock *fd_to_sock(int fd)
{
    struct task_struct *task = (void *)bpf_get_current_task();
    struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
    if (!fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
        return 0;
    struct file **fds = BPF_CORE_READ(fdt, fd);
    struct file *file = 0;
    bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
    if (!file)
        return 0;
    if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
        return 0;
    struct socket *sock = BPF_CORE_READ(file, private_data);
    return BPF_CORE_READ(sock, sk);
}

static __always_inline bool process_wanted(__u32 tgid)
{
    if (tgid == targ_self_tgid)
        return false;
    return kmon_tgid_wanted(tgid);
}

static __always_inline struct fd_conn *conn_for(__u32 tgid, int fd, bool create)
{
    struct fd_key key = { .tgid = tgid, .fd = fd };
    struct fd_conn *c = bpf_map_lookup_elem(&conn_state, &key);
    if (c || !create)
        return c;
    struct fd_conn fresh = {};
    if (bpf_map_update_elem(&conn_state, &key, &fresh, BPF_NOEXIST) == 0)
        kmon_count(&state_counts, TCPREQ_COUNT_STATE_INSERTS);
    c = bpf_map_lookup_elem(&conn_state, &key);
    if (!c)
        kmon_lost(KMON_LOST_MAP_FULL, 1);
    return c;
}

static __always_inline void on_enter(int fd, bool is_send, __u64 flags)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tgid = id >> 32;
    if (!process_wanted(tgid) || (flags & MSG_PEEK))
        return;
    struct fd_conn *c = conn_for(tgid, fd, true);
    if (!c)
        return;
    if (!c->resolved) {
        c->resolved = 1;
        c->sk = (__u64)fd_to_sock(fd);
        if (!c->sk)
            c->st.targeted = TCPREQ_TARGET_NO;
    }
    if (c->st.targeted == TCPREQ_TARGET_NO)
        return;
    struct call *call = bpf_task_storage_get(&calls, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (!call) {
        kmon_lost(KMON_LOST_MAP_FULL, 1);
        return;
    }
    call->fd = fd;
    call->is_send = is_send;
    call->active = 1;
}

/* A move's bytes: in the buffer of the call returning (sys_exit's registers). */
struct syscall_src {
    struct pt_regs *regs;
    long nr;
};

static __always_inline __u32 tcpreq_peek(void *src, __u64 *head, __u32 bytes, __u32 want)
{
    struct syscall_src *call = src;
    return syscall_peek(call->regs, call->nr, head, bytes, want);
}

static __always_inline void on_exit(struct pt_regs *regs, long nr, long ret)
{
    struct call *call = bpf_task_storage_get(&calls, bpf_get_current_task_btf(), 0, 0);
    if (!call || !call->active)
        return;
    call->active = 0;
    if (ret <= 0)
        return;
    struct fd_conn *c = conn_for(bpf_get_current_pid_tgid() >> 32, call->fd, false);
    if (c) {
        struct syscall_src src = { .regs = regs, .nr = nr };
        tcpreq_on_data(&c->st, (struct sock *)c->sk, ret, call->is_send, &src);
    }
}

/* Role from the call that made the socket; the fd walk waits for the first data call. */
static __always_inline void set_role(int fd, __u8 role)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (fd < 0 || !process_wanted(tgid))
        return;
    struct fd_key key = { .tgid = tgid, .fd = fd };
    struct fd_conn fresh = {};
    fresh.st.role = role;
    fresh.st.seen_handshake = 1; /* the socket was made while we watched */
    /* A new socket on a reused fd replaces the old entry; only a new key is an insert. */
    if (bpf_map_update_elem(&conn_state, &key, &fresh, BPF_NOEXIST) == 0)
        kmon_count(&state_counts, TCPREQ_COUNT_STATE_INSERTS);
    else
        bpf_map_update_elem(&conn_state, &key, &fresh, BPF_EXIST);
}

static __always_inline void on_close(int fd)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (!process_wanted(tgid))
        return;
    struct fd_key key = { .tgid = tgid, .fd = fd };
    struct fd_conn *c = bpf_map_lookup_elem(&conn_state, &key);
    if (!c)
        return;
    tcpreq_on_close(&c->st);
    if (bpf_map_delete_elem(&conn_state, &key) == 0)
        kmon_count(&state_counts, TCPREQ_COUNT_STATE_DELETES);
}

/* Every call's entry. The number decides first: an unwatched call returns at once. */
SEC("tp_btf/sys_enter")
int BPF_PROG(tcpreq_sys_enter, struct pt_regs *regs, long id)
{
    kmon_inject();
    switch (id) {
    case NR_read: case NR_readv: case NR_recvfrom: case NR_recvmsg:
    case NR_write: case NR_writev: case NR_sendto: case NR_sendmsg:
    case NR_connect: case NR_close:
        break;
    default:
        return 0;
    }
    if (compat_call())
        return 0;
    int fd = (int)SYSCALL_ARG0(regs);
    switch (id) {
    case NR_read: case NR_readv:
        on_enter(fd, false, 0);
        break;
    case NR_recvfrom:
        on_enter(fd, false, SYSCALL_ARG3(regs));
        break;
    case NR_recvmsg:
        on_enter(fd, false, SYSCALL_ARG2(regs));
        break;
    case NR_write: case NR_writev: case NR_sendto: case NR_sendmsg:
        on_enter(fd, true, 0);
        break;
    case NR_connect:
        set_role(fd, TCPREQ_ROLE_CLIENT);
        break;
    case NR_close:
        on_close(fd);
        break;
    }
    return 0;
}

/* Every call's exit; the number comes from the registers, as the tracepoint only passes ret. */
SEC("tp_btf/sys_exit")
int BPF_PROG(tcpreq_sys_exit, struct pt_regs *regs, long ret)
{
    kmon_inject();
    long id = SYSCALL_NR_AT_EXIT(regs);
    switch (id) {
    case NR_read: case NR_readv: case NR_recvfrom: case NR_recvmsg:
    case NR_write: case NR_writev: case NR_sendto: case NR_sendmsg:
    case NR_accept: case NR_accept4:
        break;
    default:
        return 0;
    }
    if (compat_call())
        return 0;
    if (id == NR_accept || id == NR_accept4)
        set_role((int)ret, TCPREQ_ROLE_SERVER);
    else
        on_exit(regs, id, ret);
    return 0;
}

/* Listeners opening and closing keep `listeners` current, for sockets that were open before
 * we attached (no accept or connect seen). A plain tracepoint (perf event): it is on no
 * syscall path, and its release, like every link's, happens off the switch (docs/bench.md).
 * It runs a few times per connection and compares two integers before anything else. Roles
 * could instead be checked at decide time, but tracepoint programs cannot look up the
 * kernel's listening table (no bpf_sk_lookup_tcp here). */
SEC("tracepoint/sock/inet_sock_set_state")
int tcpreq_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
    kmon_inject();
    if (!LISTENER_CHANGE(ctx->oldstate, ctx->newstate))
        return 0;
    if (ctx->protocol == IPPROTO_TCP)
        track_listener((struct sock *)ctx->skaddr, ctx->newstate == TCP_LISTEN);
    return 0;
}

/* Run by the session on each CPU, every 100 ms and at stop (bpf/tcpreq.bpf.h, flush_batch). */
SEC("raw_tp")
int tcpreq_flush_batch(struct bpf_raw_tracepoint_args *ctx) { return flush_batch(ctx->args[0]); }

char LICENSE[] SEC("license") = "GPL";
