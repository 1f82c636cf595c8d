/* Layouts every collector shares with Swift (through CKmonEvents): histogram shape, stack depth,
 * and the slots of the stack_errors counter. Fixed-width types only, widest first. */
#ifndef KMON_COLLECTOR_H
#define KMON_COLLECTOR_H

#include <linux/types.h>
#include "kmon_common.h" /* the `lost` slots */

/* log2 histogram: slot i counts values in [2^i, 2^(i+1)), slot 0 also counts 0. */
#define KMON_LOG2_SLOTS 32
/* Frames kept per stack in the stack map (value = KMON_STACK_DEPTH u64 addresses). */
#define KMON_STACK_DEPTH 64

/* Index into the per-CPU stack_errors array, by what bpf_get_stackid returned. */
#define KMON_STACK_ERR_EEXIST 0 /* hash bucket held another stack: stack lost */
#define KMON_STACK_ERR_ENOMEM 1 /* stack map full */
#define KMON_STACK_ERR_OTHER 2  /* e.g. -EFAULT: no user context to walk */
#define KMON_STACK_ERR_SLOTS 3

#endif
