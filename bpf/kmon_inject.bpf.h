/* SPDX-License-Identifier: GPL-2.0 */
/* Calibrated extra work at the start of every tcpreq program, for proving the CI gate's power
 * (docs/ci.md): `kmon bench --inject-ns N` sets targ_inject_loops so that each run spends about
 * N ns more. Zero in normal use, where the loop costs one load and one compare. The loader
 * freezes the value before verification, so the verifier sees a constant bound. */
#ifndef KMON_INJECT_BPF_H
#define KMON_INJECT_BPF_H

#define KMON_INJECT_MAX_LOOPS 100000

const volatile __u32 targ_inject_loops = 0;

static __always_inline void kmon_inject(void)
{
    for (__u32 i = 0; i < targ_inject_loops && i < KMON_INJECT_MAX_LOOPS; i++)
        asm volatile("" ::: "memory");
}

#endif
