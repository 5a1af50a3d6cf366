/* test_combinators.c — join-all waits for the slowest, select-first returns the
 * fastest and drops the rest at once (their timers are gone: nothing keeps the task
 * alive), yield gives the other tasks a turn. Every backend. */
#include "common/time.h"
#include "support.h"

typedef struct combo {
    exec_future base;
    int mode; /* 0 join-all, 1 select */
    bool started;
    exec_sleep s[3];
    exec_future *fs[3];
    bool done[3];
    exec_join_all ja;
    exec_select sel;
    uint64_t t0, took;
} combo;

static exec_poll combo_poll(exec_future *f, exec_cx *cx)
{
    combo *c = (combo *)(void *)f;
    if (!c->started) {
        c->started = true;
        c->t0 = cmn_now_ns();
        static const uint64_t ms[3] = {30, 5, 15};
        for (int i = 0; i < 3; i++) {
            exec_sleep_init(&c->s[i], ms[i]);
            c->fs[i] = &c->s[i].base;
        }
        if (c->mode == 0)
            exec_join_all_init(&c->ja, c->fs, c->done, 3);
        else
            exec_select_init(&c->sel, c->fs, 3);
    }
    exec_future *inner = c->mode == 0 ? &c->ja.base : &c->sel.base;
    if (exec_future_poll(inner, cx) == EXEC_PENDING)
        return EXEC_PENDING;
    c->took = cmn_now_ns() - c->t0;
    exec_future_drop(inner);
    return EXEC_READY;
}

static void test_join_all_waits_for_slowest(void **state)
{
    exec_rt *rt = rt_for(state);
    combo c = {.base = {combo_poll, NULL}, .mode = 0};
    exec_join *j = exec_rt_spawn(rt, &c.base, sizeof c);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    combo *o = exec_join_output(j);
    assert_true(o->took >= 30000000u);
    for (int i = 0; i < 3; i++)
        assert_true(o->done[i]);
    exec_join_drop(j);
    rt_free_checked(rt);
}

static void test_select_takes_first_drops_rest(void **state)
{
    exec_rt *rt = rt_for(state);
    combo c = {.base = {combo_poll, NULL}, .mode = 1};
    exec_join *j = exec_rt_spawn(rt, &c.base, sizeof c);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    combo *o = exec_join_output(j);
    assert_int_equal(o->sel.winner, 1);
    assert_true(o->took >= 5000000u);
    assert_false(o->s[0].entry.armed); /* the losers' timers are gone */
    assert_false(o->s[2].entry.armed);
    exec_join_drop(j);
    assert_int_equal(rt_live_settled(rt, 0), 0);
    rt_free_checked(rt);
}

typedef struct yielder {
    exec_future base;
    exec_yield y;
    int left, polls;
    bool yielding;
} yielder;

static exec_poll yielder_poll(exec_future *f, exec_cx *cx)
{
    yielder *t = (yielder *)(void *)f;
    t->polls++;
    while (t->left > 0) {
        if (!t->yielding) {
            exec_yield_init(&t->y);
            t->yielding = true;
        }
        if (exec_future_poll(&t->y.base, cx) == EXEC_PENDING)
            return EXEC_PENDING;
        t->yielding = false;
        t->left--;
    }
    return EXEC_READY;
}

static void test_yield_polls_once_per_yield(void **state)
{
    exec_rt *rt = rt_for(state);
    yielder y = {.base = {yielder_poll, NULL}, .left = 10};
    exec_join *j = exec_rt_spawn(rt, &y.base, sizeof y);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    assert_int_equal(((yielder *)exec_join_output(j))->polls, 11);
    exec_join_drop(j);
    rt_free_checked(rt);
}

static const struct CMUnitTest tests[] = {
    RT_TESTS_ALL(test_join_all_waits_for_slowest),
    RT_TESTS_ALL(test_select_takes_first_drops_rest),
    RT_TESTS_ALL(test_yield_polls_once_per_yield),
};

CMN_TEST_MAIN(tests)
