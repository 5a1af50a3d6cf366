/* pmm_buddy.c — physical frames from lab 03's buddy allocator; see kalloc.h.
 *
 * One buddy per usable range (the map can have holes; a buddy manages one region).
 * The buddy keeps one metadata byte per 4 KiB block at the start of its region, and
 * its free lists inside the free frames themselves, which is fine because physical
 * memory below 1 GiB is identity-mapped: a frame's address is also a pointer to it.
 * buddy_free cannot tell a double free from a stray pointer; buddy_block_size can,
 * for the pointers that fall inside a managed region, so pmm_free asks it first.
 * buddy.h has no "is this address mine" query, so the range check reads the buddy's
 * public base/end fields. */
#include "buddy.h"
#include "kalloc.h"
#include "kerr.h"
#include "kprintf.h"

#define MAX_ZONES 16

static buddy zones[MAX_ZONES];
static size_t nzones;

void pmm_init(const mb_range *usable, size_t n)
{
    for (size_t i = 0; i < n && nzones < MAX_ZONES; i++) {
        size_t len = (size_t)(usable[i].end - usable[i].start);
        if (buddy_init(&zones[nzones], (void *)(uintptr_t)usable[i].start, len, 4096) == 0)
            nzones++;
        else
            kprintf("pmm: range [0x%llx-0x%llx) too small for a buddy, skipped\n",
                    (unsigned long long)usable[i].start, (unsigned long long)usable[i].end);
    }
    if (nzones == 0)
        PANIC("no usable range could be given to the buddy allocator");
}

int pmm_alloc(uint64_t *pa)
{
    for (size_t i = 0; i < nzones; i++) {
        void *p = buddy_alloc(&zones[i], 4096);
        if (p) {
            *pa = (uint64_t)(uintptr_t)p;
            return 0;
        }
    }
    return -KERR_NOMEM;
}

int pmm_free(uint64_t pa)
{
    if (pa % 4096)
        return -KERR_INVAL;
    for (size_t i = 0; i < nzones; i++) {
        buddy *b = &zones[i];
        if (pa < b->base || pa >= b->end)
            continue;
        if (buddy_block_size(b, (void *)(uintptr_t)pa) != 4096)
            return -KERR_EXIST;
        return buddy_free(b, (void *)(uintptr_t)pa) == 0 ? 0 : -KERR_EXIST;
    }
    return -KERR_RANGE;
}

size_t pmm_free_frames(void)
{
    size_t bytes = 0;
    for (size_t i = 0; i < nzones; i++)
        bytes += buddy_get_stats(&zones[i]).free_bytes;
    return bytes / 4096;
}

const char *pmm_name(void)
{
    return "lab 03 buddy allocator";
}
