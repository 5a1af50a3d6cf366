/* test_reclaim.c — no node is reused while a thread may still read it, and the
 * garbage bound: hazard pointers stay under msq_unreclaimed_bound() even with a
 * stalled reader; epochs are stopped by a stalled (pinned) reader and recover when
 * it leaves. A "stalled reader" is a second handle driven from the same thread
 * through the internal protect/pin calls, so the interleaving is exact. */
#include <errno.h>

#include "common/test.h"
#include "msq.h"
#include "msq_internal.h"

static msq_queue *make(uint32_t cap, uint32_t threads, msq_reclaim r)
{
    msq_queue *q = NULL;
    assert_int_equal(msq_create(&(msq_config){cap, threads, r}, &q), 0);
    return q;
}

static uint32_t head_index(msq_queue *q)
{
    return ref_idx(atomic_load(&q->head));
}

static bool node_is_free(msq_queue *q, uint32_t idx)
{
    for (uint32_t b = ref_idx(atomic_load(&q->free_top)); b != MSQ_NIL;
         b = atomic_load(&q->nodes[b].batch_next))
        for (uint32_t i = b; i != MSQ_NIL; i = q->links[i])
            if (i == idx)
                return true;
    for (uint32_t t = 0; t < q->max_threads; t++)
        for (uint32_t i = q->handles[t].cache_head; i != MSQ_NIL; i = q->links[i])
            if (i == idx)
                return true;
    return false;
}

static void test_hazard_keeps_node_out_of_pool(void **state)
{
    (void)state;
    msq_queue *q = make(64, 2, MSQ_RECLAIM_HP);
    msq_handle *w = msq_register(q), *r = msq_register(q);
    assert_int_equal(msq_enqueue(w, 1), 0);
    uint32_t dummy = head_index(q);
    msq_hp_protect(r, 0, dummy); /* r is "inside a dequeue", reading the dummy */
    uintptr_t v;
    assert_int_equal(msq_dequeue(w, &v), 0);
    assert_int_equal(msq_reclaim_now(w), 0);
    assert_false(node_is_free(q, dummy));
    assert_int_equal(msq_unreclaimed(q), 1);
    msq_hp_clear(r);
    assert_int_equal(msq_reclaim_now(w), 1);
    assert_true(node_is_free(q, dummy));
    assert_int_equal(msq_unreclaimed(q), 0);
    msq_unregister(w);
    msq_unregister(r);
    msq_destroy(q);
}

static void test_hazard_bound_holds_with_stalled_reader(void **state)
{
    (void)state;
    msq_queue *q = make(4096, 4, MSQ_RECLAIM_HP);
    msq_handle *w = msq_register(q), *r = msq_register(q);
    assert_int_equal(msq_enqueue(w, 0), 0);
    msq_hp_protect(r, 0, head_index(q)); /* stalls forever on one node */
    size_t bound = msq_unreclaimed_bound(q), peak = 0;
    assert_true(bound < 4096);
    for (uintptr_t i = 1; i < 200000; i++) {
        assert_int_equal(msq_enqueue(w, i), 0);
        uintptr_t v;
        assert_int_equal(msq_dequeue(w, &v), 0);
        assert_int_equal(v, i - 1);
        size_t u = msq_unreclaimed(q);
        peak = u > peak ? u : peak;
        assert_true(u <= bound);
    }
    assert_true(peak >= 1); /* the protected node really was held back */
    msq_hp_clear(r);
    msq_unregister(w);
    msq_unregister(r);
    msq_destroy(q);
}

static void test_epoch_pinned_reader_blocks_then_recovers(void **state)
{
    (void)state;
    msq_queue *q = make(1 << 16, 2, MSQ_RECLAIM_EBR);
    msq_handle *w = msq_register(q), *r = msq_register(q);
    msq_ebr_enter(r); /* pinned and never leaving: the epoch cannot move twice */
    for (uintptr_t i = 0; i < 20000; i++) {
        assert_int_equal(msq_enqueue(w, i), 0);
        uintptr_t v;
        assert_int_equal(msq_dequeue(w, &v), 0);
    }
    assert_true(msq_unreclaimed(q) >= 19000); /* garbage grows without bound */
    assert_int_equal(msq_unreclaimed_bound(q), SIZE_MAX);
    msq_ebr_exit(r);
    for (int i = 0; i < 4; i++)
        msq_reclaim_now(w);
    assert_int_equal(msq_unreclaimed(q), 0);
    msq_unregister(w);
    msq_unregister(r);
    msq_destroy(q);
}

static void test_epoch_bounded_without_stalls(void **state)
{
    (void)state;
    msq_queue *q = make(4096, 2, MSQ_RECLAIM_EBR);
    msq_handle *w = msq_register(q);
    size_t peak = 0;
    for (uintptr_t i = 0; i < 200000; i++) {
        assert_int_equal(msq_enqueue(w, i), 0);
        uintptr_t v;
        assert_int_equal(msq_dequeue(w, &v), 0);
        size_t u = msq_unreclaimed(q);
        peak = u > peak ? u : peak;
    }
    /* With nobody pinned, each advance frees what is two epochs old: at most three
     * buckets worth of ebr_period retirements wait. */
    assert_true(peak <= (size_t)3 * q->ebr_period);
    msq_unregister(w);
    msq_destroy(q);
}

static void test_unregister_keeps_garbage_for_next_owner(void **state)
{
    (void)state;
    msq_queue *q = make(64, 2, MSQ_RECLAIM_HP);
    msq_handle *w = msq_register(q), *r = msq_register(q);
    assert_int_equal(msq_enqueue(w, 5), 0);
    uint32_t dummy = head_index(q);
    msq_hp_protect(r, 1, dummy);
    uintptr_t v;
    assert_int_equal(msq_dequeue(w, &v), 0);
    msq_unregister(w); /* its scan cannot free the protected node */
    assert_int_equal(msq_unreclaimed(q), 1);
    assert_false(node_is_free(q, dummy));
    msq_hp_clear(r);
    msq_handle *w2 = msq_register(q);
    assert_ptr_equal(w2, w);
    assert_int_equal(msq_reclaim_now(w2), 1);
    assert_true(node_is_free(q, dummy));
    msq_unregister(w2);
    msq_unregister(r);
    msq_destroy(q);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hazard_keeps_node_out_of_pool),
    cmocka_unit_test(test_hazard_bound_holds_with_stalled_reader),
    cmocka_unit_test(test_epoch_pinned_reader_blocks_then_recovers),
    cmocka_unit_test(test_epoch_bounded_without_stalls),
    cmocka_unit_test(test_unregister_keeps_garbage_for_next_owner),
};

CMN_TEST_MAIN(tests)
