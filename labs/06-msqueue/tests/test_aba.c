/* test_aba.c — the ABA problem, staged step by step in one thread.
 *
 * A "stalled dequeuer" takes its snapshot of head and head->next, then other
 * operations run until head names the same node index again (A -> B -> A). An
 * index-only compare would now succeed and swing head to a node that has already
 * been dequeued; the tag makes the word differ, so the stale CAS fails. A second test
 * shows the other defence: if the stalled thread holds a hazard pointer on A, A is
 * not reused and head never comes back to it. */
#include <errno.h>

#include "common/test.h"
#include "msq.h"
#include "msq_internal.h"

static msq_queue *tiny(msq_reclaim r)
{
    msq_queue *q = NULL;
    assert_int_equal(msq_create(&(msq_config){3, 2, r}, &q), 0); /* nodes 0, 1, 2 */
    return q;
}

static void test_tag_defeats_aba_on_head(void **state)
{
    (void)state;
    msq_queue *q = tiny(MSQ_RECLAIM_HP);
    msq_handle *w = msq_register(q);
    assert_int_equal(msq_enqueue(w, 1), 0);
    /* The stalled dequeuer's snapshot (it protects nothing: tags alone must hold). */
    uint64_t head_old = atomic_load(&q->head);
    uint64_t next_old = atomic_load(&q->nodes[ref_idx(head_old)].next);
    uintptr_t v;
    assert_int_equal(msq_dequeue(w, &v), 0); /* A leaves; B is the dummy */
    assert_int_equal(v, 1);
    msq_reclaim_now(w);                      /* A is free again... */
    assert_int_equal(msq_enqueue(w, 2), 0);  /* ...and reused for value 2 */
    assert_int_equal(msq_dequeue(w, &v), 0); /* B leaves; A is the dummy again */
    assert_int_equal(v, 2);
    uint64_t head_now = atomic_load(&q->head);
    assert_int_equal(ref_idx(head_now), ref_idx(head_old)); /* A -> B -> A */
    assert_true(head_now != head_old);                      /* but the tag moved */
    uint64_t expect = head_old;
    assert_false(atomic_compare_exchange_strong(
        &q->head, &expect, ref_make(ref_idx(next_old), ref_tag(head_old) + 1)));
    /* The queue is intact: empty, and usable. */
    assert_int_equal(msq_dequeue(w, &v), -EAGAIN);
    assert_int_equal(msq_enqueue(w, 3), 0);
    assert_int_equal(msq_dequeue(w, &v), 0);
    assert_int_equal(v, 3);
    msq_unregister(w);
    msq_destroy(q);
}

static void test_tag_defeats_aba_on_next(void **state)
{
    (void)state;
    /* An enqueuer stalls after reading tail = A and A->next = NIL. Meanwhile A is
     * dequeued, recycled and is the last node again with next = NIL: an index-only
     * CAS on A->next would link the stalled node into a queue it never saw. */
    msq_queue *q = tiny(MSQ_RECLAIM_HP);
    msq_handle *w = msq_register(q);
    uint64_t tail_old = atomic_load(&q->tail);
    uint32_t a = ref_idx(tail_old);
    uint64_t next_old = atomic_load(&q->nodes[a].next);
    assert_int_equal(ref_idx(next_old), MSQ_NIL);
    uintptr_t v;
    assert_int_equal(msq_enqueue(w, 1), 0);
    assert_int_equal(msq_dequeue(w, &v), 0);
    msq_reclaim_now(w);
    assert_int_equal(msq_enqueue(w, 2), 0); /* reuses A, now the last node */
    assert_int_equal(ref_idx(atomic_load(&q->tail)), a);
    uint64_t next_now = atomic_load(&q->nodes[a].next);
    assert_int_equal(ref_idx(next_now), MSQ_NIL); /* NIL -> B -> NIL on the index */
    assert_true(next_now != next_old);            /* but not on the whole word */
    msq_unregister(w);
    msq_destroy(q);
}

static void test_hazard_prevents_the_reuse(void **state)
{
    (void)state;
    msq_queue *q = tiny(MSQ_RECLAIM_HP);
    msq_handle *w = msq_register(q), *stalled = msq_register(q);
    assert_int_equal(msq_enqueue(w, 1), 0);
    uint32_t a = ref_idx(atomic_load(&q->head));
    msq_hp_protect(stalled, 0, a);
    uintptr_t v;
    assert_int_equal(msq_dequeue(w, &v), 0);
    msq_reclaim_now(w);                     /* A stays retired: it is protected */
    assert_int_equal(msq_enqueue(w, 2), 0); /* uses the third node instead */
    assert_int_equal(msq_dequeue(w, &v), 0);
    assert_int_not_equal(ref_idx(atomic_load(&q->head)), a);
    assert_int_equal(msq_enqueue(w, 3), 0);       /* reuses B, the only reclaimable node */
    assert_int_equal(msq_enqueue(w, 4), -EAGAIN); /* A is still held back */
    msq_hp_clear(stalled);
    assert_int_equal(msq_enqueue(w, 4), 0);
    msq_unregister(stalled);
    msq_unregister(w);
    msq_destroy(q);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tag_defeats_aba_on_head),
    cmocka_unit_test(test_tag_defeats_aba_on_next),
    cmocka_unit_test(test_hazard_prevents_the_reuse),
};

CMN_TEST_MAIN(tests)
