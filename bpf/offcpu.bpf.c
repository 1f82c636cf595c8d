/* offcpu: how long each watched thread stays off the CPU, as log2 histograms.
 * Hook: tp_btf/sched_switch, every context switch on the machine.
 * Emits: no records; per-thread histograms in `hists`, and at verbosity >= 2 total off-CPU time
 * per (thread, kernel stack[, user stack]) in `stack_time`, read by user space on demand.
 * Cost per event, measured on this VM by scripts/collector-cost (kernel run stats, median ns per
 * switch, every thread watched): 508 ns at verbosity 1, 4252 ns at 2 (kernel stack walk), 6206 ns
 * at 3 (plus user stack). At 60k switches/s, level 1 is ~3% of one CPU: filter by pid/cgroup on
 * busy machines; an unwatched thread costs one hash lookup. */
#include "collector_types.bpf.h"
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "collector_common.bpf.h"
#include "offcpu.h"

/* When a watched thread left the CPU, and where; 0 when it is on the CPU. */
struct offcpu_start {
    __u64 timestamp_ns;
    __s32 kernel_stack;
    __s32 user_stack;
};

const volatile __u32 targ_state_mask = 0xffffffff;
const volatile __u64 targ_min_ns = 0;
const volatile __u64 targ_max_ns = ~0ULL;
const volatile __u32 targ_kernel_stacks = 0;
const volatile __u32 targ_user_stacks = 0;

/* Kept on the task itself: no hash insert and delete per switch, and freed with the task. */
struct {
    __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, struct offcpu_start);
} start SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8192);
    __type(key, struct offcpu_thread_key);
    __type(value, struct offcpu_hist);
} hists SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, struct offcpu_stack_key);
    __type(value, struct offcpu_stack_value);
} stack_time SEC(".maps");

static __always_inline int state_wanted(unsigned int prev_state)
{
    __u32 bits = prev_state ? (prev_state & (OFFCPU_STATE_INTERRUPTIBLE | OFFCPU_STATE_UNINTERRUPTIBLE))
                            : OFFCPU_STATE_PREEMPTED;
    return (bits & targ_state_mask) != 0;
}

/* prev is the current task here, so the filters and stacks apply to it. */
static __always_inline void switched_out(void *ctx, struct task_struct *prev, unsigned int prev_state)
{
    __u32 tgid = BPF_CORE_READ(prev, tgid), tid = BPF_CORE_READ(prev, pid);
    if (tid == 0 || !state_wanted(prev_state) || !kmon_current_wanted(tgid))
        return;
    struct offcpu_start *s = bpf_task_storage_get(&start, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (!s) {
        kmon_lost(KMON_LOST_MAP_FULL, 1);
        return;
    }
    s->kernel_stack = targ_kernel_stacks ? kmon_stack_id(ctx, 0) : -1;
    s->user_stack = targ_user_stacks && !kmon_is_kthread(prev) ? kmon_stack_id(ctx, BPF_F_USER_STACK) : -1;
    s->timestamp_ns = bpf_ktime_get_ns();
}

static __always_inline struct offcpu_hist *thread_hist(struct offcpu_thread_key *key, struct task_struct *task)
{
    struct offcpu_hist *h = bpf_map_lookup_elem(&hists, key);
    if (h)
        return h;
    static const struct offcpu_hist zero;
    if (bpf_map_update_elem(&hists, key, &zero, BPF_NOEXIST) && bpf_map_lookup_elem(&hists, key) == 0) {
        kmon_lost(KMON_LOST_MAP_FULL, 1);
        return 0;
    }
    h = bpf_map_lookup_elem(&hists, key);
    if (h)
        BPF_CORE_READ_STR_INTO(&h->comm, task, comm);
    return h;
}

static __always_inline void switched_in(struct task_struct *next)
{
    struct offcpu_start *s = bpf_task_storage_get(&start, next, 0, 0);
    if (!s || !s->timestamp_ns)
        return;
    __u32 tid = BPF_CORE_READ(next, pid);
    __u64 delta = bpf_ktime_get_ns() - s->timestamp_ns;
    struct offcpu_stack_key skey = {
        .tgid = BPF_CORE_READ(next, tgid), .tid = tid,
        .kernel_stack = s->kernel_stack, .user_stack = s->user_stack,
    };
    s->timestamp_ns = 0;
    if (delta < targ_min_ns || delta > targ_max_ns)
        return;

    struct offcpu_thread_key key = { .tgid = skey.tgid, .tid = tid };
    struct offcpu_hist *h = thread_hist(&key, next);
    if (h) {
        __sync_fetch_and_add(&h->slots[kmon_log2_slot(delta / 1000, KMON_LOG2_SLOTS)], 1);
        __sync_fetch_and_add(&h->count, 1);
        __sync_fetch_and_add(&h->total_ns, delta);
    }
    if (!targ_kernel_stacks && !targ_user_stacks)
        return;
    struct offcpu_stack_value *v = bpf_map_lookup_elem(&stack_time, &skey);
    if (!v) {
        struct offcpu_stack_value first = { .total_ns = delta, .count = 1 };
        if (bpf_map_update_elem(&stack_time, &skey, &first, BPF_NOEXIST) == 0)
            return;
        v = bpf_map_lookup_elem(&stack_time, &skey);
        if (!v) {
            kmon_lost(KMON_LOST_MAP_FULL, 1);
            return;
        }
    }
    __sync_fetch_and_add(&v->total_ns, delta);
    __sync_fetch_and_add(&v->count, 1);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(offcpu_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
             unsigned int prev_state)
{
    switched_out(ctx, prev, prev_state);
    switched_in(next);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
