/* offcpu map layouts, shared by bpf/offcpu.bpf.c and Swift. Widest first, padding explicit. */
#ifndef KMON_OFFCPU_H
#define KMON_OFFCPU_H

#include <linux/types.h>
#include "collector.h"

/* Task states for targ_state_mask. prev_state 0 (still runnable: preempted) has no bit of
 * its own in the kernel, so it gets the top bit here. */
#define OFFCPU_STATE_INTERRUPTIBLE 0x1u   /* TASK_INTERRUPTIBLE: sleeping (S) */
#define OFFCPU_STATE_UNINTERRUPTIBLE 0x2u /* TASK_UNINTERRUPTIBLE: waiting on I/O and the like (D) */
#define OFFCPU_STATE_PREEMPTED 0x80000000u

/* Key of `hists`: one off-CPU histogram per thread. */
struct offcpu_thread_key {
    __u32 tgid;
    __u32 tid;
};

/* Value of `hists`: off-CPU time in log2 microsecond slots, plus totals. */
struct offcpu_hist {
    __u64 slots[KMON_LOG2_SLOTS];
    __u64 count;
    __u64 total_ns;
    char comm[16];
};

/* Key of `stack_time` (verbosity >= 2): where the thread was when it left the CPU.
 * A stack id is -1 when not collected or lost (see stack_errors). */
struct offcpu_stack_key {
    __u32 tgid;
    __u32 tid;
    __s32 kernel_stack;
    __s32 user_stack;
};

struct offcpu_stack_value {
    __u64 total_ns;
    __u64 count;
};

_Static_assert(sizeof(struct offcpu_thread_key) == 8, "offcpu_thread_key layout changed");
_Static_assert(sizeof(struct offcpu_hist) == 288, "offcpu_hist layout changed");
_Static_assert(sizeof(struct offcpu_stack_key) == 16, "offcpu_stack_key layout changed");
_Static_assert(sizeof(struct offcpu_stack_value) == 16, "offcpu_stack_value layout changed");

#endif
