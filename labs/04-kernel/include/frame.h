/* frame.h — the physical frame allocator: one bit per 4 KiB frame.
 *
 * The kernel starts with every frame "used", then frees the usable ranges the
 * Multiboot map reports (mb_usable), so a frame it never heard of can never be handed
 * out. A set bit means free. Allocation scans 64-bit words from a rotating hint and
 * takes the lowest set bit (__builtin_ctzll), so it is O(frames/64) at worst and
 * O(1) in the common case. Free checks alignment, range and double frees. This is the
 * "clear local" allocator the kernel uses until lab 03's buddy allocator is linked. */
#ifndef FRAME_H
#define FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_SIZE 4096u

typedef struct frame_alloc {
    uint64_t *bits; /* bit i set: frame base + i*4096 is free */
    uint64_t base;  /* physical address of frame 0 */
    size_t nframes;
    size_t nfree;
    size_t hint; /* word index where the next search starts */
} frame_alloc;

/* Words of bitmap needed to cover [base, end). */
size_t frame_bitmap_words(uint64_t base, uint64_t end);

/* Covers [base, end) (page-aligned) with bits[0..words), every frame used. Returns 0,
 * -KERR_INVAL (unaligned/empty) or -KERR_NOSPC (bitmap too small). */
int frame_init(frame_alloc *fa, uint64_t *bits, size_t words, uint64_t base, uint64_t end);

/* Marks [start, end) free. -KERR_INVAL unaligned, -KERR_RANGE outside the cover,
 * -KERR_EXIST if a frame in it is already free (nothing is changed then). */
int frame_add(frame_alloc *fa, uint64_t start, uint64_t end);

/* Takes one free frame: 0 and *pa, or -KERR_NOMEM. */
int frame_get(frame_alloc *fa, uint64_t *pa);

/* Returns a frame. -KERR_INVAL unaligned, -KERR_RANGE outside, -KERR_EXIST if free. */
int frame_put(frame_alloc *fa, uint64_t pa);

/* Free frames now. */
size_t frame_count_free(const frame_alloc *fa);

#endif
