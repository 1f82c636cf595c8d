/* tcpreq, skb variant: the same spans timed on packets, for wire time against socket time.
 * Hooks: cgroup_skb/ingress and cgroup_skb/egress on the cgroup v2 root (or --cgroup): every
 * IPv4/IPv6 packet to or from a socket in it. A packet with TCP payload moves the connection's
 * state machine (ingress = bytes in, egress = bytes out), a FIN or RST closes it. State lives in
 * socket-local storage; where the kernel refuses it, in `conn_table`, an LRU hash by socket
 * cookie (no hook here sees the socket go, so the oldest entries make room: keep max_entries
 * above the live connections). Responses in flight at stop are closed from the in-flight index
 * (bpf/tcpreq_inflight.bpf.h), which a FIN or RST frees. Role: server exactly when a socket
 * listens on the local endpoint (bpf_skc_lookup_tcp, once per connection).
 * Server span: first request packet in -> last response packet out; client span: first request
 * packet out -> last response packet in. No task here: records carry no pid or comm (Swift
 * finds the socket's owner), and --pid is applied in user space; --port in the kernel.
 * Method and status (targ_http): bpf_skb_load_bytes at the TCP payload of the packet that opens a
 * span or starts its response; at most 12 bytes (docs/variants.md).
 * Cost per run: two bpf_skb_load_bytes and a storage lookup, on every packet of every socket in
 * the cgroup, pure ACKs included: under wrk (`scripts/tcpreq-cost 3`, 2026-12-05) ingress 210,
 * egress 285 ns, against 59 for empty (docs/costs.md). Returns 1: never drops. */
#include "kmon_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define TCPREQ_NO_TASK
#define TCPREQ_INFLIGHT_INDEX
#include "tcpreq.bpf.h"

/* LRU: no hook here sees a socket go, so nothing deletes an entry and the oldest make room. */
TCPREQ_STATE_MAPS(BPF_MAP_TYPE_LRU_HASH)

static __always_inline struct tcpreq_conn *state_of(struct bpf_sock *sk, struct __sk_buff *skb, bool create)
{
    return targ_state_table ? table_state(&conn_table, bpf_get_socket_cookie(skb), create)
                            : storage_state(&conn_state, sk, create);
}

/* TCP payload bytes of this packet (GSO packets count whole), and whether it ends the
 * connection (FIN, or RST: a reset connection's response is over too, and its in-flight slot
 * must go); false when it is not a TCP packet we can parse (IPv6 extension headers are not
 * followed). The packet starts at its IP header. Offsets and bitfields come from the kernel's iphdr, ipv6hdr and
 * tcphdr (CO-RE); only the bytes holding the fields read are copied to the stack, since every
 * copied byte costs on every packet. */
static __always_inline bool tcp_payload(struct __sk_buff *skb, __u32 family, __u32 *payload, __u32 *at, bool *end)
{
    __u32 ip_len;
    if (family == AF_INET) {
        struct iphdr ip4;
        if (bpf_skb_load_bytes(skb, bpf_core_field_offset(struct iphdr, ihl), (__u8 *)&ip4 + bpf_core_field_offset(struct iphdr, ihl),
                               bpf_core_field_size(struct iphdr, ihl)))
            return false;
        ip_len = BPF_CORE_READ_BITFIELD(&ip4, ihl) * 4;
    } else {
        __u8 next;
        if (bpf_skb_load_bytes(skb, bpf_core_field_offset(struct ipv6hdr, nexthdr), &next, 1) || next != IPPROTO_TCP)
            return false;
        ip_len = bpf_core_type_size(struct ipv6hdr);
    }
    /* doff and the flags share one 16-bit unit. */
    struct tcphdr tcp;
    __u32 flags_at = bpf_core_field_offset(struct tcphdr, doff);
    if (ip_len < sizeof(struct iphdr) ||
        bpf_skb_load_bytes(skb, ip_len + flags_at, (__u8 *)&tcp + flags_at, bpf_core_field_size(struct tcphdr, doff)))
        return false;
    __u32 headers = ip_len + BPF_CORE_READ_BITFIELD(&tcp, doff) * 4;
    *payload = skb->len > headers ? skb->len - headers : 0;
    *at = headers;
    *end = BPF_CORE_READ_BITFIELD(&tcp, fin) || BPF_CORE_READ_BITFIELD(&tcp, rst);
    return true;
}

/* Role of a connection met without a known role: a server exactly when a socket listens on
 * its local endpoint. Asked of the kernel's own table, in the packet's namespace, wildcards
 * and dual-stack listeners included; the remote end is given as 0.0.0.0:0 so that the lookup
 * cannot find the connection itself, only a listener. */
static __always_inline bool listening_here(struct __sk_buff *skb, const struct tcpreq_tuple *t)
{
    struct bpf_sock_tuple tuple = {};
    struct bpf_sock *found;
    if (t->family == AF_INET) {
        __builtin_memcpy(&tuple.ipv4.daddr, t->saddr, 4);
        tuple.ipv4.dport = bpf_htons(t->sport);
        found = bpf_skc_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
    } else {
        __builtin_memcpy(tuple.ipv6.daddr, t->saddr, 16);
        tuple.ipv6.dport = bpf_htons(t->sport);
        found = bpf_skc_lookup_tcp(skb, &tuple, sizeof(tuple.ipv6), BPF_F_CURRENT_NETNS, 0);
    }
    if (!found)
        return false;
    bool listener = found->state == TCP_LISTEN;
    bpf_sk_release(found);
    return listener;
}

/* Whether data moved on the connection before this, its first payload packet we see. Packets
 * cannot show a server socket its handshake (SYN and ACK pass through the listener), so skb
 * asks the socket's byte counters instead: a connection fresh here has its first span whole. */
static __always_inline bool fresh_connection(struct bpf_sock *sk)
{
    struct bpf_tcp_sock *tp = bpf_tcp_sock(sk);
    return tp && tp->bytes_received == 0 && tp->bytes_acked == 0;
}

static __always_inline void decide(struct tcpreq_conn *st, struct bpf_sock *sk, struct __sk_buff *skb)
{
    struct tcpreq_tuple *t = &st->tuple;
    t->family = sk->family;
    t->sport = sk->src_port;
    t->dport = bpf_ntohs(sk->dst_port);
    if (sk->family == AF_INET) {
        __u32 s = sk->src_ip4, d = sk->dst_ip4;
        __builtin_memcpy(t->saddr, &s, 4);
        __builtin_memcpy(t->daddr, &d, 4);
    } else {
        __u32 s[4] = { sk->src_ip6[0], sk->src_ip6[1], sk->src_ip6[2], sk->src_ip6[3] };
        __u32 d[4] = { sk->dst_ip6[0], sk->dst_ip6[1], sk->dst_ip6[2], sk->dst_ip6[3] };
        __builtin_memcpy(t->saddr, s, 16);
        __builtin_memcpy(t->daddr, d, 16);
    }
    if (targ_filter_ports && !port_listed(&target_ports, t->sport) && !port_listed(&target_ports, t->dport)) {
        st->targeted = TCPREQ_TARGET_NO;
        return;
    }
    /* No task here: the socket's cgroup (its owner's when it was made) stands for it. */
    if (targ_filter_cgroup_ids && !kmon_cgroup_id_wanted(bpf_skb_cgroup_id(skb))) {
        st->targeted = TCPREQ_TARGET_NO;
        return;
    }
    st->targeted = TCPREQ_TARGET_YES;
    st->cookie = bpf_get_socket_cookie(skb);
    st->role = listening_here(skb, t) ? TCPREQ_ROLE_SERVER : TCPREQ_ROLE_CLIENT;
    st->seen_handshake = fresh_connection(sk);
}

/* A move's first bytes: the packet's payload, from its offset (GSO packets and paged data
 * included: bpf_skb_load_bytes follows them). */
struct skb_src {
    struct __sk_buff *skb;
    __u32 at;
};

static __always_inline __u32 tcpreq_peek(void *src, __u64 *head, __u32 bytes, __u32 want)
{
    struct skb_src *packet = src;
    __u64 n = want;
    if (n > bytes)
        n = bytes;
    TCPREQ_PEEK_BOUND(n);
    if (n == 0 || n > TCPREQ_HTTP_PEEK || bpf_skb_load_bytes(packet->skb, packet->at, head, n))
        return 0;
    return n;
}

static __always_inline void on_packet(struct __sk_buff *skb, bool egress)
{
    struct bpf_sock *sk = skb->sk;
    if (!sk)
        return;
    sk = bpf_sk_fullsock(sk);
    if (!sk || sk->protocol != IPPROTO_TCP || (sk->family != AF_INET && sk->family != AF_INET6))
        return;
    __u32 payload, at;
    bool end;
    if (!tcp_payload(skb, sk->family, &payload, &at, &end))
        return;
    /* Handshake and pure ACKs: no state until data moves. */
    struct tcpreq_conn *st = state_of(sk, skb, payload != 0);
    if (!st)
        return;
    if (st->targeted == TCPREQ_TARGET_UNDECIDED)
        decide(st, sk, skb);
    if (payload) {
        struct skb_src src = { .skb = skb, .at = at };
        tcpreq_on_data(st, 0, payload, egress, &src);
    }
    if (end)
        tcpreq_on_close(st);
}

SEC("cgroup_skb/ingress")
int tcpreq_ingress(struct __sk_buff *skb)
{
    kmon_inject();
    on_packet(skb, false);
    return 1;
}

SEC("cgroup_skb/egress")
int tcpreq_egress(struct __sk_buff *skb)
{
    kmon_inject();
    on_packet(skb, true);
    return 1;
}

/* Run by the session on each CPU, every 100 ms and at stop (bpf/tcpreq.bpf.h, flush_batch). */
SEC("raw_tp")
int tcpreq_flush_batch(struct bpf_raw_tracepoint_args *ctx) { return flush_batch(ctx->args[0]); }

char LICENSE[] SEC("license") = "GPL";
