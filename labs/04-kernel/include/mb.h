/* mb.h — reading what a Multiboot 1 loader hands the kernel.
 *
 * The loader leaves the magic 0x2BADB002 in EAX and the physical address of an info
 * block in EBX. The block's flags say which fields are valid; the memory map (flag
 * bit 6) is a packed list of variable-size entries, each starting with its own size.
 * These functions only read bytes they are given, check every length against the
 * buffer, and name the byte offset of anything malformed, so they are tested on the
 * host with hand-made buffers (Multiboot Specification 0.6.96, section 3.3). */
#ifndef MB_H
#define MB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB_LOADER_MAGIC 0x2BADB002u
#define MB_HEADER_MAGIC 0x1BADB002u

#define MB_INFO_MEM (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MMAP (1u << 6)
#define MB_INFO_SIZE 52u /* bytes of the info block up to and including mmap_addr */

#define MB_MEM_AVAILABLE 1u

/* Where a parse went wrong: byte offset into the buffer and a static message. */
typedef struct mb_error {
    size_t offset;
    const char *what;
} mb_error;

/* The fields of the info block this kernel uses (physical addresses). */
typedef struct mb_info {
    uint32_t flags;
    uint32_t mem_lower_kib, mem_upper_kib; /* valid if flags & MB_INFO_MEM */
    uint32_t cmdline_pa;                   /* valid if flags & MB_INFO_CMDLINE */
    uint32_t mmap_pa, mmap_len;            /* valid if flags & MB_INFO_MMAP */
} mb_info;

/* One memory-map entry: [base, base+len) of the given type (1 = available RAM). */
typedef struct mb_region {
    uint64_t base, len;
    uint32_t type;
} mb_region;

/* A half-open physical range [start, end). */
typedef struct mb_range {
    uint64_t start, end;
} mb_range;

/* Checks the loader magic and decodes the info block (len bytes at info). Returns 0,
 * or -KERR_INVAL with *err naming the problem (bad magic, block too short). */
int mb_read_info(uint32_t magic, const uint8_t *info, size_t len, mb_info *out, mb_error *err);

/* Decodes a memory map (the len bytes at mmap_pa) into out[0..cap). Returns 0 and sets
 * *count, -KERR_INVAL with *err (truncated entry, entry size < 20, a region that wraps
 * past 2^64), or -KERR_NOSPC if there are more than cap entries. */
int mb_parse_mmap(const uint8_t *buf, size_t len, mb_region *out, size_t cap, size_t *count,
                  mb_error *err);

/* The page-aligned RAM that is free to hand out: available regions, clipped to
 * [lo, hi), minus every non-available region and minus reserved[0..nres) (the kernel
 * image, the info block...), sorted and merged. Returns 0 with *count, or -KERR_NOSPC
 * if the result needs more than cap ranges. */
int mb_usable(const mb_region *map, size_t n, const mb_range *reserved, size_t nres, uint64_t lo,
              uint64_t hi, mb_range *out, size_t cap, size_t *count);

/* Finds "key=value" among the space-separated words of cmdline and copies value
 * (NUL-terminated, truncated to cap-1). A bare "key" gives "". False if absent. */
bool mb_cmdline_get(const char *cmdline, const char *key, char *val, size_t cap);

/* A name for a memory-map type ("available", "reserved", "ACPI", "NVS", "bad"). */
const char *mb_type_name(uint32_t type);

#endif
