/* test_cancel.c — aborting tasks: the future's cleanup (drop) runs exactly once, the
 * joiner sees -ECANCELED, abort is idempotent and harmless after completion, a task
 * may abort itself mid-poll, and a task cancelled with an I/O operation in flight
 * gives the operation back (io_uring: the kernel's request is cancelled and the
 * reactor holds nothing afterwards). Every backend. */
#include <errno.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/time.h"
#include "support.h"

typedef struct pend {
    exec_future base;
    atomic_int *drops;
    atomic_int *polls;
    _Atomic(exec_join *) *self; /* abort itself from the third poll on, once set */
    bool aborted;
} pend;

static exec_poll pend_poll(exec_future *f, exec_cx *cx)
{
    pend *p = (pend *)(void *)f;
    int n = atomic_fetch_add(p->polls, 1) + 1;
    exec_join *me = p->self ? atomic_load(p->self) : NULL;
    if (me && n >= 3 && !p->aborted) {
        exec_join_abort(me);
        p->aborted = true;
    }
    if (p->self)
        exec_waker_wake_by_ref(&cx->waker); /* keep being polled until aborted */
    return EXEC_PENDING;
}

static void pend_drop(exec_future *f)
{
    atomic_fetch_add(((pend *)(void *)f)->drops, 1);
}

static void test_abort_pending_runs_cleanup_once(void **state)
{
    exec_rt *rt = rt_for(state);
    atomic_int drops = 0, polls = 0;
    pend p = {{pend_poll, pend_drop}, &drops, &polls, NULL, false};
    exec_join *j = exec_rt_spawn(rt, &p.base, sizeof p);
    while (atomic_load(&polls) == 0) { /* let it be polled once (single-threaded: run it) */
        if (exec_rt_workers(rt) == 0) {
            exec_yield y;
            exec_yield_init(&y);
            rt_run(rt, &y.base, sizeof y);
        } else {
            cmn_sleep_ns(100000);
        }
    }
    exec_join_abort(j);
    exec_join_abort(j); /* twice: harmless */
    assert_int_equal(exec_rt_block_on(rt, j), -EXEC_ECANCELED);
    assert_int_equal(atomic_load(&drops), 1);
    exec_join_abort(j); /* after the end: harmless */
    exec_join_drop(j);
    assert_int_equal(rt_live_settled(rt, 0), 0);
    assert_int_equal(atomic_load(&drops), 1); /* freeing did not drop it again */
    rt_free_checked(rt);
}

static void test_abort_self_while_running(void **state)
{
    exec_rt *rt = rt_for(state);
    atomic_int drops = 0, polls = 0;
    static _Atomic(exec_join *) self; /* the task reads its own handle from here */
    atomic_store(&self, NULL);
    pend p = {{pend_poll, pend_drop}, &drops, &polls, &self, false};
    exec_join *j = exec_rt_spawn(rt, &p.base, sizeof p);
    atomic_store(&self, j);
    assert_int_equal(exec_rt_block_on(rt, j), -EXEC_ECANCELED);
    int n = atomic_load(&polls);
    assert_true(n >= 3);
    if (exec_rt_workers(rt) == 0)
        assert_int_equal(n, 3); /* aborted during poll 3: never polled again */
    assert_int_equal(atomic_load(&drops), 1);
    exec_join_drop(j);
    rt_free_checked(rt);
}

typedef struct done_fut {
    exec_future base;
    atomic_int *drops;
} done_fut;

static exec_poll done_poll(exec_future *f, exec_cx *cx)
{
    (void)f;
    (void)cx;
    return EXEC_READY;
}

static void test_abort_after_completion_keeps_result(void **state)
{
    exec_rt *rt = rt_for(state);
    atomic_int drops = 0;
    done_fut d = {{done_poll, pend_drop}, &drops};
    exec_join *j = exec_rt_spawn(rt, &d.base, sizeof d);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    exec_join_abort(j);
    assert_int_equal(exec_join_outcome(j), 0);
    exec_join_drop(j);
    assert_int_equal(rt_live_settled(rt, 0), 0);
    assert_int_equal(atomic_load(&drops), 1); /* dropped once, when freed */
    rt_free_checked(rt);
}

/* --- cancel with a read in flight ---------------------------------------------------------- */
typedef struct reader {
    exec_future base;
    exec_fd *fd;
    exec_io op;
    bool started;
    char buf[64];
    atomic_int *drops;
    atomic_int *polls;
} reader;

static exec_poll reader_poll(exec_future *f, exec_cx *cx)
{
    reader *r = (reader *)(void *)f;
    atomic_fetch_add(r->polls, 1);
    if (!r->started) {
        exec_io_read(&r->op, r->fd, r->buf, sizeof r->buf);
        r->started = true;
    }
    return exec_future_poll(&r->op.base, cx);
}

static void reader_drop(exec_future *f)
{
    reader *r = (reader *)(void *)f;
    if (r->started)
        exec_future_drop(&r->op.base);
    atomic_fetch_add(r->drops, 1);
}

static void test_abort_with_read_in_flight(void **state)
{
    exec_rt *rt = rt_for(state);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    exec_fd *end;
    assert_int_equal(exec_fd_adopt(rt, sv[0], &end), 0);
    atomic_int drops = 0, polls = 0;
    reader r = {.base = {reader_poll, reader_drop}, .fd = end, .drops = &drops, .polls = &polls};
    exec_join *j = exec_rt_spawn(rt, &r.base, sizeof r);
    /* let it start the read and park; a timer turn makes sure the submission is out */
    exec_sleep s;
    exec_sleep_init(&s, 5);
    rt_run(rt, &s.base, sizeof s);
    while (atomic_load(&polls) == 0)
        cmn_sleep_ns(100000);
    if (exec_rt_backend(rt) == EXEC_BACKEND_URING)
        assert_int_equal(exec_rt_inflight(rt), 1);
    exec_join_abort(j);
    assert_int_equal(exec_rt_block_on(rt, j), -EXEC_ECANCELED);
    assert_int_equal(atomic_load(&drops), 1);
    /* the kernel's copy is cancelled: its completion comes back and frees the block */
    uint64_t end_ns = cmn_now_ns() + 2000000000u;
    while (exec_rt_inflight(rt) != 0 && cmn_now_ns() < end_ns) {
        exec_sleep_init(&s, 1);
        rt_run(rt, &s.base, sizeof s);
    }
    assert_int_equal(exec_rt_inflight(rt), 0);
    /* data written now is not swallowed by a ghost read */
    assert_int_equal(write(sv[1], "hi", 2), 2);
    char got[4];
    assert_int_equal(read(sv[0], got, sizeof got), 2);
    exec_join_drop(j);
    exec_fd_close(end);
    close(sv[1]);
    rt_free_checked(rt);
}

static const struct CMUnitTest tests[] = {
    RT_TESTS_ALL(test_abort_pending_runs_cleanup_once),
    RT_TESTS_ALL(test_abort_self_while_running),
    RT_TESTS_ALL(test_abort_after_completion_keeps_result),
    RT_TESTS_ALL(test_abort_with_read_in_flight),
    RT_TESTS_SETUPS(test_abort_with_read_in_flight),
};

CMN_TEST_MAIN(tests)
