/* biostat: block I/O latency (issue to completion) and bytes, per device and per process.
 * Hooks: tp_btf/block_io_start (remembers which process queued the request), tp_btf/
 * block_rq_issue (stamps the issue time) and tp_btf/block_rq_complete (accounts it).
 * Emits: no records; totals per (device, op) in `by_device` and per (process, device, op) in
 * `by_pid`, plus log2 microsecond histograms at verbosity 2.
 * Cost per event, measured on this VM by scripts/collector-cost (kernel run stats, median ns):
 * io_start 1290, issue 1235, complete 2000 at verbosity 1 (the histogram at 2 adds nothing
 * measurable): ~4.5 us per request, small next to the I/O itself (tens of us and more). */
#include "collector_types.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "collector_common.bpf.h"
#include "biostat.h"

#define REQ_OP_MASK 0xff

/* Who queued the request; the issue may run later on a kworker. */
struct biostat_owner {
    __u32 tgid;
    __u32 _pad;
    char comm[16];
};

struct biostat_start {
    __u64 timestamp_ns;
    struct biostat_owner owner;
};

const volatile __u32 targ_histograms = 0;

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH); /* a request that never completes must not pin a slot */
    __uint(max_entries, 16384);
    __type(key, __u64);
    __type(value, struct biostat_owner);
} owners SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH); /* a request that never completes must not pin a slot */
    __uint(max_entries, 16384);
    __type(key, __u64);
    __type(value, struct biostat_start);
} start SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, struct biostat_dev_key);
    __type(value, struct biostat_stats);
} by_device SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8192);
    __type(key, struct biostat_pid_key);
    __type(value, struct biostat_stats);
} by_pid SEC(".maps");

static __always_inline __u32 request_dev(struct request *rq)
{
    struct gendisk *disk = BPF_CORE_READ(rq, q, disk);
    if (!disk)
        return 0;
    return ((__u32)BPF_CORE_READ(disk, major) << 20) | (__u32)BPF_CORE_READ(disk, first_minor);
}

static __always_inline void remember_owner(struct request *rq)
{
    __u64 key = (__u64)rq;
    struct biostat_owner owner = { .tgid = bpf_get_current_pid_tgid() >> 32 };
    bpf_get_current_comm(&owner.comm, sizeof(owner.comm));
    if (bpf_map_update_elem(&owners, &key, &owner, BPF_ANY))
        kmon_lost(KMON_LOST_MAP_FULL, 1);
}

static __always_inline void issued(struct request *rq)
{
    __u64 key = (__u64)rq;
    struct biostat_start s = { .timestamp_ns = bpf_ktime_get_ns() };
    struct biostat_owner *owner = bpf_map_lookup_elem(&owners, &key);
    if (owner) {
        s.owner = *owner;
        bpf_map_delete_elem(&owners, &key);
    } else {
        /* Not seen at block_io_start (e.g. a flush): the issuing task is the best owner. */
        s.owner.tgid = bpf_get_current_pid_tgid() >> 32;
        bpf_get_current_comm(&s.owner.comm, sizeof(s.owner.comm));
    }
    /* The filters apply to the owner; the cgroup filter only where the owner is current. */
    if (!kmon_tgid_wanted(s.owner.tgid))
        return;
    if (!owner && !kmon_current_wanted(s.owner.tgid))
        return;
    if (bpf_map_update_elem(&start, &key, &s, BPF_ANY))
        kmon_lost(KMON_LOST_MAP_FULL, 1);
}

static __always_inline void account(void *map, void *key, struct biostat_start *s, __u64 delta, __u32 bytes)
{
    struct biostat_stats *st = bpf_map_lookup_elem(map, key);
    if (!st) {
        static const struct biostat_stats zero;
        bpf_map_update_elem(map, key, &zero, BPF_NOEXIST);
        st = bpf_map_lookup_elem(map, key);
        if (!st) {
            kmon_lost(KMON_LOST_MAP_FULL, 1);
            return;
        }
        __builtin_memcpy(st->comm, s->owner.comm, sizeof(st->comm));
    }
    if (targ_histograms)
        __sync_fetch_and_add(&st->slots[kmon_log2_slot(delta / 1000, KMON_LOG2_SLOTS)], 1);
    __sync_fetch_and_add(&st->count, 1);
    __sync_fetch_and_add(&st->bytes, bytes);
    __sync_fetch_and_add(&st->total_ns, delta);
    if (delta > st->max_ns)
        st->max_ns = delta; /* racy by design: a lost max under contention is acceptable */
}

static __always_inline void completed(struct request *rq, unsigned int nr_bytes)
{
    __u64 key = (__u64)rq;
    struct biostat_start *s = bpf_map_lookup_elem(&start, &key);
    if (!s)
        return;
    struct biostat_start copy = *s;
    bpf_map_delete_elem(&start, &key);
    __u64 delta = bpf_ktime_get_ns() - copy.timestamp_ns;
    __u32 dev = request_dev(rq), op = BPF_CORE_READ(rq, cmd_flags) & REQ_OP_MASK;
    struct biostat_dev_key dkey = { .dev = dev, .op = op };
    struct biostat_pid_key pkey = { .tgid = copy.owner.tgid, .dev = dev, .op = op };
    account(&by_device, &dkey, &copy, delta, nr_bytes);
    account(&by_pid, &pkey, &copy, delta, nr_bytes);
}

SEC("tp_btf/block_io_start")
int BPF_PROG(biostat_io_start, struct request *rq)
{
    remember_owner(rq);
    return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(biostat_issue, struct request *rq)
{
    issued(rq);
    return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(biostat_complete, struct request *rq, int error, unsigned int nr_bytes)
{
    completed(rq, nr_bytes);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
