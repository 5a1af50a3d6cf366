/* test_waker_contract.c — the waker contract: wake from another thread, wake twice =
 * one poll, wake after completion is harmless, clones and drops balance (the task is
 * freed, counted by the runtime's live-task count), and a hand-made "flag waker"
 * driving a future without any executor (the chapter's first exercise). */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "common/time.h"
#include "support.h"

/* --- a future that waits for a flag another party sets ----------------------------------- */
typedef struct flag_shared {
    atomic_int flag;
    atomic_int polls;
    exec_spin lock;
    exec_waker waker; /* the waiter's, under lock */
    bool keep_waker;  /* keep the clone after completion (to wake a finished task) */
} flag_shared;

typedef struct flag_fut {
    exec_future base;
    flag_shared *sh;
} flag_fut;

static exec_poll flag_poll(exec_future *f, exec_cx *cx)
{
    flag_shared *sh = ((flag_fut *)(void *)f)->sh;
    atomic_fetch_add(&sh->polls, 1);
    exec_spin_lock(&sh->lock);
    if (atomic_load(&sh->flag)) {
        if (!sh->keep_waker || !sh->waker.vt) {
            exec_waker_drop(&sh->waker);
            if (sh->keep_waker)
                sh->waker = exec_waker_clone(&cx->waker);
        }
        exec_spin_unlock(&sh->lock);
        return EXEC_READY;
    }
    exec_waker_drop(&sh->waker);
    sh->waker = exec_waker_clone(&cx->waker);
    exec_spin_unlock(&sh->lock);
    return EXEC_PENDING;
}

static void set_and_wake(flag_shared *sh)
{
    atomic_store(&sh->flag, 1);
    exec_spin_lock(&sh->lock);
    exec_waker w = sh->waker;
    sh->waker = (exec_waker){NULL, NULL};
    exec_spin_unlock(&sh->lock);
    if (w.vt)
        exec_waker_wake(&w);
}

static void *waker_thread(void *arg)
{
    cmn_sleep_ns(5000000);
    set_and_wake(arg);
    return NULL;
}

static void test_wake_from_other_thread(void **state)
{
    exec_rt *rt = rt_for(state);
    flag_shared sh = {.lock = EXEC_SPIN_INIT};
    flag_fut f = {{flag_poll, NULL}, &sh};
    pthread_t th;
    pthread_create(&th, NULL, waker_thread, &sh);
    assert_int_equal(rt_run(rt, &f.base, sizeof f), 0);
    pthread_join(th, NULL);
    assert_int_equal(atomic_load(&sh.polls), 2);
    rt_free_checked(rt);
}

/* --- wake twice: one poll -------------------------------------------------------------------- */
typedef struct twice_fut {
    exec_future base;
    int polls;
} twice_fut;

static exec_poll twice_poll(exec_future *f, exec_cx *cx)
{
    twice_fut *t = (twice_fut *)(void *)f;
    if (++t->polls > 1)
        return EXEC_READY;
    exec_waker a = exec_waker_clone(&cx->waker);
    exec_waker b = exec_waker_clone(&cx->waker);
    exec_waker_wake(&a);
    exec_waker_wake(&b);
    exec_waker_wake_by_ref(&cx->waker);
    return EXEC_PENDING;
}

/* B wakes an idle A twice from the outside, waits until A ran once more, then lets
 * A finish and joins it. Single-threaded only: there no poll of A can slip in
 * between the two wakes, so exactly one poll must follow them. */
typedef struct idle_driver {
    exec_future base;
    flag_shared *sh;
    exec_join *a;
    int step;
} idle_driver;

static exec_poll idle_driver_poll(exec_future *f, exec_cx *cx)
{
    idle_driver *d = (idle_driver *)(void *)f;
    switch (d->step) {
    case 0: { /* A was spawned first: it ran once and is idle with a waker */
        exec_spin_lock(&d->sh->lock);
        exec_waker w1 = exec_waker_clone(&d->sh->waker);
        exec_waker w2 = exec_waker_clone(&d->sh->waker);
        exec_spin_unlock(&d->sh->lock);
        exec_waker_wake(&w1);
        exec_waker_wake(&w2); /* already scheduled: nothing more */
        d->step = 1;
        exec_waker_wake_by_ref(&cx->waker);
        return EXEC_PENDING;
    }
    case 1:
        if (atomic_load(&d->sh->polls) < 2) {
            exec_waker_wake_by_ref(&cx->waker);
            return EXEC_PENDING;
        }
        /* one more turn, so a second (wrong) poll of A would show */
        d->step = 2;
        exec_waker_wake_by_ref(&cx->waker);
        return EXEC_PENDING;
    case 2:
        assert_int_equal(atomic_load(&d->sh->polls), 2);
        set_and_wake(d->sh);
        d->step = 3;
        /* fall through */
    default:
        return exec_join_poll(d->a, cx);
    }
}

static void test_wake_twice_polls_once(void **state)
{
    exec_rt *rt = rt_for(state);
    twice_fut t = {{twice_poll, NULL}, 0};
    exec_join *j = exec_rt_spawn(rt, &t.base, sizeof t);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    assert_int_equal(((twice_fut *)exec_join_output(j))->polls, 2);
    exec_join_drop(j);

    if (exec_rt_workers(rt) == 0) {
        flag_shared sh = {.lock = EXEC_SPIN_INIT};
        flag_fut a = {{flag_poll, NULL}, &sh};
        exec_join *ja = exec_rt_spawn(rt, &a.base, sizeof a);
        idle_driver d = {{idle_driver_poll, NULL}, &sh, ja, 0};
        assert_int_equal(rt_run(rt, &d.base, sizeof d), 0);
        /* the first poll, one for the two wakes, one after the flag was set */
        assert_int_equal(atomic_load(&sh.polls), 3);
        exec_join_drop(ja);
    }
    rt_free_checked(rt);
}

/* --- wake after completion ------------------------------------------------------------------- */
static void test_wake_after_completion_harmless(void **state)
{
    exec_rt *rt = rt_for(state);
    flag_shared sh = {.lock = EXEC_SPIN_INIT, .keep_waker = true};
    atomic_store(&sh.flag, 1);
    flag_fut f = {{flag_poll, NULL}, &sh};
    assert_int_equal(rt_run(rt, &f.base, sizeof f), 0);
    assert_non_null(sh.waker.vt);
    assert_int_equal(rt_live_settled(rt, 1), 1); /* the kept waker holds the task */
    for (int i = 0; i < 3; i++)
        exec_waker_wake_by_ref(&sh.waker);
    exec_waker w2 = exec_waker_clone(&sh.waker);
    exec_waker_wake(&w2);
    exec_waker_wake(&sh.waker); /* the last reference: frees the task */
    assert_int_equal(rt_live_settled(rt, 0), 0);
    assert_int_equal(atomic_load(&sh.polls), 1);
    rt_free_checked(rt);
}

/* --- clone/drop balance --------------------------------------------------------------------- */
typedef struct churn_fut {
    exec_future base;
    int round;
} churn_fut;

static exec_poll churn_poll(exec_future *f, exec_cx *cx)
{
    churn_fut *c = (churn_fut *)(void *)f;
    exec_waker ws[16];
    for (int i = 0; i < 16; i++)
        ws[i] = exec_waker_clone(&cx->waker);
    for (int i = 0; i < 16; i++) {
        if (i % 3 == 0)
            exec_waker_wake(&ws[i]);
        else
            exec_waker_drop(&ws[i]);
    }
    return ++c->round == 10 ? EXEC_READY : EXEC_PENDING;
}

static void test_clone_drop_balance(void **state)
{
    exec_rt *rt = rt_for(state);
    exec_join *js[50];
    for (int k = 0; k < 50; k++) {
        churn_fut c = {{churn_poll, NULL}, 0};
        js[k] = exec_rt_spawn(rt, &c.base, sizeof c);
        assert_non_null(js[k]);
    }
    for (int k = 0; k < 50; k++) {
        assert_int_equal(exec_rt_block_on(rt, js[k]), 0);
        assert_int_equal(((churn_fut *)exec_join_output(js[k]))->round, 10);
        exec_join_drop(js[k]);
    }
    /* every clone was dropped or consumed: nothing keeps a task alive */
    assert_int_equal(rt_live_settled(rt, 0), 0);
    rt_free_checked(rt);
}

/* --- a flag waker, no executor (exercise 1) ---------------------------------------------------- */
typedef struct flag_waker {
    atomic_int woken, clones, drops;
} flag_waker;

static exec_waker fw_clone(const void *d);
static void fw_wake_by_ref(const void *d)
{
    atomic_store(&((flag_waker *)(uintptr_t)d)->woken, 1);
}
static void fw_drop(const void *d)
{
    atomic_fetch_add(&((flag_waker *)(uintptr_t)d)->drops, 1);
}
static void fw_wake(const void *d)
{
    fw_wake_by_ref(d);
    fw_drop(d);
}
static const exec_waker_vtable fw_vt = {fw_clone, fw_wake, fw_wake_by_ref, fw_drop};
static exec_waker fw_clone(const void *d)
{
    atomic_fetch_add(&((flag_waker *)(uintptr_t)d)->clones, 1);
    return (exec_waker){d, &fw_vt};
}

static void test_flag_waker_balances(void **state)
{
    (void)state;
    flag_waker fw = {0};
    flag_shared sh = {.lock = EXEC_SPIN_INIT};
    flag_fut f = {{flag_poll, NULL}, &sh};
    exec_cx cx = {.waker = {&fw, &fw_vt}, .budget = EXEC_BUDGET};
    assert_int_equal(exec_future_poll(&f.base, &cx), EXEC_PENDING);
    assert_int_equal(atomic_load(&fw.woken), 0);
    pthread_t th;
    pthread_create(&th, NULL, waker_thread, &sh);
    while (!atomic_load(&fw.woken))
        cmn_sleep_ns(100000);
    pthread_join(th, NULL);
    assert_int_equal(exec_future_poll(&f.base, &cx), EXEC_READY);
    assert_int_equal(atomic_load(&fw.clones), atomic_load(&fw.drops));
    assert_int_equal(atomic_load(&fw.clones), 1);
}

static const struct CMUnitTest tests[] = {
    RT_TESTS_ALL(test_wake_from_other_thread),         RT_TESTS_ALL(test_wake_twice_polls_once),
    RT_TESTS_ALL(test_wake_after_completion_harmless), RT_TESTS_ALL(test_clone_drop_balance),
    cmocka_unit_test(test_flag_waker_balances),        RT_TESTS_SETUPS(test_wake_from_other_thread),
};

CMN_TEST_MAIN(tests)
