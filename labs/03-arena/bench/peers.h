/* peers.h — the allocators the benches compare.
 *
 * Two ways in. The parse benches call each allocator the way its users do: every
 * variant has an alloc and a free operation below (always inlined into the caller),
 * and the parsers are written once as always-inline bodies that take those two as
 * compile-time constants and are instantiated once per variant with BENCH_PEER_LIST.
 * So the arena's bump is inlined into the parser (arena_alloc is a static inline, as a
 * C programmer using an arena calls it), mimalloc is reached by a direct call to
 * mi_malloc/mi_free_size, tcmalloc by tc_malloc/tc_free_sized, and glibc and jemalloc
 * by an indirect call through the malloc/free pointers found with dlsym (which is what
 * a call through the PLT to a shared library's malloc is too). The `peer` vtable
 * remains for plumbing (the per-run context: make, reset, destroy) and for the replay
 * groups, which call every variant through it. Malloc-style peers free every object;
 * arenas skip frees and reset at the end (that is the point of an arena). See README
 * "Measured results" for why no variant calls the process-wide malloc symbol. */
#ifndef ARENA_BENCH_PEERS_H
#define ARENA_BENCH_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gperftools/tcmalloc.h>
#include <mimalloc.h>

#include "arena.h"
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

/* --- the operations the parse benches inline (see the top of this file) ------------- */

/* glibc's and jemalloc's own malloc/free, found with dlsym before any setup runs. */
extern void *(*bench_glibc_malloc)(size_t);
extern void (*bench_glibc_free)(void *);
extern void *(*bench_je_malloc)(size_t);
extern void (*bench_je_free)(void *);

#define PEER_OP static inline __attribute__((always_inline))

PEER_OP void *op_glibc_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return bench_glibc_malloc(n);
}
PEER_OP void op_glibc_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    bench_glibc_free(p);
}
PEER_OP void *op_je_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return bench_je_malloc(n);
}
PEER_OP void op_je_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    bench_je_free(p);
}
PEER_OP void *op_mi_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return mi_malloc(n);
}
PEER_OP void op_mi_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    mi_free_size(p, n);
}
PEER_OP void *op_tc_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return tc_malloc(n);
}
PEER_OP void op_tc_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    tc_free_sized(p, n);
}
PEER_OP void *op_arena_alloc(void *ctx, size_t n)
{
    return arena_alloc(ctx, n, 8);
}
PEER_OP void *op_arena_mt_alloc(void *ctx, size_t n)
{
    return arena_mt_alloc(ctx, n, 8);
}
/* Arenas free nothing one by one (their peers have free == NULL, so the release walk
 * never runs for them; this only fills the slot). */
PEER_OP void op_no_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)p;
    (void)n;
}

/* X(name, alloc, free) for every entry of bench_peers, in its order (peers.c checks the
 * names against the table). A bench file defines X to stamp out one instance of its
 * parser per variant. */
#define BENCH_PEER_LIST(X)                                                                         \
    X(glibc, op_glibc_alloc, op_glibc_free)                                                        \
    X(jemalloc, op_je_alloc, op_je_free)                                                           \
    X(mimalloc, op_mi_alloc, op_mi_free)                                                           \
    X(tcmalloc, op_tc_alloc, op_tc_free)                                                           \
    X(arena, op_arena_alloc, op_no_free)                                                           \
    X(arena_mt, op_arena_mt_alloc, op_no_free)                                                     \
    X(arena_local, op_arena_alloc, op_no_free)

/* Checks that names[i] is bench_peers[i].name for all of them (a list out of step with
 * the table would measure one allocator under another's name); aborts if not. */
void bench_check_peer_names(const char *const *names, size_t n);

/* The allocation sizes one parse asked for, in order: recorded by parsing once through
 * trace_recorder (its context is the alloc_trace), then replayed by bench_replay. */
typedef struct alloc_trace {
    size_t *sizes;
    size_t len, cap;
} alloc_trace;

/* Appends each size to its context (an alloc_trace) and allocates with malloc. */
extern const peer trace_recorder;

/* The recorder's operations, for the parsers' instance that records a trace. */
void *bench_trace_alloc(void *ctx, size_t n);
void bench_trace_free(void *ctx, void *p, size_t n);

/* The body of the replay groups: allocates t's sizes in order (first byte written),
 * then frees them in the same order, or resets the arena. Items = iterations x
 * items_per_run (nodes or values), so a replay row compares with its parse row: the
 * difference is the parser's own work, which no allocator can speed up. */
void bench_replay(bench_state *st, const peer *pk, const alloc_trace *t, int64_t items_per_run);

#endif
