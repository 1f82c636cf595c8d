/* Slots of the per-CPU `lost` counters every Kmon program keeps (bpf/kmon_common.bpf.h), shared
 * with Swift (through CKmonEvents). */
#ifndef KMON_COMMON_H
#define KMON_COMMON_H

#define KMON_LOST_RINGBUF 0  /* the ring buffer was full: a record dropped */
#define KMON_LOST_MAP_FULL 1 /* a state, histogram or hash map was full: a key not tracked */
#define KMON_LOST_SLOTS 2

#endif
