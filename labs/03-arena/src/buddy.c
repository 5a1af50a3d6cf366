/* buddy.c — binary buddy allocator (see include/buddy.h).
 *
 * Metadata: one byte per minimum block, indexed by (addr - base) >> min_order. The
 * byte of a block's first minimum block holds its order + 1 (bit 7 set while free);
 * every other byte is 0. Splitting writes the new half's byte; merging clears the
 * upper half's byte. Buddies are found by flipping bit `order` of the absolute
 * address, so blocks are aligned to their size wherever the region starts; a buddy
 * that falls outside the region is never free, so edge blocks simply stop merging.
 * Freestanding: no libc. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buddy.h"
#include "memcheck.h"

struct buddy_node {
    buddy_node *prev, *next;
};

#define META_FREE 0x80u

static uintptr_t align_up(uintptr_t x, uintptr_t a)
{
    return (x + (a - 1)) & ~(a - 1);
}

static size_t meta_index(const buddy *b, uintptr_t addr)
{
    return (size_t)((addr - b->base) >> b->min_order);
}

static void set_meta(buddy *b, uintptr_t addr, unsigned order, bool is_free)
{
    b->meta[meta_index(b, addr)] = (uint8_t)((order + 1) | (is_free ? META_FREE : 0));
}

static bool is_free_block(const buddy *b, uintptr_t addr, unsigned order)
{
    return b->meta[meta_index(b, addr)] == (uint8_t)((order + 1) | META_FREE);
}

static void push_free(buddy *b, uintptr_t addr, unsigned order)
{
    buddy_node *n = (buddy_node *)addr;
    MC_UNPOISON(n, sizeof *n);
    n->prev = NULL;
    n->next = b->free[order];
    if (n->next != NULL)
        n->next->prev = n;
    b->free[order] = n;
    b->nfree[order]++;
    b->free_bytes += (size_t)1 << order;
    set_meta(b, addr, order, true);
}

static void remove_free(buddy *b, uintptr_t addr, unsigned order)
{
    buddy_node *n = (buddy_node *)addr;
    if (n->prev != NULL)
        n->prev->next = n->next;
    else
        b->free[order] = n->next;
    if (n->next != NULL)
        n->next->prev = n->prev;
    b->nfree[order]--;
    b->free_bytes -= (size_t)1 << order;
    b->meta[meta_index(b, addr)] = 0;
}

static unsigned log2_floor(uintptr_t x)
{
    return 63u - (unsigned)__builtin_clzll((unsigned long long)x);
}

int buddy_init(buddy *b, void *region, size_t len, size_t min_block)
{
    *b = (buddy){0};
    if (min_block < ((size_t)1 << BUDDY_MIN_ORDER) || (min_block & (min_block - 1)) != 0 ||
        region == NULL || len == 0)
        return -ARENA_EINVAL;
    uintptr_t r = (uintptr_t)region, e = (r + len) & ~(uintptr_t)(min_block - 1);
    if (e <= r || e < r + len - min_block) /* wrapped address space */
        return -ARENA_EINVAL;
    uintptr_t first = align_up(r, min_block);
    if (first >= e)
        return -ARENA_EINVAL;
    size_t nmeta = (size_t)((e - first) / min_block);
    uintptr_t base = align_up(r + nmeta, min_block);
    if (base >= e)
        return -ARENA_EINVAL;
    b->meta = (uint8_t *)r;
    b->base = base;
    b->end = e;
    b->min_order = log2_floor(min_block);
    b->max_order = log2_floor(e - base);
    if (b->max_order > BUDDY_MAX_ORDER)
        b->max_order = BUDDY_MAX_ORDER;
    for (size_t i = 0; i < nmeta; i++)
        b->meta[i] = 0;
    /* Carve [base, end) into the largest aligned blocks that fit. */
    for (uintptr_t a = base; a < e;) {
        unsigned k = b->max_order;
        while (k > b->min_order &&
               ((a & (((uintptr_t)1 << k) - 1)) != 0 || e - a < ((uintptr_t)1 << k)))
            k--;
        MC_POISON((void *)a, (size_t)1 << k);
        push_free(b, a, k);
        a += (uintptr_t)1 << k;
    }
    return 0;
}

static unsigned order_for(const buddy *b, size_t size)
{
    unsigned k = b->min_order;
    while (k <= b->max_order && ((size_t)1 << k) < size)
        k++;
    return k;
}

void *buddy_alloc(buddy *b, size_t size)
{
    if (size == 0 || b->meta == NULL)
        return NULL;
    unsigned k = order_for(b, size);
    if (k > b->max_order)
        return NULL;
    unsigned j = k;
    while (j <= b->max_order && b->free[j] == NULL)
        j++;
    if (j > b->max_order)
        return NULL;
    uintptr_t addr = (uintptr_t)b->free[j];
    remove_free(b, addr, j);
    /* SOLUTION BEGIN: while the block is bigger than order k, halve it and put the upper half on
     * the free list one order down */
    while (j > k) {
        j--;
        push_free(b, addr + ((uintptr_t)1 << j), j);
    }
    /* SOLUTION END */
    set_meta(b, addr, k, false);
    b->used_blocks++;
    MC_UNPOISON((void *)addr, (size_t)1 << k);
    return (void *)addr;
}

/* The order of the allocated block starting at addr, or -1 if there is none. */
static int allocated_order(const buddy *b, uintptr_t addr)
{
    if (b->meta == NULL || addr < b->base || addr >= b->end ||
        (addr & (((uintptr_t)1 << b->min_order) - 1)) != 0)
        return -1;
    uint8_t m = b->meta[meta_index(b, addr)];
    if (m == 0 || (m & META_FREE) != 0)
        return -1;
    return (int)(m - 1);
}

int buddy_free(buddy *b, void *p)
{
    if (p == NULL)
        return 0;
    uintptr_t addr = (uintptr_t)p;
    int ord = allocated_order(b, addr);
    if (ord < 0)
        return -ARENA_EINVAL;
    unsigned k = (unsigned)ord;
    b->meta[meta_index(b, addr)] = 0;
    b->used_blocks--;
    MC_POISON(p, (size_t)1 << k);
    /* SOLUTION BEGIN: while the buddy (addr with bit k flipped) is inside the region and free at
     * order k, take it off its list and merge; then push the merged block */
    while (k < b->max_order) {
        uintptr_t bud = addr ^ ((uintptr_t)1 << k);
        if (bud < b->base || bud + ((uintptr_t)1 << k) > b->end || !is_free_block(b, bud, k))
            break;
        remove_free(b, bud, k);
        addr = addr < bud ? addr : bud;
        k++;
    }
    push_free(b, addr, k);
    /* SOLUTION END */
    return 0;
}

size_t buddy_block_size(const buddy *b, const void *p)
{
    int ord = allocated_order(b, (uintptr_t)p);
    return ord < 0 ? 0 : (size_t)1 << ord;
}

buddy_stats buddy_get_stats(const buddy *b)
{
    buddy_stats s = {0};
    s.total_bytes = (size_t)(b->end - b->base);
    s.free_bytes = b->free_bytes;
    s.used_blocks = b->used_blocks;
    s.min_block = (size_t)1 << b->min_order;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        s.free_blocks[k] = b->nfree[k];
        if (b->nfree[k] != 0)
            s.largest_free = (size_t)1 << k;
    }
    return s;
}

/* Checks free list k: every node is a free block of order k, aligned, in range, with
 * its buddy not free at the same order (it would have been merged). */
static const char *check_list(const buddy *b, unsigned k, size_t *free_bytes)
{
    size_t n = 0;
    const buddy_node *prev = NULL;
    for (const buddy_node *x = b->free[k]; x != NULL; prev = x, x = x->next) {
        uintptr_t a = (uintptr_t)x, size = (uintptr_t)1 << k;
        if (a < b->base || a + size > b->end || (a & (size - 1)) != 0)
            return "a free block is misaligned or outside the region";
        if (!is_free_block(b, a, k))
            return "a block on a free list is not marked free at that order";
        if (x->prev != prev)
            return "a free list's back link is broken";
        uintptr_t bud = a ^ size;
        if (k < b->max_order && bud >= b->base && bud + size <= b->end && is_free_block(b, bud, k))
            return "two free buddies were left unmerged";
        if (++n > b->nfree[k])
            return "a free list is longer than its count (a cycle?)";
        *free_bytes += size;
    }
    return n == b->nfree[k] ? NULL : "a free list's length differs from its count";
}

const char *buddy_check(const buddy *b)
{
    size_t free_bytes = 0;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        if ((k < b->min_order || k > b->max_order) && b->free[k] != NULL)
            return "a free list outside [min_order, max_order] is not empty";
        const char *err = check_list(b, k, &free_bytes);
        if (err != NULL)
            return err;
    }
    if (free_bytes != b->free_bytes)
        return "free bytes differ from the sum over the free lists";
    /* Walk the region block by block: heads must tile it exactly. */
    size_t used = 0;
    for (uintptr_t a = b->base; a < b->end;) {
        uint8_t m = b->meta[meta_index(b, a)];
        if (m == 0)
            return "the metadata has a gap: an address is inside no block";
        unsigned k = (unsigned)(m & ~META_FREE) - 1;
        if (k < b->min_order || k > b->max_order || (a & (((uintptr_t)1 << k) - 1)) != 0 ||
            b->end - a < ((uintptr_t)1 << k))
            return "a block header has a bad order for its address";
        for (uintptr_t i = a + ((uintptr_t)1 << b->min_order); i < a + ((uintptr_t)1 << k);
             i += (uintptr_t)1 << b->min_order)
            if (b->meta[meta_index(b, i)] != 0)
                return "a block overlaps another block's header";
        if ((m & META_FREE) == 0)
            used++;
        a += (uintptr_t)1 << k;
    }
    return used == b->used_blocks ? NULL : "the used-block count differs from the metadata";
}

/* --- as an arena_source ----------------------------------------------------------------- */

static void *source_alloc(void *ctx, size_t size, size_t align)
{
    return buddy_alloc(ctx, size < align ? align : size);
}

static void source_free(void *ctx, void *p, size_t size)
{
    (void)size;
    (void)buddy_free(ctx, p);
}

arena_source buddy_source(buddy *b)
{
    return (arena_source){.alloc = source_alloc, .free = source_free, .ctx = b};
}
