/* pmm_bitmap.c — frames from this lab's bitmap allocator (src/frame.c); see kalloc.h.
 *
 * The bitmap lives in .bss and covers [0, 1 GiB): 262144 frames, 32 KiB of bits. */
#include "frame.h"
#include "kalloc.h"
#include "kerr.h"
#include "kprintf.h"
#include "layout.h"

static uint64_t bits[IDENTITY_LIMIT / FRAME_SIZE / 64];
static frame_alloc frames;

void pmm_init(const mb_range *usable, size_t n)
{
    if (n == 0 || frame_init(&frames, bits, sizeof bits / 8, 0, usable[n - 1].end) != 0)
        PANIC("frame allocator cannot cover the usable memory");
    for (size_t i = 0; i < n; i++)
        if (frame_add(&frames, usable[i].start, usable[i].end) != 0)
            PANIC("usable range %zu overlaps another", i);
}

int pmm_alloc(uint64_t *pa)
{
    return frame_get(&frames, pa);
}

int pmm_free(uint64_t pa)
{
    return frame_put(&frames, pa);
}

size_t pmm_free_frames(void)
{
    return frame_count_free(&frames);
}

const char *pmm_name(void)
{
    return "bitmap frame allocator (lab 04 local)";
}
