#include "CLibbpf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int kmon_vmlinux_enum(const char *name, char *buf, size_t size)
{
    struct btf *btf = btf__load_vmlinux_btf();
    if (!btf)
        return -errno;
    int id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM);
    if (id < 0)
        id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM64);
    if (id < 0) {
        btf__free(btf);
        return -ENOENT;
    }
    const struct btf_type *t = btf__type_by_id(btf, id);
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < btf_vlen(t); i++) {
        long long value;
        const char *text;
        if (btf_is_enum(t)) {
            const struct btf_enum *e = btf_enum(t) + i;
            value = e->val;
            text = btf__name_by_offset(btf, e->name_off);
        } else {
            const struct btf_enum64 *e = btf_enum64(t) + i;
            value = (long long)btf_enum64_value(e);
            text = btf__name_by_offset(btf, e->name_off);
        }
        int n = snprintf(buf + used, size - used, "%lld %s\n", value, text ? text : "");
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    btf__free(btf);
    return 0;
}

int kmon_vmlinux_has_type(const char *name)
{
    struct btf *btf = btf__load_vmlinux_btf();
    if (!btf)
        return -errno;
    int found = btf__find_by_name(btf, name) >= 0;
    btf__free(btf);
    return found;
}
