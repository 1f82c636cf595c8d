#ifndef KMON_CKMONEVENTS_H
#define KMON_CKMONEVENTS_H

/* The records and map keys Kmon's BPF programs share with user space. bpf/include is their
 * only definition; this module only makes them visible to Swift. No libbpf here. */
#include "../../../bpf/include/kmon_common.h"
#include "../../../bpf/include/selftest.h"
#include "../../../bpf/include/tcpreq.h"
#include "../../../bpf/include/tcpreq_http.h"
#include "../../../bpf/include/collector.h"
#include "../../../bpf/include/tcpdrop.h"
#include "../../../bpf/include/offcpu.h"
#include "../../../bpf/include/biostat.h"
#include "../../../bpf/include/fcount.h"

#endif
