/* test_arena_threads.c — the thread-safe arena under several threads at once (no two
 * allocations overlap, none is overwritten), and per-thread arenas (each thread gets
 * its own, freed at thread exit). Run under SAN=thread for the data-race proof. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "arena.h"
#include "arena_hosted.h"
#include "support.h"

enum { THREADS = 4, PER_THREAD = 20000 };

typedef struct block {
    uintptr_t p;
    size_t n;
    uint8_t fill;
} block;

typedef struct worker {
    arena_mt *a;
    uint64_t seed;
    block *blocks;
    int id;
} worker;

static void *hammer(void *arg)
{
    worker *w = arg;
    cmn_rng rng;
    cmn_rng_seed(&rng, w->seed);
    for (int i = 0; i < PER_THREAD; i++) {
        size_t n = (size_t)cmn_rng_below(&rng, 200);
        size_t align = (size_t)1 << cmn_rng_below(&rng, 7);
        unsigned char *p = arena_mt_alloc(w->a, n, align);
        if (p == NULL || ((uintptr_t)p & (align - 1)) != 0)
            return "bad allocation";
        uint8_t fill = (uint8_t)(w->id * 50 + i % 50 + 1);
        memset(p, fill, n);
        w->blocks[i] = (block){(uintptr_t)p, n, fill};
    }
    return NULL;
}

static int by_address(const void *x, const void *y)
{
    const block *a = x, *b = y;
    return (a->p > b->p) - (a->p < b->p);
}

static void test_mt_arena_no_overlap(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, SIZE_MAX);
    arena_mt a;
    arena_mt_init(&a, &src, 4096); /* small chunks: threads race to grow often */
    uint64_t seed = cmn_test_seed();
    block *all = calloc((size_t)THREADS * PER_THREAD, sizeof *all);
    worker w[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){&a, seed + (uint64_t)i, all + (size_t)i * PER_THREAD, i};
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
    /* Zero-sized blocks occupy no bytes (the next block may start at the same
     * address); drop them, then sorted neighbours must not overlap. */
    size_t total = 0;
    for (size_t i = 0; i < (size_t)THREADS * PER_THREAD; i++)
        if (all[i].n != 0)
            all[total++] = all[i];
    qsort(all, total, sizeof *all, by_address);
    for (size_t i = 0; i + 1 < total; i++)
        if (all[i].p + all[i].n > all[i + 1].p)
            fail_msg("blocks %#lx+%zu and %#lx overlap", (unsigned long)all[i].p, all[i].n,
                     (unsigned long)all[i + 1].p);
    for (size_t i = 0; i < total; i++)
        for (size_t j = 0; j < all[i].n; j++)
            assert_int_equal(((uint8_t *)all[i].p)[j], all[i].fill);
    arena_stats st = arena_mt_get_stats(&a);
    assert_int_equal(st.chunks, ts.out_blocks);
    assert_true(st.chunks > 1);
    arena_mt_reset(&a);
    assert_int_equal(ts.out_blocks, 1);
    assert_int_equal(arena_mt_get_stats(&a).in_use, 0);
    arena_mt_destroy(&a);
    assert_int_equal(ts.out_blocks, 0);
    free(all);
}

static void test_mt_arena_oom_returns_null(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, (size_t)32 * 1024);
    arena_mt a;
    arena_mt_init(&a, &src, 4096);
    size_t n = 0;
    while (arena_mt_alloc(&a, 500, 8) != NULL)
        n++;
    assert_true(n > 20 && n < 64); /* 4 + 8 + 16 KiB of chunks, then the limit */
    assert_null(arena_mt_alloc(&a, 500, 8));
    assert_null(arena_mt_alloc(&a, SIZE_MAX, 1));
    assert_true(ts.out_bytes <= (size_t)32 * 1024);
    arena_mt_reset(&a);
    assert_non_null(arena_mt_alloc(&a, 500, 8)); /* usable again after reset */
    arena_mt_destroy(&a);
    assert_int_equal(ts.out_blocks, 0);
}

static void *use_local(void *arg)
{
    arena *a = arena_local();
    if (a != arena_local())
        return "arena_local changed within a thread";
    for (int i = 0; i < 10000; i++) {
        char *p = arena_alloc(a, 100, 8);
        if (p == NULL)
            return "allocation failed";
        memset(p, 1, 100);
    }
    *(arena **)arg = a;
    return NULL;
}

static void test_local_arenas_are_per_thread(void **state)
{
    (void)state;
    pthread_t t[2];
    arena *seen[2] = {0};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, use_local, &seen[i]), 0);
    for (int i = 0; i < 2; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
    assert_ptr_not_equal(seen[0], seen[1]);
    assert_ptr_not_equal(seen[0], arena_local());
    /* The threads' chunks went back at exit: LeakSanitizer (SAN=address) and
     * valgrind (VALGRIND=1) fail this binary otherwise. */
    arena_destroy(arena_local());
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_mt_arena_no_overlap),
    cmocka_unit_test(test_mt_arena_oom_returns_null),
    cmocka_unit_test(test_local_arenas_are_per_thread),
};
CMN_TEST_MAIN(tests)
