/* A hand-kept CO-RE view of the few kernel types Kmon reads. Every struct carries
 * preserve_access_index, so libbpf relocates each field by name against the running
 * kernel's BTF: the layouts below need not match any kernel, only the names must. */
#ifndef KMON_VMLINUX_H
#define KMON_VMLINUX_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/in6.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* A socket's network namespace: sk->__sk_common.skc_net.net->ns.inum. */
struct ns_common {
    unsigned int inum;
};

struct net {
    struct ns_common ns;
};

typedef struct {
    struct net *net;
} possible_net_t;

struct sock_common {
    __be32 skc_daddr;
    __be32 skc_rcv_saddr;
    __be16 skc_dport;
    __u16 skc_num;
    unsigned short skc_family;
    volatile unsigned char skc_state;
    __u64 skc_cookie;
    struct in6_addr skc_v6_daddr;
    struct in6_addr skc_v6_rcv_saddr;
    possible_net_t skc_net;
};

struct sock {
    struct sock_common __sk_common;
    __u16 sk_protocol;
    __u16 sk_type;
};

/* inet_sport (network order) keeps a listener's port after inet_put_port() has zeroed
 * skc_num, which it does before the LISTEN -> CLOSE state change is traced. */
struct inet_sock {
    struct sock sk;
    __be16 inet_sport;
};

/* TCP's cached clock: tcp_mstamp_refresh() stores ktime_get_ns() here on every transmit and
 * receive, and (until a late-2025 change) in tcp_rcv_space_adjust(), which a read that copies
 * data calls: a read's time without a clock read of our own (bpf/tcpreq.bpf.h, edge_time). */
struct tcp_sock {
    __u64 tcp_clock_cache;
};

/* The fd table walk of the syscall variant: task -> files -> fdt -> fd[n] -> file -> socket. */
struct inode {
    unsigned short i_mode;
};

struct file {
    struct inode *f_inode;
    void *private_data; /* struct socket * when f_inode is a socket */
};

struct socket {
    struct file *file;
    struct sock *sk;
};

struct fdtable {
    unsigned int max_fds;
    struct file **fd;
};

struct files_struct {
    struct fdtable *fdt;
};

/* The syscall variant skips 32-bit (compat) calls, whose numbers differ: x86 marks them in
 * status (TS_COMPAT), arm64 in flags (TIF_32BIT). Both kernels put thread_info in the task. */
struct thread_info {
    unsigned long flags;
#if defined(__TARGET_ARCH_x86)
    __u32 status;
#endif
};

struct task_struct {
    struct thread_info thread_info;
    int pid;
    int tgid;
    char comm[16];
    struct files_struct *files;
};

/* kprobe context: the registers bpf_tracing.h's PT_REGS_PARM* name, per architecture; and
 * the syscall variant's sys_enter/sys_exit argument: r10 is a syscall's fourth argument on
 * x86, orig_ax (x86) and syscallno (arm64) its number at exit, orig_x0 (arm64) its first. */
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
    unsigned long di;
    unsigned long si;
    unsigned long dx;
    unsigned long cx;
    unsigned long r8;
    unsigned long r9;
    unsigned long r10;
    unsigned long sp;
    unsigned long ip;
    unsigned long ax;
    unsigned long bp;
    unsigned long orig_ax;
};
#elif defined(__TARGET_ARCH_arm64)
struct user_pt_regs {
    __u64 regs[31];
    __u64 sp;
    __u64 pc;
    __u64 pstate;
};

/* The kernel's arm64 pt_regs starts with user_pt_regs' fields in an anonymous union; CO-RE
 * finds regs[] through it by name. */
struct pt_regs {
    __u64 regs[31];
    __u64 orig_x0;
    __s32 syscallno;
};
#endif

/* Context of an iter/bpf_sk_storage_map program: one socket's storage per call. */
struct bpf_iter_meta;
struct bpf_iter__bpf_sk_storage_map {
    struct bpf_iter_meta *meta;
    struct bpf_map *map;
    struct sock *sk;
    void *value;
};

/* Context of an iter/bpf_map_elem program: one hash map element per call. */
struct bpf_iter__bpf_map_elem {
    struct bpf_iter_meta *meta;
    struct bpf_map *map;
    void *key;
    void *value;
};

/* Contexts of plain tracepoint programs (tracepoint/...): the kernel's trace_event_raw_* type
 * for each event, as its format file lays it out. The syscalls:sys_enter_NAME and
 * sys_exit_NAME events share raw_syscalls' layout: their arguments, and ret, sit where args
 * and ret sit here. */
struct trace_entry {
    unsigned short type;
    unsigned char flags;
    unsigned char preempt_count;
    int pid;
};

struct trace_event_raw_sys_enter {
    struct trace_entry ent;
    long id;
    unsigned long args[6];
};

struct trace_event_raw_sys_exit {
    struct trace_entry ent;
    long id;
    long ret;
};

struct trace_event_raw_inet_sock_set_state {
    struct trace_entry ent;
    const void *skaddr;
    int oldstate;
    int newstate;
    __u16 sport;
    __u16 dport;
    __u16 family;
    __u16 protocol;
};

/* Packet headers, as the kernel declares them (the wire format). Bitfields are read with
 * BPF_CORE_READ_BITFIELD(_PROBED). */
struct iphdr {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    __u8 ihl : 4;
    __u8 version : 4;
#else
    __u8 version : 4;
    __u8 ihl : 4;
#endif
    __u8 tos;
    __be16 tot_len;
    __be16 id;
    __be16 frag_off;
    __u8 ttl;
    __u8 protocol;
    __sum16 check;
    __be32 saddr;
    __be32 daddr;
};

struct ipv6hdr {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    __u8 priority : 4;
    __u8 version : 4;
#else
    __u8 version : 4;
    __u8 priority : 4;
#endif
    __u8 flow_lbl[3];
    __be16 payload_len;
    __u8 nexthdr;
    __u8 hop_limit;
    struct in6_addr saddr;
    struct in6_addr daddr;
};

struct tcphdr {
    __be16 source;
    __be16 dest;
    __be32 seq;
    __be32 ack_seq;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    __u16 res1 : 4, doff : 4, fin : 1, syn : 1, rst : 1, psh : 1, ack : 1, urg : 1, ece : 1, cwr : 1;
#else
    __u16 doff : 4, res1 : 4, cwr : 1, ece : 1, urg : 1, ack : 1, psh : 1, rst : 1, syn : 1, fin : 1;
#endif
    __be16 window;
    __sum16 check;
    __be16 urg_ptr;
};

#pragma clang attribute pop

#endif
