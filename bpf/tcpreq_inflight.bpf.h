/* The in-flight index (sock, fentry, skb): which connections have a response in flight, so
 * that user space can close their spans at stop, after the hooks are detached, by walking
 * `inflight` (Sources/KmonTcpreq/InFlightSpans.swift). Socket-local storage, where their state
 * lives, cannot be walked without an iterator program, which some kernels refuse.
 *
 * A slot is a copy of the connection's state, taken at its first request->response turn; each
 * later turn writes the span's fields, response bytes move its end, a span's close marks it idle
 * (phase), and the connection's end frees it. Claiming once per connection, not per span,
 * keeps the locked claim and the whole-state copy off the spans: in place at 50% of the knee
 * (docs/costs.md), a claim and copy per span cost 33 ns more per recv run and 11 more per send
 * run than this. Its `cookie` is the claim: 0 is free, and a claim is one compare-and-swap, no helper (array lookups are inlined). A
 * connection's slot is one of INFLIGHT_PROBES from a hash of its cookie, found again by that
 * cookie: usually the first. One that finds no free slot among them is counted in
 * TCPREQ_COUNT_INFLIGHT_UNINDEXED while its response is in flight, never silently left open.
 * (The state keeps no slot number: tcpreq_conn's layout stays that of older objects.)
 *
 * Races: only the owner frees its slot, by compare-and-swap on its own cookie, so a free never
 * takes another connection's claim. What remains: a response byte on one CPU while the same
 * connection closes on another may write its time into the slot just after the close freed it
 * and another connection claimed it (a window of a few instructions); that connection's next
 * response byte overwrites it. */
#ifndef KMON_TCPREQ_INFLIGHT_BPF_H
#define KMON_TCPREQ_INFLIGHT_BPF_H

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 16384); /* resized by the loader, always a power of two */
    __type(key, __u32);
    __type(value, struct tcpreq_conn);
} inflight SEC(".maps");

const volatile __u32 targ_inflight_mask = 16383; /* max_entries - 1 */

/* Slots tried from the cookie's own: few, so that a full index costs a bounded few loads. */
#define INFLIGHT_PROBES 4

static __always_inline struct tcpreq_conn *inflight_slot(__u64 cookie, __u32 probe)
{
    __u32 home = (__u32)((cookie * 0x9E3779B97F4A7C15ULL) >> 32); /* cookies are sequential: spread them */
    __u32 index = (home + probe) & targ_inflight_mask;
    return bpf_map_lookup_elem(&inflight, &index);
}

/* The connection's slot, or 0 when it holds none. */
static __always_inline struct tcpreq_conn *inflight_find(const struct tcpreq_conn *st)
{
    for (__u32 i = 0; i < INFLIGHT_PROBES; i++) {
        struct tcpreq_conn *slot = inflight_slot(st->cookie, i);
        if (slot && slot->cookie == st->cookie)
            return slot;
    }
    return 0;
}

/* The span's own fields, at each turn of a connection that already holds its slot: they sit in
 * the slot's first 48 bytes and its last 8, so a turn writes a line or two, not the whole state (whose comm and
 * tuple, copied at the claim, do not change). Phase last: it says the rest is current. */
static __always_inline void inflight_turn(struct tcpreq_conn *slot, const struct tcpreq_conn *st)
{
    slot->start_ns = st->start_ns;
    slot->last_ns = st->last_ns;
    slot->request_bytes = st->request_bytes;
    slot->response_bytes = st->response_bytes;
    slot->ordinal = st->ordinal;
    slot->status = st->status;
    slot->method = st->method;
    slot->phase = st->phase;
}

/* The response's first byte moved (phase is now RESPONSE). A connection keeps its slot from its
 * first turn to its end (inflight_release), so later turns find it and write the span's fields;
 * the first claims one and copies the whole state. */
static __always_inline void inflight_open(struct tcpreq_conn *st)
{
    for (__u32 i = 0; i < INFLIGHT_PROBES; i++) {
        struct tcpreq_conn *slot = inflight_slot(st->cookie, i);
        if (!slot)
            continue;
        if (slot->cookie == st->cookie) {
            inflight_turn(slot, st);
            return;
        }
        if (slot->cookie != 0) /* a plain load first: a taken slot costs no locked instruction */
            continue;
        if (__sync_val_compare_and_swap(&slot->cookie, 0, st->cookie) != 0)
            continue;
        *slot = *st; /* its cookie is the one just claimed */
        return;
    }
    kmon_count(&state_counts, TCPREQ_COUNT_INFLIGHT_UNINDEXED);
}

/* More response bytes: the slot follows the span's end. */
static __always_inline void inflight_move(const struct tcpreq_conn *st)
{
    struct tcpreq_conn *slot = inflight_find(st);
    if (slot) {
        slot->last_ns = st->last_ns;
        slot->response_bytes = st->response_bytes;
    }
}

/* The span with a response in flight closed (next request, close): its slot, kept for the
 * connection's next turn, no longer holds a response in flight; or take back the count of a
 * span that had no slot. */
static __always_inline void inflight_close(const struct tcpreq_conn *st)
{
    struct tcpreq_conn *slot = inflight_find(st);
    if (slot)
        slot->phase = TCPREQ_PHASE_IDLE;
    else
        kmon_add(&state_counts, TCPREQ_COUNT_INFLIGHT_UNINDEXED, (__u64)-1);
}

/* The connection ends (it left ESTABLISHED or closed): its slot is free again. A later turn
 * (a response written after the peer's FIN) claims one anew. */
static __always_inline void inflight_release(const struct tcpreq_conn *st)
{
    struct tcpreq_conn *slot = inflight_find(st);
    if (slot)
        __sync_val_compare_and_swap(&slot->cookie, st->cookie, 0);
}

#endif
