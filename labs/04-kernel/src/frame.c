/* frame.c — bitmap frame allocator (see frame.h). */
#include "frame.h"

#include <stdbool.h>

#include "kerr.h"

size_t frame_bitmap_words(uint64_t base, uint64_t end)
{
    return end > base ? (size_t)((end - base) / FRAME_SIZE + 63) / 64 : 0;
}

int frame_init(frame_alloc *fa, uint64_t *bits, size_t words, uint64_t base, uint64_t end)
{
    if (base % FRAME_SIZE || end % FRAME_SIZE || end <= base || !bits)
        return -KERR_INVAL;
    if (words < frame_bitmap_words(base, end))
        return -KERR_NOSPC;
    fa->bits = bits;
    fa->base = base;
    fa->nframes = (size_t)((end - base) / FRAME_SIZE);
    fa->nfree = 0;
    fa->hint = 0;
    for (size_t i = 0; i < frame_bitmap_words(base, end); i++)
        bits[i] = 0;
    return 0;
}

static bool is_free(const frame_alloc *fa, size_t i)
{
    return (fa->bits[i / 64] >> (i % 64)) & 1u;
}

/* Frame index of pa, or a negative code. */
static long index_of(const frame_alloc *fa, uint64_t pa)
{
    if (pa % FRAME_SIZE)
        return -KERR_INVAL;
    if (pa < fa->base || (pa - fa->base) / FRAME_SIZE >= fa->nframes)
        return -KERR_RANGE;
    return (long)((pa - fa->base) / FRAME_SIZE);
}

int frame_add(frame_alloc *fa, uint64_t start, uint64_t end)
{
    if (start % FRAME_SIZE || end % FRAME_SIZE || end < start)
        return -KERR_INVAL;
    if (start == end)
        return 0;
    long first = index_of(fa, start), last = index_of(fa, end - FRAME_SIZE);
    if (first < 0 || last < 0)
        return -KERR_RANGE;
    for (long i = first; i <= last; i++)
        if (is_free(fa, (size_t)i))
            return -KERR_EXIST;
    for (long i = first; i <= last; i++)
        fa->bits[i / 64] |= 1ull << (i % 64);
    fa->nfree += (size_t)(last - first + 1);
    return 0;
}

int frame_get(frame_alloc *fa, uint64_t *pa)
{
    size_t words = (fa->nframes + 63) / 64;
    for (size_t k = 0; k < words; k++) {
        size_t w = (fa->hint + k) % words;
        if (fa->bits[w] == 0)
            continue;
        unsigned bit = (unsigned)__builtin_ctzll(fa->bits[w]);
        fa->bits[w] &= ~(1ull << bit);
        fa->nfree--;
        fa->hint = w;
        *pa = fa->base + ((uint64_t)w * 64 + bit) * FRAME_SIZE;
        return 0;
    }
    return -KERR_NOMEM;
}

int frame_put(frame_alloc *fa, uint64_t pa)
{
    long i = index_of(fa, pa);
    if (i < 0)
        return (int)i;
    if (is_free(fa, (size_t)i))
        return -KERR_EXIST;
    fa->bits[i / 64] |= 1ull << (i % 64);
    fa->nfree++;
    return 0;
}

size_t frame_count_free(const frame_alloc *fa)
{
    return fa->nfree;
}
