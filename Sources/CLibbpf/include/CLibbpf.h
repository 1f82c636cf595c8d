#ifndef KMON_CLIBBPF_H
#define KMON_CLIBBPF_H

#include <stddef.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

/* The event layouts shared with the BPF programs are in CKmonEvents. */

/* libbpf prints through a va_list callback that Swift cannot implement; this shim formats each
 * message and hands Swift a plain string. */
typedef void (*kmon_log_sink)(int level, const char *message);
void kmon_libbpf_set_log_sink(kmon_log_sink sink);

/* Sets a `const volatile` global in .rodata (a targ_* setting) by name, before load.
 * Returns 0, or -ENOENT when no such variable exists, or -EINVAL on a size mismatch. */
int kmon_set_rodata(struct bpf_object *obj, const char *name, const void *value, size_t size);

/* tc (clsact) attach and detach. Filled in from Swift, bpf_tc_hook_create answered EINVAL
 * where the same call from C worked, so the opts structs are built here. `created` reports whether we added the
 * clsact qdisc (and so must remove it on detach). */
int kmon_tc_attach(int ifindex, int ingress, int prog_fd, __u32 *handle, __u32 *priority, int *created);
int kmon_tc_detach(int ifindex, int ingress, __u32 handle, __u32 priority, int destroy_qdisc);

/* Runs a loaded program once on `cpu` (BPF_PROG_TEST_RUN with BPF_F_TEST_RUN_ON_CPU; raw_tp
 * programs), with `arg_count` u64 arguments as its context. Built here for the same reason as
 * the tc opts. Returns 0 and the program's return value in *retval, or -errno. */
int kmon_run_on_cpu(int prog_fd, __u32 cpu, const __u64 *args, __u32 arg_count, __u32 *retval);

/* The running kernel's BTF, for names the kernel defines (collectors). Both return -errno on
 * failure. kmon_vmlinux_enum writes "value name\n" lines for each enumerator of `enum name`
 * into buf (truncating at size); kmon_vmlinux_has_type answers 1 or 0 for any BTF kind. */
int kmon_vmlinux_enum(const char *name, char *buf, size_t size);
int kmon_vmlinux_has_type(const char *name);

#endif
