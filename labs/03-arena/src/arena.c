/* arena.c — the single-threaded chunked bump allocator (see include/arena.h).
 *
 * The arena keeps a cursor (ptr) and a limit (end) into its newest chunk; an
 * allocation aligns the cursor up, checks the limit and moves the cursor, so the fast
 * path is a handful of instructions and touches no memory but the arena struct. Chunks
 * form a stack (each header points to the previous chunk), which is what makes
 * mark/rewind cheap: rewinding pops chunks until the marked one is on top. Freestanding:
 * no libc, memory from the arena_source callbacks or the caller's buffer. */
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "cc.h"
#include "memcheck.h"

struct arena_chunk {
    arena_chunk *prev; /* the chunk taken before this one */
    size_t size;       /* bytes of the whole chunk, header included */
};
_Static_assert(sizeof(arena_chunk) <= ARENA_CHUNK_HEADER, "chunk header too big");

/* Chunks are requested page-aligned, so aligning inside one wastes little. */
#define CHUNK_ALIGN ((size_t)4096)
#define MIN_CHUNK ((size_t)128)
/* An empty arena has ptr > end, so the fast path always fails before the first chunk. */
#define EMPTY_PTR ((uintptr_t)1)
#define EMPTY_END ((uintptr_t)0)

static uintptr_t align_up(uintptr_t x, size_t a)
{
    return (x + (a - 1)) & ~(uintptr_t)(a - 1);
}

/* A power of two <= ARENA_MAX_ALIGN, in one test: align 0 makes mask all ones. */
static bool valid_align(size_t align)
{
    size_t mask = align - 1;
    _Static_assert(ARENA_MAX_ALIGN == 4096, "the shift below assumes 4096");
    return ((align & mask) | (mask >> 12)) == 0;
}

static uintptr_t chunk_data(const arena_chunk *c)
{
    return (uintptr_t)c + ARENA_CHUNK_HEADER;
}

static uintptr_t chunk_end(const arena_chunk *c)
{
    return (uintptr_t)c + c->size;
}

/* Marks [p, p+n) released: ASan poison, and valgrind no-access when running under it. */
static void release_range(const arena *a, uintptr_t p, size_t n)
{
    if (n == 0)
        return;
    MC_POISON((void *)p, n);
    if (a->checked)
        MC_VG_POISON((void *)p, n);
    (void)a;
}

static void unpoison_range(const arena *a, uintptr_t p, size_t n)
{
    MC_UNPOISON((void *)p, n);
    if (a->checked)
        MC_VG_UNPOISON((void *)p, n);
    (void)a;
}

/* Makes [ptr, end) the free part of the head chunk. The inline path in arena.h sees
 * the same end as its limit, except when every allocation must come here (ASan granules
 * and red zones, valgrind client requests): then its limit is 0 and it always fails. */
static void set_free(arena *a, uintptr_t ptr, uintptr_t end)
{
    a->ptr = ptr;
    a->end = end;
    a->limit = (ARENA_ASAN || a->checked) ? 0 : end;
}

static void update_high_water(arena *a)
{
    if (a->in_use > a->high_water)
        a->high_water = a->in_use;
}

void arena_init(arena *a, const arena_source *src, size_t chunk_size)
{
    *a = (arena){0};
    a->src = *src;
    a->chunk_size = chunk_size == 0 ? ARENA_DEFAULT_CHUNK : chunk_size;
    if (a->chunk_size < MIN_CHUNK)
        a->chunk_size = MIN_CHUNK;
    a->checked = MC_VALGRIND();
    set_free(a, EMPTY_PTR, EMPTY_END);
}

/* Makes c the newest chunk, with its whole usable space free (and poisoned). */
static void push_chunk(arena *a, arena_chunk *c, size_t size)
{
    c->size = size;
    c->prev = a->head;
    if (a->head != NULL) /* the old chunk's tail is abandoned: counted as wasted */
        a->retired += a->head->size - ARENA_CHUNK_HEADER;
    a->head = c;
    if (a->first == NULL)
        a->first = c;
    set_free(a, chunk_data(c), chunk_end(c));
    a->chunks++;
    a->reserved += size;
    release_range(a, a->ptr, a->end - a->ptr);
}

void arena_init_buffer(arena *a, void *buf, size_t len)
{
    *a = (arena){0};
    a->checked = MC_VALGRIND();
    set_free(a, EMPTY_PTR, EMPTY_END);
    uintptr_t start = align_up((uintptr_t)buf, alignof(arena_chunk));
    size_t skip = start - (uintptr_t)buf;
    if (buf == NULL || len < skip + ARENA_CHUNK_HEADER)
        return; /* too small: every allocation fails */
    a->chunk_size = len - skip;
    push_chunk(a, (arena_chunk *)start, len - skip);
}

/* The size of the next chunk: the first size doubled per chunk held, capped. */
static size_t next_chunk_size(const arena *a)
{
    size_t s = a->chunk_size;
    for (size_t i = 0; i < a->chunks && s < ARENA_MAX_CHUNK; i++)
        s *= 2;
    return s < ARENA_MAX_CHUNK
               ? s
               : (a->chunk_size > ARENA_MAX_CHUNK ? a->chunk_size : ARENA_MAX_CHUNK);
}

/* Takes a chunk big enough for (size, align) and makes it the newest; false on OOM. */
static bool grow(arena *a, size_t size, size_t align)
{
    if (a->src.alloc == NULL || size > SIZE_MAX / 4)
        return false;
    /* Exact: the chunk is CHUNK_ALIGN-aligned, so its data start is aligned to the
     * header size and only larger alignments need padding. */
    size_t pad = align > ARENA_CHUNK_HEADER ? align - ARENA_CHUNK_HEADER : 0;
    size_t need = ARENA_CHUNK_HEADER + pad + (size_t)align_up(size, ARENA_GRANULE) + ARENA_REDZONE;
    size_t csize = next_chunk_size(a);
    if (csize < need)
        csize = (size_t)align_up(need, CHUNK_ALIGN);
    arena_chunk *c = a->src.alloc(a->src.ctx, csize, CHUNK_ALIGN);
    if (c == NULL)
        return false;
    push_chunk(a, c, csize);
    return true;
}

/* The general bump: the object at the aligned cursor, then the cursor rounded up to a
 * granule and past the red zone (both no-ops outside ASan), the object unpoisoned.
 * NULL when it does not fit in the head chunk. align is valid. */
static void *bump(arena *a, size_t size, size_t align)
{
    /* SOLUTION BEGIN: align the cursor up; if the object and its red zone fit before end, move the
     * cursor past them, count the bytes and unpoison the object, else return NULL */
    uintptr_t p = align_up(a->ptr, align);
    if (p > a->end || size > a->end - p)
        return NULL;
    uintptr_t next = align_up(p + size, ARENA_GRANULE) + ARENA_REDZONE;
    if (next > a->end)
        return NULL;
    a->in_use += size;
    a->ptr = next;
    unpoison_range(a, p, size);
    return (void *)p;
    /* SOLUTION END */
}

/* What the inline path in arena.h leaves: validate, bump (checking builds always get
 * here), else take a chunk and bump in it (which then fits). */
void *arena_alloc_slow(arena *a, size_t size, size_t align)
{
    if (!valid_align(align))
        return NULL;
    void *p = bump(a, size, align);
    if (p == NULL && grow(a, size, align))
        p = bump(a, size, align);
    return p;
}

void *arena_zalloc(arena *a, size_t size, size_t align)
{
    void *p = arena_alloc(a, size, align);
    if (p != NULL && size != 0)
        __builtin_memset(p, 0, size);
    return p;
}

bool arena_extend(arena *a, void *p, size_t old_size, size_t new_size)
{
    uintptr_t q = (uintptr_t)p;
    if (a->head == NULL || q < chunk_data(a->head) || q > a->ptr || old_size > a->ptr - q)
        return false;
    if (align_up(q + old_size, ARENA_GRANULE) + ARENA_REDZONE != a->ptr)
        return false; /* not the most recent allocation */
    if (new_size > a->end - q)
        return false;
    uintptr_t next = align_up(q + new_size, ARENA_GRANULE) + ARENA_REDZONE;
    if (next > a->end)
        return false;
    a->in_use = a->in_use - old_size + new_size;
    if (new_size < old_size) {
        release_range(a, q + new_size, old_size - new_size);
    } else {
        /* ASan: the whole object (partial granules need it); valgrind: only the new
         * bytes, so the old ones keep their "defined" state. */
        MC_UNPOISON((void *)q, new_size);
        if (a->checked)
            MC_VG_UNPOISON((void *)(q + old_size), new_size - old_size);
    }
    a->ptr = next;
    return true;
}

void *arena_realloc(arena *a, void *p, size_t old_size, size_t new_size, size_t align)
{
    if (p == NULL)
        return arena_alloc(a, new_size, align);
    if (((uintptr_t)p & (align - 1)) == 0 && arena_extend(a, p, old_size, new_size))
        return p;
    if (new_size <= old_size)
        return p;
    void *n = arena_alloc(a, new_size, align);
    if (n != NULL && old_size != 0)
        __builtin_memcpy(n, p, old_size);
    return n;
}

arena_mark arena_save(const arena *a)
{
    return (arena_mark){.chunk = a->head, .ptr = a->ptr, .in_use = a->in_use};
}

/* Gives the newest chunk back to the source. */
static void pop_chunk(arena *a)
{
    arena_chunk *c = a->head;
    size_t size = c->size;
    a->head = c->prev;
    a->chunks--;
    a->reserved -= size;
    if (a->head != NULL)
        a->retired -= a->head->size - ARENA_CHUNK_HEADER;
    /* The source owns it again: lift our poisoning before it reuses the memory. */
    unpoison_range(a, (uintptr_t)c, size);
    a->src.free(a->src.ctx, c, size);
}

void arena_rewind(arena *a, arena_mark m)
{
    if (m.chunk == NULL) {
        arena_reset(a);
        return;
    }
    /* SOLUTION BEGIN: pop chunks newer than m.chunk, then restore the cursor and counters and
     * poison what was released */
    update_high_water(a);
    while (a->head != m.chunk)
        pop_chunk(a);
    set_free(a, m.ptr, chunk_end(a->head));
    a->in_use = m.in_use;
    release_range(a, a->ptr, a->end - a->ptr);
    /* SOLUTION END */
}

void arena_reset(arena *a)
{
    if (a->first == NULL)
        return;
    /* SOLUTION BEGIN: pop every chunk but the first, then put the cursor at the first chunk's start
     * and zero the counters */
    update_high_water(a);
    while (a->head != a->first)
        pop_chunk(a);
    set_free(a, chunk_data(a->head), chunk_end(a->head));
    a->in_use = 0;
    release_range(a, a->ptr, a->end - a->ptr);
    /* SOLUTION END */
}

void arena_destroy(arena *a)
{
    if (a->src.alloc != NULL) {
        while (a->head != NULL)
            pop_chunk(a);
    } else if (a->head != NULL) {
        unpoison_range(a, (uintptr_t)a->head, a->head->size); /* the buffer is the caller's */
    }
    a->head = a->first = NULL;
    set_free(a, EMPTY_PTR, EMPTY_END);
    a->chunks = a->reserved = a->in_use = a->retired = 0;
}

arena_stats arena_get_stats(const arena *a)
{
    size_t hw = a->in_use > a->high_water ? a->in_use : a->high_water;
    /* Everything consumed (older chunks whole, head up to the cursor) that is not a
     * live allocation: padding, red zones, abandoned tails. */
    size_t consumed = a->head == NULL ? 0 : a->retired + (a->ptr - chunk_data(a->head));
    return (arena_stats){.in_use = a->in_use,
                         .high_water = hw,
                         .chunks = a->chunks,
                         .reserved = a->reserved,
                         .wasted = consumed - a->in_use};
}
