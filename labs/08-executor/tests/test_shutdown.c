/* test_shutdown.c — the quick check: however tasks are left (sleeping, waiting for
 * I/O, waiting for a wake that never comes, detached or joined), shutdown cancels
 * them, each one's cleanup runs exactly once, and the count of live tasks reaches
 * zero. A held join handle keeps exactly its task alive until it is dropped. */
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/time.h"
#include "support.h"

typedef struct stuck {
    exec_future base;
    int kind; /* 0 sleep, 1 read, 2 never woken */
    bool started;
    exec_sleep s;
    exec_io op;
    exec_fd *fd;
    char buf[16];
    atomic_int *drops, *polls;
} stuck;

static exec_poll stuck_poll(exec_future *f, exec_cx *cx)
{
    stuck *t = (stuck *)(void *)f;
    atomic_fetch_add(t->polls, 1);
    if (!t->started) {
        t->started = true;
        if (t->kind == 0)
            exec_sleep_init(&t->s, 10000);
        else if (t->kind == 1)
            exec_io_read(&t->op, t->fd, t->buf, sizeof t->buf);
    }
    if (t->kind == 0)
        return exec_future_poll(&t->s.base, cx);
    if (t->kind == 1)
        return exec_future_poll(&t->op.base, cx);
    return EXEC_PENDING;
}

static void stuck_drop(exec_future *f)
{
    stuck *t = (stuck *)(void *)f;
    if (t->started && t->kind == 0)
        exec_future_drop(&t->s.base);
    if (t->started && t->kind == 1)
        exec_future_drop(&t->op.base);
    atomic_fetch_add(t->drops, 1);
}

static void test_shutdown_reaches_zero(void **state)
{
    enum { EACH = 10 };
    exec_rt *rt = rt_for(state);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    exec_fd *end;
    assert_int_equal(exec_fd_adopt(rt, sv[0], &end), 0);
    atomic_int drops = 0, polls = 0;
    exec_join *held = NULL;
    for (int kind = 0; kind < 3; kind++) {
        for (int i = 0; i < EACH; i++) {
            stuck t = {.base = {stuck_poll, stuck_drop},
                       .kind = kind,
                       .fd = end,
                       .drops = &drops,
                       .polls = &polls};
            if (kind == 1 && i > 0)
                break; /* one pending read per fd */
            if (i % 2) {
                assert_int_equal(exec_spawn_detached(exec_rt_sched(rt), &t.base, sizeof t), 0);
            } else {
                exec_join *j = exec_rt_spawn(rt, &t.base, sizeof t);
                if (!held)
                    held = j;
                else
                    exec_join_drop(j);
            }
        }
    }
    int total = 2 * EACH + 1;
    exec_sleep s; /* let every task run once and park */
    exec_sleep_init(&s, 20);
    rt_run(rt, &s.base, sizeof s);
    assert_int_equal(atomic_load(&polls), total);
    assert_int_equal(rt_live_settled(rt, (size_t)total), (size_t)total);
    /* the held handle keeps its (cancelled) task alive, and only that one */
    assert_int_equal(exec_rt_shutdown(rt), 1);
    assert_int_equal(atomic_load(&drops), total);
    assert_true(exec_join_done(held));
    assert_int_equal(exec_join_outcome(held), -EXEC_ECANCELED);
    exec_join_drop(held);
    assert_int_equal(exec_rt_live_tasks(rt), 0);
    assert_int_equal(atomic_load(&drops), total); /* freeing did not drop again */
    exec_fd_close(end);
    close(sv[1]);
    rt_free_checked(rt);
}

static const struct CMUnitTest tests[] = {
    RT_TESTS_ALL(test_shutdown_reaches_zero),
};

CMN_TEST_MAIN(tests)
