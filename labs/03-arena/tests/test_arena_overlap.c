/* test_arena_overlap.c — randomised, seeded: thousands of allocations of random sizes
 * and alignments, interleaved with marks, rewinds and resets, never overlap a live
 * allocation and never disturb one (each is filled with its own byte and checked). */
#include <stdlib.h>

#include "common/test.h"
#include "arena.h"
#include "support.h"

typedef struct live {
    void *p;
    size_t n;
    uint8_t fill;
} live;

static void rebuild(shadow *sh, const live *l, size_t n)
{
    shadow_clear(sh);
    for (size_t i = 0; i < n; i++)
        shadow_add(sh, l[i].p, l[i].n, l[i].fill);
}

static void test_random_no_overlap(void **state)
{
    (void)state;
    cmn_rng rng;
    cmn_test_rng(&rng);
    test_source ts;
    arena_source src = test_source_make(&ts, SIZE_MAX);
    arena a;
    arena_init(&a, &src, 2048);
    shadow *sh = shadow_new();
    enum { MAX_LIVE = 1500, STEPS = 6000, MAX_MARKS = 8 };
    live *l = calloc(MAX_LIVE, sizeof *l);
    arena_mark marks[MAX_MARKS];
    size_t mark_len[MAX_MARKS];
    size_t n = 0, nmarks = 0;
    for (int step = 0; step < STEPS; step++) {
        uint64_t op = cmn_rng_below(&rng, 100);
        if (op < 85 && n < MAX_LIVE) {
            size_t size = cmn_rng_below(&rng, 8) == 0 ? (size_t)cmn_rng_below(&rng, 5000)
                                                      : (size_t)cmn_rng_below(&rng, 64);
            size_t align = (size_t)1 << cmn_rng_below(&rng, 13);
            void *p = arena_alloc(&a, size, align);
            assert_non_null(p);
            assert_true(((uintptr_t)p & (align - 1)) == 0);
            uint8_t fill = (uint8_t)(step | 1);
            shadow_add(sh, p, size, fill);
            l[n++] = (live){p, size, fill};
        } else if (op < 92 && nmarks < MAX_MARKS) {
            mark_len[nmarks] = n;
            marks[nmarks++] = arena_save(&a);
        } else if (op < 98 && nmarks > 0) {
            size_t k = cmn_rng_below(&rng, nmarks); /* any open mark; newer ones die with it */
            shadow_verify(sh);
            arena_rewind(&a, marks[k]);
            n = mark_len[k];
            nmarks = k;
            rebuild(sh, l, n);
        } else {
            shadow_verify(sh);
            arena_reset(&a);
            n = nmarks = 0;
            shadow_clear(sh);
            assert_true(arena_get_stats(&a).chunks <= 1); /* 0 if nothing was allocated yet */
        }
        size_t in_use = 0;
        for (size_t i = 0; i < n; i++)
            in_use += l[i].n;
        assert_int_equal(arena_get_stats(&a).in_use, in_use);
        assert_int_equal(arena_get_stats(&a).chunks, ts.out_blocks);
    }
    shadow_verify(sh);
    arena_destroy(&a);
    assert_int_equal(ts.out_blocks, 0);
    assert_int_equal(ts.bad_frees, 0);
    free(l);
    shadow_free(sh);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_random_no_overlap),
};
CMN_TEST_MAIN(tests)
