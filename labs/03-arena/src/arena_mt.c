/* arena_mt.c — the thread-safe arena: a lock-free compare-and-swap bump.
 *
 * Every chunk has an atomic cursor (top). An allocating thread reads top, computes
 * the aligned start and the new top, and publishes the new top with one
 * compare-and-swap; if another thread got there first, the CAS fails and it retries
 * with the value it lost to. Only when the newest chunk is full does a thread take the
 * spin lock to push a new chunk; threads that lose that race see the new head and go
 * back to the lock-free path. Freestanding: <stdatomic.h> only, lock-free on x86-64. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "cc.h"
#include "memcheck.h"

struct arena_mt_chunk {
    arena_mt_chunk *prev;
    size_t size;
    _Atomic(uintptr_t) top; /* next free byte */
    uintptr_t end;
};
_Static_assert(sizeof(arena_mt_chunk) <= ARENA_CHUNK_HEADER, "chunk header too big");

#define CHUNK_ALIGN ((size_t)4096)

static uintptr_t align_up(uintptr_t x, size_t a)
{
    return (x + (a - 1)) & ~(uintptr_t)(a - 1);
}

void arena_mt_init(arena_mt *a, const arena_source *src, size_t chunk_size)
{
    atomic_init(&a->head, NULL);
    atomic_init(&a->lock, 0);
    atomic_init(&a->chunks, 0);
    atomic_init(&a->reserved, 0);
    a->first = NULL;
    a->src = *src;
    a->chunk_size = chunk_size == 0 ? ARENA_DEFAULT_CHUNK : (chunk_size < 128 ? 128 : chunk_size);
}

static void lock(arena_mt *a)
{
    for (;;) {
        if (atomic_exchange_explicit(&a->lock, 1, memory_order_acquire) == 0)
            return;
        while (atomic_load_explicit(&a->lock, memory_order_relaxed) != 0)
            ;
    }
}

static void unlock(arena_mt *a)
{
    atomic_store_explicit(&a->lock, 0, memory_order_release);
}

/* Pushes a chunk that fits (size, align) unless another thread replaced `seen` first.
 * Returns false only when the source is exhausted. */
static ARENA_NOINLINE bool grow(arena_mt *a, arena_mt_chunk *seen, size_t size, size_t align)
{
    lock(a);
    arena_mt_chunk *head = atomic_load_explicit(&a->head, memory_order_relaxed);
    if (head != seen) {
        unlock(a);
        return true;
    }
    size_t n = atomic_load_explicit(&a->chunks, memory_order_relaxed);
    size_t csize = a->chunk_size;
    for (size_t i = 0; i < n && csize < ARENA_MAX_CHUNK; i++)
        csize *= 2;
    /* Exact: the chunk is CHUNK_ALIGN-aligned, so its data start is aligned to the
     * header size and only larger alignments need padding. */
    size_t pad = align > ARENA_CHUNK_HEADER ? align - ARENA_CHUNK_HEADER : 0;
    size_t need = ARENA_CHUNK_HEADER + pad + (size_t)align_up(size, ARENA_GRANULE) + ARENA_REDZONE;
    if (csize < need)
        csize = (size_t)align_up(need, CHUNK_ALIGN);
    arena_mt_chunk *c = a->src.alloc(a->src.ctx, csize, CHUNK_ALIGN);
    if (c == NULL) {
        unlock(a);
        return false;
    }
    c->prev = head;
    c->size = csize;
    c->end = (uintptr_t)c + csize;
    atomic_init(&c->top, (uintptr_t)c + ARENA_CHUNK_HEADER);
    MC_POISON((void *)((uintptr_t)c + ARENA_CHUNK_HEADER), csize - ARENA_CHUNK_HEADER);
    if (a->first == NULL)
        a->first = c;
    atomic_fetch_add_explicit(&a->chunks, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&a->reserved, csize, memory_order_relaxed);
    atomic_store_explicit(&a->head, c, memory_order_release); /* publishes c's fields */
    unlock(a);
    return true;
}

void *arena_mt_alloc(arena_mt *a, size_t size, size_t align)
{
    if (align == 0 || (align & (align - 1)) != 0 || align > ARENA_MAX_ALIGN || size > SIZE_MAX / 4)
        return NULL;
    for (;;) {
        arena_mt_chunk *c = atomic_load_explicit(&a->head, memory_order_acquire);
        if (c != NULL) {
            /* SOLUTION BEGIN: read top, compute the aligned start and new top, publish it with a
             * CAS; retry on failure, give up when the chunk is full */
            uintptr_t old = atomic_load_explicit(&c->top, memory_order_relaxed);
            for (;;) {
                uintptr_t p = align_up(old, align);
                if (p > c->end || size > c->end - p)
                    break;
                uintptr_t next = align_up(p + size, ARENA_GRANULE) + ARENA_REDZONE;
                if (next > c->end)
                    break;
                if (atomic_compare_exchange_weak_explicit(&c->top, &old, next, memory_order_relaxed,
                                                          memory_order_relaxed)) {
                    MC_UNPOISON((void *)p, size);
                    return (void *)p;
                }
            }
            /* SOLUTION END */
        }
        if (!grow(a, c, size, align))
            return NULL;
    }
}

static void release_after(arena_mt *a, arena_mt_chunk *keep)
{
    arena_mt_chunk *c = atomic_load_explicit(&a->head, memory_order_relaxed);
    while (c != keep) {
        arena_mt_chunk *prev = c->prev;
        size_t size = c->size;
        MC_UNPOISON(c, size);
        a->src.free(a->src.ctx, c, size);
        atomic_fetch_sub_explicit(&a->chunks, 1, memory_order_relaxed);
        atomic_fetch_sub_explicit(&a->reserved, size, memory_order_relaxed);
        c = prev;
    }
    atomic_store_explicit(&a->head, keep, memory_order_release);
}

void arena_mt_reset(arena_mt *a)
{
    if (a->first == NULL)
        return;
    release_after(a, a->first);
    uintptr_t data = (uintptr_t)a->first + ARENA_CHUNK_HEADER;
    atomic_store_explicit(&a->first->top, data, memory_order_relaxed);
    MC_POISON((void *)data, a->first->end - data);
}

void arena_mt_destroy(arena_mt *a)
{
    release_after(a, NULL);
    a->first = NULL;
}

arena_stats arena_mt_get_stats(arena_mt *a)
{
    arena_stats s = {0};
    for (arena_mt_chunk *c = atomic_load_explicit(&a->head, memory_order_acquire); c != NULL;
         c = c->prev) {
        s.chunks++;
        s.reserved += c->size;
        s.in_use += atomic_load_explicit(&c->top, memory_order_relaxed) -
                    ((uintptr_t)c + ARENA_CHUNK_HEADER);
    }
    s.high_water = s.in_use;
    return s;
}
