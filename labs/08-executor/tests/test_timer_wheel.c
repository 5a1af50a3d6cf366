/* test_timer_wheel.c — the timing wheel against a reference model (a plain array):
 * timers expire in deadline order, never before their deadline, all of them by the
 * time the clock passes it; exec_wheel_next is the exact minimum; removal is O(1)
 * and removed timers never fire. Seeded; the seed is printed on failure. */
#include <stdlib.h>

#include "support.h"

enum { N = 3000 };

static uint64_t pick_deadline(cmn_rng *r, uint64_t now)
{
    switch (cmn_rng_below(r, 4)) {
    case 0:
        return now + cmn_rng_below(r, 64); /* level 0 */
    case 1:
        return now + cmn_rng_below(r, 4096); /* level 1 */
    case 2:
        return now + cmn_rng_below(r, 1u << 20); /* levels 2-3 */
    default:
        return now + cmn_rng_below(r, (uint64_t)1 << 30); /* levels 4-5 */
    }
}

static uint64_t model_min(const exec_timer *ts, const bool *live, size_t n)
{
    uint64_t m = EXEC_FOREVER;
    for (size_t i = 0; i < n; i++)
        if (live[i] && ts[i].deadline < m)
            m = ts[i].deadline;
    return m;
}

static void test_wheel_matches_model(void **state)
{
    (void)state;
    cmn_rng r;
    cmn_test_rng(&r);
    exec_timer *ts = calloc(N, sizeof *ts);
    bool *live = calloc(N, sizeof *live);
    exec_wheel *w = malloc(sizeof *w);
    uint64_t now = cmn_rng_below(&r, (uint64_t)1 << 40);
    exec_wheel_init(w, now);
    size_t added = 0, fired = 0, removed = 0;
    uint64_t last_fired = 0;
    while (added < N || w->count > 0) {
        /* add a few, remove a few, check next, advance */
        for (int k = 0; k < 8 && added < N; k++, added++) {
            ts[added].deadline = pick_deadline(&r, now);
            exec_wheel_insert(w, &ts[added]);
            live[added] = true;
        }
        if (added > 0 && cmn_rng_below(&r, 3) == 0) {
            size_t i = cmn_rng_below(&r, added);
            if (live[i]) {
                exec_wheel_remove(w, &ts[i]);
                assert_false(ts[i].armed);
                live[i] = false;
                removed++;
            }
        }
        uint64_t want = model_min(ts, live, added);
        assert_int_equal(exec_wheel_next(w), want);
        /* jump to the next deadline, or a random step */
        uint64_t step = cmn_rng_below(&r, 2) ? cmn_rng_below(&r, 5000) : 0;
        uint64_t target = want == EXEC_FOREVER ? now + step : (want > now ? want : now) + step;
        exec_timer *t;
        last_fired = 0;
        while ((t = exec_wheel_pop_expired(w, target)) != NULL) {
            size_t i = (size_t)(t - ts);
            assert_true(live[i]);
            assert_true(t->fired);
            assert_true(t->deadline <= target);     /* never early */
            assert_true(t->deadline >= last_fired); /* in order */
            last_fired = t->deadline;
            live[i] = false;
            fired++;
        }
        now = target;
        /* nothing due is left behind */
        assert_true(model_min(ts, live, added) > now);
    }
    assert_int_equal(fired + removed, N);
    free(w);
    free(live);
    free(ts);
}

static void test_wheel_cascades_exactly(void **state)
{
    (void)state;
    exec_wheel w;
    exec_wheel_init(&w, 1000);
    exec_timer a = {.deadline = 1000 + 64 * 64 * 3 + 17}; /* level 2 */
    exec_timer b = {.deadline = 1000 + 70};               /* level 1 */
    exec_timer c = {.deadline = 1000};                    /* due now */
    exec_wheel_insert(&w, &a);
    exec_wheel_insert(&w, &b);
    exec_wheel_insert(&w, &c);
    assert_int_equal(a.level, 2);
    assert_int_equal(exec_wheel_next(&w), 1000);
    assert_ptr_equal(exec_wheel_pop_expired(&w, 1000), &c);
    assert_null(exec_wheel_pop_expired(&w, 1069));
    assert_ptr_equal(exec_wheel_pop_expired(&w, 1070), &b);
    assert_int_equal(exec_wheel_next(&w), a.deadline);
    assert_null(exec_wheel_pop_expired(&w, a.deadline - 1));
    assert_ptr_equal(exec_wheel_pop_expired(&w, a.deadline + 5), &a);
    assert_int_equal(w.count, 0);
    assert_int_equal(exec_wheel_next(&w), EXEC_FOREVER);
}

static void test_wheel_far_deadline_clamped(void **state)
{
    (void)state;
    exec_wheel w;
    exec_wheel_init(&w, 5);
    exec_timer t = {.deadline = EXEC_FOREVER - 1};
    exec_wheel_insert(&w, &t);
    assert_int_equal(t.deadline, 5 + EXEC_WHEEL_HORIZON - 1);
    assert_true(t.level < EXEC_WHEEL_LEVELS);
    exec_wheel_remove(&w, &t);
    exec_wheel_remove(&w, &t); /* twice: harmless */
    assert_int_equal(w.count, 0);
}

/* Regression (seed 0xd5c3dc070091d610): a long timer whose deadline crosses a 64^6 ms
 * boundary wraps into a top-level slot behind the clock's; it must still be found. */
static void test_wheel_deadline_across_top_revolution(void **state)
{
    (void)state;
    exec_wheel w;
    uint64_t top = (uint64_t)1 << 36, now = 5 * top - 3; /* just before a boundary */
    exec_wheel_init(&w, now);
    exec_timer near = {.deadline = now + 1}, far = {.deadline = now + (top >> 1)};
    exec_wheel_insert(&w, &far);
    assert_int_equal(far.level, EXEC_WHEEL_LEVELS - 1);
    assert_int_equal(exec_wheel_next(&w), now + (top >> 1));
    exec_wheel_insert(&w, &near);
    assert_int_equal(exec_wheel_next(&w), now + 1);
    assert_ptr_equal(exec_wheel_pop_expired(&w, now + 1), &near);
    assert_null(exec_wheel_pop_expired(&w, now + (top >> 1) - 1));
    assert_int_equal(exec_wheel_next(&w), now + (top >> 1));
    assert_ptr_equal(exec_wheel_pop_expired(&w, now + (top >> 1)), &far);
    assert_int_equal(w.count, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_wheel_matches_model),
    cmocka_unit_test(test_wheel_cascades_exactly),
    cmocka_unit_test(test_wheel_far_deadline_clamped),
    cmocka_unit_test(test_wheel_deadline_across_top_revolution),
};

CMN_TEST_MAIN(tests)
