/* test_slab.c — the slab cache against a reference model (a plain array of live
 * pointers): random alloc/free sequences with every invariant checked after each step,
 * empty slabs going back to the source, OOM, and debug-build misuse reports. */
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "arena_hosted.h"
#include "slab.h"
#include "support.h"

static void check_or_fail(const slab_cache *c)
{
    const char *err = slab_check(c);
    if (err != NULL)
        fail_msg("slab invariant broken: %s", err);
}

static void run_model(size_t size, size_t align, size_t slab_size, int steps, bool magazine)
{
    cmn_rng rng;
    cmn_test_rng(&rng);
    test_source ts;
    arena_source src = test_source_make(&ts, SIZE_MAX);
    slab_cache c;
    assert_int_equal(slab_cache_init(&c, "model", size, align, slab_size, &src, slab_report_abort),
                     0);
    slab_set_magazine(&c, magazine);
    shadow *sh = shadow_new();
    void **live = calloc((size_t)steps, sizeof *live);
    size_t n = 0;
    for (int i = 0; i < steps; i++) {
        /* Phases that mostly allocate, then mostly free, so slabs fill and empty. */
        bool grow =
            ((i / 500) % 2 == 0) ? cmn_rng_below(&rng, 10) < 7 : cmn_rng_below(&rng, 10) < 3;
        if (grow || n == 0) {
            void *p = slab_alloc(&c);
            assert_non_null(p);
            if (align)
                assert_true(((uintptr_t)p & (align - 1)) == 0);
            shadow_add(sh, p, size, (uint8_t)(i | 1));
            live[n++] = p;
        } else {
            size_t k = cmn_rng_below(&rng, n);
            shadow_remove(sh, live[k]);
            slab_free(&c, live[k]);
            live[k] = live[--n];
        }
        check_or_fail(&c);
        slab_stats st = slab_get_stats(&c);
        assert_int_equal(st.in_use, n);
        assert_true(st.capacity >= n);
        assert_int_equal(ts.out_blocks, st.slabs);
    }
    shadow_verify(sh);
    while (n > 0) {
        slab_free(&c, live[--n]);
        check_or_fail(&c);
    }
    slab_flush(&c); /* the magazine's objects go back to their slabs */
    check_or_fail(&c);
    /* Every slab but the one kept empty went back. */
    assert_true(slab_get_stats(&c).slabs <= 1);
    slab_cache_destroy(&c);
    assert_int_equal(ts.out_blocks, 0);
    assert_int_equal(ts.bad_frees, 0);
    free(live);
    shadow_free(sh);
}

static void test_model_small_objects(void **state)
{
    (void)state;
    run_model(24, 8, 4096, 3000, false);
}

static void test_model_odd_size_small_slabs(void **state)
{
    (void)state;
    run_model(37, 0, 256, 3000, false);
}

static void test_model_big_aligned_objects(void **state)
{
    (void)state;
    run_model(200, 64, 1024, 2000, false);
}

static void test_model_with_magazine(void **state)
{
    (void)state;
    run_model(24, 8, 4096, 3000, true);
    run_model(37, 0, 256, 3000, true);
}

static void test_magazine_is_lifo_and_flushes(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, SIZE_MAX);
    slab_cache c;
    assert_int_equal(slab_cache_init(&c, "mag", 64, 0, 4096, &src, slab_report_abort), 0);
    slab_set_magazine(&c, true);
    void *objs[200];
    for (int i = 0; i < 200; i++)
        objs[i] = slab_alloc(&c);
    size_t slabs = slab_get_stats(&c).slabs;
    for (int i = 0; i < 10; i++)
        slab_free(&c, objs[i]);
    assert_int_equal(slab_get_stats(&c).in_use, 190);
    for (int i = 9; i >= 0; i--)
        assert_ptr_equal(slab_alloc(&c), objs[i]); /* newest first */
    for (int i = 0; i < 200; i++)
        slab_free(&c, objs[i]); /* overflows the magazine: halves go back */
    check_or_fail(&c);
    assert_int_equal(slab_get_stats(&c).in_use, 0);
    assert_true(c.nmag <= SLAB_MAGAZINE);
    assert_true(slab_get_stats(&c).slabs <= slabs);
    slab_flush(&c);
    check_or_fail(&c);
    assert_int_equal(c.nmag, 0);
    assert_int_equal(slab_get_stats(&c).slabs, 1); /* only the kept empty slab */
    slab_set_magazine(&c, false);
    slab_cache_destroy(&c);
    assert_int_equal(ts.out_blocks, 0);
}

static void test_objects_fill_slab_exactly(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, SIZE_MAX);
    slab_cache c;
    assert_int_equal(slab_cache_init(&c, "exact", 64, 64, 4096, &src, slab_report_abort), 0);
    size_t cap = c.capacity;
    assert_true(cap >= 60 && cap <= 63); /* a header's worth less than 4096 / 64 */
    void *objs[64];
    for (size_t i = 0; i < cap; i++)
        objs[i] = slab_alloc(&c);
    assert_int_equal(ts.allocs, 1); /* one slab holds them all */
    void *extra = slab_alloc(&c);
    assert_int_equal(ts.allocs, 2); /* the next one needs a second slab */
    slab_free(&c, extra);           /* second slab empty: kept, not returned */
    assert_int_equal(ts.frees, 0);
    for (size_t i = 0; i < cap; i++)
        slab_free(&c, objs[i]); /* first slab empty too: one empty is kept, this goes */
    assert_int_equal(ts.frees, 1);
    assert_int_equal(slab_get_stats(&c).slabs, 1);
    check_or_fail(&c);
    slab_cache_destroy(&c);
    assert_int_equal(ts.out_blocks, 0);
}

static void test_oom_returns_null(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, (size_t)3 * 1024);
    slab_cache c;
    assert_int_equal(slab_cache_init(&c, "oom", 100, 0, 1024, &src, slab_report_abort), 0);
    size_t got = 0;
    while (slab_alloc(&c) != NULL)
        got++;
    assert_int_equal(got, 3 * (size_t)c.capacity);
    assert_null(slab_alloc(&c)); /* still NULL, still consistent */
    check_or_fail(&c);
    slab_cache_destroy(&c);
}

static void test_bad_parameters_rejected(void **state)
{
    (void)state;
    arena_source src = arena_heap_source();
    slab_cache c;
    assert_int_equal(slab_cache_init(&c, "x", 0, 8, 4096, &src, NULL), -ARENA_EINVAL);
    assert_int_equal(slab_cache_init(&c, "x", 16, 24, 4096, &src, NULL), -ARENA_EINVAL);
    assert_int_equal(slab_cache_init(&c, "x", 16, 8, 3000, &src, NULL), -ARENA_EINVAL);
    assert_int_equal(slab_cache_init(&c, "x", 16, 8, 8192, &src, NULL), -ARENA_EINVAL);
    assert_int_equal(slab_cache_init(&c, "x", 4090, 8, 4096, &src, NULL), -ARENA_EINVAL);
    assert_int_equal(slab_cache_init(&c, "x", 8, 0, 0, &src, NULL), 0);
    assert_int_equal(c.slab_size, 4096);
}

static slab_cache *g_cache;

static void double_free(void *arg)
{
    (void)arg;
    arena_source src = arena_heap_source();
    static slab_cache c;
    slab_cache_init(&c, "nodes", 48, 0, 4096, &src, slab_report_abort);
    void *p = slab_alloc(&c);
    slab_free(&c, p);
    slab_free(&c, p);
}

static void interior_free(void *arg)
{
    (void)arg;
    arena_source src = arena_heap_source();
    static slab_cache c;
    slab_cache_init(&c, "nodes", 48, 0, 4096, &src, slab_report_abort);
    char *p = slab_alloc(&c);
    slab_free(&c, p + 8);
}

static void double_free_magazine(void *arg)
{
    (void)arg;
    arena_source src = arena_heap_source();
    static slab_cache c;
    slab_cache_init(&c, "cached", 48, 0, 4096, &src, slab_report_abort);
    slab_set_magazine(&c, true);
    void *p = slab_alloc(&c);
    slab_free(&c, p);
    slab_free(&c, p);
}

static void foreign_free(void *arg)
{
    (void)arg;
    arena_source src = arena_heap_source();
    static slab_cache a, b;
    slab_cache_init(&a, "left", 48, 0, 4096, &src, slab_report_abort);
    slab_cache_init(&b, "right", 48, 0, 4096, &src, slab_report_abort);
    g_cache = &a;
    slab_free(&b, slab_alloc(&a));
}

static void test_double_free_detected(void **state)
{
    (void)state;
    if (!SLAB_DEBUG)
        skip(); /* release build: no live bitmap */
    assert_true(cmn_dies_with(double_free, NULL, "slab cache 'nodes': double free"));
    assert_true(
        cmn_dies_with(interior_free, NULL, "slab cache 'nodes': .*not the start of an object"));
    assert_true(cmn_dies_with(foreign_free, NULL, "slab cache 'right': .*not from this cache"));
    assert_true(cmn_dies_with(double_free_magazine, NULL, "slab cache 'cached': double free"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_model_small_objects),
    cmocka_unit_test(test_model_odd_size_small_slabs),
    cmocka_unit_test(test_model_big_aligned_objects),
    cmocka_unit_test(test_model_with_magazine),
    cmocka_unit_test(test_magazine_is_lifo_and_flushes),
    cmocka_unit_test(test_objects_fill_slab_exactly),
    cmocka_unit_test(test_oom_returns_null),
    cmocka_unit_test(test_bad_parameters_rejected),
    cmocka_unit_test(test_double_free_detected),
};
CMN_TEST_MAIN(tests)
