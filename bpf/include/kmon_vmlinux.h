/* A hand-kept CO-RE view of the few kernel types Kmon reads. Every struct carries
 * preserve_access_index, so libbpf relocates each field by name against the running
 * kernel's BTF: the layouts below need not match any kernel, only the names must. */
#ifndef KMON_VMLINUX_H
#define KMON_VMLINUX_H

#include <linux/types.h>
#include <linux/bpf.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct sock_common {
    __be32 skc_daddr;
    __be32 skc_rcv_saddr;
    __be16 skc_dport;
    __u16 skc_num;
    unsigned short skc_family;
    volatile unsigned char skc_state;
    __u64 skc_cookie;
};

struct sock {
    struct sock_common __sk_common;
    __u16 sk_protocol;
    __u16 sk_type;
};

struct task_struct {
    int pid;
    int tgid;
    char comm[16];
};

#pragma clang attribute pop

#endif
