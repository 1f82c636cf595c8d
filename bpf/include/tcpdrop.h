/* tcpdrop event layout, shared by bpf/tcpdrop.bpf.c and Swift. Widest first, padding explicit. */
#ifndef KMON_TCPDROP_H
#define KMON_TCPDROP_H

#include <linux/types.h>
#include "collector.h"

#define TCPDROP_KIND_DROP 1          /* skb:kfree_skb with a real drop reason */
#define TCPDROP_KIND_RETRANSMIT 2    /* tcp:tcp_retransmit_skb */
#define TCPDROP_KIND_SEND_RESET 3    /* tcp:tcp_send_reset */
#define TCPDROP_KIND_RECEIVE_RESET 4 /* tcp:tcp_receive_reset */

/* One TCP trouble event. Addresses are IPv4 in the first 4 bytes, or IPv6; network order.
 * For drops, saddr/sport is the dropped packet's source; for socket events, the local end. */
struct tcpdrop_event {
    __u64 timestamp_ns; /* bpf_ktime_get_ns(), CLOCK_MONOTONIC */
    __u32 tgid;         /* the task running when it happened (see tcpdrop.bpf.c) */
    __u32 tid;
    __u32 reason;       /* enum skb_drop_reason for drops, enum sk_rst_reason for sent resets */
    __s32 kernel_stack; /* stack id, or -1 */
    __s32 user_stack;   /* stack id, or -1 */
    __u16 sport;        /* host order */
    __u16 dport;        /* host order */
    __u16 family;       /* AF_INET or AF_INET6 */
    __u8 kind;          /* TCPDROP_KIND_* */
    __u8 state;         /* TCP state of the socket (TCP_ESTABLISHED = 1, ...), 0 with no socket */
    __u8 saddr[16];
    __u8 daddr[16];
    char comm[16];
    __u8 _pad[4];
};

_Static_assert(sizeof(struct tcpdrop_event) == 88, "tcpdrop_event layout changed");

#endif
