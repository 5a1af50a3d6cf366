/* test_timers.c — sleep, interval and timeout on a real runtime, every backend: timers
 * fire in deadline order, never early, and within a generous lateness bound (precise
 * figures belong to the bench); a dropped timer never fires; an interval keeps its
 * grid; a timeout gives up on a future that never finishes. */
#include <stdatomic.h>

#include "common/time.h"
#include "support.h"

enum { NSLEEP = 40 };
#define LATE_BOUND_NS (60000000u * rt_slowdown()) /* 60 ms: generous, a loaded CI machine */

typedef struct sleep_log {
    atomic_uint next;
    unsigned order[NSLEEP];
} sleep_log;

typedef struct sleeper {
    exec_future base;
    exec_sleep s;
    uint64_t ms, t0, t1;
    unsigned id;
    sleep_log *log;
    bool started;
} sleeper;

static exec_poll sleeper_poll(exec_future *f, exec_cx *cx)
{
    sleeper *z = (sleeper *)(void *)f;
    if (!z->started) {
        z->started = true;
        z->t0 = cmn_now_ns();
        exec_sleep_init(&z->s, z->ms);
    }
    if (exec_future_poll(&z->s.base, cx) == EXEC_PENDING)
        return EXEC_PENDING;
    z->t1 = cmn_now_ns();
    z->log->order[atomic_fetch_add(&z->log->next, 1)] = z->id;
    return EXEC_READY;
}

static void sleeper_drop(exec_future *f)
{
    sleeper *z = (sleeper *)(void *)f;
    if (z->started)
        exec_future_drop(&z->s.base);
}

static void test_sleeps_in_order_not_early(void **state)
{
    exec_rt *rt = rt_for(state);
    sleep_log log = {0};
    exec_join *js[NSLEEP];
    for (unsigned i = 0; i < NSLEEP; i++) {
        /* distinct durations 7 ms apart, spawned in a scrambled order */
        unsigned id = (i * 17) % NSLEEP;
        sleeper z = {{sleeper_poll, sleeper_drop}, .ms = 5 + 7u * id, .id = id, .log = &log};
        js[i] = exec_rt_spawn(rt, &z.base, sizeof z);
    }
    for (unsigned i = 0; i < NSLEEP; i++) {
        assert_int_equal(exec_rt_block_on(rt, js[i]), 0);
        sleeper *z = exec_join_output(js[i]);
        uint64_t took = z->t1 - z->t0;
        if (took < z->ms * 1000000u)
            fail_msg("sleep(%llu ms) woke after %llu ns: early", (unsigned long long)z->ms,
                     (unsigned long long)took);
        if (took > z->ms * 1000000u + LATE_BOUND_NS)
            fail_msg("sleep(%llu ms) woke %llu ns late", (unsigned long long)z->ms,
                     (unsigned long long)(took - z->ms * 1000000u));
        exec_join_drop(js[i]);
    }
    assert_int_equal(atomic_load(&log.next), NSLEEP);
    /* all started within a few ms and are 7 ms apart: order must follow duration */
    for (unsigned i = 0; i < NSLEEP; i++)
        assert_int_equal(log.order[i], i);
    rt_free_checked(rt);
}

/* A dropped (cancelled) sleep never fires: abort the sleeping task. */
static void test_cancelled_sleep_never_fires(void **state)
{
    exec_rt *rt = rt_for(state);
    sleep_log log = {0};
    sleeper z = {{sleeper_poll, sleeper_drop}, .ms = 30, .id = 0, .log = &log};
    exec_join *j = exec_rt_spawn(rt, &z.base, sizeof z);
    sleeper y = {{sleeper_poll, sleeper_drop}, .ms = 5, .id = 1, .log = &log};
    exec_join *k = exec_rt_spawn(rt, &y.base, sizeof y);
    assert_int_equal(exec_rt_block_on(rt, k), 0); /* j is armed by now */
    exec_join_abort(j);
    assert_int_equal(exec_rt_block_on(rt, j), -EXEC_ECANCELED);
    sleeper w = {{sleeper_poll, sleeper_drop}, .ms = 60, .id = 0, .log = &log};
    assert_int_equal(rt_run(rt, &w.base, sizeof w), 0);
    assert_int_equal(atomic_load(&log.next), 2); /* y and w only */
    exec_join_drop(j);
    exec_join_drop(k);
    rt_free_checked(rt);
}

/* --- interval: ticks on a fixed grid --------------------------------------------------- */
typedef struct ticker {
    exec_future base;
    exec_interval iv;
    bool started;
    int ticks;
    uint64_t t0, times[6];
} ticker;

static exec_poll ticker_poll(exec_future *f, exec_cx *cx)
{
    ticker *t = (ticker *)(void *)f;
    if (!t->started) {
        t->started = true;
        t->t0 = cmn_now_ns();
        exec_interval_init(&t->iv, 10);
    }
    while (t->ticks < 6) {
        if (exec_interval_tick(&t->iv, cx) == EXEC_PENDING)
            return EXEC_PENDING;
        t->times[t->ticks++] = cmn_now_ns();
    }
    exec_interval_drop(&t->iv);
    return EXEC_READY;
}

static void test_interval_keeps_grid(void **state)
{
    exec_rt *rt = rt_for(state);
    ticker t = {.base = {ticker_poll, NULL}};
    exec_join *j = exec_rt_spawn(rt, &t.base, sizeof t);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    ticker *o = exec_join_output(j);
    for (int i = 0; i < 6; i++) {
        uint64_t due = o->t0 + 10000000u * (uint64_t)(i + 1);
        assert_true(o->times[i] >= due);
        assert_true(o->times[i] - due < LATE_BOUND_NS);
    }
    exec_join_drop(j);
    rt_free_checked(rt);
}

/* --- timeout: a future that never finishes ----------------------------------------------- */
typedef struct never {
    exec_future base;
    int *drops;
} never;

static exec_poll never_poll(exec_future *f, exec_cx *cx)
{
    (void)f;
    (void)cx;
    return EXEC_PENDING;
}

static void never_drop(exec_future *f)
{
    (*((never *)(void *)f)->drops)++;
}

typedef struct timeout_task {
    exec_future base;
    never inner;
    exec_timeout to;
    bool started;
    uint64_t t0, t1;
} timeout_task;

static exec_poll timeout_task_poll(exec_future *f, exec_cx *cx)
{
    timeout_task *t = (timeout_task *)(void *)f;
    if (!t->started) {
        t->started = true;
        t->t0 = cmn_now_ns();
        exec_timeout_init(&t->to, &t->inner.base, 15);
    }
    if (exec_future_poll(&t->to.base, cx) == EXEC_PENDING)
        return EXEC_PENDING;
    t->t1 = cmn_now_ns();
    exec_future_drop(&t->to.base);
    return EXEC_READY;
}

static void test_timeout_gives_up(void **state)
{
    exec_rt *rt = rt_for(state);
    int drops = 0;
    timeout_task t = {{timeout_task_poll, NULL}, .inner = {{never_poll, never_drop}, &drops}};
    exec_join *j = exec_rt_spawn(rt, &t.base, sizeof t);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    timeout_task *o = exec_join_output(j);
    assert_true(o->to.timed_out);
    assert_true(o->t1 - o->t0 >= 15000000u);
    assert_int_equal(drops, 1); /* the inner future was dropped exactly once */
    exec_join_drop(j);
    rt_free_checked(rt);
}

static const struct CMUnitTest tests[] = {
    RT_TESTS_ALL(test_sleeps_in_order_not_early),
    RT_TESTS_ALL(test_cancelled_sleep_never_fires),
    RT_TESTS_ALL(test_interval_keeps_grid),
    RT_TESTS_ALL(test_timeout_gives_up),
};

CMN_TEST_MAIN(tests)
