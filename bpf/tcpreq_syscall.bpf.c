/* tcpreq, syscall variant: request spans from the system calls applications make.
 * Hooks: tracepoint/syscalls sys_enter_* and sys_exit_* of read, write, readv, writev,
 * recvfrom, sendto, recvmsg, sendmsg (every such call on the machine), sys_exit_accept and
 * sys_exit_accept4 (server role), sys_enter_connect (client role), sys_enter_close (flush),
 * sock/inet_sock_set_state (listeners, for the role of connections opened before we attached).
 * The first call on a (tgid, fd) walks task->files to its struct sock once; the result, socket
 * or not, is cached in `conn_state`, so later calls pay one hash lookup, and the call itself
 * travels from enter to exit in task-local storage. At stop, user space walks `conn_state` to
 * close the responses still in flight. Not seen: sendfile, splice, io_uring,
 * sendmmsg/recvmmsg.
 * Emits, by targ_mode, the same records as the sock variant (bpf/tcpreq.bpf.h).
 * Contexts are the kernel's trace_event_raw_* types, relocated by CO-RE (kmon_vmlinux.h).
 * Cost per run (docs/costs.md): enter and exit both run, so a call costs two runs; a non-socket
 * fd of an unwatched process returns after the first lookup. */
#include "kmon_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* No socket cookie helper in tracepoint programs: the kernel address names the socket. */
#define TCPREQ_COOKIE(sk) ((__u64)(sk))
#include "tcpreq.bpf.h"

char LICENSE[] SEC("license") = "GPL";

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

static __always_inline void on_exit(long ret)
{
    struct call *call = bpf_task_storage_get(&calls, bpf_get_current_task_btf(), 0, 0);
    if (!call || !call->active)
        return;
    call->active = 0;
    if (ret <= 0)
        return;
    struct fd_conn *c = conn_for(bpf_get_current_pid_tgid() >> 32, call->fd, false);
    if (c)
        tcpreq_on_data(&c->st, (struct sock *)c->sk, ret, call->is_send);
}

#define DATA_SYSCALL(name, is_send, flags)                                     \
    SEC("tracepoint/syscalls/sys_enter_" #name)                                \
    int tcpreq_enter_##name(struct trace_event_raw_sys_enter *ctx)             \
    {                                                                          \
        kmon_inject();                                                         \
        on_enter((int)ctx->args[0], is_send, flags);                           \
        return 0;                                                              \
    }                                                                          \
    SEC("tracepoint/syscalls/sys_exit_" #name)                                 \
    int tcpreq_exit_##name(struct trace_event_raw_sys_exit *ctx)               \
    {                                                                          \
        kmon_inject();                                                         \
        on_exit(ctx->ret);                                                     \
        return 0;                                                              \
    }

DATA_SYSCALL(read, false, 0)
DATA_SYSCALL(readv, false, 0)
DATA_SYSCALL(recvfrom, false, ctx->args[3])
DATA_SYSCALL(recvmsg, false, ctx->args[2])
DATA_SYSCALL(write, true, 0)
DATA_SYSCALL(writev, true, 0)
DATA_SYSCALL(sendto, true, 0)
DATA_SYSCALL(sendmsg, true, 0)

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

SEC("tracepoint/syscalls/sys_exit_accept")
int tcpreq_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
    kmon_inject();
    set_role(ctx->ret, TCPREQ_ROLE_SERVER);
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int tcpreq_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
    kmon_inject();
    set_role(ctx->ret, TCPREQ_ROLE_SERVER);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int tcpreq_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
    kmon_inject();
    set_role((int)ctx->args[0], TCPREQ_ROLE_CLIENT);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int tcpreq_enter_close(struct trace_event_raw_sys_enter *ctx)
{
    kmon_inject();
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (!process_wanted(tgid))
        return 0;
    struct fd_key key = { .tgid = tgid, .fd = (int)ctx->args[0] };
    struct fd_conn *c = bpf_map_lookup_elem(&conn_state, &key);
    if (!c)
        return 0;
    tcpreq_on_close(&c->st);
    if (bpf_map_delete_elem(&conn_state, &key) == 0)
        kmon_count(&state_counts, TCPREQ_COUNT_STATE_DELETES);
    return 0;
}

/* Listeners opening and closing keep `listeners` current, for sockets that were open before
 * we attached (no accept or connect seen). A plain tracepoint, as the rest of this variant;
 * it runs a few times per connection and compares two integers before anything else. Roles
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
