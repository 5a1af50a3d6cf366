/* ksyms.c — lookups in the table tools/ksyms generates (binary search by address). */
#include "ksyms.h"

#include "kfmt.h"
#include "layout.h"

struct ksym {
    uint64_t addr;
    const char *name;
};

extern const uint64_t ksyms_count;
extern const struct ksym ksyms_table[];

const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
    if (addr < (uint64_t)__kernel_start || addr >= (uint64_t)__text_end || ksyms_count == 0)
        return NULL;
    size_t lo = 0, hi = (size_t)ksyms_count; /* find the last entry with addr <= addr */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ksyms_table[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (ksyms_table[lo].addr > addr)
        return NULL;
    if (offset)
        *offset = addr - ksyms_table[lo].addr;
    return ksyms_table[lo].name;
}

void ksyms_describe(uint64_t addr, char *buf, size_t cap)
{
    uint64_t off = 0;
    const char *name = ksyms_lookup(addr, &off);
    if (name)
        kfmt_snprintf(buf, cap, "<%s+0x%llx>", name, (unsigned long long)off);
    else
        kfmt_snprintf(buf, cap, "<?>");
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

uint64_t ksyms_address(const char *name)
{
    for (size_t i = 0; i < (size_t)ksyms_count; i++)
        if (same(ksyms_table[i].name, name))
            return ksyms_table[i].addr;
    return 0;
}
