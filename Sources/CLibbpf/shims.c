#include "CLibbpf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static kmon_log_sink current_sink;

static int forward_libbpf_print(enum libbpf_print_level level, const char *format, va_list args)
{
    kmon_log_sink sink = current_sink;
    if (!sink)
        return 0;
    char line[4096];
    int n = vsnprintf(line, sizeof(line), format, args);
    sink((int)level, line);
    return n;
}

void kmon_libbpf_set_log_sink(kmon_log_sink sink)
{
    current_sink = sink;
    libbpf_set_print(sink ? forward_libbpf_print : NULL);
}

int kmon_set_rodata(struct bpf_object *obj, const char *name, const void *value, size_t size)
{
    struct bpf_map *map;
    bpf_object__for_each_map(map, obj) {
        const char *map_name = bpf_map__name(map);
        if (!map_name || !strstr(map_name, ".rodata"))
            continue;
        const struct btf *btf = bpf_object__btf(obj);
        if (!btf)
            return -ENOENT;
        int sec_id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
        if (sec_id < 0)
            return -ENOENT;
        const struct btf_type *sec = btf__type_by_id(btf, sec_id);
        const struct btf_var_secinfo *vsi = btf_var_secinfos(sec);
        for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
            const struct btf_type *var = btf__type_by_id(btf, vsi->type);
            if (strcmp(btf__name_by_offset(btf, var->name_off), name) != 0)
                continue;
            if (vsi->size != size)
                return -EINVAL;
            size_t data_size = 0;
            char *data = (char *)bpf_map__initial_value(map, &data_size);
            if (!data || vsi->offset + size > data_size)
                return -EINVAL;
            memcpy(data + vsi->offset, value, size);
            return 0;
        }
        return -ENOENT;
    }
    return -ENOENT;
}

int kmon_tc_attach(int ifindex, int ingress, int prog_fd, __u32 *handle, __u32 *priority, int *created)
{
    DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
                        .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
    int err = bpf_tc_hook_create(&hook);
    if (err && err != -EEXIST)
        return err;
    *created = err == 0;
    DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd);
    err = bpf_tc_attach(&hook, &opts);
    if (err) {
        if (*created) {
            hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
            bpf_tc_hook_destroy(&hook);
        }
        return err;
    }
    *handle = opts.handle;
    *priority = opts.priority;
    return 0;
}

int kmon_tc_detach(int ifindex, int ingress, __u32 handle, __u32 priority, int destroy_qdisc)
{
    DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
                        .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
    DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = priority);
    int err = bpf_tc_detach(&hook, &opts);
    if (destroy_qdisc) {
        hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
        bpf_tc_hook_destroy(&hook);
    }
    return err;
}

int kmon_run_on_cpu(int prog_fd, __u32 cpu, const __u64 *args, __u32 arg_count, __u32 *retval)
{
    DECLARE_LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = arg_count * sizeof(__u64),
                        .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = cpu);
    int err = bpf_prog_test_run_opts(prog_fd, &opts);
    if (err)
        return err < 0 ? err : -errno;
    *retval = opts.retval;
    return 0;
}
