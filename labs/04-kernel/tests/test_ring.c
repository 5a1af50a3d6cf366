/* test_ring.c — the SPSC ring against a plain array queue (the reference model),
 * plus the boundaries: full, empty, wrap-around of the free-running indices, bad
 * capacities, and a producer thread racing a consumer thread. */
#include <pthread.h>
#include <string.h>

#include "common/test.h"
#include "kerr.h"
#include "ring.h"

static void test_rejects_bad_capacity(void **state)
{
    (void)state;
    ring r;
    uint8_t buf[8];
    assert_int_equal(ring_init(&r, buf, 0), -KERR_INVAL);
    assert_int_equal(ring_init(&r, buf, 1), -KERR_INVAL);
    assert_int_equal(ring_init(&r, buf, 6), -KERR_INVAL);
    assert_int_equal(ring_init(&r, NULL, 8), -KERR_INVAL);
    assert_int_equal(ring_init(&r, buf, 8), 0);
    assert_int_equal(ring_cap(&r), 8);
}

static void test_full_and_empty(void **state)
{
    (void)state;
    ring r;
    uint8_t buf[4], b;
    ring_init(&r, buf, 4);
    assert_false(ring_pop(&r, &b));
    for (uint8_t i = 0; i < 4; i++)
        assert_true(ring_push(&r, i));
    assert_false(ring_push(&r, 99)); /* full: refused and counted */
    assert_int_equal(atomic_load(&r.dropped), 1);
    assert_int_equal(ring_len(&r), 4);
    for (uint8_t i = 0; i < 4; i++) {
        assert_true(ring_pop(&r, &b));
        assert_int_equal(b, i);
    }
    assert_false(ring_pop(&r, &b));
}

static void test_indices_wrap(void **state)
{
    (void)state;
    ring r;
    uint8_t buf[4], b;
    ring_init(&r, buf, 4);
    /* start the free-running counters just below SIZE_MAX */
    atomic_store(&r.head, SIZE_MAX - 2);
    atomic_store(&r.tail, SIZE_MAX - 2);
    for (int round = 0; round < 5; round++) {
        for (uint8_t i = 0; i < 3; i++)
            assert_true(ring_push(&r, (uint8_t)(round * 10 + i)));
        assert_int_equal(ring_len(&r), 3);
        for (uint8_t i = 0; i < 3; i++) {
            assert_true(ring_pop(&r, &b));
            assert_int_equal(b, round * 10 + i);
        }
    }
}

static void test_random_against_model(void **state)
{
    (void)state;
    cmn_rng rng;
    cmn_test_rng(&rng);
    ring r;
    uint8_t buf[16];
    ring_init(&r, buf, 16);
    uint8_t model[16] = {0};
    size_t mh = 0, mt = 0; /* model: model[mt..mh) mod 16, length mh - mt */
    for (int step = 0; step < 100000; step++) {
        if (cmn_rng_below(&rng, 2)) {
            uint8_t v = (uint8_t)cmn_rng_next(&rng);
            bool ok = ring_push(&r, v);
            assert_int_equal(ok, mh - mt < 16);
            if (ok)
                model[mh++ % 16] = v;
        } else {
            uint8_t v = 0;
            bool ok = ring_pop(&r, &v);
            assert_int_equal(ok, mh != mt);
            if (ok)
                assert_int_equal(v, model[mt++ % 16]);
        }
        assert_int_equal(ring_len(&r), mh - mt);
    }
}

enum { STREAM = 200000 };

static void *producer(void *arg)
{
    ring *r = arg;
    for (uint32_t i = 0; i < STREAM;)
        if (ring_push(r, (uint8_t)(i * 7)))
            i++;
    return NULL;
}

static void test_threads_keep_order(void **state)
{
    (void)state;
    static ring r;
    static uint8_t buf[64];
    ring_init(&r, buf, 64);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer, &r), 0);
    for (uint32_t i = 0; i < STREAM;) {
        uint8_t v;
        if (ring_pop(&r, &v)) {
            if (v != (uint8_t)(i * 7))
                fail_msg("byte %u: got %u, want %u", i, v, (uint8_t)(i * 7));
            i++;
        }
    }
    pthread_join(t, NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rejects_bad_capacity), cmocka_unit_test(test_full_and_empty),
    cmocka_unit_test(test_indices_wrap),         cmocka_unit_test(test_random_against_model),
    cmocka_unit_test(test_threads_keep_order),
};

CMN_TEST_MAIN(tests)
