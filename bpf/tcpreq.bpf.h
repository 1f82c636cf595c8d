/* tcpreq core, shared by the tcpreq_*.bpf.c variants: maps, settings, targeting, and the
 * per-connection span state machine. A variant only finds the connection's state (socket-local
 * storage, or a hash map where that helper is not allowed) and calls the tcpreq_on_* helpers
 * from its own programs; no program lives here (each variant's tcpreq_flush_batch calls
 * flush_batch).
 *
 * Span rule (docs/monitor.md, "Span definitions"): on a server socket a span opens at the first byte of
 * a request read and closes at the next read after a write, or when the connection closes;
 * client sockets mirror it with send and recv swapped. */
#ifndef KMON_TCPREQ_BPF_H
#define KMON_TCPREQ_BPF_H

#include <stdbool.h>
#include "tcpreq.h"
#include "tcpreq_http.h"
#include "kmon_inject.bpf.h"

#define KMON_TGID_FILTER_ENTRIES 1024 /* --pid */
#include "kmon_common.bpf.h"

/* A variant defines, before including:
 * - TCPREQ_COOKIE(sk): the connection's identity in records;
 * - or TCPREQ_NO_TASK, for program types with no task context (cgroup_skb): the variant then
 *   decides targeting itself before tcpreq_on_data, and records carry no pid or comm. */
#if !defined(TCPREQ_COOKIE) && !defined(TCPREQ_NO_TASK)
#error "define TCPREQ_COOKIE(sk) or TCPREQ_NO_TASK before including tcpreq.bpf.h"
#endif

#define MSG_PEEK 2

/* In `lost` (bpf/kmon_common.bpf.h): KMON_LOST_RINGBUF, the ring buffer was full and records
 * were dropped (counted in spans or events); KMON_LOST_MAP_FULL, a state or histogram map was
 * full and a connection or span was not tracked. */

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4 * 1024 * 1024); /* resized by the loader */
} events SEC(".maps");

/* --port: local or remote ports to watch. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, struct tcpreq_port_key);
    __type(value, __u8);
} target_ports SEC(".maps");

/* --pid and --cgroup: target_tgids and target_cgroup, in bpf/kmon_common.bpf.h. */

/* Listening endpoints in every network namespace, with how many sockets listen on each: the
 * role of a connection whose handshake we did not see. Filled from /proc at the start, kept
 * current by the variant's inet_sock_set_state hook (track_listener). */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, struct tcpreq_listen_key);
    __type(value, __u32);
} listeners SEC(".maps");

/* TCPREQ_COUNT_* (bpf/include/tcpreq.h): state-map inserts and deletes, and listeners not
 * recorded. Touched once per connection or listener, never per event. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, TCPREQ_COUNT_SLOTS);
    __type(key, __u32);
    __type(value, __u64);
} state_counts SEC(".maps");

/* Kernel mode: where each CPU's batch of closed spans fills up (see batch_span). */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct tcpreq_batch_slot);
} pending_spans SEC(".maps");

/* Histogram mode. A connection finds its histogram's index once, through `hist_slots`, and
 * keeps it in its state: each span then costs an inlined array lookup, not a hashed one.
 * Per-CPU, so updates need no atomics; Swift sums the CPUs. */
#define HIST_ROWS 4096

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, HIST_ROWS);
    __type(key, struct tcpreq_hist_key);
    __type(value, __u32);
} hist_slots SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, HIST_ROWS);
    __type(key, __u32);
    __type(value, struct tcpreq_hist);
} hists SEC(".maps");

__u32 next_hist_slot = 0; /* indexes handed out so far */

/* Settings, fixed before load; the verifier drops the branches a setting rules out. */
const volatile __u32 targ_mode = TCPREQ_MODE_KERNEL;
const volatile __u32 targ_self_tgid = 0;      /* never watch the monitor itself */
const volatile __u32 targ_filter_ports = 0;   /* 1: only connections with a port in target_ports */
/* Kernel mode: 1 to batch spans per CPU. Batches need tcpreq_flush_batch run on each CPU
 * (BPF_PROG_TEST_RUN on a CPU); where the kernel refuses that, each span is sent alone. */
const volatile __u32 targ_batch = 1;
/* 1 where a read refreshes TCP's clock (KernelFeature.readClock, `tcp_read_clock`): a variant that defines
 * TCPREQ_READ_CLOCK(sk) then takes a read's time from it instead of bpf_ktime_get_ns(). */
const volatile __u32 targ_read_clock = 0;
/* 1 to read a request's method and a response's status (docs/variants.md, "Method and status"):
 * at most TCPREQ_HTTP_PEEK bytes where a span opens and where its response starts, in kernel and
 * user modes. 0 (`kmon monitor --http off`) reads no byte of payload. */
const volatile __u32 targ_http = 0;

/* Each variant defines how a move's first bytes are found (after including this file): copies
 * at most `want` (<= TCPREQ_HTTP_PEEK) of the `bytes` moved into the zero-filled `head`, and
 * returns how many it copied, 0 when it cannot see them. `src` is what the variant passed to
 * tcpreq_on_data. Called only where a span edge moves, and only with targ_http. */
static __always_inline __u32 tcpreq_peek(void *src, __u64 *head, __u32 bytes, __u32 want);

/* Before a peek's size check: clang knows the size is at most `want` and drops the check, but
 * the verifier needs it to bound the copy; this hides what clang knows. */
#define TCPREQ_PEEK_BOUND(n) asm volatile("" : "+r"(n))

/* The method of the request whose first bytes this move carries. */
static __always_inline __u8 peek_method(void *src, __u32 bytes)
{
    __u64 head[TCPREQ_HTTP_PEEK / 8] = {};
    return tcpreq_http_method(head, tcpreq_peek(src, head, bytes, TCPREQ_HTTP_REQUEST_PEEK));
}

/* The status of the response whose first bytes this move carries; 0 when none is read. */
static __always_inline __u16 peek_status(void *src, __u32 bytes)
{
    __u64 head[TCPREQ_HTTP_PEEK / 8] = {};
    if (tcpreq_peek(src, head, bytes, TCPREQ_HTTP_RESPONSE_PEEK) == 0)
        return 0;
    return tcpreq_http_status(head);
}

/* The two homes of per-connection state, declared once for the variants that keep it per
 * socket (sock, fentry, skb): socket-local storage, and `conn_table` keyed by socket cookie,
 * used with targ_state_table=1 only where the kernel refuses socket storage (or to measure it,
 * KMON_TCPREQ_STATE=table). Either way the in-flight index closes the spans at stop. */
#define TCPREQ_STATE_MAPS(table_type)                                                        \
    struct {                                                                                 \
        __uint(type, BPF_MAP_TYPE_SK_STORAGE);                                               \
        __uint(map_flags, BPF_F_NO_PREALLOC);                                                \
        __type(key, int);                                                                    \
        __type(value, struct tcpreq_conn);                                                   \
    } conn_state SEC(".maps");                                                               \
    struct {                                                                                 \
        __uint(type, table_type);                                                            \
        __uint(max_entries, 65536); /* 1 when unused: the loader shrinks it */               \
        __type(key, __u64);                                                                  \
        __type(value, struct tcpreq_conn);                                                   \
    } conn_table SEC(".maps");                                                               \
    const volatile __u32 targ_state_table = 0;

/* A connection's state in a hash map of tcpreq_conn by `key`, created empty when `create`;
 * a full map is a connection not tracked, counted. */
static __always_inline struct tcpreq_conn *table_state(void *table, __u64 key, bool create)
{
    struct tcpreq_conn *st = bpf_map_lookup_elem(table, &key);
    if (st || !create)
        return st;
    struct tcpreq_conn fresh = {};
    if (bpf_map_update_elem(table, &key, &fresh, BPF_NOEXIST) == 0)
        kmon_count(&state_counts, TCPREQ_COUNT_STATE_INSERTS);
    st = bpf_map_lookup_elem(table, &key);
    if (!st)
        kmon_lost(KMON_LOST_MAP_FULL, 1);
    return st;
}

/* Deletes `key` from a state table, counted, so that user space can tell evictions apart. */
static __always_inline void table_forget(void *table, __u64 *key)
{
    if (bpf_map_delete_elem(table, key) == 0)
        kmon_count(&state_counts, TCPREQ_COUNT_STATE_DELETES);
}

/* The same in socket-local storage (`sk`: a trusted struct sock, or a full bpf_sock). */
static __always_inline struct tcpreq_conn *storage_state(void *storage, void *sk, bool create)
{
    struct tcpreq_conn *st = bpf_sk_storage_get(storage, sk, 0, 0);
    if (st || !create)
        return st;
    st = bpf_sk_storage_get(storage, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
    if (!st)
        kmon_lost(KMON_LOST_MAP_FULL, 1);
    return st;
}

/* Records never wake the consumer: a wakeup (irq_work) costs the producer more than the record.
 * The consumer drains on a short timer instead, and the ring holds many timer periods. */
#define SUBMIT_FLAGS BPF_RB_NO_WAKEUP

static __always_inline bool port_listed(void *map, __u16 port)
{
    struct tcpreq_port_key key = { .port = port };
    return bpf_map_lookup_elem(map, &key) != 0;
}

/* Reads family and 4-tuple with CO-RE; false for anything but TCP over IPv4/IPv6. Works on
 * trusted (tp_btf, fentry) and plain (kprobe, fd walk) pointers alike. */
static __always_inline bool read_tcp_tuple(struct sock *sk, struct tcpreq_tuple *t)
{
    __u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
    if (family != AF_INET && family != AF_INET6)
        return false;
    /* A raw socket can carry IPPROTO_TCP too; only a stream socket is a TCP connection. */
    if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP || BPF_CORE_READ(sk, sk_type) != SOCK_STREAM)
        return false;
    t->family = family;
    t->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
    t->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
    if (family == AF_INET) {
        __be32 s = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
        __be32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);
        __builtin_memcpy(t->saddr, &s, 4);
        __builtin_memcpy(t->daddr, &d, 4);
    } else {
        BPF_CORE_READ_INTO(&t->saddr, sk, __sk_common.skc_v6_rcv_saddr);
        BPF_CORE_READ_INTO(&t->daddr, sk, __sk_common.skc_v6_daddr);
    }
    return true;
}

static __always_inline __u32 sock_netns(struct sock *sk)
{
    return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

static __always_inline void listen_key(struct tcpreq_listen_key *key, const struct tcpreq_tuple *t, __u32 netns)
{
    __builtin_memcpy(key->addr, t->saddr, 16);
    if (t->family == AF_INET)
        __builtin_memset(key->addr + 4, 0, 12);
    key->netns = netns;
    key->port = t->sport;
    key->family = t->family;
}

/* Whether the connection's local endpoint is listened on: by that address, or by the wildcard
 * of its family. IPv4 on a dual-stack [::] listener arrives as AF_INET6 with an IPv4-mapped
 * address, so the AF_INET6 wildcard covers it. */
static __always_inline bool listening(const struct tcpreq_tuple *t, __u32 netns)
{
    struct tcpreq_listen_key key = {};
    listen_key(&key, t, netns);
    if (bpf_map_lookup_elem(&listeners, &key))
        return true;
    __builtin_memset(key.addr, 0, 16);
    return bpf_map_lookup_elem(&listeners, &key) != 0;
}

/* A listener opens (-> LISTEN) or closes (LISTEN -> CLOSE). Not LISTEN -> SYN_RECV: that is
 * a new connection's child socket, cloned from the listener with its state, starting out. */
#define LISTENER_CHANGE(oldstate, newstate) \
    ((newstate) == TCP_LISTEN || ((oldstate) == TCP_LISTEN && (newstate) == TCP_CLOSE))

/* A socket entered LISTEN (`up`) or left it: keeps `listeners` current (StateTableLimitTests). Counts sockets, since
 * SO_REUSEPORT lets several listen on one endpoint; a racing pair of updates may miscount by
 * one, which a listener opening or closing again corrects. Listeners come and go rarely. */
static __always_inline void track_listener(struct sock *sk, bool up)
{
    struct tcpreq_tuple t = {};
    if (!read_tcp_tuple(sk, &t))
        return;
    /* A closing listener whose port the kernel picked (bind to port 0, or listen unbound) has
     * already given the port back: skc_num is 0 by the time LISTEN -> CLOSE is traced. */
    if (!up && t.sport == 0)
        t.sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
    struct tcpreq_listen_key key = {};
    listen_key(&key, &t, sock_netns(sk));
    __u32 *n = bpf_map_lookup_elem(&listeners, &key);
    if (up) {
        __u32 one = 1;
        if (n)
            __sync_fetch_and_add(n, 1);
        else {
            long err = bpf_map_update_elem(&listeners, &key, &one, BPF_NOEXIST);
            if (err == -KMON_EEXIST /* raced */ && (n = bpf_map_lookup_elem(&listeners, &key)))
                __sync_fetch_and_add(n, 1);
            else if (err)
                kmon_count(&state_counts, TCPREQ_COUNT_LISTENERS_FULL);
        }
    } else if (n) {
        if (*n <= 1)
            bpf_map_delete_elem(&listeners, &key);
        else
            __sync_fetch_and_sub(n, 1);
    }
}

/* The filters, in the task that first moves data on the connection. Decided once per
 * connection, so later events pay one state lookup and one compare. */
static __always_inline bool wanted(const struct tcpreq_tuple *t, __u32 tgid)
{
    if (tgid == targ_self_tgid)
        return false;
    if (!kmon_tgid_wanted(tgid))
        return false;
    if (targ_filter_ports && !port_listed(&target_ports, t->sport) && !port_listed(&target_ports, t->dport))
        return false;
    if (!kmon_cgroup_wanted())
        return false;
    if (targ_filter_cgroup_ids && !kmon_cgroup_id_wanted(bpf_get_current_cgroup_id()))
        return false;
    return true;
}

#ifndef TCPREQ_NO_TASK
/* First data on a connection: decide whether to watch it, and fix its identity and role.
 * Role from the handshake if we saw it; else from the sockets themselves: a server if its
 * local endpoint is listened on in its namespace, a client otherwise. No guess from who
 * moves first: a client waiting for a response reads first. */
static __always_inline void tcpreq_decide(struct tcpreq_conn *st, struct sock *sk)
{
    __u64 id = bpf_get_current_pid_tgid();
    if (!read_tcp_tuple(sk, &st->tuple) || !wanted(&st->tuple, id >> 32)) {
        st->targeted = TCPREQ_TARGET_NO;
        return;
    }
    st->targeted = TCPREQ_TARGET_YES;
    st->tgid = id >> 32;
    st->cookie = TCPREQ_COOKIE(sk);
    bpf_get_current_comm(st->comm, sizeof(st->comm));
    if (st->role == TCPREQ_ROLE_UNKNOWN)
        st->role = listening(&st->tuple, sock_netns(sk)) ? TCPREQ_ROLE_SERVER : TCPREQ_ROLE_CLIENT;
}
#endif

static __always_inline void emit_event(struct tcpreq_conn *st, __u32 kind, __u64 now, __u32 bytes, __u8 method,
                                       __u16 status)
{
    struct tcpreq_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) {
        kmon_lost(KMON_LOST_RINGBUF, 1);
        return;
    }
#ifdef TCPREQ_NO_TASK
    __u64 id = 0;
#else
    __u64 id = bpf_get_current_pid_tgid();
#endif
    e->record = TCPREQ_REC_EVENT;
    e->kind = kind;
    e->timestamp_ns = now;
    e->cookie = st->cookie;
    e->tgid = kind == TCPREQ_EV_CLOSE ? st->tgid : id >> 32; /* close may run in softirq */
    e->tid = kind == TCPREQ_EV_CLOSE ? 0 : (__u32)id;
    e->bytes = bytes;
    e->role = st->role;
    e->flags = st->seen_handshake ? 0 : TCPREQ_EV_MIDWAY;
    e->tuple = st->tuple;
    e->status = status;
    e->method = method;
    __builtin_memset(e->pad, 0, sizeof(e->pad)); /* ring memory is not zeroed */
    bpf_ringbuf_submit(e, SUBMIT_FLAGS);
}

/* The index of the connection's histogram row, assigned on first use; HIST_ROWS when the
 * table is full. Two CPUs may race to add a key: the loser adopts the winner's index and its
 * own stays unused. */
static __always_inline __u32 hist_slot(const struct tcpreq_conn *st)
{
    struct tcpreq_hist_key key = {};
    bool server = st->role == TCPREQ_ROLE_SERVER;
    __builtin_memcpy(key.addr, server ? st->tuple.saddr : st->tuple.daddr, 16);
    key.port = server ? st->tuple.sport : st->tuple.dport;
    key.family = st->tuple.family;
    key.tgid = st->tgid;
    key.role = st->role;
    __u32 *known = bpf_map_lookup_elem(&hist_slots, &key);
    if (known)
        return *known;
    __u32 index = __sync_fetch_and_add(&next_hist_slot, 1);
    if (index >= HIST_ROWS)
        return HIST_ROWS;
    if (bpf_map_update_elem(&hist_slots, &key, &index, BPF_NOEXIST)) {
        known = bpf_map_lookup_elem(&hist_slots, &key);
        return known ? *known : HIST_ROWS;
    }
    return index;
}

/* The first span of a connection met mid-way may have begun before we attached. */
static __always_inline bool span_partial(const struct tcpreq_conn *st)
{
    return !st->seen_handshake && st->ordinal == 0;
}

/* A partial span counts as a request (count, bytes) but stays out of the latency (slots,
 * total_ns): Swift reads count - sum(slots) as the partial spans. */
static __always_inline void record_histogram(struct tcpreq_conn *st)
{
    if (st->hist_slot == 0)
        st->hist_slot = hist_slot(st) + 1;
    __u32 index = st->hist_slot - 1;
    struct tcpreq_hist *h = bpf_map_lookup_elem(&hists, &index);
    if (!h) {
        kmon_lost(KMON_LOST_MAP_FULL, 1);
        return;
    }
    __u64 d = st->last_ns - st->start_ns;
    h->count += 1;
    h->request_bytes += st->request_bytes;
    h->response_bytes += st->response_bytes;
    if (span_partial(st))
        return;
    h->total_ns += d;
    __u32 slot = kmon_log2_slot(d, TCPREQ_HIST_SLOTS);
    if (slot < TCPREQ_HIST_SLOTS)
        h->slots[slot] += 1;
}

static __always_inline void fill_span(struct tcpreq_span *s, const struct tcpreq_conn *st)
{
    s->record = TCPREQ_REC_SPAN;
    s->role = st->role;
    s->flags = span_partial(st) ? TCPREQ_SPAN_PARTIAL : 0;
    s->start_ns = st->start_ns;
    s->end_ns = st->last_ns;
    s->cookie = st->cookie;
    s->request_bytes = st->request_bytes;
    s->response_bytes = st->response_bytes;
    s->ordinal = st->ordinal;
    s->tgid = st->tgid;
    __builtin_memcpy(s->comm, st->comm, sizeof(s->comm));
    s->tuple = st->tuple;
    s->status = st->status;
    s->method = st->method;
    __builtin_memset(s->pad, 0, sizeof(s->pad)); /* ring and batch memory are not zeroed */
}

static __always_inline void emit_span(const struct tcpreq_conn *st)
{
    struct tcpreq_span *s = bpf_ringbuf_reserve(&events, sizeof(*s), 0);
    if (!s) {
        kmon_lost(KMON_LOST_RINGBUF, 1);
        return;
    }
    fill_span(s, st);
    bpf_ringbuf_submit(s, SUBMIT_FLAGS);
}

/* A batch leaves when full, or at once when this CPU's last flush is older than this: below
 * TCPREQ_BATCH_SPANS spans per 10 ms a span waits for nothing; above, a span waits at most for
 * the batch to fill. A batch that stops filling is sent by tcpreq_flush_batch. */
#define BATCH_WAIT_NS (10 * 1000 * 1000)

/* The slot is per CPU, and a program that takes it runs to its end before the one it
 * interrupted resumes: a plain flag, kept in program order by compiler barriers, suffices. */
static __always_inline struct tcpreq_batch_slot *take_slot(void)
{
    __u32 zero = 0;
    struct tcpreq_batch_slot *slot = bpf_map_lookup_elem(&pending_spans, &zero);
    if (!slot || slot->busy)
        return 0;
    *(volatile __u32 *)&slot->busy = 1;
    asm volatile("" ::: "memory");
    return slot;
}

static __always_inline void release_slot(struct tcpreq_batch_slot *slot)
{
    asm volatile("" ::: "memory");
    *(volatile __u32 *)&slot->busy = 0;
}

static __always_inline void send_batch(struct tcpreq_batch_slot *slot, __u64 now)
{
    __u32 n = slot->batch.count;
    if (n > TCPREQ_BATCH_SPANS)
        n = TCPREQ_BATCH_SPANS;
    __u64 spans_size = n * sizeof(struct tcpreq_span);
    /* Keeps the add below an add: knowing spans_size's low bits are zero, clang makes it an OR,
     * whose bound the verifier loses (112-byte spans: 2040 > the 1800 bytes there are). */
    asm volatile("" : "+r"(spans_size));
    __u64 size = __builtin_offsetof(struct tcpreq_batch, spans) + spans_size;
    if (bpf_ringbuf_output(&events, &slot->batch, size, SUBMIT_FLAGS))
        kmon_lost(KMON_LOST_RINGBUF, n);
    slot->batch.count = 0;
    slot->last_flush_ns = now;
}

/* Kernel mode, from a send or recv hook at `now`: the span joins this CPU's batch, so one
 * ring reservation (the costly part of a record) serves up to TCPREQ_BATCH_SPANS spans.
 * A program that interrupts another using the slot writes its span alone. */
static __always_inline void batch_span(const struct tcpreq_conn *st, __u64 now)
{
    if (!targ_batch) {
        emit_span(st);
        return;
    }
    struct tcpreq_batch_slot *slot = take_slot();
    if (!slot) {
        emit_span(st);
        return;
    }
    slot->batch.record = TCPREQ_REC_BATCH;
    __u32 n = slot->batch.count;
    if (n < TCPREQ_BATCH_SPANS) {
        fill_span(&slot->batch.spans[n], st);
        slot->batch.count = ++n;
        if (n == TCPREQ_BATCH_SPANS || now - slot->last_flush_ns > BATCH_WAIT_NS)
            send_batch(slot, now);
    } else { /* never: a full batch leaves at once */
        emit_span(st);
    }
    release_slot(slot);
}

/* Sends this CPU's batch when it stopped filling, or any batch, however young, when `force`
 * (stop); returns 1 when the slot is in use by the program this run interrupted, which leaves it
 * for the next round. Each variant's tcpreq_flush_batch program calls it: the session runs that on
 * every CPU in turn (BPF_PROG_TEST_RUN on that CPU: an interrupt there), every 100 ms and at stop,
 * so no span waits longer than that. */
static __always_inline int flush_batch(bool force)
{
    struct tcpreq_batch_slot *slot = take_slot();
    if (!slot)
        return 1;
    __u64 now = bpf_ktime_get_ns();
    if (slot->batch.count > 0 && (force || now - slot->last_flush_ns > BATCH_WAIT_NS))
        send_batch(slot, now);
    release_slot(slot);
    return 0;
}

/* sock, fentry and skb define TCPREQ_INFLIGHT_INDEX: their state cannot be walked at stop, so
 * an index of the responses in flight can. syscall and kprobe walk their state hash instead. */
#ifdef TCPREQ_INFLIGHT_INDEX
#include "tcpreq_inflight.bpf.h"
#else
static __always_inline void inflight_open(struct tcpreq_conn *st) {}
static __always_inline void inflight_move(const struct tcpreq_conn *st) {}
static __always_inline void inflight_close(const struct tcpreq_conn *st) {}
static __always_inline void inflight_release(const struct tcpreq_conn *st) {}
#endif

/* The span whose response was in flight is over (every caller checked phase == RESPONSE). */
static __always_inline void next_span(struct tcpreq_conn *st)
{
    inflight_close(st);
    st->ordinal += 1;
    st->phase = TCPREQ_PHASE_IDLE;
}

/* The response is over, seen at a close or at stop: report the span on its own. */
static __always_inline void finish_span(struct tcpreq_conn *st)
{
    if (targ_mode == TCPREQ_MODE_HISTOGRAM)
        record_histogram(st);
    else
        emit_span(st);
    next_span(st);
}

/* The response is over, seen at the next request's first byte at `now`: batch the span. */
static __always_inline void finish_span_at_request(struct tcpreq_conn *st, __u64 now)
{
    if (targ_mode == TCPREQ_MODE_HISTOGRAM)
        record_histogram(st);
    else
        batch_span(st, now);
    next_span(st);
}

/* The time of this read or write, where a span edge moves. Where targ_read_clock says the
 * kernel keeps it fresh, TCP's own cached clock serves: one load, where bpf_ktime_get_ns()
 * costs 70-80 ns on our VM.
 * - A read refreshes it (tcp_rcv_space_adjust): measured here, it trails the read's return by
 *   0.25-1 us (99% of reads).
 * - A write refreshes it where it starts transmitting (tcp_write_xmit): on loopback 4-8 us
 *   before the write returns, the peer's receive path running in between. That is taken where
 *   a write opens a span (a client's request: its bytes began to leave then), not where it moves
 *   a response, whose end is the write's return.
 * A cached time not after every edge already taken (a call that refreshed nothing: TCP held
 * the data back) falls back to the clock. */
static __always_inline __u64 edge_time(const struct tcpreq_conn *st, struct sock *sk, bool is_send, bool opening)
{
#ifdef TCPREQ_READ_CLOCK
    if (targ_read_clock && (!is_send || opening)) {
        __u64 cached = TCPREQ_READ_CLOCK(sk);
        if (cached > st->start_ns && cached > st->last_ns)
            return cached;
    }
#endif
    return bpf_ktime_get_ns();
}

/* Bytes moved on a watched connection (kernel and histogram modes). The clock is read only
 * where a span opens or a response moves: further bytes of a request need no timestamp; the
 * bytes only where a span opens (method) or its response starts (status), in kernel mode. */
static __always_inline void advance(struct tcpreq_conn *st, struct sock *sk, __u32 bytes, bool is_send, void *src)
{
    bool http = targ_http && targ_mode == TCPREQ_MODE_KERNEL;
    bool request = (st->role == TCPREQ_ROLE_SERVER) != is_send; /* server reads, client sends */
    if (request) {
        if (st->phase != TCPREQ_PHASE_REQUEST) {
            __u64 now = edge_time(st, sk, is_send, true); /* before the record: it is this read's time */
            if (st->phase == TCPREQ_PHASE_RESPONSE)
                finish_span_at_request(st, now);
            st->phase = TCPREQ_PHASE_REQUEST;
            st->start_ns = now;
            st->request_bytes = 0;
            st->response_bytes = 0;
            st->method = http ? peek_method(src, bytes) : TCPREQ_HTTP_UNKNOWN;
            st->status = 0;
        }
        st->request_bytes += bytes;
    } else if (st->phase != TCPREQ_PHASE_IDLE) {
        /* A response with no request before it (a greeting, or a connection met mid-way)
         * is not a span. */
        bool turn = st->phase == TCPREQ_PHASE_REQUEST;
        if (turn && http)
            st->status = peek_status(src, bytes);
        st->phase = TCPREQ_PHASE_RESPONSE;
        st->last_ns = edge_time(st, sk, is_send, false);
        st->response_bytes += bytes;
        if (turn)
            inflight_open(st);
        else
            inflight_move(st);
    }
}

/* User mode: an event's method or status, read only at a move whose direction differs from
 * the connection's last (the only moves that can open a request or a response in the
 * assembler's rule; phase, unused in user mode, keeps the last direction). */
static __always_inline void user_event(struct tcpreq_conn *st, __u32 bytes, bool is_send, void *src)
{
    __u8 method = 0;
    __u16 status = 0;
    if (targ_http) {
        bool request = (st->role == TCPREQ_ROLE_SERVER) != is_send;
        __u8 direction = request ? TCPREQ_PHASE_REQUEST : TCPREQ_PHASE_RESPONSE;
        if (st->phase != direction) {
            st->phase = direction;
            if (request)
                method = peek_method(src, bytes);
            else
                status = peek_status(src, bytes);
        }
    }
    emit_event(st, is_send ? TCPREQ_EV_SEND : TCPREQ_EV_RECV, bpf_ktime_get_ns(), bytes, method, status);
}

/* A send or recv of `bytes` > 0 on a connection whose state the variant found or created;
 * `src` tells the variant's tcpreq_peek where its bytes are. */
static __always_inline void tcpreq_on_data(struct tcpreq_conn *st, struct sock *sk, __u32 bytes, bool is_send, void *src)
{
    if (st->targeted == TCPREQ_TARGET_NO)
        return;
#ifdef TCPREQ_NO_TASK
    if (st->targeted != TCPREQ_TARGET_YES)
        return;
#else
    if (st->targeted == TCPREQ_TARGET_UNDECIDED) {
        tcpreq_decide(st, sk);
        if (st->targeted != TCPREQ_TARGET_YES)
            return;
    }
#endif
    if (targ_mode == TCPREQ_MODE_USER)
        user_event(st, bytes, is_send, src);
    else
        advance(st, sk, bytes, is_send, src);
}

/* The connection left ESTABLISHED or closed: a response in flight is complete. May run in
 * softirq, so it uses only what the state recorded. */
static __always_inline void tcpreq_on_close(struct tcpreq_conn *st)
{
    if (st->targeted != TCPREQ_TARGET_YES)
        return;
    if (targ_mode == TCPREQ_MODE_USER)
        emit_event(st, TCPREQ_EV_CLOSE, bpf_ktime_get_ns(), 0, 0, 0);
    else if (st->phase == TCPREQ_PHASE_RESPONSE)
        finish_span(st);
    inflight_release(st);
}

#endif
