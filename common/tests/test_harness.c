/* test_harness.c — death tests see how a child died and what it printed; a child
 * that returns normally is not a death. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/test.h"
#include "common/time.h"

static void dies_loudly(void *arg)
{
    fprintf(stderr, "fatal: %s\n", (const char *)arg);
    abort();
}

static void returns_quietly(void *arg)
{
    (void)arg;
}

static void exits_three(void *arg)
{
    (void)arg;
    printf("bye\n");
    exit(3);
}

static void test_abort_is_a_death(void **state)
{
    (void)state;
    assert_true(cmn_dies_with(dies_loudly, "object moved", "fatal: object moved"));
    cmn_death d;
    assert_int_equal(cmn_run_child(dies_loudly, "x", &d), 0);
    assert_true(d.signaled);
    assert_int_equal(d.signo, SIGABRT);
}

static void test_return_is_not_a_death(void **state)
{
    (void)state;
    print_message("(expected: the next line reports the child returning normally)\n");
    assert_false(cmn_dies_with(returns_quietly, NULL, ".*"));
}

static void test_exit_code_and_output(void **state)
{
    (void)state;
    cmn_death d;
    assert_int_equal(cmn_run_child(exits_three, NULL, &d), 0);
    assert_true(d.exited);
    assert_int_equal(d.code, 3);
    assert_string_equal(d.output, "bye\n");
}

static void test_clock_moves_forward(void **state)
{
    (void)state;
    uint64_t t0 = cmn_now_ns(), c0 = cmn_cycles();
    cmn_sleep_ns(2000000);
    uint64_t t1 = cmn_now_ns(), c1 = cmn_cycles();
    assert_true(t1 - t0 >= 2000000);
    assert_true(c1 > c0);
}

static void test_seed_is_stable_within_env(void **state)
{
    (void)state;
    setenv("COURSE_SEED", "0x2a", 1);
    assert_int_equal(cmn_test_seed(), 42);
    unsetenv("COURSE_SEED");
    assert_int_not_equal(cmn_test_seed(), cmn_test_seed());
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_abort_is_a_death),          cmocka_unit_test(test_return_is_not_a_death),
    cmocka_unit_test(test_exit_code_and_output),      cmocka_unit_test(test_clock_moves_forward),
    cmocka_unit_test(test_seed_is_stable_within_env),
};

CMN_TEST_MAIN(tests)
