/* test_queue_model.c — single-threaded behaviour against a plain array model:
 * FIFO order, empty and full answers, bad configurations named, handle limits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "msq.h"

static msq_queue *make(uint32_t cap, uint32_t threads, msq_reclaim r)
{
    msq_queue *q = NULL;
    assert_int_equal(msq_create(&(msq_config){cap, threads, r}, &q), 0);
    return q;
}

static void test_bad_config_is_named(void **state)
{
    (void)state;
    msq_queue *q = NULL;
    struct {
        msq_config c;
        const char *field;
    } bad[] = {
        {{1, 4, MSQ_RECLAIM_HP}, "capacity"},
        {{UINT32_MAX, 4, MSQ_RECLAIM_HP}, "capacity"},
        {{16, 0, MSQ_RECLAIM_HP}, "max_threads"},
        {{16, MSQ_MAX_THREADS + 1, MSQ_RECLAIM_EBR}, "max_threads"},
        {{16, 4, (msq_reclaim)7}, "reclaim"},
    };
    for (size_t i = 0; i < CMN_ARRAY_LEN(bad); i++) {
        assert_int_equal(msq_create(&bad[i].c, &q), -EINVAL);
        const char *msg = msq_config_error(&bad[i].c);
        assert_non_null(msg);
        assert_non_null(strstr(msg, bad[i].field));
    }
    assert_null(msq_config_error(&(msq_config){2, 1, MSQ_RECLAIM_EBR}));
    assert_non_null(msq_config_error(NULL));
}

static void test_empty_queue_says_eagain(void **state)
{
    (void)state;
    msq_queue *q = make(8, 1, MSQ_RECLAIM_HP);
    msq_handle *h = msq_register(q);
    uintptr_t v = 99;
    assert_int_equal(msq_dequeue(h, &v), -EAGAIN);
    assert_int_equal(v, 99);
    assert_int_equal(msq_enqueue(h, 7), 0);
    assert_int_equal(msq_dequeue(h, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(msq_dequeue(h, &v), -EAGAIN);
    msq_unregister(h);
    msq_destroy(q);
}

/* Random enqueue/dequeue mix compared step by step with a ring array. */
static void random_vs_model(msq_reclaim r)
{
    cmn_rng rng;
    cmn_test_rng(&rng);
    enum { CAP = 512, OPS = 200000 };
    msq_queue *q = make(CAP + 1 + 256, 1, r); /* + dummy + what reclamation may hold */
    msq_handle *h = msq_register(q);
    uintptr_t *model = calloc(CAP, sizeof *model);
    size_t mh = 0, mlen = 0;
    for (int i = 0; i < OPS; i++) {
        if (cmn_rng_below(&rng, 100) < 52 && mlen < CAP) {
            uintptr_t v = (uintptr_t)cmn_rng_next(&rng);
            assert_int_equal(msq_enqueue(h, v), 0);
            model[(mh + mlen++) % CAP] = v;
        } else {
            uintptr_t v;
            int rc = msq_dequeue(h, &v);
            if (mlen == 0) {
                assert_int_equal(rc, -EAGAIN);
            } else {
                assert_int_equal(rc, 0);
                assert_int_equal(v, model[mh]);
                mh = (mh + 1) % CAP;
                mlen--;
            }
        }
    }
    free(model);
    msq_unregister(h);
    msq_destroy(q);
}

static void test_fifo_matches_array_hp(void **state)
{
    (void)state;
    random_vs_model(MSQ_RECLAIM_HP);
}

static void test_fifo_matches_array_ebr(void **state)
{
    (void)state;
    random_vs_model(MSQ_RECLAIM_EBR);
}

static void test_pool_exhaustion_then_reuse(void **state)
{
    (void)state;
    msq_queue *q = make(9, 1, MSQ_RECLAIM_HP); /* 8 nodes besides the dummy */
    msq_handle *h = msq_register(q);
    for (uintptr_t i = 0; i < 8; i++)
        assert_int_equal(msq_enqueue(h, i), 0);
    assert_int_equal(msq_enqueue(h, 100), -EAGAIN);
    uintptr_t v;
    assert_int_equal(msq_dequeue(h, &v), 0);
    assert_int_equal(v, 0);
    /* The old dummy is retired, not free, until a scan proves nobody protects it;
     * enqueue runs that scan when the pool is dry. */
    assert_int_equal(msq_unreclaimed(q), 1);
    assert_int_equal(msq_enqueue(h, 100), 0);
    assert_int_equal(msq_unreclaimed(q), 0);
    for (uintptr_t i = 1; i < 8; i++) {
        assert_int_equal(msq_dequeue(h, &v), 0);
        assert_int_equal(v, i);
    }
    assert_int_equal(msq_dequeue(h, &v), 0);
    assert_int_equal(v, 100);
    msq_unregister(h);
    assert_int_equal(msq_free_nodes(q), 8);
    msq_destroy(q);
}

static void test_register_limit(void **state)
{
    (void)state;
    msq_queue *q = make(16, 2, MSQ_RECLAIM_EBR);
    msq_handle *a = msq_register(q), *b = msq_register(q);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_null(msq_register(q));
    msq_unregister(a);
    msq_handle *c = msq_register(q);
    assert_ptr_equal(c, a);
    msq_unregister(b);
    msq_unregister(c);
    msq_destroy(q);
}

static void test_values_round_trip_all_bits(void **state)
{
    (void)state;
    msq_queue *q = make(8, 1, MSQ_RECLAIM_EBR);
    msq_handle *h = msq_register(q);
    uintptr_t vals[] = {0, 1, UINTPTR_MAX, (uintptr_t)1 << (sizeof(uintptr_t) * 8 - 1)};
    for (size_t i = 0; i < CMN_ARRAY_LEN(vals); i++)
        assert_int_equal(msq_enqueue(h, vals[i]), 0);
    for (size_t i = 0; i < CMN_ARRAY_LEN(vals); i++) {
        uintptr_t v;
        assert_int_equal(msq_dequeue(h, &v), 0);
        assert_true(v == vals[i]);
    }
    msq_unregister(h);
    msq_destroy(q);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bad_config_is_named),
    cmocka_unit_test(test_empty_queue_says_eagain),
    cmocka_unit_test(test_fifo_matches_array_hp),
    cmocka_unit_test(test_fifo_matches_array_ebr),
    cmocka_unit_test(test_pool_exhaustion_then_reuse),
    cmocka_unit_test(test_register_limit),
    cmocka_unit_test(test_values_round_trip_all_bits),
};

CMN_TEST_MAIN(tests)
