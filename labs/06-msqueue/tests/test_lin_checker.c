/* test_lin_checker.c — the linearizability checker on hand-written histories: the
 * known-bad ones (each a different way a queue can lie) must be rejected, the
 * legal ones (some needing reordering of overlapping ops) accepted, and malformed
 * input named. Times are small integers; [a,b] is invoke a, response b. */
#include <errno.h>
#include <string.h>

#include "common/test.h"
#include "msq_lin.h"

#define ENQ(t, v, a, b)                                                                            \
    {                                                                                              \
        (a), (b), (v), (t), MSQ_LIN_ENQ                                                            \
    }
#define DEQ(t, v, a, b)                                                                            \
    {                                                                                              \
        (a), (b), (v), (t), MSQ_LIN_DEQ                                                            \
    }
#define EMPTY(t, a, b)                                                                             \
    {                                                                                              \
        (a), (b), 0, (t), MSQ_LIN_DEQ_EMPTY                                                        \
    }

static int check(const msq_lin_op *ops, size_t n)
{
    msq_lin_result r;
    int rc = msq_lin_check(ops, n, 0, &r);
    if (rc == 0)
        assert_non_null(strstr(r.why, "not linearizable"));
    return rc;
}
#define CHECK(h) check((h), CMN_ARRAY_LEN(h))

static void test_rejects_fifo_violation(void **state)
{
    (void)state;
    msq_lin_op h[] = {ENQ(0, 1, 1, 2), ENQ(0, 2, 3, 4), DEQ(1, 2, 5, 6)};
    assert_int_equal(CHECK(h), 0);
}

static void test_rejects_duplicate_dequeue(void **state)
{
    (void)state;
    msq_lin_op h[] = {ENQ(0, 1, 1, 2), DEQ(1, 1, 3, 4), DEQ(2, 1, 5, 6)};
    assert_int_equal(CHECK(h), 0);
}

static void test_rejects_value_never_enqueued(void **state)
{
    (void)state;
    msq_lin_op h[] = {ENQ(0, 1, 1, 4), DEQ(1, 9, 2, 3)};
    assert_int_equal(CHECK(h), 0);
}

static void test_rejects_empty_when_nonempty(void **state)
{
    (void)state;
    msq_lin_op h[] = {ENQ(0, 1, 1, 2), EMPTY(1, 3, 4), DEQ(1, 1, 5, 6)};
    assert_int_equal(CHECK(h), 0);
}

static void test_rejects_dequeue_before_enqueue(void **state)
{
    (void)state;
    msq_lin_op h[] = {DEQ(1, 1, 1, 2), ENQ(0, 1, 3, 4)};
    assert_int_equal(CHECK(h), 0);
}

static void test_rejects_overlapping_dequeues_out_of_order(void **state)
{
    (void)state;
    /* 1 then 2 are enqueued sequentially; the dequeue that gets 2 returns before the
     * one that gets 1 is invoked, so 2 left first although 1 was ahead of it. (With
     * the dequeues overlapping, this history is legal: next test.) */
    msq_lin_op h[] = {ENQ(0, 1, 1, 2), ENQ(0, 2, 3, 4), DEQ(1, 2, 5, 8), DEQ(2, 1, 9, 10)};
    assert_int_equal(CHECK(h), 0);
}

static void test_rejects_lost_item(void **state)
{
    (void)state;
    /* 1 is enqueued before 2, yet a dequeuer sees 2 and later the queue is empty. */
    msq_lin_op h[] = {ENQ(0, 1, 1, 2), ENQ(1, 2, 1, 3), DEQ(2, 2, 4, 5), EMPTY(2, 6, 7)};
    assert_int_equal(CHECK(h), 0);
}

static void test_accepts_sequential_history(void **state)
{
    (void)state;
    msq_lin_op h[] = {EMPTY(0, 1, 2),  ENQ(0, 1, 3, 4),  ENQ(0, 2, 5, 6),
                      DEQ(0, 1, 7, 8), DEQ(0, 2, 9, 10), EMPTY(0, 11, 12)};
    assert_int_equal(CHECK(h), 1);
}

static void test_accepts_history_needing_reorder(void **state)
{
    (void)state;
    /* enq(1) is slow and overlaps everything of thread 1: enq(2) can be linearized
     * first, so 2 coming out before 1 is legal. */
    msq_lin_op h[] = {ENQ(0, 1, 1, 10), ENQ(1, 2, 2, 3), DEQ(1, 2, 4, 5), DEQ(1, 1, 11, 12)};
    assert_int_equal(CHECK(h), 1);
}

static void test_accepts_overlapping_dequeues_either_way(void **state)
{
    (void)state;
    msq_lin_op a[] = {ENQ(0, 1, 1, 2), ENQ(0, 2, 3, 4), DEQ(1, 2, 5, 8), DEQ(2, 1, 6, 7)};
    msq_lin_op b[] = {ENQ(0, 1, 1, 2), ENQ(0, 2, 3, 4), DEQ(1, 1, 5, 8), DEQ(2, 2, 6, 7)};
    assert_int_equal(CHECK(a), 1);
    assert_int_equal(CHECK(b), 1);
}

static void test_accepts_empty_overlapping_enqueue(void **state)
{
    (void)state;
    msq_lin_op h[] = {ENQ(0, 1, 1, 4), EMPTY(1, 2, 3), DEQ(1, 1, 5, 6)};
    assert_int_equal(CHECK(h), 1);
}

static void test_malformed_histories_are_named(void **state)
{
    (void)state;
    msq_lin_result r;
    msq_lin_op backwards[] = {ENQ(0, 1, 1, 2), ENQ(0, 2, 5, 4)};
    assert_int_equal(msq_lin_check(backwards, 2, 0, &r), -EINVAL);
    assert_non_null(strstr(r.why, "op 1"));
    msq_lin_op overlap[] = {ENQ(0, 1, 1, 5), DEQ(0, 1, 3, 6)};
    assert_int_equal(msq_lin_check(overlap, 2, 0, &r), -EINVAL);
    assert_non_null(strstr(r.why, "thread 0"));
    msq_lin_op kind[] = {{1, 2, 0, 0, (msq_lin_kind)9}};
    assert_int_equal(msq_lin_check(kind, 1, 0, &r), -EINVAL);
    assert_non_null(strstr(r.why, "op 0: unknown kind"));
}

static void test_budget_gives_no_verdict(void **state)
{
    (void)state;
    /* Eight fully overlapping enqueues then eight dequeues in an order that forces a
     * long search; with a budget of 5 states the checker must say "no verdict". */
    msq_lin_op h[16];
    for (uint32_t i = 0; i < 8; i++) {
        h[i] = (msq_lin_op){1 + i, 100, i, i, MSQ_LIN_ENQ};
        h[8 + i] = (msq_lin_op){200 + 2 * i, 201 + 2 * i, 7 - i, 8, MSQ_LIN_DEQ};
    }
    msq_lin_result r;
    assert_int_equal(msq_lin_check(h, 16, 5, &r), -E2BIG);
    assert_int_equal(msq_lin_check(h, 16, 0, &r), 1);
}

static void test_empty_history_is_linearizable(void **state)
{
    (void)state;
    msq_lin_result r;
    assert_int_equal(msq_lin_check(NULL, 0, 0, &r), 1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rejects_fifo_violation),
    cmocka_unit_test(test_rejects_duplicate_dequeue),
    cmocka_unit_test(test_rejects_value_never_enqueued),
    cmocka_unit_test(test_rejects_empty_when_nonempty),
    cmocka_unit_test(test_rejects_dequeue_before_enqueue),
    cmocka_unit_test(test_rejects_overlapping_dequeues_out_of_order),
    cmocka_unit_test(test_rejects_lost_item),
    cmocka_unit_test(test_accepts_sequential_history),
    cmocka_unit_test(test_accepts_history_needing_reorder),
    cmocka_unit_test(test_accepts_overlapping_dequeues_either_way),
    cmocka_unit_test(test_accepts_empty_overlapping_enqueue),
    cmocka_unit_test(test_malformed_histories_are_named),
    cmocka_unit_test(test_budget_gives_no_verdict),
    cmocka_unit_test(test_empty_history_is_linearizable),
};

CMN_TEST_MAIN(tests)
