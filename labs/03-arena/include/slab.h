/* slab.h — a cache of fixed-size objects carved from aligned slabs.
 *
 * A slab is one slab_size-aligned block from the source: a header, then `capacity`
 * objects. Free objects of a slab are chained through their first word (an embedded
 * free list), so allocation and free are O(1): alloc pops from the first partially
 * used slab, free finds its slab by masking the pointer (the slab is aligned to its
 * size) and pushes. Each slab counts its objects in use; a slab that becomes empty
 * goes back to the source (one empty slab is kept to avoid thrashing at a boundary).
 *
 * Debug builds (SLAB_DEBUG, on unless NDEBUG) keep a bitmap of live objects per slab
 * and report a double free, a pointer from another cache or a pointer into the middle
 * of an object through the cache's error hook, with a message naming the cache.
 *
 * No libc: memory comes from an arena_source that must honour `align` = slab_size
 * (the hosted sources and buddy_source do). The struct is public so it can be static;
 * its fields are private to src/slab.c. Not thread-safe. */
#ifndef SLAB_H
#define SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena_source.h"

#ifndef SLAB_DEBUG
#ifdef NDEBUG
#define SLAB_DEBUG 0
#else
#define SLAB_DEBUG 1
#endif
#endif

/* Objects a cache's magazine holds (see slab_set_magazine). */
#define SLAB_MAGAZINE 32

typedef struct slab slab;
typedef struct slab_cache slab_cache;

/* Called on a detected misuse; `what` is a sentence such as "double free". If it
 * returns, the slab code traps. */
typedef void (*slab_error_fn)(const slab_cache *c, const char *what, const void *ptr);

struct slab_cache {
    const char *name;      /* for error messages */
    size_t obj_size;       /* object stride (size rounded up to the alignment) */
    size_t slab_size;      /* power of two; slabs are aligned to it */
    size_t first_off;      /* offset of object 0 in a slab */
    uint32_t capacity;     /* objects per slab */
    uint32_t stride_shift; /* obj_size = odd << stride_shift ... */
    uint64_t stride_inv;   /* ... and odd * stride_inv == 1 (mod 2^64): no division */
    slab *partial;         /* slabs with free and used objects (alloc takes the head) */
    slab *all;             /* every slab held; full ones are on no other list */
    slab *empty;           /* at most one fully free slab kept */
    size_t slabs;          /* slabs held */
    size_t in_use;         /* objects allocated */
    arena_source src;
    slab_error_fn on_error;
    uint32_t nmag, mag_cap;   /* magazine fill and capacity (0: no magazine) */
    void *mag[SLAB_MAGAZINE]; /* recently freed objects, newest last */
};

typedef struct slab_stats {
    size_t slabs;     /* slabs held, the kept empty one included */
    size_t in_use;    /* live objects */
    size_t capacity;  /* objects the held slabs can hold */
    size_t obj_size;  /* stride of one object */
    size_t slab_size; /* bytes per slab */
} slab_stats;

/* Initialises c for objects of `size` bytes aligned to `align` (a power of two, 0
 * meaning alignof(max_align_t)). slab_size: a power of two >= 256 and <= 4096 (the
 * most arena_source promises to align), or 0 to let the cache pick; it must hold at
 * least one object. on_error may be NULL (then misuse traps). Returns 0, or
 * -ARENA_EINVAL naming nothing else (bad size/align/slab_size). */
int slab_cache_init(slab_cache *c, const char *name, size_t size, size_t align, size_t slab_size,
                    const arena_source *src, slab_error_fn on_error);

/* One object (uninitialised), or NULL when the source is exhausted. O(1). */
void *slab_alloc(slab_cache *c);

/* Returns p (from slab_alloc on c, or NULL) to the cache. O(1). */
void slab_free(slab_cache *c, void *p);

/* Turns the magazine on or off (off by default; turning it off flushes it). With it
 * on, slab_free puts the object in a small LIFO array (Bonwick's "magazine") and
 * slab_alloc takes the most recently freed object from it, touching no slab; when
 * the array is full, its older half goes back to the slabs. Objects in the magazine
 * still count for their slab, so a slab empties (and goes back) only when flushed. */
void slab_set_magazine(slab_cache *c, bool on);

/* Returns every object in the magazine to its slab (empty slabs then go back). */
void slab_flush(slab_cache *c);

/* Gives every slab back to the source; all objects become invalid. */
void slab_cache_destroy(slab_cache *c);

slab_stats slab_get_stats(const slab_cache *c);

/* Checks every invariant (list membership matches occupancy, free-list lengths match
 * the counts, free pointers lie on object boundaries...). Returns NULL when all hold,
 * else a description of the first broken one. O(objects). */
const char *slab_check(const slab_cache *c);

#endif
