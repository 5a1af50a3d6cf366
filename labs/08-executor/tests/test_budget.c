/* test_budget.c — the cooperative budget and the executor's fairness: a task that is
 * always ready is pre-empted after EXEC_BUDGET leaf operations so a sleeping task
 * still wakes on time, and an I/O task keeps a bounded round-trip time while
 * CPU-bound tasks spin with yields. Every backend. */
#include <stdatomic.h>
#include <stdlib.h>

#include "common/time.h"
#include "exec_echo.h"
#include "support.h"

#define BOUND_NS (80000000u * rt_slowdown()) /* generous: a loaded CI machine */

/* Always ready: completes leaf operations until the budget says stop. */
typedef struct hog {
    exec_future base;
    atomic_bool *stop;
    uint64_t polls, units, max_units_per_poll;
} hog;

static exec_poll hog_poll(exec_future *f, exec_cx *cx)
{
    hog *h = (hog *)(void *)f;
    if (atomic_load(h->stop))
        return EXEC_READY;
    h->polls++;
    uint64_t n = 0;
    while (exec_coop_proceed(cx) && n < 100000000u)
        n++;
    h->units += n;
    if (n > h->max_units_per_poll)
        h->max_units_per_poll = n;
    return EXEC_PENDING; /* exec_coop_proceed already asked for another poll */
}

typedef struct nap {
    exec_future base;
    exec_sleep s;
    atomic_bool *stop;
    bool started;
    uint64_t t0, late;
} nap;

static exec_poll nap_poll(exec_future *f, exec_cx *cx)
{
    nap *z = (nap *)(void *)f;
    if (!z->started) {
        z->started = true;
        z->t0 = cmn_now_ns();
        exec_sleep_init(&z->s, 10);
    }
    if (exec_future_poll(&z->s.base, cx) == EXEC_PENDING)
        return EXEC_PENDING;
    z->late = cmn_now_ns() - z->t0 - 10000000u;
    atomic_store(z->stop, true);
    return EXEC_READY;
}

static void nap_drop(exec_future *f)
{
    nap *z = (nap *)(void *)f;
    if (z->started)
        exec_future_drop(&z->s.base);
}

static void test_budget_preempts_always_ready_task(void **state)
{
    exec_rt *rt = rt_for(state);
    atomic_bool stop = false;
    unsigned nhogs = exec_rt_workers(rt) + 1; /* more hogs than threads */
    exec_join *hj[4];
    for (unsigned i = 0; i < nhogs; i++) {
        hog h = {{hog_poll, NULL}, &stop, 0, 0, 0};
        hj[i] = exec_rt_spawn(rt, &h.base, sizeof h);
    }
    nap z = {{nap_poll, nap_drop}, .stop = &stop};
    exec_join *j = exec_rt_spawn(rt, &z.base, sizeof z);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    nap *o = exec_join_output(j);
    if (o->late > BOUND_NS)
        fail_msg("a 10 ms sleep woke %llu us late beside an always-ready task",
                 (unsigned long long)(o->late / 1000));
    for (unsigned i = 0; i < nhogs; i++) {
        assert_int_equal(exec_rt_block_on(rt, hj[i]), 0);
        hog *h = exec_join_output(hj[i]);
        assert_true(h->polls >= 2);                           /* it was pre-empted */
        assert_int_equal(h->max_units_per_poll, EXEC_BUDGET); /* exactly at the budget */
        exec_join_drop(hj[i]);
    }
    exec_join_drop(j);
    rt_free_checked(rt);
}

/* CPU-bound tasks that yield forever (until stop). */
typedef struct spinner {
    exec_future base;
    atomic_bool *stop;
    exec_yield y;
    bool yielding;
    uint64_t spins;
} spinner;

static exec_poll spinner_poll(exec_future *f, exec_cx *cx)
{
    spinner *s = (spinner *)(void *)f;
    for (;;) {
        if (atomic_load(s->stop))
            return EXEC_READY;
        if (!s->yielding) {
            for (volatile int k = 0; k < 2000; k++) { /* a little CPU work */
            }
            exec_yield_init(&s->y);
            s->yielding = true;
        }
        if (exec_future_poll(&s->y.base, cx) == EXEC_PENDING)
            return EXEC_PENDING;
        s->yielding = false;
        s->spins++;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_io_latency_beside_spinners(void **state)
{
    enum { MSGS = 300, SPINNERS = 8 };
    exec_rt *rt = rt_for(state);
    atomic_bool stop = false;
    exec_fd *lst;
    assert_int_equal(exec_tcp_listen(rt, "127.0.0.1", 0, 16, &lst), 0);
    exec_echo_server srv;
    exec_echo_server_init(&srv, rt, lst, 1);
    exec_join *js = exec_rt_spawn(rt, &srv.base, sizeof srv);
    exec_join *sp[SPINNERS];
    for (int i = 0; i < SPINNERS; i++) {
        spinner s = {.base = {spinner_poll, NULL}, .stop = &stop};
        sp[i] = exec_rt_spawn(rt, &s.base, sizeof s);
    }
    uint64_t *rtt = calloc(MSGS, sizeof *rtt);
    exec_echo_client *c = malloc(sizeof *c);
    exec_echo_client_init(c, rt, exec_fd_port(lst), MSGS, 64, 7, rtt);
    exec_join *jc = exec_rt_spawn(rt, &c->base, sizeof *c);
    assert_int_equal(exec_rt_block_on(rt, jc), 0);
    atomic_store(&stop, true);
    exec_echo_client *o = exec_join_output(jc);
    assert_int_equal(o->err, 0);
    assert_int_equal(o->done, MSGS);
    qsort(rtt, MSGS, sizeof *rtt, cmp_u64);
    uint64_t p99 = rtt[MSGS * 99 / 100];
    if (p99 > BOUND_NS)
        fail_msg("echo p99 round trip %llu us beside %d spinning tasks",
                 (unsigned long long)(p99 / 1000), SPINNERS);
    uint64_t spins = 0;
    for (int i = 0; i < SPINNERS; i++) {
        assert_int_equal(exec_rt_block_on(rt, sp[i]), 0);
        spins += ((spinner *)exec_join_output(sp[i]))->spins;
        exec_join_drop(sp[i]);
    }
    assert_true(spins > MSGS); /* the spinners did run meanwhile */
    exec_join_drop(jc);
    assert_int_equal(exec_rt_block_on(rt, js), 0);
    exec_join_drop(js);
    free(c);
    free(rtt);
    exec_fd_close(lst);
    rt_free_checked(rt);
}

static const struct CMUnitTest tests[] = {
    RT_TESTS_ALL(test_budget_preempts_always_ready_task),
    RT_TESTS_ALL(test_io_latency_beside_spinners),
};

CMN_TEST_MAIN(tests)
