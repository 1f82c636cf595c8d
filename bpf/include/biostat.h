/* biostat map layouts, shared by bpf/biostat.bpf.c and Swift. Widest first, padding explicit. */
#ifndef KMON_BIOSTAT_H
#define KMON_BIOSTAT_H

#include <linux/types.h>
#include "collector.h"

/* Key of `by_device`: dev is the kernel's dev_t (major << 20 | minor); op is REQ_OP_* (0 read,
 * 1 write, 2 flush, 3 discard, ...). */
struct biostat_dev_key {
    __u32 dev;
    __u32 op;
};

/* Key of `by_pid`: the process that queued the I/O. */
struct biostat_pid_key {
    __u32 tgid;
    __u32 dev;
    __u32 op;
    __u32 _pad;
};

/* Value of both maps. slots (log2 microseconds of issue→complete) only at verbosity 2. */
struct biostat_stats {
    __u64 slots[KMON_LOG2_SLOTS];
    __u64 count;
    __u64 bytes;
    __u64 total_ns;
    __u64 max_ns;
    char comm[16];
};

_Static_assert(sizeof(struct biostat_dev_key) == 8, "biostat_dev_key layout changed");
_Static_assert(sizeof(struct biostat_pid_key) == 16, "biostat_pid_key layout changed");
_Static_assert(sizeof(struct biostat_stats) == 304, "biostat_stats layout changed");

#endif
