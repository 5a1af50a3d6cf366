/* arena.h — a chunked bump allocator with mark/rewind and reset.
 *
 * An arena hands out memory by moving a cursor forward through a chunk; when the chunk
 * is full it takes another (twice as big as the last, up to ARENA_MAX_CHUNK) from its
 * source. Nothing is freed one object at a time: a mark/rewind pair releases everything
 * allocated after the mark, reset releases everything (keeping the first chunk for
 * reuse) and destroy gives all chunks back. Allocation is a few instructions, which is
 * why a parser or a request handler that frees everything at once uses one.
 *
 * Memory comes from an arena_source (callbacks) or from one fixed caller buffer, so
 * this file and src/arena.c need no libc (the kernel lab links them freestanding).
 *
 * Checking builds: under AddressSanitizer (SAN=address) released memory is poisoned and
 * every allocation is followed by an ARENA_REDZONE-byte poisoned red zone, so a use
 * after reset/rewind or an overflow into the next object is reported. Under valgrind,
 * released memory is marked no-access. Both compile to nothing when freestanding.
 *
 * The struct is public so it can live in static storage or on the stack (a kernel has
 * no malloc to create it with); its fields are private to src/arena.c.
 *
 * Not thread-safe: one arena per thread (arena_local() in arena_hosted.h), or
 * arena_mt below. */
#ifndef ARENA_H
#define ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena_source.h"

/* Largest alignment arena_alloc accepts. */
#define ARENA_MAX_ALIGN ((size_t)4096)
/* Default first chunk size and largest size a chunk grows to by doubling (a single
 * larger request still gets a chunk of its own size). */
#define ARENA_DEFAULT_CHUNK ((size_t)64 * 1024)
#define ARENA_MAX_CHUNK ((size_t)64 * 1024 * 1024)
/* Bytes at the start of every chunk taken by its header. */
#define ARENA_CHUNK_HEADER ((size_t)32)

/* ARENA_ASAN is 1 in hosted AddressSanitizer builds. Then every allocation ends on an
 * ARENA_GRANULE boundary (ASan's shadow granule) followed by ARENA_REDZONE poisoned
 * bytes; elsewhere GRANULE is 1 and REDZONE 0, so allocations are packed. */
#if __STDC_HOSTED__ && defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif __STDC_HOSTED__ && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifndef ARENA_ASAN
#define ARENA_ASAN 0
#endif
#if ARENA_ASAN
#define ARENA_GRANULE ((size_t)8)
#define ARENA_REDZONE ((size_t)16)
#else
#define ARENA_GRANULE ((size_t)1)
#define ARENA_REDZONE ((size_t)0)
#endif

/* The inline fast path below packs allocations: it is only taken when there are no
 * granules or red zones to respect (checking builds set limit to 0). */
_Static_assert(ARENA_ASAN || (ARENA_GRANULE == 1 && ARENA_REDZONE == 0),
               "arena_alloc's inline path assumes packed allocations");
_Static_assert(ARENA_MAX_ALIGN == 4096, "arena_alloc's alignment test assumes 4096");

/* The fast path's branch hint (src/cc.h has the others). */
#if defined(__GNUC__)
#define ARENA_INLINE_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define ARENA_INLINE_LIKELY(x) (x)
#endif

typedef struct arena_chunk arena_chunk;

typedef struct arena {
    uintptr_t ptr;      /* next free byte in head */
    uintptr_t limit;    /* the inline fast path's end: end, or 0 to send every allocation
                           out of line (valgrind client requests, ASan builds) */
    uintptr_t end;      /* end of head's usable space */
    arena_chunk *head;  /* newest chunk (NULL before the first allocation) */
    arena_chunk *first; /* oldest chunk: kept by reset */
    size_t in_use;      /* bytes requested since the last reset */
    size_t retired;     /* usable bytes of the chunks below head (wasted is derived) */
    size_t high_water;  /* largest in_use seen (updated lazily) */
    size_t chunk_size;  /* first chunk's size */
    size_t chunks;      /* chunks held */
    size_t reserved;    /* bytes held from the source, headers included */
    arena_source src;   /* src.alloc == NULL: fixed buffer, no growth */
    bool checked;       /* running under valgrind: issue client requests */
} arena;

/* A saved position: arena_rewind(a, m) releases everything allocated after it. */
typedef struct arena_mark {
    arena_chunk *chunk;
    uintptr_t ptr;
    size_t in_use;
} arena_mark;

typedef struct arena_stats {
    size_t in_use;     /* bytes of live allocations (as requested) */
    size_t high_water; /* most bytes in use at once since init */
    size_t chunks;     /* chunks held */
    size_t reserved;   /* bytes held from the source (or the buffer), headers included */
    size_t wasted;     /* alignment padding, red zones and unused chunk tails left behind */
} arena_stats;

/* Initialises a growing arena over src (copied). chunk_size is the first chunk's size
 * (0: ARENA_DEFAULT_CHUNK); no memory is taken until the first allocation. */
void arena_init(arena *a, const arena_source *src, size_t chunk_size);

/* Initialises a fixed arena over buf[0..len): it never grows, allocation fails (NULL)
 * when the buffer is full. The buffer stays the caller's; reset and destroy leave it.
 * ASan builds poison the buffer: call arena_destroy before it goes out of scope. */
void arena_init_buffer(arena *a, void *buf, size_t len);

/* The out-of-line part of arena_alloc (below): a new chunk, an invalid alignment, and
 * every allocation of checking builds. Call arena_alloc instead. */
void *arena_alloc_slow(arena *a, size_t size, size_t align);

/* Returns `size` bytes aligned to `align` (a power of two <= ARENA_MAX_ALIGN), or NULL
 * when align is invalid or the source is exhausted. size 0 returns a non-NULL pointer
 * that must not be dereferenced (it may equal the next allocation's address).
 *
 * Inline, so that a caller with a constant alignment gets the bump itself (align the
 * cursor, compare, move it, count the bytes) without a call; anything else (the
 * chunk is full, the alignment is invalid or not a constant power of two the compiler
 * could check, a checking build) goes to arena_alloc_slow. */
static inline void *arena_alloc(arena *a, size_t size, size_t align)
{
    /* SOLUTION BEGIN: align the cursor up; if align is valid and size bytes fit before limit, move
     * the cursor past them and count them, else call arena_alloc_slow */
    size_t mask = align - 1;
    uintptr_t p = (a->ptr + mask) & ~(uintptr_t)mask;
    /* One test for "a power of two <= 4096" (align 0 makes mask all ones); with a
     * constant align it folds away. p > limit also catches the empty arena (ptr 1,
     * limit 0) and the checking builds (limit 0). */
    if (ARENA_INLINE_LIKELY(((align & mask) | (mask >> 12)) == 0 && p <= a->limit &&
                            size <= a->limit - p)) {
        a->ptr = p + size;
        a->in_use += size;
        return (void *)p;
    }
    return arena_alloc_slow(a, size, align);
    /* SOLUTION END */
}

/* arena_alloc, then zero-filled. */
void *arena_zalloc(arena *a, size_t size, size_t align);

/* Resizes the most recent allocation p (of old_size bytes) in place to new_size and
 * returns true; returns false (changing nothing) when p is not the most recent
 * allocation or the chunk has no room. */
bool arena_extend(arena *a, void *p, size_t old_size, size_t new_size);

/* Resizes p: in place when possible (arena_extend), else a new block of new_size bytes
 * aligned to align with the first min(old_size, new_size) bytes copied. p NULL acts as
 * arena_alloc. Returns NULL (p still valid) when out of memory. */
void *arena_realloc(arena *a, void *p, size_t old_size, size_t new_size, size_t align);

/* The current position, to rewind to later. */
arena_mark arena_save(const arena *a);

/* Releases everything allocated after m (chunks taken since go back to the source).
 * m must come from this arena, after its last reset, and not be older than a mark
 * already rewound past. */
void arena_rewind(arena *a, arena_mark m);

/* Releases every allocation; keeps the first chunk, gives the others back. */
void arena_reset(arena *a);

/* Gives every chunk back; the arena must be initialised again before use. */
void arena_destroy(arena *a);

/* Current statistics. */
arena_stats arena_get_stats(const arena *a);

/* --- the thread-safe arena ------------------------------------------------------------
 * Any number of threads may call arena_mt_alloc at once: the cursor is claimed with a
 * compare-and-swap, and only installing a new chunk takes a (spin) lock. Reset and
 * destroy need all allocating threads to have stopped. */
typedef struct arena_mt_chunk arena_mt_chunk;

typedef struct arena_mt {
    _Atomic(arena_mt_chunk *) head;
    _Atomic(int) lock;
    arena_mt_chunk *first;
    size_t chunk_size;
    _Atomic(size_t) chunks;
    _Atomic(size_t) reserved;
    arena_source src;
} arena_mt;

/* Initialises over src; chunk_size as for arena_init. */
void arena_mt_init(arena_mt *a, const arena_source *src, size_t chunk_size);

/* Thread-safe allocation: as arena_alloc. */
void *arena_mt_alloc(arena_mt *a, size_t size, size_t align);

/* Releases every allocation and keeps the first chunk. Not concurrent with alloc. */
void arena_mt_reset(arena_mt *a);

/* Gives every chunk back. Not concurrent with alloc. */
void arena_mt_destroy(arena_mt *a);

/* Statistics (in_use counts bytes consumed, padding included; not exact while other
 * threads allocate). */
arena_stats arena_mt_get_stats(arena_mt *a);

#endif
