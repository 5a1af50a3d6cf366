/* test_cli.c — the `runtime` program: bad input gets exit status 2 and a message
 * naming the option and the value at fault; `run --bench --quick` prints the table
 * with a row per executor for the chosen backend; an explicitly requested backend
 * that is unavailable is an error, not a silent skip. Runs the built binary. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

static char runtime_path[PATH_MAX + 32];

/* Runs `runtime ARGS` and captures stdout+stderr; returns the exit status. */
static int run(const char *args, char *out, size_t len)
{
    if (!runtime_path[0]) {
        char self[PATH_MAX - 32];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        assert_true(n > 0);
        self[n] = 0;
        char *slash = strrchr(self, '/');
        *slash = 0; /* .../tests */
        snprintf(runtime_path, sizeof runtime_path, "%s/../bin/runtime", self);
    }
    char cmd[PATH_MAX + 320];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", runtime_path, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t used = fread(out, 1, len - 1, p);
    out[used] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli_rejects_bad_input(void **state)
{
    (void)state;
    static char out[8192];
    struct {
        const char *args, *expect;
    } cases[] = {
        {"", "missing command"},
        {"fly", "unknown command (expected run or echo): fly"},
        {"run", "nothing to run; pass --bench"},
        {"run --bench --backend kqueue",
         "--backend: not a backend (expected epoll, uring or all): kqueue"},
        {"run --bench --workers zero", "--workers: not a number from 1 to 256: zero"},
        {"run --bench --workers 0", "--workers: not a number from 1 to 256: 0"},
        {"run --bench --workers", "--workers: not a number from 1 to 256: (missing)"},
        {"echo --port 70000", "--port: not a port number (1-65535): 70000"},
        {"run --bench --fast", "unknown option: --fast"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run(cases[i].args, out, sizeof out);
        if (rc != 2 || !strstr(out, cases[i].expect))
            fail_msg("runtime %s: status %d, output:\n%s(expected \"%s\")", cases[i].args, rc, out,
                     cases[i].expect);
    }
}

static void test_cli_quick_bench_prints_table(void **state)
{
    (void)state;
    static char out[16384];
    int rc = run("run --bench --quick --backend epoll --workers 2", out, sizeof out);
    if (rc != 0)
        fail_msg("status %d:\n%s", rc, out);
    assert_non_null(strstr(out, "tasks/s"));
    assert_non_null(strstr(out, "trips/s"));
    assert_non_null(strstr(out, "epoll        1"));
    assert_non_null(strstr(out, "epoll        2"));
    assert_null(strstr(out, "fail"));
    assert_null(strstr(out, "uring  "));
}

static void test_cli_requested_uring_is_checked(void **state)
{
    (void)state;
    static char out[16384];
    int rc = run("run --bench --quick --backend uring --workers 1", out, sizeof out);
    if (exec_backend_probe(EXEC_BACKEND_URING) < 0) {
        assert_int_equal(rc, 1);
        assert_non_null(strstr(out, "backend uring unavailable"));
        assert_non_null(strstr(out, "--backend epoll"));
    } else {
        if (rc != 0)
            fail_msg("status %d:\n%s", rc, out);
        assert_non_null(strstr(out, "uring        1"));
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cli_rejects_bad_input),
    cmocka_unit_test(test_cli_quick_bench_prints_table),
    cmocka_unit_test(test_cli_requested_uring_is_checked),
};

CMN_TEST_MAIN(tests)
