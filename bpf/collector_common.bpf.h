/* What every collector shares in the kernel: the listen filters (pid set, cgroup), the stack
 * map with its error counters, the `lost` counters, and log2 slots. */
#ifndef KMON_COLLECTOR_COMMON_BPF_H
#define KMON_COLLECTOR_COMMON_BPF_H

#include <bpf/bpf_helpers.h>
#include "collector.h"

#define KMON_EEXIST 17
#define KMON_ENOMEM 12

/* tgids to watch, when targ_filter_pids is set. User space fills it: explicit pids, plus the
 * pids whose comm matches the configured regex, refreshed from /proc while running. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8192);
    __type(key, __u32);
    __type(value, __u8);
} filter_pids SEC(".maps");

/* Stacks, when the verbosity asks for them; user space sizes it to 1 entry otherwise. */
struct {
    __uint(type, BPF_MAP_TYPE_STACK_TRACE);
    __uint(max_entries, 16384);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, KMON_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, KMON_STACK_ERR_SLOTS);
    __type(key, __u32);
    __type(value, __u64);
} stack_errors SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, KMON_LOST_SLOTS);
    __type(key, __u32);
    __type(value, __u64);
} lost SEC(".maps");

const volatile __u32 targ_filter_pids = 0;
const volatile __u64 targ_cgroup_id = 0;

static __always_inline void kmon_count(void *map, __u32 slot)
{
    __u64 *n = bpf_map_lookup_elem(map, &slot);
    if (n)
        *n += 1;
}

/* Whether the current task passes the listen filters. tgid is the task's process. */
static __always_inline int kmon_current_wanted(__u32 tgid)
{
    if (targ_filter_pids && !bpf_map_lookup_elem(&filter_pids, &tgid))
        return 0;
    if (targ_cgroup_id && bpf_get_current_cgroup_id() != targ_cgroup_id)
        return 0;
    return 1;
}

/* Stack id of the current task, or -1 with the failure counted by cause. */
static __always_inline __s32 kmon_stack_id(void *ctx, __u64 flags)
{
    long id = bpf_get_stackid(ctx, &stacks, flags);
    if (id >= 0)
        return (__s32)id;
    kmon_count(&stack_errors, id == -KMON_EEXIST ? KMON_STACK_ERR_EEXIST
                              : id == -KMON_ENOMEM ? KMON_STACK_ERR_ENOMEM
                                                   : KMON_STACK_ERR_OTHER);
    return -1;
}

/* floor(log2(v)), capped to the last slot; 0 for v <= 1. */
static __always_inline __u32 kmon_log2_slot(__u64 v)
{
    __u32 slot = 0;
#pragma unroll
    for (int shift = 32; shift > 0; shift >>= 1) {
        if (v >= (1ULL << shift)) {
            v >>= shift;
            slot += shift;
        }
    }
    return slot < KMON_LOG2_SLOTS ? slot : KMON_LOG2_SLOTS - 1;
}

#endif
