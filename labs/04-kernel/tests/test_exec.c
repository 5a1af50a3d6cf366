/* test_exec.c — the executor with a simulated interrupt source: the idle hook plays
 * the part of "hlt until an interrupt" by advancing a fake clock and firing the wakers
 * whose deadline passed, the way the kernel's timer interrupt does. Checks that tasks
 * finish, are polled only when woken, that wakes collapse, and the error paths. */
#include <pthread.h>

#include "common/test.h"
#include "exec.h"
#include "kerr.h"

struct clock {
    uint64_t now;
    struct {
        uint64_t at;
        exec_waker w;
        bool used;
    } timers[64];
    unsigned idles;
    unsigned done_order[4 * EXEC_MAX_TASKS];
    unsigned ndone;
};

static struct clock clk;

static void wake_at(uint64_t at, exec_waker w)
{
    for (int i = 0; i < 64; i++)
        if (!clk.timers[i].used) {
            clk.timers[i].at = at;
            clk.timers[i].w = w;
            clk.timers[i].used = true;
            return;
        }
    fail_msg("out of fake timers");
}

/* "hlt": time passes until some timer fires. */
static void idle(void *ctx, exec *ex)
{
    (void)ctx;
    clk.idles++;
    for (int guard = 0; guard < 1000 && !exec_has_ready(ex); guard++) {
        clk.now++;
        for (int i = 0; i < 64; i++)
            if (clk.timers[i].used && clk.timers[i].at <= clk.now) {
                clk.timers[i].used = false;
                exec_wake(clk.timers[i].w);
            }
    }
}

static void done(void *ctx, exec_task *t)
{
    (void)ctx;
    if (clk.ndone < 4 * EXEC_MAX_TASKS)
        clk.done_order[clk.ndone++] = t->id;
}

struct sleeper {
    uint64_t period;
    unsigned rounds, seen;
};

static bool sleeper_poll(exec_task *t, exec_waker w)
{
    struct sleeper *s = t->state;
    if (t->polls > 1)
        s->seen++;
    if (s->seen == s->rounds)
        return true;
    wake_at(clk.now + s->period, w);
    return false;
}

static void reset(void)
{
    clk = (struct clock){0};
}

static void test_tasks_finish_in_deadline_order(void **state)
{
    (void)state;
    reset();
    exec ex;
    exec_init(&ex, (exec_hooks){idle, done, NULL});
    exec_task a, b, c;
    struct sleeper sa = {5, 3, 0}, sb = {2, 2, 0}, sc = {1, 20, 0};
    assert_int_equal(exec_spawn(&ex, &a, "a", sleeper_poll, &sa), 0);
    assert_int_equal(exec_spawn(&ex, &b, "b", sleeper_poll, &sb), 0);
    assert_int_equal(exec_spawn(&ex, &c, "c", sleeper_poll, &sc), 0);
    assert_int_equal(exec_run(&ex), 3);
    assert_int_equal(sa.seen, 3);
    assert_int_equal(a.polls, 4); /* first poll + one per wake-up: no spurious polls */
    assert_int_equal(b.polls, 3);
    assert_int_equal(c.polls, 21);
    assert_true(a.done && b.done && c.done);
    assert_int_equal(clk.ndone, 3);
    assert_int_equal(clk.done_order[0], b.id); /* finishes at t=4 */
    assert_int_equal(clk.done_order[1], a.id); /* t=15 */
    assert_int_equal(clk.done_order[2], c.id); /* t=20 */
    assert_int_equal(clk.now, 20);
}

static bool count_poll(exec_task *t, exec_waker w)
{
    (void)w;
    return t->polls >= 2; /* finish on the second poll; someone else wakes us */
}

static void test_wakes_collapse_and_done_tasks_ignore_wakes(void **state)
{
    (void)state;
    reset();
    exec ex;
    exec_init(&ex, (exec_hooks){NULL, NULL, NULL});
    exec_task t;
    assert_int_equal(exec_spawn(&ex, &t, "t", count_poll, NULL), 0);
    exec_wake((exec_waker){&ex, t.id}); /* already ready: one poll, not two */
    exec_wake((exec_waker){&ex, t.id});
    /* one poll, then stalled with no idle hook: reported, not a hang */
    assert_int_equal(exec_run(&ex), -KERR_INVAL);
    assert_int_equal(t.polls, 1);
    exec_wake((exec_waker){&ex, t.id});
    exec_wake((exec_waker){&ex, t.id});
    assert_int_equal(exec_run(&ex), 1);
    assert_int_equal(t.polls, 2);
    exec_wake((exec_waker){&ex, t.id}); /* finished: ignored */
    assert_false(exec_has_ready(&ex));
    exec_wake((exec_waker){NULL, 0}); /* a null waker is harmless */
    exec_wake((exec_waker){&ex, 999});
    assert_int_equal(exec_run(&ex), 0);
}

static bool spawner_poll(exec_task *t, exec_waker w)
{
    (void)w;
    static exec_task child;
    static struct sleeper s = {3, 1, 0};
    if (t->polls == 1)
        assert_int_equal(exec_spawn(w.ex, &child, "child", sleeper_poll, &s), 0);
    return true;
}

static void test_spawn_limit_and_spawn_from_task(void **state)
{
    (void)state;
    reset();
    exec ex;
    exec_init(&ex, (exec_hooks){idle, done, NULL});
    static exec_task many[EXEC_MAX_TASKS + 1];
    static struct sleeper s[EXEC_MAX_TASKS];
    for (int i = 0; i < EXEC_MAX_TASKS; i++) {
        s[i] = (struct sleeper){1, 1, 0};
        assert_int_equal(exec_spawn(&ex, &many[i], "s", sleeper_poll, &s[i]), 0);
    }
    assert_int_equal(exec_spawn(&ex, &many[EXEC_MAX_TASKS], "x", sleeper_poll, &s[0]), -KERR_NOSPC);
    assert_int_equal(exec_run(&ex), EXEC_MAX_TASKS);
    /* slots are reused once tasks finish; a task may spawn another */
    exec_task parent;
    assert_int_equal(exec_spawn(&ex, &parent, "parent", spawner_poll, NULL), 0);
    assert_int_equal(exec_run(&ex), 2);
}

/* exec_wake from another thread (standing in for an interrupt handler) while the
 * executor polls: no wake is lost. */
static exec tex;
static exec_task tt;
static atomic_uint sent;

static void *waker_thread(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < 2000; i++) {
        while (atomic_load(&tex.ready) != 0) /* the last wake was taken */
            ;
        atomic_fetch_add(&sent, 1);
        exec_wake((exec_waker){&tex, tt.id});
    }
    return NULL;
}

static bool until_all_sent(exec_task *t, exec_waker w)
{
    (void)t;
    (void)w;
    return atomic_load(&sent) == 2000;
}

static void spin_idle(void *ctx, exec *ex)
{
    (void)ctx;
    while (!exec_has_ready(ex))
        ;
}

static void test_wakes_from_another_thread(void **state)
{
    (void)state;
    exec_init(&tex, (exec_hooks){spin_idle, NULL, NULL});
    atomic_store(&sent, 0);
    assert_int_equal(exec_spawn(&tex, &tt, "t", until_all_sent, NULL), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, waker_thread, NULL), 0);
    assert_int_equal(exec_run(&tex), 1);
    pthread_join(th, NULL);
    assert_true(tt.polls >= 2 && tt.polls <= 2001);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tasks_finish_in_deadline_order),
    cmocka_unit_test(test_wakes_collapse_and_done_tasks_ignore_wakes),
    cmocka_unit_test(test_spawn_limit_and_spawn_from_task),
    cmocka_unit_test(test_wakes_from_another_thread),
};

CMN_TEST_MAIN(tests)
