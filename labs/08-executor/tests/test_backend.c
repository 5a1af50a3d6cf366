/* test_backend.c — choosing a backend at run time: names parse (and nothing else
 * does), every backend either works or explains itself in one line that names the
 * backend, the reason and the way out. */
#include <errno.h>
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
        exec_rt_opts o = {(exec_backend)b, 0};
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

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_backend_names),
    cmocka_unit_test(test_unavailable_uring_message),
    cmocka_unit_test(test_probe_agrees_with_new),
};

CMN_TEST_MAIN(tests)
