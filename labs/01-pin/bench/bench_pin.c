/* bench_pin.c — what the move check costs, and pinned pointers against index handles.
 *
 * The check group: one field read per item through a plain pointer (baseline), through
 * PIN_GET (check + read), and the check alone. The pointer is laundered through an
 * empty asm every time, so the compiler must reload the anchor and compare again
 * instead of hoisting the check out of the loop. The target is <= 1 ns per check.
 *
 * The access group: reading one field of an object picked by a handle, in a shuffled order,
 * for n objects. `index` is what a C programmer would pick instead of pinning: a
 * growable array (realloc) and uint32 handles with a bounds check. `pinned_heap`
 * pins each object in its own malloc block (PIN_BOX) and reads through PIN_GET.
 * `pinned_chunked` pins objects in fixed-size chunks that are never reallocated, so
 * they keep the array's locality and the handles stay valid as it grows. */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "common/rng.h"
#include "pin.h"

#define LAUNDER(p) __asm__ __volatile__("" : "+r"(p))
#define BATCH 1024

typedef struct obj {
    pin_anchor pin;
    uint64_t value;
    struct obj *self; /* self-referential, so it is pinned, not movable */
} obj;
PIN_TYPE(obj);
PIN_TYPE_DEFINE(obj, NULL);

static obj the_obj;

/* --- check ----------------------------------------------------------------------------- */

static void bm_check_plain(bench_state *st, void *ctx)
{
    obj *p = ctx;
    uint64_t sum = 0;
    while (bench_keep_running_batch(st, BATCH))
        for (int i = 0; i < BATCH; i++) {
            obj *q = p;
            LAUNDER(q);
            sum += q->value;
        }
    BENCH_DO_NOT_OPTIMIZE(sum);
    bench_set_items(st, bench_state_iterations(st));
}

static void bm_check_pin_get(bench_state *st, void *ctx)
{
    obj_pinned pp = {ctx};
    uint64_t sum = 0;
    while (bench_keep_running_batch(st, BATCH))
        for (int i = 0; i < BATCH; i++) {
            obj_pinned q = pp;
            LAUNDER(q.unchecked_);
            sum += PIN_GET(q)->value;
        }
    BENCH_DO_NOT_OPTIMIZE(sum);
    bench_set_items(st, bench_state_iterations(st));
}

static void bm_check_only(bench_state *st, void *ctx)
{
    obj *p = ctx;
    while (bench_keep_running_batch(st, BATCH))
        for (int i = 0; i < BATCH; i++) {
            obj *q = p;
            LAUNDER(q);
            PIN_CHECK_PTR(q);
        }
    bench_set_items(st, bench_state_iterations(st));
}

/* --- access: pinned pointers vs index handles ------------------------------------------ */

#define CHUNK 4096

typedef struct fixture {
    size_t n;
    obj *vec; /* index: a realloc-grown array */
    size_t vec_len;
    uint32_t *idx;       /* shuffled indices */
    obj_pinned *heap;    /* pinned_heap: handles in the same shuffled order */
    obj **chunks;        /* pinned_chunked: n / CHUNK fixed blocks */
    obj_pinned *chunked; /* handles in the same shuffled order */
} fixture;

static fixture fixtures[2];

static void build_vec(fixture *f)
{
    size_t cap = 16;
    f->vec = malloc(cap * sizeof *f->vec);
    if (f->vec == NULL)
        abort();
    for (size_t i = 0; i < f->n; i++) {
        if (i == cap) { /* grow as a vector does: the objects move, the indices do not */
            cap *= 2;
            obj *bigger = realloc(f->vec, cap * sizeof *f->vec);
            if (bigger == NULL)
                abort();
            f->vec = bigger;
        }
        f->vec[i] = (obj){PIN_UNPINNED, i, NULL};
    }
    f->vec_len = f->n;
}

static obj_pinned pin_here(obj *o, uint64_t v)
{
    *o = (obj){PIN_UNPINNED, v, NULL};
    obj_pinned p = PIN_INIT(obj, o);
    PIN_GET(p)->self = PIN_GET(p);
    return p;
}

static fixture *get_fixture(size_t n)
{
    fixture *f = &fixtures[n > CHUNK];
    if (f->n == n)
        return f;
    f->n = n;
    build_vec(f);
    f->idx = malloc(n * sizeof *f->idx);
    f->heap = malloc(n * sizeof *f->heap);
    f->chunked = malloc(n * sizeof *f->chunked);
    f->chunks = calloc((n + CHUNK - 1) / CHUNK, sizeof(obj *));
    if (!f->vec || !f->idx || !f->heap || !f->chunked || !f->chunks)
        abort();
    obj_pinned *by_id = malloc(n * sizeof *by_id), *boxed = malloc(n * sizeof *boxed);
    if (!by_id || !boxed)
        abort();
    for (size_t i = 0; i < n; i++) {
        obj **chunk = &f->chunks[i / CHUNK];
        if (*chunk == NULL && (*chunk = malloc(CHUNK * sizeof **chunk)) == NULL)
            abort();
        by_id[i] = pin_here(&(*chunk)[i % CHUNK], i);
        boxed[i] = PIN_BOX(obj, ((obj){PIN_UNPINNED, i, NULL}));
        if (boxed[i].unchecked_ == NULL)
            abort();
    }
    cmn_rng rng;
    cmn_rng_seed(&rng, 42);
    for (size_t i = 0; i < n; i++)
        f->idx[i] = (uint32_t)i;
    for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
        size_t j = (size_t)cmn_rng_below(&rng, i + 1);
        uint32_t t = f->idx[i];
        f->idx[i] = f->idx[j];
        f->idx[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        f->heap[i] = boxed[f->idx[i]];
        f->chunked[i] = by_id[f->idx[i]];
    }
    free(by_id);
    free(boxed);
    return f;
}

static void bm_access_index(bench_state *st, void *ctx)
{
    (void)ctx;
    fixture *f = get_fixture((size_t)bench_state_range(st, 0));
    uint64_t sum = 0;
    while (bench_keep_running_batch(st, (int64_t)f->n))
        for (size_t i = 0; i < f->n; i++) {
            uint32_t h = f->idx[i];
            if (h >= f->vec_len) /* the handle's own check: a bounds check */
                abort();
            sum += f->vec[h].value;
        }
    BENCH_DO_NOT_OPTIMIZE(sum);
    bench_set_items(st, bench_state_iterations(st));
}

static void access_pinned(bench_state *st, const obj_pinned *handles, size_t n)
{
    uint64_t sum = 0;
    while (bench_keep_running_batch(st, (int64_t)n))
        for (size_t i = 0; i < n; i++)
            sum += PIN_GET(handles[i])->value;
    BENCH_DO_NOT_OPTIMIZE(sum);
    bench_set_items(st, bench_state_iterations(st));
}

static void bm_access_pinned_heap(bench_state *st, void *ctx)
{
    (void)ctx;
    fixture *f = get_fixture((size_t)bench_state_range(st, 0));
    access_pinned(st, f->heap, f->n);
}

static void bm_access_pinned_chunked(bench_state *st, void *ctx)
{
    (void)ctx;
    fixture *f = get_fixture((size_t)bench_state_range(st, 0));
    access_pinned(st, f->chunked, f->n);
}

/* Registers one benchmark (run length and repetitions come from BENCH_ARGS). */
static bench_def *reg(const char *name, bench_fn fn, void *ctx)
{
    return bench_register(name, fn, ctx);
}

static void setup(void)
{
    obj_pinned p = pin_here(&the_obj, 7);
    (void)p;
    reg("check/plain", bm_check_plain, &the_obj);
    reg("check/pin_get", bm_check_pin_get, &the_obj);
    reg("check/check_only", bm_check_only, &the_obj);
    static const int64_t sizes[] = {1024, 1 << 20};
    for (size_t i = 0; i < 2; i++) {
        bench_arg(reg("access/index", bm_access_index, NULL), sizes[i]);
        bench_arg(reg("access/pinned_heap", bm_access_pinned_heap, NULL), sizes[i]);
        bench_arg(reg("access/pinned_chunked", bm_access_pinned_chunked, NULL), sizes[i]);
    }
}
BENCH_SETUP(setup)
