/* Event layout shared by bpf/selftest.bpf.c and Swift (through CKmonEvents). */
#ifndef KMON_SELFTEST_H
#define KMON_SELFTEST_H

#include <linux/types.h>

/* One socket send by the target process. Widest fields first; no hidden padding. */
struct selftest_event {
    __u64 timestamp_ns; /* bpf_ktime_get_ns(), CLOCK_MONOTONIC */
    __u64 cookie;       /* socket cookie */
    __u32 tgid;
    __u32 tid;
    __s32 bytes;        /* return value of sock_sendmsg: bytes sent, or -errno */
    __u32 flags;
};

_Static_assert(sizeof(struct selftest_event) == 32, "selftest_event layout changed");

#endif
