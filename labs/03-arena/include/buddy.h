/* buddy.h — a binary buddy allocator over a caller-given region.
 *
 * Memory is handed out in power-of-two blocks aligned to their size (absolute address
 * alignment, so a 2 MiB block is 2 MiB-aligned, as page tables want). A block of order
 * k that is freed merges with its buddy (the address with bit k flipped) when that is
 * free too, and again one order up, so free memory coalesces back into large blocks.
 * Free blocks of each order sit on a doubly linked list threaded through the blocks
 * themselves; one metadata byte per minimum block (carved from the region's start)
 * records where blocks start, their order and whether they are free, so alloc and free
 * are O(log n) with no search.
 *
 * No libc: the kernel lab gives it physical memory. Not thread-safe. */
#ifndef BUDDY_H
#define BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena_source.h"

/* Orders are log2 of block sizes. */
#define BUDDY_MIN_ORDER 4  /* a free block holds two list pointers: 16 bytes */
#define BUDDY_MAX_ORDER 47 /* 128 TiB */

typedef struct buddy_node buddy_node;

typedef struct buddy {
    uintptr_t base; /* first managed byte (min-block aligned) */
    uintptr_t end;  /* one past the last managed byte */
    uint8_t *meta;  /* one byte per min block */
    unsigned min_order, max_order;
    size_t free_bytes;
    size_t used_blocks;
    buddy_node *free[BUDDY_MAX_ORDER + 1];
    size_t nfree[BUDDY_MAX_ORDER + 1];
} buddy;

typedef struct buddy_stats {
    size_t total_bytes;  /* managed bytes (the region less metadata and edges) */
    size_t free_bytes;   /* in free blocks */
    size_t used_blocks;  /* blocks handed out */
    size_t largest_free; /* biggest free block, 0 if none */
    size_t min_block;    /* smallest block size */
    size_t free_blocks[BUDDY_MAX_ORDER + 1]; /* free blocks per order */
} buddy_stats;

/* Manages region[0..len) with blocks of at least min_block bytes (a power of two,
 * >= 16). The metadata (len / min_block bytes) is placed at the region's start.
 * Returns 0, or -ARENA_EINVAL if min_block is bad or the region holds no block. */
int buddy_init(buddy *b, void *region, size_t len, size_t min_block);

/* A block of at least `size` bytes (rounded up to a power of two >= min_block),
 * aligned to its size; NULL when no block is free or size is 0 or too large. */
void *buddy_alloc(buddy *b, size_t size);

/* Returns block p (from buddy_alloc; NULL is ignored). Returns 0, or -ARENA_EINVAL if
 * p is not the start of an allocated block (a double free or a stray pointer). */
int buddy_free(buddy *b, void *p);

/* Size of the allocated block p, or 0 if p is not one. */
size_t buddy_block_size(const buddy *b, const void *p);

buddy_stats buddy_get_stats(const buddy *b);

/* Checks every invariant: free lists agree with the metadata, free blocks are aligned
 * and inside the region, no two free buddies are left unmerged, and free plus used
 * bytes cover the region. Returns NULL when all hold, else what broke. O(n). */
const char *buddy_check(const buddy *b);

/* An arena_source over b (alloc rounds up to a block; align <= block size holds since
 * blocks are aligned to their size), so arenas and slab caches can run on it. */
arena_source buddy_source(buddy *b);

#endif
