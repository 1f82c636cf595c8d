/* What every collector shares in the kernel beyond bpf/kmon_common.bpf.h (the listen filters,
 * `lost`, log2): the stack map with its error counters, and the filters applied together. */
#ifndef KMON_COLLECTOR_COMMON_BPF_H
#define KMON_COLLECTOR_COMMON_BPF_H

#include <bpf/bpf_helpers.h>
#include "kmon_common.bpf.h"
#include "collector.h"

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

/* Whether the current task passes the listen filters. tgid is the task's process: user space
 * fills target_tgids with the explicit pids plus those whose comm matches the configured
 * regex, refreshed from /proc while running. */
static __always_inline int kmon_current_wanted(__u32 tgid)
{
    return kmon_tgid_wanted(tgid) && kmon_cgroup_wanted();
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

#endif
