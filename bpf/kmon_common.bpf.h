/* What every Kmon program shares in the kernel, tcpreq (bpf/tcpreq.bpf.h) and the collectors
 * (bpf/collector_common.bpf.h) alike: protocol constants, the `lost` counters, the listen
 * filters and log2 slots.
 *
 * Filters (each off unless user space sets its targ_*):
 * - targ_filter_tgids: only tasks whose tgid is in `target_tgids`;
 * - targ_filter_cgroup: only tasks in the cgroup v2 subtree of `target_cgroup[0]` (the cgroup
 *   itself and every cgroup below it: bpf_current_task_under_cgroup). User space puts the
 *   directory's fd in slot 0 after load;
 * - targ_filter_cgroup_ids: only tasks (or sockets) whose own cgroup v2 id is in
 *   `target_cgroup_ids` (--container, --pod): user space keeps the set current as containers
 *   come and go (Sources/KmonTcpreq/ContainerFilterFeeder.swift).
 * An includer may size the tgid set with KMON_TGID_FILTER_ENTRIES before including. */
#ifndef KMON_COMMON_BPF_H
#define KMON_COMMON_BPF_H

#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include "kmon_common.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define SOCK_STREAM 1
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

/* include/net/tcp_states.h */
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_SYN_RECV 3
#define TCP_CLOSE 7
#define TCP_LISTEN 10

#define KMON_ENOMEM 12
#define KMON_EEXIST 17

#ifndef KMON_TGID_FILTER_ENTRIES
#define KMON_TGID_FILTER_ENTRIES 8192
#endif

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, KMON_LOST_SLOTS);
    __type(key, __u32);
    __type(value, __u64);
} lost SEC(".maps");

/* tgids to watch, when targ_filter_tgids is set (value unused). */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, KMON_TGID_FILTER_ENTRIES);
    __type(key, __u32);
    __type(value, __u8);
} target_tgids SEC(".maps");

/* Slot 0 holds the cgroup whose subtree is watched, when targ_filter_cgroup is set. */
struct {
    __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} target_cgroup SEC(".maps");

/* Cgroup ids to watch, when targ_filter_cgroup_ids is set (value unused). */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u64);
    __type(value, __u8);
} target_cgroup_ids SEC(".maps");

const volatile __u32 targ_filter_tgids = 0;
const volatile __u32 targ_filter_cgroup_ids = 0;
const volatile __u32 targ_filter_cgroup = 0;

/* Adds `n` to slot `slot` of a per-CPU counter array. */
static __always_inline void kmon_add(void *map, __u32 slot, __u64 n)
{
    __u64 *v = bpf_map_lookup_elem(map, &slot);
    if (v)
        *v += n;
}

static __always_inline void kmon_count(void *map, __u32 slot)
{
    kmon_add(map, slot, 1);
}

/* `n` records or keys lost, by cause (KMON_LOST_RINGBUF, KMON_LOST_MAP_FULL). */
static __always_inline void kmon_lost(__u32 cause, __u64 n)
{
    kmon_add(&lost, cause, n);
}

static __always_inline bool kmon_tgid_wanted(__u32 tgid)
{
    return !targ_filter_tgids || bpf_map_lookup_elem(&target_tgids, &tgid);
}

/* Whether the current task is in the watched cgroup subtree. */
static __always_inline bool kmon_cgroup_wanted(void)
{
    return !targ_filter_cgroup || bpf_current_task_under_cgroup(&target_cgroup, 0) == 1;
}

/* Whether cgroup `id` (bpf_get_current_cgroup_id, bpf_skb_cgroup_id) is in the watched set. */
static __always_inline bool kmon_cgroup_id_wanted(__u64 id)
{
    return !targ_filter_cgroup_ids || bpf_map_lookup_elem(&target_cgroup_ids, &id);
}

/* floor(log2(v)), 0 for v <= 1, capped to the last of `slots`: slot i counts [2^i, 2^(i+1)). */
static __always_inline __u32 kmon_log2_slot(__u64 v, __u32 slots)
{
    __u32 r = 0, shift;
    shift = (v > 0xFFFFFFFF) << 5; v >>= shift; r |= shift;
    shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
    shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
    shift = (v > 0xF) << 2; v >>= shift; r |= shift;
    shift = (v > 0x3) << 1; v >>= shift; r |= shift;
    r |= (v >> 1);
    return r < slots ? r : slots - 1;
}

#endif
