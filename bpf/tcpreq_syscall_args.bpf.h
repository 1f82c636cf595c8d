/* System call numbers and argument registers (x86_64, arm64), and the user buffer of the
 * read or write a thread is in: the syscall variant dispatches on them, and every variant that
 * runs in the calling thread finds a move's first bytes through them (tcpreq_peek,
 * docs/variants.md "Method and status").
 * The registers are the ones the thread entered the kernel with (sys_enter/sys_exit's argument,
 * or bpf_task_pt_regs in any hook on the call's path), relocated by CO-RE (kmon_vmlinux.h). */
#ifndef KMON_TCPREQ_SYSCALL_ARGS_BPF_H
#define KMON_TCPREQ_SYSCALL_ARGS_BPF_H

/* The watched calls' numbers (the kernels' unistd tables) and where a call's arguments sit. */
#if defined(__TARGET_ARCH_x86)
#define NR_read 0
#define NR_write 1
#define NR_close 3
#define NR_readv 19
#define NR_writev 20
#define NR_connect 42
#define NR_accept 43
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_sendmsg 46
#define NR_recvmsg 47
#define NR_accept4 288
#define SYSCALL_ARG0(regs) ((regs)->di)
#define SYSCALL_ARG1(regs) ((regs)->si)
#define SYSCALL_ARG2(regs) ((regs)->dx)
#define SYSCALL_ARG3(regs) ((regs)->r10)
#define SYSCALL_NR_AT_EXIT(regs) ((long)(regs)->orig_ax)
#define TS_COMPAT 0x0002
#define COMPAT_CALL(task) ((task)->thread_info.status & TS_COMPAT)
#elif defined(__TARGET_ARCH_arm64)
#define NR_close 57
#define NR_read 63
#define NR_write 64
#define NR_readv 65
#define NR_writev 66
#define NR_accept 202
#define NR_connect 203
#define NR_sendto 206
#define NR_recvfrom 207
#define NR_sendmsg 211
#define NR_recvmsg 212
#define NR_accept4 242
#define SYSCALL_ARG0(regs) ((regs)->orig_x0)
#define SYSCALL_ARG1(regs) ((regs)->regs[1])
#define SYSCALL_ARG2(regs) ((regs)->regs[2])
#define SYSCALL_ARG3(regs) ((regs)->regs[3])
#define SYSCALL_NR_AT_EXIT(regs) ((long)(regs)->syscallno)
#define TIF_32BIT 22
#define COMPAT_CALL(task) ((task)->thread_info.flags & (1UL << TIF_32BIT))
#else
#error "tcpreq: system call numbers are known for x86_64 and arm64 only"
#endif

/* A 32-bit task's numbers mean other calls; its calls are not watched. */
static __always_inline bool compat_call(void)
{
    struct task_struct *task = bpf_get_current_task_btf();
    return COMPAT_CALL(task) != 0;
}

/* User-space ABI (64-bit): an iovec, and the part of a msghdr from msg_iov on. */
struct user_iovec_abi {
    __u64 base;
    __u64 len;
};

#define USER_MSGHDR_IOV_OFFSET 16 /* after msg_name and msg_namelen (padded) */

struct user_msghdr_iov_abi {
    __u64 iov;    /* struct iovec * */
    __u64 iovlen;
};

/* Copies at most `want` (<= TCPREQ_HTTP_PEEK) of the first bytes a call `nr` with these
 * registers moved into `head`, where `bytes` moved: read, write, recvfrom, sendto from their
 * buffer; readv, writev, recvmsg, sendmsg from their first iovec. Returns the bytes copied; 0
 * for any other call (sendfile, splice, io_uring, recvmmsg/sendmmsg), an unreadable buffer, or
 * a plain buffer too short for what moved (registers that are not this move's: an io_uring
 * worker's, say). A read's bytes are in its buffer once it returned; a write's still are. */
static __always_inline __u32 syscall_peek(struct pt_regs *regs, long nr, __u64 *head, __u32 bytes, __u32 want)
{
    __u64 buf, len;
    if (nr == NR_read || nr == NR_write || nr == NR_recvfrom || nr == NR_sendto) {
        buf = SYSCALL_ARG1(regs);
        len = SYSCALL_ARG2(regs);
        if (len < bytes)
            return 0;
    } else if (nr == NR_readv || nr == NR_writev || nr == NR_recvmsg || nr == NR_sendmsg) {
        __u64 iov_at = SYSCALL_ARG1(regs), count = SYSCALL_ARG2(regs);
        if (nr == NR_recvmsg || nr == NR_sendmsg) {
            struct user_msghdr_iov_abi m;
            if (bpf_probe_read_user(&m, sizeof(m), (void *)(iov_at + USER_MSGHDR_IOV_OFFSET)))
                return 0;
            iov_at = m.iov;
            count = m.iovlen;
        }
        struct user_iovec_abi iov;
        if (count == 0 || bpf_probe_read_user(&iov, sizeof(iov), (void *)iov_at))
            return 0;
        buf = iov.base;
        len = iov.len;
    } else {
        return 0;
    }
    __u64 n = want;
    if (n > bytes)
        n = bytes;
    if (n > len)
        n = len;
    TCPREQ_PEEK_BOUND(n);
    if (n == 0 || n > TCPREQ_HTTP_PEEK || bpf_probe_read_user(head, n, (void *)buf))
        return 0;
    return n;
}

/* The same from any hook on the call's path, in the calling thread (sock's tracepoints, fentry,
 * kprobe): the call and its arguments from the registers the thread entered the kernel with. */
static __always_inline __u32 task_syscall_peek(__u64 *head, __u32 bytes, __u32 want)
{
    struct task_struct *task = bpf_get_current_task_btf();
    if (COMPAT_CALL(task))
        return 0;
    struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
    if (!regs)
        return 0;
    return syscall_peek(regs, SYSCALL_NR_AT_EXIT(regs), head, bytes, want);
}

#endif
