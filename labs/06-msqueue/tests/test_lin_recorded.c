/* test_lin_recorded.c — the checker on histories recorded from real threads.
 *
 * Four threads each run a seeded random mix of enqueues and dequeues on the queue and
 * log every operation with msq_lin_begin/end. The checker must accept every such
 * history from msq (both reclamation schemes). It must reject the same kind of
 * history recorded from a mutex-protected *stack* (a real object that is not a
 * FIFO queue), and a real msq history after two dequeue results are swapped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "msq.h"
#include "msq_lin.h"
#include "stress_scale.h"

enum { THREADS = 4, OPS = 250, MAX_STACK = 4096 };
/* States the checker may visit per history. Wide overlaps can make the exact search
 * exponential; a history that runs out of budget gets no verdict and is counted
 * apart, never as accepted. */
#define BUDGET UINT64_C(2000000)

/* Records one history of THREADS x ops operations on t into log. */
static void record(msq_lin_target *t, msq_lin_log *log, size_t ops, uint64_t seed)
{
    assert_non_null(t);
    assert_int_equal(msq_lin_record(t, log, THREADS, ops, seed), 0);
}

/* Pairs of operations of different threads whose intervals overlap. */
static size_t overlaps(const msq_lin_op *h, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            c += h[i].thread != h[j].thread && h[i].invoke < h[j].response &&
                 h[j].invoke < h[i].response;
    return c;
}

static int record_and_check(msq_lin_target *t, bool is_queue, size_t ops, uint64_t seed,
                            msq_lin_op **copy, size_t *n)
{
    msq_lin_log *log = msq_lin_log_create(THREADS, ops);
    assert_non_null(log);
    record(t, log, ops, seed);
    const msq_lin_op *h;
    *n = msq_lin_log_ops(log, &h);
    *copy = malloc(*n * sizeof **copy);
    memcpy(*copy, h, *n * sizeof **copy);
    msq_lin_log_destroy(log);
    msq_lin_result res;
    int rc = msq_lin_check(*copy, *n, BUDGET, &res);
    if (rc < 0 && rc != -E2BIG)
        fail_msg("checker failed: %s", res.why);
    if (getenv("MSQ_LIN_VERBOSE"))
        print_message("history of %zu ops: %llu states, verdict %d\n", *n,
                      (unsigned long long)res.states, rc);
    if (getenv("MSQ_LIN_DUMP") && rc == 0 && is_queue) {
        FILE *f = fopen(getenv("MSQ_LIN_DUMP"), "w");
        for (size_t i = 0; i < *n; i++)
            fprintf(f, "%u %d %llu %llu %llx\n", (*copy)[i].thread, (int)(*copy)[i].kind,
                    (unsigned long long)(*copy)[i].invoke, (unsigned long long)(*copy)[i].response,
                    (unsigned long long)(*copy)[i].value);
        fclose(f);
    }
    return rc;
}

static void accepts_real_histories(msq_reclaim how)
{
    uint64_t seed = cmn_test_seed();
    size_t rounds = stress_items(64) / 4 + 1, concurrent = 0, accepted = 0;
    for (size_t round = 0; round < rounds; round++) {
        msq_queue *q;
        assert_int_equal(msq_create(&(msq_config){8192, THREADS, how}, &q), 0);
        msq_lin_target *t = msq_lin_target_queue(q);
        msq_lin_op *h;
        size_t n;
        int rc = record_and_check(t, true, OPS, seed + round * 100, &h, &n);
        assert_int_equal(n, THREADS * OPS);
        if (rc == 0)
            fail_msg("msq history of round %zu rejected", round);
        accepted += rc == 1;
        concurrent += overlaps(h, n) > 0;
        if (getenv("MSQ_LIN_VERBOSE"))
            print_message("round %zu: %zu overlapping pairs\n", round, overlaps(h, n));
        free(h);
        msq_lin_target_destroy(t);
        msq_destroy(q);
    }
    /* The histories must really be concurrent, or accepting them proves little. */
    assert_true(concurrent * 2 >= rounds);
    /* And most must get a verdict (in practice all do). */
    assert_true(accepted * 2 >= rounds);
}

static void test_accepts_msq_histories_hp(void **state)
{
    (void)state;
    accepts_real_histories(MSQ_RECLAIM_HP);
}

static void test_accepts_msq_histories_ebr(void **state)
{
    (void)state;
    accepts_real_histories(MSQ_RECLAIM_EBR);
}

static void test_rejects_stack_histories(void **state)
{
    (void)state;
    /* A LIFO history is linearizable as a queue only by luck (e.g. the stack never
     * held two items); over a few rounds of 4 x 1000 ops at least one must fail, and
     * in practice all do. */
    uint64_t seed = cmn_test_seed();
    int rejected = 0;
    for (int round = 0; round < 4; round++) {
        msq_lin_target *t = msq_lin_target_stack(MAX_STACK);
        msq_lin_op *h;
        size_t n;
        if (record_and_check(t, false, OPS, seed + (uint64_t)round, &h, &n) == 0)
            rejected++;
        free(h);
        msq_lin_target_destroy(t);
    }
    assert_true(rejected >= 1);
}

static void test_rejects_mutated_msq_history(void **state)
{
    (void)state;
    msq_lin_op *h = NULL;
    size_t n = 0;
    /* A history the checker accepts (a rare one may exhaust the budget: take the next,
     * recorded on a fresh queue: the old one may still hold the last history's items). */
    int rc = -E2BIG;
    for (uint64_t k = 0; k < 8 && rc != 1; k++) {
        free(h);
        msq_queue *q;
        assert_int_equal(msq_create(&(msq_config){8192, THREADS, MSQ_RECLAIM_HP}, &q), 0);
        msq_lin_target *t = msq_lin_target_queue(q);
        rc = record_and_check(t, true, OPS, cmn_test_seed() + k, &h, &n);
        msq_lin_target_destroy(t);
        msq_destroy(q);
        assert_int_not_equal(rc, 0);
    }
    assert_int_equal(rc, 1);
    /* Find dequeues d1 before d2 (in real time) of values a, b whose enqueues were
     * also strictly ordered, enq(a) before enq(b); swapping the results makes b
     * leave first although it entered strictly later: impossible for a FIFO. */
    bool mutated = false;
    for (size_t i = 0; i < n && !mutated; i++)
        for (size_t j = 0; j < n && !mutated; j++) {
            msq_lin_op *d1 = &h[i], *d2 = &h[j];
            if (d1->kind != MSQ_LIN_DEQ || d2->kind != MSQ_LIN_DEQ || d1->response >= d2->invoke)
                continue;
            msq_lin_op *ea = NULL, *eb = NULL;
            for (size_t k = 0; k < n; k++) {
                if (h[k].kind == MSQ_LIN_ENQ && h[k].value == d1->value)
                    ea = &h[k];
                if (h[k].kind == MSQ_LIN_ENQ && h[k].value == d2->value)
                    eb = &h[k];
            }
            if (ea && eb && ea->response < eb->invoke && eb->response < d1->invoke) {
                uint64_t tmp = d1->value;
                d1->value = d2->value;
                d2->value = tmp;
                mutated = true;
            }
        }
    assert_true(mutated);
    msq_lin_result res;
    assert_int_equal(msq_lin_check(h, n, BUDGET, &res), 0);
    free(h);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_accepts_msq_histories_hp),
    cmocka_unit_test(test_accepts_msq_histories_ebr),
    cmocka_unit_test(test_rejects_stack_histories),
    cmocka_unit_test(test_rejects_mutated_msq_history),
};

CMN_TEST_MAIN(tests)
