/* peers.h — the allocators the benches compare, behind one small vtable.
 *
 * Every variant is called through the same function pointers, so call overhead is
 * equal. Malloc-style peers free every object; arenas skip frees and reset at the end
 * (that is the point of an arena). See README "Measured results" for how the peers
 * are bound: each through its own explicit entry points (glibc's __libc_malloc,
 * jemalloc's mallocx/sdallocx, mimalloc's mi_malloc/mi_free_size, tcmalloc's
 * tc_malloc/tc_free_sized), never through the process-wide malloc symbol. */
#ifndef ARENA_BENCH_PEERS_H
#define ARENA_BENCH_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench.h"

typedef struct peer {
    const char *name;
    void *(*alloc)(void *ctx, size_t n);
    void (*free)(void *ctx, void *p, size_t n); /* NULL: frees are skipped */
    void (*reset)(void *ctx);                   /* NULL: nothing to do after frees */
    void *(*make)(void);                        /* per-run context (arenas), or NULL */
    void (*destroy)(void *ctx);
} peer;

/* glibc, jemalloc, mimalloc, tcmalloc, arena, arena_mt, arena_local — baseline first. */
extern const peer bench_peers[];
extern const size_t bench_npeers;

/* The allocation sizes one parse asked for, in order: recorded by parsing once through
 * trace_recorder (its context is the alloc_trace), then replayed by bench_replay. */
typedef struct alloc_trace {
    size_t *sizes;
    size_t len, cap;
} alloc_trace;

/* Appends each size to its context (an alloc_trace) and allocates with malloc. */
extern const peer trace_recorder;

/* The body of the replay groups: allocates t's sizes in order (first byte written),
 * then frees them in the same order, or resets the arena. Items = iterations x
 * items_per_run (nodes or values), so a replay row compares with its parse row: the
 * difference is the parser's own work, which no allocator can speed up. */
void bench_replay(bench_state *st, const peer *pk, const alloc_trace *t, int64_t items_per_run);

#endif
