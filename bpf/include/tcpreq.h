/* Layouts shared by bpf/tcpreq_*.bpf.c and Swift (through CKmonEvents): the only place they are
 * written. Widest fields first, padding explicit, sizes pinned by _Static_assert and by a
 * Swift MemoryLayout test. Addresses are 16 bytes; IPv4 sits in the first 4 (family says which). */
#ifndef KMON_TCPREQ_H
#define KMON_TCPREQ_H

#include <linux/types.h>

/* Span modes, set in targ_mode before load. */
#define TCPREQ_MODE_USER 0      /* raw events to the ring, spans assembled in Swift */
#define TCPREQ_MODE_KERNEL 1    /* state machine in the kernel, one ring record per span */
#define TCPREQ_MODE_HISTOGRAM 2 /* state machine in the kernel, log2 histograms, no records */

/* Slots of the per-CPU `state_counts` array (bpf/tcpreq.bpf.h). The LRU state maps of the
 * syscall, kprobe and skb variants evict their oldest entry, silently, when full: user space
 * finds how many as inserts - deletes - entries present. */
#define TCPREQ_COUNT_STATE_INSERTS 0
#define TCPREQ_COUNT_STATE_DELETES 1
#define TCPREQ_COUNT_LISTENERS_FULL 2 /* a listener that opened while `listeners` was full */
/* Spans whose response is in flight with no room in the in-flight index (sock, fentry, skb):
 * +1 at the turn that found none, -1 when that span closes, so its sum at stop is the spans
 * the stop-time walk cannot close. Per-CPU parts may wrap; only their sum means anything. */
#define TCPREQ_COUNT_INFLIGHT_UNINDEXED 3
#define TCPREQ_COUNT_SLOTS 4

/* Connection roles. */
#define TCPREQ_ROLE_UNKNOWN 0
#define TCPREQ_ROLE_SERVER 1 /* accepted socket: it reads requests and writes responses */
#define TCPREQ_ROLE_CLIENT 2 /* connected socket: it writes requests and reads responses */

/* Flags (tcpreq_span.flags, tcpreq_event.flags). Kmon did not see the connection's handshake
 * (it was open before Kmon attached), so its first span may have begun before: */
#define TCPREQ_SPAN_PARTIAL 1 /* span: this is such a first span (ordinal 0), left out of latencies */
#define TCPREQ_EV_MIDWAY 1    /* event: the connection is such a one; its ordinal 0 span is partial */

/* Ring record kinds: the first 4 bytes of every record. */
#define TCPREQ_REC_EVENT 1 /* struct tcpreq_event (user mode) */
#define TCPREQ_REC_SPAN 2  /* struct tcpreq_span (kernel mode) */
#define TCPREQ_REC_BATCH 3 /* struct tcpreq_batch (kernel mode): spans closed on one CPU */

/* What a raw event saw. */
#define TCPREQ_EV_RECV 1  /* bytes read by the application */
#define TCPREQ_EV_SEND 2  /* bytes written by the application */
#define TCPREQ_EV_CLOSE 3 /* connection left ESTABLISHED or was closed: flush what is pending */

/* HTTP/1.x request methods (method fields): the raw values of HTTPMethod
 * (Sources/KmonSystem/HTTP/HTTPMethod.swift), so a record's byte decodes straight into it. */
#define TCPREQ_HTTP_UNKNOWN 0    /* nothing read: reading is off, or no buffer to read */
#define TCPREQ_HTTP_GET 1
#define TCPREQ_HTTP_HEAD 2
#define TCPREQ_HTTP_POST 3
#define TCPREQ_HTTP_PUT 4
#define TCPREQ_HTTP_DELETE 5
#define TCPREQ_HTTP_OPTIONS 6
#define TCPREQ_HTTP_PATCH 7
#define TCPREQ_HTTP_CONNECT 8
#define TCPREQ_HTTP_TRACE 9
#define TCPREQ_HTTP_OTHER 10     /* Swift's; the kernel says NOT_HTTP for any other token */
#define TCPREQ_HTTP_NOT_HTTP 255 /* bytes were read and start no HTTP/1.x request */
/* The most bytes read from a request's or a response's start (the status line needs 12). */
#define TCPREQ_HTTP_PEEK 16

/* One connection endpoint pair, seen from the socket's own side: s = local, d = remote. */
struct tcpreq_tuple {
    __u8 saddr[16];
    __u8 daddr[16];
    __u16 sport; /* host order */
    __u16 dport; /* host order */
    __u16 family; /* AF_INET or AF_INET6 */
    __u16 pad;
};

/* A connection's progress through its current span (conn_state.phase). */
#define TCPREQ_PHASE_IDLE 0
#define TCPREQ_PHASE_REQUEST 1  /* request bytes are flowing */
#define TCPREQ_PHASE_RESPONSE 2 /* response bytes are flowing; the next request byte closes the span */

/* Whether a connection is watched (conn_state.targeted), decided at its first data. */
#define TCPREQ_TARGET_UNDECIDED 0 /* seen at the handshake, no data yet */
#define TCPREQ_TARGET_YES 1
#define TCPREQ_TARGET_NO 2

/* Per-connection state, kept by the programs in socket-local storage or a hash map. Shared
 * because user space reads it at stop, to close responses still in flight: the hash maps of
 * syscall and kprobe, and the in-flight index of sock, fentry and skb, whose slots are copies
 * of this struct (bpf/tcpreq_inflight.bpf.h). */
struct tcpreq_conn {
    __u64 start_ns;
    __u64 last_ns;
    __u64 cookie;
    __u32 request_bytes;
    __u32 response_bytes;
    __u32 ordinal;
    __u32 tgid;
    __u32 hist_slot; /* histogram mode: 1 + this connection's index in `hists`, 0 until known */
    __u8 role;
    __u8 phase;
    __u8 targeted;
    __u8 seen_handshake; /* 1: the role came from the handshake; 0: met mid-way, first span partial */
    char comm[16]; /* the owner's name, taken in process context: spans may close in softirq */
    struct tcpreq_tuple tuple;
    /* The span's HTTP method (TCPREQ_HTTP_*, read where it opens) and status (read at its
     * first response move; 0: none). */
    __u16 status;
    __u8 method;
    __u8 pad[5];
};

/* One send, recv or close on a targeted TCP socket (user mode). */
struct tcpreq_event {
    __u32 record;      /* TCPREQ_REC_EVENT */
    __u32 kind;        /* TCPREQ_EV_* */
    __u64 timestamp_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
    __u64 cookie;      /* socket cookie: the connection's identity */
    __u32 tgid;
    __u32 tid;
    __u32 bytes;       /* bytes moved; 0 for close */
    __u16 role;        /* TCPREQ_ROLE_* as the kernel knows it */
    __u16 flags;       /* TCPREQ_EV_MIDWAY */
    struct tcpreq_tuple tuple;
    /* Parsed from this move's first bytes where it turned the connection's direction (the only
     * moves that can open a request or a response): a request's method or a response's status;
     * 0 elsewhere. */
    __u16 status;
    __u8 method;
    __u8 pad[5];
};

/* One completed request/response on a connection (kernel mode). */
struct tcpreq_span {
    __u32 record;      /* TCPREQ_REC_SPAN */
    __u16 role;        /* TCPREQ_ROLE_SERVER or TCPREQ_ROLE_CLIENT */
    __u16 flags;       /* TCPREQ_SPAN_PARTIAL */
    __u64 start_ns;    /* first request byte read (server) or sent (client) */
    __u64 end_ns;      /* last response byte written (server) or read (client) */
    __u64 cookie;
    __u32 request_bytes;
    __u32 response_bytes;
    __u32 ordinal;     /* 0-based index of this request on its connection, as Kmon saw it */
    __u32 tgid;        /* process that owns the socket (first to use it) */
    char comm[16];     /* that process's name */
    struct tcpreq_tuple tuple;
    __u16 status;      /* the response's status code; 0: none read */
    __u8 method;       /* TCPREQ_HTTP_* */
    __u8 pad[5];
};

/* Spans that one CPU closed, written to the ring together: one ring reservation per batch
 * instead of one per span (kernel mode). The record holds `count` spans, not the whole array. */
#define TCPREQ_BATCH_SPANS 16

struct tcpreq_batch {
    __u32 record;      /* TCPREQ_REC_BATCH */
    __u32 count;       /* spans[0..count) are filled */
    struct tcpreq_span spans[TCPREQ_BATCH_SPANS];
};

/* One CPU's batch as it fills (map `pending_spans`, per CPU). User space reads it too, to run
 * the flush program only on CPUs whose batch stopped filling (BatchFlusher.swift). */
struct tcpreq_batch_slot {
    __u64 last_flush_ns;
    __u32 busy; /* a program on this CPU is using the slot: one that interrupts it must not */
    __u32 pad;
    struct tcpreq_batch batch;
};

/* In-kernel histograms (histogram mode). A server key is the service's listening endpoint;
 * a client key is the remote endpoint it calls. tgid names the process that observed it. */
#define TCPREQ_HIST_SLOTS 40 /* log2 of nanoseconds: slot i holds [2^i, 2^(i+1)) ns */

struct tcpreq_hist_key {
    __u8 addr[16];     /* server: local address; client: remote address */
    __u32 tgid;
    __u16 port;        /* server: local port; client: remote port (host order) */
    __u16 family;
    __u32 role;
    __u32 pad;
};

struct tcpreq_hist {
    __u64 count;
    __u64 total_ns;
    __u64 request_bytes;
    __u64 response_bytes;
    __u64 slots[TCPREQ_HIST_SLOTS];
};

/* Filters shared by the programs, keyed for BPF hash maps. */
struct tcpreq_port_key {
    __u16 port; /* host order */
    __u16 pad;
};

/* A listening TCP endpoint (map `listeners`, value: how many sockets listen there): a
 * connection whose handshake Kmon did not see is a server exactly when its local endpoint, or
 * the wildcard address on its port, is listed in its network namespace. */
struct tcpreq_listen_key {
    __u8 addr[16];     /* network order, IPv4 in the first 4 bytes; all zero: 0.0.0.0 or :: */
    __u32 netns;       /* network namespace inode (ns.inum, as /proc/PID/ns/net names it) */
    __u16 port;        /* host order */
    __u16 family;      /* AF_INET or AF_INET6 */
};

_Static_assert(sizeof(struct tcpreq_tuple) == 40, "tcpreq_tuple layout changed");
_Static_assert(sizeof(struct tcpreq_conn) == 112, "tcpreq_conn layout changed");
/* Socket storage puts a value 8 bytes into a cache line of its own (the kernel's
 * bpf_local_storage_data: the map pointer its lookup checks, then the value): what every run
 * reads or writes, up to seen_handshake, shares that line; comm and tuple, read only where a
 * connection is decided or a span ends, come after. */
_Static_assert(__builtin_offsetof(struct tcpreq_conn, seen_handshake) < 56, "tcpreq_conn hot fields left the first cache line");
_Static_assert(sizeof(struct tcpreq_event) == 88, "tcpreq_event layout changed");
_Static_assert(__builtin_offsetof(struct tcpreq_event, flags) == 38, "tcpreq_event layout changed");
_Static_assert(sizeof(struct tcpreq_span) == 112, "tcpreq_span layout changed");
_Static_assert(__builtin_offsetof(struct tcpreq_span, flags) == 6, "tcpreq_span layout changed");
_Static_assert(sizeof(struct tcpreq_listen_key) == 24, "tcpreq_listen_key layout changed");
_Static_assert(sizeof(struct tcpreq_batch) == 8 + 112 * TCPREQ_BATCH_SPANS, "tcpreq_batch layout changed");
_Static_assert(sizeof(struct tcpreq_batch_slot) == 16 + sizeof(struct tcpreq_batch), "tcpreq_batch_slot layout changed");
_Static_assert(sizeof(struct tcpreq_hist_key) == 32, "tcpreq_hist_key layout changed");
_Static_assert(sizeof(struct tcpreq_hist) == 32 + 8 * TCPREQ_HIST_SLOTS, "tcpreq_hist layout changed");

#endif
