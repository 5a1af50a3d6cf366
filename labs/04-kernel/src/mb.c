/* mb.c — Multiboot 1 info block, memory map and command line (see mb.h).
 *
 * Every read goes through rd32/rd64 with an explicit bounds check against the buffer
 * length, because the map comes from outside the kernel: a loader bug must become a
 * clear error with an offset, not a wild read. mb_usable() works on a small array of
 * ranges: add every available region, subtract every hole, then sort, merge and trim
 * to whole pages. */
#include "mb.h"

#include "kerr.h"

#define PAGE 4096u

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static int fail(mb_error *err, size_t offset, const char *what)
{
    if (err) {
        err->offset = offset;
        err->what = what;
    }
    return -KERR_INVAL;
}

int mb_read_info(uint32_t magic, const uint8_t *info, size_t len, mb_info *out, mb_error *err)
{
    if (magic != MB_LOADER_MAGIC)
        return fail(err, 0, "bad loader magic in EAX (expected 0x2BADB002)");
    if (!info || len < MB_INFO_SIZE)
        return fail(err, len, "info block shorter than 52 bytes");
    out->flags = rd32(info);
    out->mem_lower_kib = out->flags & MB_INFO_MEM ? rd32(info + 4) : 0;
    out->mem_upper_kib = out->flags & MB_INFO_MEM ? rd32(info + 8) : 0;
    out->cmdline_pa = out->flags & MB_INFO_CMDLINE ? rd32(info + 16) : 0;
    out->mmap_len = out->flags & MB_INFO_MMAP ? rd32(info + 44) : 0;
    out->mmap_pa = out->flags & MB_INFO_MMAP ? rd32(info + 48) : 0;
    return 0;
}

int mb_parse_mmap(const uint8_t *buf, size_t len, mb_region *out, size_t cap, size_t *count,
                  mb_error *err)
{
    size_t n = 0, off = 0;
    while (off < len) {
        if (len - off < 4)
            return fail(err, off, "truncated entry: no room for its size field");
        uint32_t size = rd32(buf + off);
        if (size < 20)
            return fail(err, off, "entry size below 20 bytes");
        if (size > len - off - 4)
            return fail(err, off, "entry runs past the end of the map");
        uint64_t base = rd64(buf + off + 4), rlen = rd64(buf + off + 12);
        if (rlen && base + rlen - 1 < base)
            return fail(err, off + 4, "region wraps past the end of the address space");
        if (n == cap)
            return -KERR_NOSPC;
        out[n].base = base;
        out[n].len = rlen;
        out[n].type = rd32(buf + off + 20);
        n++;
        off += (size_t)size + 4;
    }
    *count = n;
    return 0;
}

/* Removes [hs, he) from every range in r[0..*n), splitting where needed. */
static int subtract(mb_range *r, size_t *n, size_t cap, uint64_t hs, uint64_t he)
{
    size_t count = *n;
    for (size_t i = 0; i < count; i++) {
        uint64_t s = r[i].start, e = r[i].end;
        if (he <= s || hs >= e)
            continue;
        if (hs > s && he < e) { /* the hole is strictly inside: split in two */
            if (*n == cap)
                return -KERR_NOSPC;
            r[*n] = (mb_range){he, e};
            (*n)++;
            r[i].end = hs;
        } else if (hs > s) {
            r[i].end = hs;
        } else if (he < e) {
            r[i].start = he;
        } else {
            r[i].end = r[i].start; /* fully covered: leave empty, dropped later */
        }
    }
    return 0;
}

/* Sorts by start, merges touching ranges, trims to pages, drops empties. */
static size_t normalise(mb_range *r, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        mb_range x = r[i];
        size_t j = i;
        for (; j > 0 && r[j - 1].start > x.start; j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].end <= r[i].start)
            continue;
        if (m && r[i].start <= r[m - 1].end) {
            if (r[i].end > r[m - 1].end)
                r[m - 1].end = r[i].end;
        } else {
            r[m++] = r[i];
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        uint64_t s = (r[i].start + PAGE - 1) & ~(uint64_t)(PAGE - 1);
        uint64_t e = r[i].end & ~(uint64_t)(PAGE - 1);
        if (s < e && s >= r[i].start)
            r[k++] = (mb_range){s, e};
    }
    return k;
}

static uint64_t region_end(const mb_region *m)
{
    uint64_t e = m->base + m->len;
    return e < m->base ? UINT64_MAX : e; /* a region that ends exactly at 2^64 */
}

int mb_usable(const mb_region *map, size_t n, const mb_range *reserved, size_t nres, uint64_t lo,
              uint64_t hi, mb_range *out, size_t cap, size_t *count)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (map[i].type != MB_MEM_AVAILABLE)
            continue;
        uint64_t s = map[i].base < lo ? lo : map[i].base;
        uint64_t e = region_end(&map[i]) > hi ? hi : region_end(&map[i]);
        if (s >= e)
            continue;
        if (m == cap)
            return -KERR_NOSPC;
        out[m++] = (mb_range){s, e};
    }
    for (size_t i = 0; i < n; i++) {
        if (map[i].type == MB_MEM_AVAILABLE)
            continue;
        int rc = subtract(out, &m, cap, map[i].base, region_end(&map[i]));
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < nres; i++) {
        int rc = subtract(out, &m, cap, reserved[i].start, reserved[i].end);
        if (rc)
            return rc;
    }
    *count = normalise(out, m);
    return 0;
}

bool mb_cmdline_get(const char *cmdline, const char *key, char *val, size_t cap)
{
    if (!cmdline || !key || !*key)
        return false;
    const char *p = cmdline;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t i = 0;
        while (key[i] && w + i < p && w[i] == key[i])
            i++;
        if (key[i] || (w + i < p && w[i] != '='))
            continue;
        const char *v = w + i + (w + i < p ? 1 : 0);
        size_t n = 0;
        while (v + n < p && n + 1 < cap) {
            val[n] = v[n];
            n++;
        }
        if (cap)
            val[n] = '\0';
        return true;
    }
    return false;
}

const char *mb_type_name(uint32_t type)
{
    switch (type) {
    case 1:
        return "available";
    case 2:
        return "reserved";
    case 3:
        return "ACPI";
    case 4:
        return "NVS";
    case 5:
        return "bad";
    default:
        return "unknown";
    }
}
