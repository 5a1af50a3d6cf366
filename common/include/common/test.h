/* common/test.h — the cmocka harness every test binary of the course uses.
 *
 * cmocka does the testing; this adds the three things the course tools need around
 * it: `--list` (one test name per line, for the grader and `make progress`),
 * `--filter GLOB` (run only matching tests, through cmocka_set_test_filter), and a
 * per-test seed that is printed only when the test fails, so a random failure can
 * be replayed with COURSE_SEED=<seed>. It also gives death tests: run a function in
 * a child process and check how it died and what it printed.
 *
 *     static void test_x(void **state) { cmn_rng r; cmn_test_rng(&r); ... }
 *     static const struct CMUnitTest tests[] = { cmocka_unit_test(test_x) };
 *     CMN_TEST_MAIN(tests)
 */
#ifndef COMMON_TEST_H
#define COMMON_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/align.h"
#include "common/alloc_count.h"
#include "common/rng.h"

/* Runs the tests as one cmocka group named after the program; handles --list,
 * --filter and --help. Returns cmocka's count of failed tests (0 = all passed). */
int cmn_test_main(int argc, char **argv, const struct CMUnitTest *tests, size_t n,
                  CMFixtureFunction group_setup, CMFixtureFunction group_teardown);

#define CMN_TEST_MAIN(tests)                                                                       \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        return cmn_test_main(argc, argv, tests, CMN_ARRAY_LEN(tests), NULL, NULL);                 \
    }

#define CMN_TEST_MAIN_GROUP(tests, setup, teardown)                                                \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        return cmn_test_main(argc, argv, tests, CMN_ARRAY_LEN(tests), setup, teardown);            \
    }

/* The running test's seed: $COURSE_SEED if set (decimal or 0x-hex), else a fresh one
 * per test. If the test then fails, the harness prints it with the command to replay. */
uint64_t cmn_test_seed(void);

/* Seeds rng with cmn_test_seed(). */
void cmn_test_rng(cmn_rng *rng);

/* Skips the running test, with the reason, when allocations cannot be counted here
 * (under valgrind, which replaces malloc). */
#define cmn_require_alloc_counting()                                                               \
    do {                                                                                           \
        if (!cmn_alloc_available()) {                                                              \
            print_message("skipped: allocation counting is unavailable under valgrind\n");         \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* How a death-test child ended. */
typedef struct cmn_death {
    bool exited; /* ended through exit(): see code */
    int code;
    bool signaled; /* killed by a signal: see signo */
    int signo;
    char output[8192]; /* what it wrote to stderr and stdout (truncated, NUL-ended) */
} cmn_death;

/* Runs fn(arg) in a forked child with stdout and stderr captured. The child exits 0
 * if fn returns. Returns -errno if the child could not be started. */
int cmn_run_child(void (*fn)(void *), void *arg, cmn_death *out);

/* True when fn(arg) does NOT return normally (it aborts, crashes or exits non-zero)
 * and its output matches the POSIX extended regex `pattern`. On a mismatch it prints
 * what happened, for the failure message. */
bool cmn_dies_with(void (*fn)(void *), void *arg, const char *pattern);

/* True when the test runs under valgrind (make check VALGRIND=1): it serialises
 * threads, replaces malloc and runs code tens of times slower, so tests that depend on
 * any of that skip or scale their bounds. */
bool cmn_under_valgrind(void);

#endif
