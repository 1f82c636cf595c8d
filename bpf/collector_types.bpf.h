/* CO-RE views of the kernel types the collectors read, beyond kmon_vmlinux.h. Names with a
 * ___flavor suffix are matched by libbpf to the kernel type without it, so they extend the
 * shared views without redefining them. Layouts need not match: fields relocate by name. */
#ifndef KMON_COLLECTOR_TYPES_BPF_H
#define KMON_COLLECTOR_TYPES_BPF_H

#include "kmon_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct in6_addr___kmon {
    __u8 u6_addr8[16];
};

struct sock_common___v6 {
    struct in6_addr___kmon skc_v6_daddr;
    struct in6_addr___kmon skc_v6_rcv_saddr;
};

/* inet_sport survives unhashing, unlike skc_num: a socket closed by reset has lost its port. */
struct inet_sock___kmon {
    __be16 inet_sport;
};

struct task_struct___flags {
    unsigned int flags;
};

struct sk_buff {
    struct sock *sk;
    unsigned char *head;
    __be16 protocol;
    __u16 transport_header;
    __u16 network_header;
};

struct gendisk {
    int major;
    int first_minor;
};

struct request_queue {
    struct gendisk *disk;
};

struct request {
    struct request_queue *q;
    unsigned int cmd_flags;
    unsigned int __data_len;
};

#pragma clang attribute pop

#define KMON_PF_KTHREAD 0x00200000 /* include/linux/sched.h: kernel threads have no user stack */

static __always_inline int kmon_is_kthread(void *task)
{
    return (BPF_CORE_READ((struct task_struct___flags *)task, flags) & KMON_PF_KTHREAD) != 0;
}

/* Only the names matter: bpf_core_enum_value() resolves each against the running kernel. */
enum skb_drop_reason {
    SKB_NOT_DROPPED_YET = 0,
    SKB_CONSUMED = 1,
    SKB_DROP_REASON_NOT_SPECIFIED = 2,
};

#endif
