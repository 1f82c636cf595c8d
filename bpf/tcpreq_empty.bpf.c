/* tcpreq, empty variant: the sock variant's three hooks with programs that return at once.
 * Hooks: tp_btf/sock_recv_length, tp_btf/sock_send_length, tp_btf/inet_sock_set_state.
 * Emits nothing. Cost per run: the hook's fixed cost alone (40-58 ns on our VM), which the
 * bench subtracts to see what the sock variant's own work costs. */
#include "kmon_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "kmon_inject.bpf.h"

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tcpreq_recv) { kmon_inject(); return 0; }

SEC("tp_btf/sock_send_length")
int BPF_PROG(tcpreq_send) { kmon_inject(); return 0; }

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcpreq_state) { kmon_inject(); return 0; }

char LICENSE[] SEC("license") = "GPL";
