/* test_frame.c — the bitmap frame allocator against a model (one bool per frame):
 * exhaustion, uniqueness, range and double-free errors, and random get/put. */
#include <stdlib.h>

#include "common/test.h"
#include "frame.h"
#include "kerr.h"

#define BASE 0x100000ull
#define PG 4096ull

static void test_init_errors(void **state)
{
    (void)state;
    frame_alloc fa;
    uint64_t bits[2];
    assert_int_equal(frame_init(&fa, bits, 2, BASE + 1, BASE + 4096), -KERR_INVAL);
    assert_int_equal(frame_init(&fa, bits, 2, BASE, BASE), -KERR_INVAL);
    assert_int_equal(frame_init(&fa, bits, 2, BASE, BASE + 129 * PG), -KERR_NOSPC);
    assert_int_equal(frame_bitmap_words(BASE, BASE + 129 * PG), 3);
    assert_int_equal(frame_init(&fa, bits, 2, BASE, BASE + 128 * PG), 0);
    assert_int_equal(frame_count_free(&fa), 0); /* everything starts used */
    uint64_t pa;
    assert_int_equal(frame_get(&fa, &pa), -KERR_NOMEM);
}

static void test_add_get_put(void **state)
{
    (void)state;
    frame_alloc fa;
    uint64_t bits[4];
    assert_int_equal(frame_init(&fa, bits, 4, BASE, BASE + 200 * PG), 0);
    assert_int_equal(frame_add(&fa, BASE + 10 * PG, BASE + 20 * PG), 0);
    assert_int_equal(frame_add(&fa, BASE + 150 * PG, BASE + 200 * PG), 0);
    assert_int_equal(frame_count_free(&fa), 60);
    assert_int_equal(frame_add(&fa, BASE + 19 * PG, BASE + 21 * PG), -KERR_EXIST);
    assert_int_equal(frame_count_free(&fa), 60); /* refused whole */
    assert_int_equal(frame_add(&fa, BASE + 4096, BASE + 8193), -KERR_INVAL);
    assert_int_equal(frame_add(&fa, BASE - 4096, BASE + 4096), -KERR_RANGE);
    assert_int_equal(frame_add(&fa, BASE + 199 * PG, BASE + 201 * PG), -KERR_RANGE);
    uint64_t got[60];
    for (int i = 0; i < 60; i++) {
        assert_int_equal(frame_get(&fa, &got[i]), 0);
        bool in_a = got[i] >= BASE + 10 * PG && got[i] < BASE + 20 * PG;
        bool in_b = got[i] >= BASE + 150 * PG && got[i] < BASE + 200 * PG;
        assert_true(in_a || in_b);
        for (int j = 0; j < i; j++)
            assert_true(got[j] != got[i]);
    }
    uint64_t pa;
    assert_int_equal(frame_get(&fa, &pa), -KERR_NOMEM);
    assert_int_equal(frame_put(&fa, got[5]), 0);
    assert_int_equal(frame_put(&fa, got[5]), -KERR_EXIST);
    assert_int_equal(frame_put(&fa, got[5] + 12), -KERR_INVAL);
    assert_int_equal(frame_put(&fa, BASE + 200 * PG), -KERR_RANGE);
    assert_int_equal(frame_put(&fa, BASE - 4096), -KERR_RANGE);
    assert_int_equal(frame_get(&fa, &pa), 0);
    assert_int_equal(pa, got[5]);
}

static void test_random_against_model(void **state)
{
    (void)state;
    cmn_rng rng;
    cmn_test_rng(&rng);
    enum { N = 1000 };
    frame_alloc fa;
    uint64_t bits[(N + 63) / 64];
    bool used[N]; /* model: true = handed out */
    bool usable[N];
    assert_int_equal(frame_init(&fa, bits, sizeof bits / 8, 0, N * PG), 0);
    for (int i = 0; i < N; i++)
        usable[i] = used[i] = false;
    for (int k = 0; k < 12; k++) { /* random disjoint usable ranges */
        size_t s = cmn_rng_below(&rng, N), e = s + cmn_rng_below(&rng, 80);
        if (e > N)
            e = N;
        bool clash = false;
        for (size_t i = s; i < e; i++)
            clash |= usable[i];
        int rc = frame_add(&fa, s * PG, e * PG);
        assert_int_equal(rc, clash ? -KERR_EXIST : 0);
        if (!clash)
            for (size_t i = s; i < e; i++)
                usable[i] = true;
    }
    size_t free_model = 0;
    for (int i = 0; i < N; i++)
        free_model += usable[i];
    for (int step = 0; step < 50000; step++) {
        if (cmn_rng_below(&rng, 2)) {
            uint64_t pa;
            int rc = frame_get(&fa, &pa);
            assert_int_equal(rc, free_model ? 0 : -KERR_NOMEM);
            if (rc)
                continue;
            size_t i = pa / 4096;
            assert_true(usable[i] && !used[i]);
            used[i] = true;
            free_model--;
        } else {
            size_t i = cmn_rng_below(&rng, N);
            /* A frame that was never usable reads as "handed out" to the bitmap, so
             * frame_put cannot tell it from a real one: the kernel never frees those,
             * and neither does this model. */
            if (!usable[i])
                continue;
            int rc = frame_put(&fa, i * PG);
            if (used[i]) {
                assert_int_equal(rc, 0);
                used[i] = false;
                free_model++;
            } else {
                assert_int_equal(rc, -KERR_EXIST);
            }
        }
        assert_int_equal(frame_count_free(&fa), free_model);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_init_errors),
    cmocka_unit_test(test_add_get_put),
    cmocka_unit_test(test_random_against_model),
};

CMN_TEST_MAIN(tests)
