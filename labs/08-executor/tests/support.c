/* support.c — see support.h. */
#include <stdio.h>
#include <string.h>

#include "common/time.h"
#include "support.h"

rt_case case_epoll = {EXEC_BACKEND_EPOLL, 0, EXEC_URING_BEST};
rt_case case_uring = {EXEC_BACKEND_URING, 0, EXEC_URING_BEST};
rt_case case_epoll_mt = {EXEC_BACKEND_EPOLL, 2, EXEC_URING_BEST};
rt_case case_uring_mt = {EXEC_BACKEND_URING, 2, EXEC_URING_BEST};
rt_case case_uring_defer = {EXEC_BACKEND_URING, 0, EXEC_URING_DEFER};
rt_case case_uring_plain = {EXEC_BACKEND_URING, 0, EXEC_URING_PLAIN};

exec_rt *rt_for(void **state)
{
    const rt_case *c = *state;
    if (cmn_under_valgrind() && c->backend == EXEC_BACKEND_URING) {
        /* Valgrind runs one thread at a time and does not know io_uring_enter can
         * block: a thread waiting for a completion stops every other thread (a worker,
         * or a test's waker thread). ASan and TSan runs cover these cases. */
        printf("# skip: valgrind serialises threads across a blocking io_uring_enter\n");
        skip();
    }
    exec_rt_opts o = {c->backend, c->workers, c->uring};
    exec_rt *rt = NULL;
    char err[256];
    int rc = exec_rt_new(&rt, &o, err, sizeof err);
    if (rc < 0 && c->backend == EXEC_BACKEND_URING && exec_backend_probe(c->backend) < 0) {
        printf("# skip: %s\n", err);
        skip();
    }
    if (rc < 0)
        fail_msg("exec_rt_new: %s", err);
    return rt;
}

int rt_run(exec_rt *rt, const exec_future *f, size_t size)
{
    exec_join *j = exec_rt_spawn(rt, f, size);
    assert_non_null(j);
    int out = exec_rt_block_on(rt, j);
    exec_join_drop(j);
    return out;
}

void rt_free_checked(exec_rt *rt)
{
    size_t live = exec_rt_shutdown(rt);
    exec_rt_free(rt);
    assert_int_equal(live, 0);
}

size_t rt_live_settled(exec_rt *rt, size_t want)
{
    uint64_t end = cmn_now_ns() + 2000000000u;
    size_t n;
    while ((n = exec_rt_live_tasks(rt)) != want && cmn_now_ns() < end)
        cmn_sleep_ns(200000);
    return n;
}

unsigned rt_slowdown(void)
{
    return cmn_under_valgrind() ? 25u : 1u;
}
