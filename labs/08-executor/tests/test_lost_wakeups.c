/* test_lost_wakeups.c — no lost wake-ups under a stress of cross-thread wakes: each
 * waiter task and its producer thread play ping-pong (the producer posts token i and
 * wakes the task, then waits until the task has consumed it). One lost wake-up
 * stalls a pair; a producer that waits more than 5 s for its token fails the test.
 * Every backend and executor; seeded jitter decides when producers pause. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "common/time.h"
#include "support.h"

enum { PAIRS = 4, TOKENS = 1500 };

typedef struct pingpong {
    atomic_uint posted, consumed;
    exec_spin lock;
    exec_waker waker;
    atomic_bool stalled;
    uint64_t seed;
} pingpong;

typedef struct waiter {
    exec_future base;
    pingpong *pp;
} waiter;

static void waiter_drop(exec_future *f)
{
    pingpong *pp = ((waiter *)(void *)f)->pp;
    exec_spin_lock(&pp->lock);
    exec_waker_drop(&pp->waker);
    exec_spin_unlock(&pp->lock);
}

static exec_poll waiter_poll(exec_future *f, exec_cx *cx)
{
    pingpong *pp = ((waiter *)(void *)f)->pp;
    for (;;) {
        unsigned p = atomic_load(&pp->posted);
        if (atomic_load(&pp->consumed) < p)
            atomic_store(&pp->consumed, p);
        if (p >= TOKENS || atomic_load(&pp->stalled)) {
            waiter_drop(f); /* release the registration: it would keep the task alive */
            return EXEC_READY;
        }
        exec_spin_lock(&pp->lock);
        if (!pp->waker.vt || !exec_waker_will_wake(&pp->waker, &cx->waker)) {
            exec_waker_drop(&pp->waker);
            pp->waker = exec_waker_clone(&cx->waker);
        }
        exec_spin_unlock(&pp->lock);
        if (atomic_load(&pp->posted) == p) /* re-check after publishing the waker */
            return EXEC_PENDING;
    }
}

static void *producer(void *arg)
{
    pingpong *pp = arg;
    cmn_rng r;
    cmn_rng_seed(&r, pp->seed);
    for (unsigned i = 1; i <= TOKENS; i++) {
        atomic_store(&pp->posted, i);
        exec_spin_lock(&pp->lock);
        exec_waker w = pp->waker.vt ? exec_waker_clone(&pp->waker) : (exec_waker){NULL, NULL};
        exec_spin_unlock(&pp->lock);
        if (w.vt)
            exec_waker_wake(&w);
        uint64_t give_up = cmn_now_ns() + 5000000000u;
        while (atomic_load(&pp->consumed) < i) {
            if (cmn_now_ns() > give_up) {
                atomic_store(&pp->stalled, true);
                return NULL;
            }
            if (cmn_rng_below(&r, 4) == 0)
                sched_yield();
        }
    }
    return NULL;
}

static void test_no_lost_wakeups(void **state)
{
    exec_rt *rt = rt_for(state);
    static pingpong pp[PAIRS];
    pthread_t th[PAIRS];
    exec_join *j[PAIRS];
    uint64_t seed = cmn_test_seed();
    for (int i = 0; i < PAIRS; i++) {
        atomic_store(&pp[i].posted, 0);
        atomic_store(&pp[i].consumed, 0);
        atomic_store(&pp[i].stalled, false);
        atomic_flag_clear(&pp[i].lock.f);
        pp[i].waker = (exec_waker){NULL, NULL};
        pp[i].seed = seed + (uint64_t)i;
        waiter w = {{waiter_poll, waiter_drop}, &pp[i]};
        j[i] = exec_rt_spawn(rt, &w.base, sizeof w);
        pthread_create(&th[i], NULL, producer, &pp[i]);
    }
    for (int i = 0; i < PAIRS; i++) {
        assert_int_equal(exec_rt_block_on(rt, j[i]), 0);
        pthread_join(th[i], NULL);
        exec_join_drop(j[i]);
    }
    for (int i = 0; i < PAIRS; i++) {
        if (atomic_load(&pp[i].stalled))
            fail_msg("pair %d stalled at token %u: a wake-up was lost", i,
                     atomic_load(&pp[i].consumed) + 1);
        assert_int_equal(atomic_load(&pp[i].consumed), TOKENS);
    }
    rt_free_checked(rt);
}

static const struct CMUnitTest tests[] = {
    RT_TESTS_ALL(test_no_lost_wakeups),
};

CMN_TEST_MAIN(tests)
