/* tcpdrop: TCP packets the kernel dropped for a real reason, retransmits and resets.
 * Hooks: tp_btf/kfree_skb (only reasons above NOT_SPECIFIED: consumption and unspecified frees
 * are noise), tp_btf/tcp_retransmit_skb, tp_btf/tcp_send_reset, tp_btf/tcp_receive_reset.
 * Emits: one tcpdrop_event per event in the `events` ring buffer, with the 4-tuple, TCP state,
 * reason, the running task, and stack ids at verbosity 2 (user) and 3 (kernel too).
 * Cost per event, measured on this VM by scripts/collector-cost (kernel run stats, median ns;
 * closed-port connects): verbosity 1 drop 906, send_reset 2157, receive_reset 668; 2 (user
 * stack) 1980/7038/1787; 3 (kernel stack too) 8858/19306/6337. kfree_skb also runs for every
 * skb freed without a real reason and returns after one compare.
 * The pid is the task on the CPU: the owner for sends, closes and loopback traffic, but for
 * drops in softirq on a real NIC it can be any task the interrupt landed on. */
#include "collector_types.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "collector_common.bpf.h"
#include "tcpdrop.h"

#define TCPDROP_WAKEUP_BYTES (64 * 1024)

/* Only its existence is checked: resets carry a reason since kernel 6.10. */
enum sk_rst_reason { SK_RST_REASON_NOT_SPECIFIED = 0 };

const volatile __u32 targ_kernel_stacks = 0;
const volatile __u32 targ_user_stacks = 0;

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline struct tcpdrop_event *new_event(void *ctx, __u8 kind, __u32 reason)
{
    __u64 id = bpf_get_current_pid_tgid();
    if (!kmon_current_wanted(id >> 32))
        return 0;
    struct tcpdrop_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) {
        kmon_lost(KMON_LOST_RINGBUF, 1);
        return 0;
    }
    __builtin_memset(e, 0, sizeof(*e));
    e->timestamp_ns = bpf_ktime_get_ns();
    e->tgid = id >> 32;
    e->tid = (__u32)id;
    e->kind = kind;
    e->reason = reason;
    e->kernel_stack = targ_kernel_stacks ? kmon_stack_id(ctx, 0) : -1;
    e->user_stack = targ_user_stacks && !kmon_is_kthread((void *)bpf_get_current_task())
                        ? kmon_stack_id(ctx, BPF_F_USER_STACK) : -1;
    bpf_get_current_comm(&e->comm, sizeof(e->comm));
    return e;
}

/* Waking the reader costs an irq_work self-IPI, about 30 us per wakeup in a VM (measured: see
 * docs/collectors.md), so records wait for the reader's next timed poll unless the ring is filling up. */
static __always_inline void submit(struct tcpdrop_event *e)
{
    __u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= TCPDROP_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP
                                                                                         : BPF_RB_NO_WAKEUP;
    bpf_ringbuf_submit(e, flags);
}

/* The socket's own view: local end as source. */
static __always_inline void fill_from_sock(struct tcpdrop_event *e, struct sock *sk)
{
    e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
    e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
    e->sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock___kmon *)sk, inet_sport));
    e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
    if (e->family == AF_INET) {
        BPF_CORE_READ_INTO(&e->saddr, sk, __sk_common.skc_rcv_saddr);
        BPF_CORE_READ_INTO(&e->daddr, sk, __sk_common.skc_daddr);
    } else {
        struct sock_common___v6 *c6 = (void *)&sk->__sk_common;
        BPF_CORE_READ_INTO(&e->saddr, c6, skc_v6_rcv_saddr);
        BPF_CORE_READ_INTO(&e->daddr, c6, skc_v6_daddr);
    }
}

/* The packet's view, from its IP and TCP headers (CO-RE reads of the kernel's iphdr, ipv6hdr
 * and tcphdr); `swap` reports it from the receiver's side. Returns 0 when the packet is not
 * TCP over IPv4/IPv6. */
static __always_inline int fill_from_skb(struct tcpdrop_event *e, struct sk_buff *skb, int swap)
{
    unsigned char *head = BPF_CORE_READ(skb, head);
    __u16 proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
    unsigned char *ip = head + BPF_CORE_READ(skb, network_header);
    struct tcphdr *tcp;
    __u8 *src = swap ? e->daddr : e->saddr, *dst = swap ? e->saddr : e->daddr;
    if (proto == ETH_P_IP) {
        struct iphdr *ip4 = (void *)ip;
        if (BPF_CORE_READ(ip4, protocol) != IPPROTO_TCP)
            return 0;
        e->family = AF_INET;
        BPF_CORE_READ_INTO((__be32 *)src, ip4, saddr);
        BPF_CORE_READ_INTO((__be32 *)dst, ip4, daddr);
        tcp = (void *)(ip + BPF_CORE_READ_BITFIELD_PROBED(ip4, ihl) * 4);
    } else if (proto == ETH_P_IPV6) {
        struct ipv6hdr *ip6 = (void *)ip;
        if (BPF_CORE_READ(ip6, nexthdr) != IPPROTO_TCP)
            return 0;
        e->family = AF_INET6;
        BPF_CORE_READ_INTO((struct in6_addr *)src, ip6, saddr);
        BPF_CORE_READ_INTO((struct in6_addr *)dst, ip6, daddr);
        tcp = (void *)(ip + bpf_core_type_size(struct ipv6hdr));
    } else {
        return 0;
    }
    __be16 ports[2] = {}; /* source, then dest: one read, as many as before CO-RE */
    bpf_probe_read_kernel(ports, sizeof(ports), __builtin_preserve_access_index(&tcp->source));
    e->sport = bpf_ntohs(swap ? ports[1] : ports[0]);
    e->dport = bpf_ntohs(swap ? ports[0] : ports[1]);
    return 1;
}

static __always_inline void on_drop(void *ctx, struct sk_buff *skb, __u32 reason)
{
    if (reason <= bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED))
        return;
    struct tcpdrop_event *e = new_event(ctx, TCPDROP_KIND_DROP, reason);
    if (!e)
        return;
    if (!fill_from_skb(e, skb, 0)) {
        bpf_ringbuf_discard(e, 0);
        return;
    }
    struct sock *sk = BPF_CORE_READ(skb, sk);
    if (sk)
        e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
    submit(e);
}

static __always_inline void on_sock_event(void *ctx, __u8 kind, struct sock *sk,
                                          struct sk_buff *skb, __u32 reason)
{
    struct tcpdrop_event *e = new_event(ctx, kind, reason);
    if (!e)
        return;
    if (sk) {
        fill_from_sock(e, sk);
    } else if (!skb || !fill_from_skb(e, skb, 1)) {
        bpf_ringbuf_discard(e, 0);
        return;
    }
    submit(e);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(tcpdrop_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
    on_drop(ctx, skb, reason);
    return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(tcpdrop_retransmit, struct sock *sk, struct sk_buff *skb)
{
    on_sock_event(ctx, TCPDROP_KIND_RETRANSMIT, sk, skb, 0);
    return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(tcpdrop_send_reset, struct sock *sk, struct sk_buff *skb)
{
    __u32 reason = 0;
    if (bpf_core_type_exists(enum sk_rst_reason))
        reason = (__u32)ctx[2];
    on_sock_event(ctx, TCPDROP_KIND_SEND_RESET, sk, skb, reason);
    return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(tcpdrop_receive_reset, struct sock *sk)
{
    on_sock_event(ctx, TCPDROP_KIND_RECEIVE_RESET, sk, 0, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
