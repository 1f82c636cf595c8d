/* fcount layout, shared by bpf/fcount.bpf.c and Swift: one u64 counter slot per attachment,
 * in a per-CPU array indexed by the attachment's BPF cookie. */
#ifndef KMON_FCOUNT_H
#define KMON_FCOUNT_H

#include <linux/types.h>

#define FCOUNT_MAX_EVENTS 256

#endif
