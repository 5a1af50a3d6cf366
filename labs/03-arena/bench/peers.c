/* peers.c — the vtables of bench/peers.h.
 *
 * All four general-purpose allocators are linked into one binary. Linking several
 * malloc replacements makes one of them the process's `malloc` (jemalloc, the first
 * on the link line; the benchmark framework's own allocations go there), so no
 * variant calls plain malloc: each calls its library's own entry points, glibc's and
 * jemalloc's malloc/free looked up with dlsym in their own library handles.
 * dlopen(RTLD_LOCAL | RTLD_DEEPBIND) was the other option; it fails for Debian's
 * jemalloc ("cannot allocate memory in static TLS block": it uses initial-exec TLS). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include <jemalloc/jemalloc.h>

#include "arena.h"
#include "arena_hosted.h"
#include "peers.h"

/* glibc's own malloc/free, looked up in libc.so.6's handle. Not __libc_malloc:
 * mimalloc's library exports __libc_malloc/__libc_free too (it overrides them), so
 * that name may well reach mimalloc. */
void *(*bench_glibc_malloc)(size_t);
void (*bench_glibc_free)(void *);

void *(*bench_je_malloc)(size_t);
void (*bench_je_free)(void *);

/* Looks up malloc and free in one library's own symbol table. */
static void find_in(const char *lib, void *(**m)(size_t), void (**f)(void *))
{
    void *h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
    if (h != NULL) {
        *(void **)m = dlsym(h, "malloc");
        *(void **)f = dlsym(h, "free");
    }
    if (h == NULL || *m == NULL || *f == NULL) {
        fprintf(stderr, "bench: cannot find %s's malloc/free: %s\n", lib, dlerror());
        abort();
    }
}

/* Priority 101: before the BENCH_SETUP constructors, which already allocate. */
__attribute__((constructor(101))) static void find_allocators(void)
{
    (void)mallocx; /* keeps the link dependency on jemalloc explicit */
    find_in("libc.so.6", &bench_glibc_malloc, &bench_glibc_free);
    find_in("libjemalloc.so.2", &bench_je_malloc, &bench_je_free);
}

/* The vtable's alloc and free of every variant: out-of-line copies of the inline ops in
 * peers.h, so the replay groups and the per-variant parsers call the same code. (The
 * arenas' free slots stay NULL in the table: an arena frees nothing one by one.) */
#define PEER_VTABLE_OPS(name, alloc_op, free_op)                                                   \
    static void *vt_alloc_##name(void *ctx, size_t n)                                              \
    {                                                                                              \
        return alloc_op(ctx, n);                                                                   \
    }                                                                                              \
    __attribute__((unused)) static void vt_free_##name(void *ctx, void *p, size_t n)               \
    {                                                                                              \
        free_op(ctx, p, n);                                                                        \
    }
BENCH_PEER_LIST(PEER_VTABLE_OPS)

/* --- arenas: the context is the arena; frees are skipped, reset frees everything ------ */

static void *arena_make(void)
{
    arena *a = malloc(sizeof *a);
    arena_source src = arena_heap_source();
    arena_init(a, &src, (size_t)256 * 1024);
    return a;
}

static void ar_reset(void *ctx)
{
    arena_reset(ctx);
}

static void ar_destroy(void *ctx)
{
    arena_destroy(ctx);
    free(ctx);
}

static void *mt_make(void)
{
    arena_mt *a = malloc(sizeof *a);
    arena_source src = arena_heap_source();
    arena_mt_init(a, &src, (size_t)256 * 1024);
    return a;
}

static void mt_reset(void *ctx)
{
    arena_mt_reset(ctx);
}

static void mt_destroy(void *ctx)
{
    arena_mt_destroy(ctx);
    free(ctx);
}

/* The calling thread's own arena (arena_local): nothing to create or destroy. */
static void *local_make(void)
{
    return arena_local();
}

static void local_destroy(void *ctx)
{
    arena_reset(ctx); /* the arena itself lives until its thread exits */
}

const peer bench_peers[] = {
    {"glibc", vt_alloc_glibc, vt_free_glibc, NULL, NULL, NULL},
    {"jemalloc", vt_alloc_jemalloc, vt_free_jemalloc, NULL, NULL, NULL},
    {"mimalloc", vt_alloc_mimalloc, vt_free_mimalloc, NULL, NULL, NULL},
    {"tcmalloc", vt_alloc_tcmalloc, vt_free_tcmalloc, NULL, NULL, NULL},
    {"arena", vt_alloc_arena, NULL, ar_reset, arena_make, ar_destroy},
    {"arena_mt", vt_alloc_arena_mt, NULL, mt_reset, mt_make, mt_destroy},
    {"arena_local", vt_alloc_arena_local, NULL, ar_reset, local_make, local_destroy},
};
const size_t bench_npeers = sizeof bench_peers / sizeof bench_peers[0];

void bench_check_peer_names(const char *const *names, size_t n)
{
    for (size_t i = 0; i < n || i < bench_npeers; i++)
        if (i >= n || i >= bench_npeers || strcmp(names[i], bench_peers[i].name) != 0) {
            fprintf(stderr,
                    "bench: BENCH_PEER_LIST (peers.h) entry %zu is %s, bench_peers has %s: "
                    "keep the two in the same order\n",
                    i, i < n ? names[i] : "(none)", i < bench_npeers ? bench_peers[i].name : "(none)");
            abort();
        }
}

/* --- allocation traces (peers.h) ----------------------------------------------------- */

void *bench_trace_alloc(void *ctx, size_t n)
{
    alloc_trace *t = ctx;
    if (t->len == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 65536;
        size_t *sizes = realloc(t->sizes, cap * sizeof *sizes);
        if (sizes == NULL) {
            fprintf(stderr, "bench: out of memory for the allocation trace (%zu sizes)\n", cap);
            abort();
        }
        t->sizes = sizes;
        t->cap = cap;
    }
    t->sizes[t->len++] = n;
    return malloc(n);
}

void bench_trace_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    free(p);
}

const peer trace_recorder = {"record", bench_trace_alloc, bench_trace_free, NULL, NULL, NULL};

void bench_replay(bench_state *st, const peer *pk, const alloc_trace *t, int64_t items_per_run)
{
    void **ptrs = calloc(t->len, sizeof *ptrs);
    if (ptrs == NULL) {
        bench_skip(st, "out of memory for the pointer array");
        return;
    }
    void *ctx = pk->make ? pk->make() : NULL;
    while (bench_keep_running(st)) {
        for (size_t i = 0; i < t->len; i++) {
            ptrs[i] = pk->alloc(ctx, t->sizes[i]);
            *(char *)ptrs[i] = 1;
        }
        BENCH_CLOBBER_MEMORY();
        if (pk->free)
            for (size_t i = 0; i < t->len; i++)
                pk->free(ctx, ptrs[i], t->sizes[i]);
        if (pk->reset)
            pk->reset(ctx);
    }
    bench_set_items(st, bench_state_iterations(st) * items_per_run);
    bench_counter(st, "allocs", (double)t->len, BENCH_COUNTER_DEFAULT);
    free(ptrs);
    if (pk->destroy)
        pk->destroy(ctx);
}
