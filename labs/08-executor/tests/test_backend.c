/* test_backend.c — choosing a backend at run time: names parse (and nothing else
 * does), every backend either works or explains itself in one line that names the
 * backend, the reason and the way out. */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

static void test_backend_names(void **state)
{
    (void)state;
    exec_backend b;
    assert_int_equal(exec_backend_parse("epoll", &b), 0);
    assert_int_equal(b, EXEC_BACKEND_EPOLL);
    assert_int_equal(exec_backend_parse("uring", &b), 0);
    assert_int_equal(b, EXEC_BACKEND_URING);
    assert_int_equal(exec_backend_parse("io_uring", &b), 0);
    assert_int_equal(b, EXEC_BACKEND_URING);
    assert_int_equal(exec_backend_parse("kqueue", &b), -EINVAL);
    assert_int_equal(exec_backend_parse("", &b), -EINVAL);
    assert_int_equal(exec_backend_parse(NULL, &b), -EINVAL);
    assert_string_equal(exec_backend_name(EXEC_BACKEND_URING), "uring");
}

static void test_unavailable_uring_message(void **state)
{
    (void)state;
    char err[256];
    exec_backend_error(EXEC_BACKEND_URING, -ENOSYS, err, sizeof err);
    assert_non_null(strstr(err, "uring"));
    assert_non_null(strstr(err, strerror(ENOSYS)));
    assert_non_null(strstr(err, "--backend epoll"));
    exec_backend_error(EXEC_BACKEND_URING, -EPERM, err, sizeof err);
    assert_non_null(strstr(err, "io_uring_disabled"));
}

static void test_probe_agrees_with_new(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        exec_rt_opts o = {(exec_backend)b, 0, EXEC_URING_BEST};
        exec_rt *rt = NULL;
        char err[256] = "";
        int rc = exec_rt_new(&rt, &o, err, sizeof err);
        int probe = exec_backend_probe((exec_backend)b);
        assert_int_equal(rc < 0, probe < 0);
        if (rc < 0)
            assert_non_null(strstr(err, exec_backend_name((exec_backend)b)));
        else
            exec_rt_free(rt);
    }
    assert_int_equal(exec_backend_probe(EXEC_BACKEND_EPOLL), 0); /* Linux always has it */
}

/* Whether this kernel takes the ring flags of a setup (asked directly, not through the
 * runtime). */
static bool kernel_takes(unsigned flags)
{
    struct io_uring ring;
    if (io_uring_queue_init(4, &ring, flags) < 0)
        return false;
    io_uring_queue_exit(&ring);
    return true;
}

/* Skips the test where io_uring cannot be used, or not under valgrind (see rt_for). */
static void uring_or_skip(void)
{
    if (cmn_under_valgrind()) {
        printf("# skip: valgrind serialises threads across a blocking io_uring_enter\n");
        skip();
    }
    if (exec_backend_probe(EXEC_BACKEND_URING) < 0) {
        printf("# skip: io_uring unavailable\n");
        skip();
    }
}

static exec_rt *uring_rt(unsigned workers, exec_uring_setup setup)
{
    exec_rt_opts o = {EXEC_BACKEND_URING, workers, setup};
    exec_rt *rt = NULL;
    char err[256] = "";
    if (exec_rt_new(&rt, &o, err, sizeof err) < 0) {
        printf("# skip: %s\n", err);
        return NULL;
    }
    return rt;
}

/* The single-threaded runtime takes COOP_TASKRUN by default, DEFER_TASKRUN when asked,
 * and falls back in order where the kernel refuses; the multi-threaded one always runs
 * a plain ring. */
static void test_uring_setup_choice(void **state)
{
    (void)state;
    uring_or_skip();
    bool defer = kernel_takes(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
    bool coop = kernel_takes(IORING_SETUP_COOP_TASKRUN);
    exec_uring_setup want_coop = coop ? EXEC_URING_COOP : EXEC_URING_PLAIN;
    const struct {
        unsigned workers;
        exec_uring_setup ask, want;
    } cases[] = {
        {0, EXEC_URING_BEST, want_coop},
        {0, EXEC_URING_DEFER, defer ? EXEC_URING_DEFER : want_coop},
        {0, EXEC_URING_COOP, want_coop},
        {0, EXEC_URING_PLAIN, EXEC_URING_PLAIN},
        {2, EXEC_URING_BEST, EXEC_URING_PLAIN},
        {2, EXEC_URING_DEFER, EXEC_URING_PLAIN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        exec_rt *rt = uring_rt(cases[i].workers, cases[i].ask);
        assert_non_null(rt);
        if (exec_rt_uring_setup(rt) != cases[i].want)
            fail_msg("case %zu: workers %u asked %d: got setup %d, expected %d", i,
                     cases[i].workers, (int)cases[i].ask, (int)exec_rt_uring_setup(rt),
                     (int)cases[i].want);
        exec_rt_free(rt);
    }
    exec_rt_opts o = {EXEC_BACKEND_EPOLL, 0, EXEC_URING_BEST};
    exec_rt *rt = NULL;
    char err[256];
    assert_int_equal(exec_rt_new(&rt, &o, err, sizeof err), 0);
    assert_int_equal(exec_rt_uring_setup(rt), EXEC_URING_PLAIN);
    exec_rt_free(rt);
}

/* A DEFER_TASKRUN ring only answers the thread that made it: driving the runtime from
 * another thread stops with a message saying so (instead of spinning on -EEXIST). */
typedef struct {
    exec_rt *rt;
} foreign_arg;

typedef struct {
    exec_future base;
    exec_yield y; /* a yield makes the loop look at I/O: it enters the ring */
} yield_once;

static exec_poll yield_once_poll(exec_future *f, exec_cx *cx)
{
    return exec_future_poll(&((yield_once *)(void *)f)->y.base, cx);
}

static void *drive(void *arg)
{
    yield_once f = {.base = {yield_once_poll, NULL}};
    exec_yield_init(&f.y);
    rt_run(((foreign_arg *)arg)->rt, &f.base, sizeof f);
    return NULL;
}

static void drive_from_other_thread(void *arg)
{
    pthread_t th;
    pthread_create(&th, NULL, drive, arg);
    pthread_join(th, NULL);
}

static void test_uring_defer_other_thread_dies(void **state)
{
    (void)state;
    uring_or_skip();
    exec_rt *rt = uring_rt(0, EXEC_URING_DEFER);
    assert_non_null(rt);
    if (exec_rt_uring_setup(rt) != EXEC_URING_DEFER) {
        exec_rt_free(rt);
        printf("# skip: this kernel has no IORING_SETUP_DEFER_TASKRUN\n");
        skip();
    }
    foreign_arg a = {rt};
    assert_true(cmn_dies_with(drive_from_other_thread, &a, "thread that created it"));
    exec_rt_free(rt);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_backend_names),
    cmocka_unit_test(test_unavailable_uring_message),
    cmocka_unit_test(test_probe_agrees_with_new),
    cmocka_unit_test(test_uring_setup_choice),
    cmocka_unit_test(test_uring_defer_other_thread_dies),
};

CMN_TEST_MAIN(tests)
