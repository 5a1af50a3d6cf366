/* test_exercises.c — the chapter's exercises, answered and checked:
 *   1. a flag waker (wake = set a flag; clone/drop counted),
 *   2. a timer future that owns a thread (the thread sleeps, marks the shared state
 *      done and wakes the stored waker — the classic first future),
 *   3. a minimal executor: block_on(future) = poll; if pending, wait for the flag;
 *      repeat. No tasks, no queues, no reactor: just the waker contract. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "common/time.h"
#include "support.h"

/* --- 1. the flag waker --------------------------------------------------------------- */
typedef struct flag {
    atomic_int set, refs;
} flag;

static exec_waker flag_clone(const void *d);
static void flag_wake_by_ref(const void *d)
{
    atomic_store(&((flag *)(uintptr_t)d)->set, 1);
}
static void flag_drop(const void *d)
{
    atomic_fetch_sub(&((flag *)(uintptr_t)d)->refs, 1);
}
static void flag_wake(const void *d)
{
    flag_wake_by_ref(d);
    flag_drop(d);
}
static const exec_waker_vtable flag_vt = {flag_clone, flag_wake, flag_wake_by_ref, flag_drop};
static exec_waker flag_clone(const void *d)
{
    atomic_fetch_add(&((flag *)(uintptr_t)d)->refs, 1);
    return (exec_waker){d, &flag_vt};
}

/* --- 3. the minimal executor ---------------------------------------------------------- */
static int block_on(exec_future *f, flag *fl)
{
    exec_cx cx = {.waker = {fl, &flag_vt}, .budget = EXEC_BUDGET};
    int polls = 0;
    for (;;) {
        atomic_store(&fl->set, 0);
        polls++;
        cx.budget = EXEC_BUDGET;
        if (exec_future_poll(f, &cx) == EXEC_READY)
            return polls;
        while (!atomic_load(&fl->set)) /* "park": a real one would sleep on a futex */
            sched_yield();
    }
}

/* --- 2. a timer future that owns a thread ------------------------------------------------- */
typedef struct timer_shared {
    exec_spin lock;
    bool done;
    exec_waker waker;
    uint64_t ns;
} timer_shared;

typedef struct thread_timer {
    exec_future base;
    timer_shared *sh;
    pthread_t th;
    bool started;
} thread_timer;

static void *timer_thread(void *arg)
{
    timer_shared *sh = arg;
    cmn_sleep_ns(sh->ns);
    exec_spin_lock(&sh->lock);
    sh->done = true;
    exec_waker w = sh->waker;
    sh->waker = (exec_waker){NULL, NULL};
    exec_spin_unlock(&sh->lock);
    if (w.vt)
        exec_waker_wake(&w);
    return NULL;
}

static exec_poll thread_timer_poll(exec_future *f, exec_cx *cx)
{
    thread_timer *t = (thread_timer *)(void *)f;
    exec_spin_lock(&t->sh->lock);
    if (t->sh->done) {
        exec_spin_unlock(&t->sh->lock);
        return EXEC_READY;
    }
    exec_waker old = t->sh->waker; /* the latest waker wins: the task may have moved */
    t->sh->waker = exec_waker_clone(&cx->waker);
    exec_spin_unlock(&t->sh->lock);
    exec_waker_drop(&old);
    if (!t->started) {
        t->started = true;
        pthread_create(&t->th, NULL, timer_thread, t->sh);
    }
    return EXEC_PENDING;
}

static void thread_timer_drop(exec_future *f)
{
    thread_timer *t = (thread_timer *)(void *)f;
    if (t->started) {
        /* The timer thread may itself drop the last reference to the task (its wake),
         * and so run this drop: it cannot join itself. */
        if (pthread_equal(pthread_self(), t->th))
            pthread_detach(t->th);
        else
            pthread_join(t->th, NULL);
    }
    exec_spin_lock(&t->sh->lock);
    exec_waker w = t->sh->waker;
    t->sh->waker = (exec_waker){NULL, NULL};
    exec_spin_unlock(&t->sh->lock);
    exec_waker_drop(&w);
}

static void test_minimal_executor_runs_thread_timer(void **state)
{
    (void)state;
    flag fl = {0};
    timer_shared sh = {.lock = EXEC_SPIN_INIT, .ns = 20000000};
    thread_timer t = {{thread_timer_poll, thread_timer_drop}, &sh, 0, false};
    uint64_t t0 = cmn_now_ns();
    int polls = block_on(&t.base, &fl);
    uint64_t took = cmn_now_ns() - t0;
    exec_future_drop(&t.base);
    assert_true(took >= 20000000u);
    assert_int_equal(polls, 2);                 /* one to start, one after the wake */
    assert_int_equal(atomic_load(&fl.refs), 0); /* every clone dropped or consumed */
}

/* The same thread timer runs unchanged on the real runtimes. */
static void test_thread_timer_on_runtime(void **state)
{
    exec_rt *rt = rt_for(state);
    timer_shared sh = {.lock = EXEC_SPIN_INIT, .ns = 5000000};
    thread_timer t = {{thread_timer_poll, thread_timer_drop}, &sh, 0, false};
    assert_int_equal(rt_run(rt, &t.base, sizeof t), 0);
    assert_true(sh.done);
    /* the timer thread may still hold the reference it is waking with */
    assert_int_equal(rt_live_settled(rt, 0), 0);
    rt_free_checked(rt);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_minimal_executor_runs_thread_timer),
    RT_TESTS_ALL(test_thread_timer_on_runtime),
};

CMN_TEST_MAIN(tests)
