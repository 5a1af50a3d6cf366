/* test_math.c — fixture tests with known outcomes: add and mul pass; crash aborts the
 * process; hang never returns (the grader must time it out); needs_a_device skips
 * (the grader leaves its line out of the total). */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/test.h"
#include "sample.h"

static void test_add(void **state)
{
    (void)state;
    assert_int_equal(sample_add(2, 3), 5);
}

static void test_mul(void **state)
{
    (void)state;
    assert_int_equal(sample_mul(4, 5), 20);
}

static void test_crash(void **state)
{
    (void)state;
    if (getenv("SAMPLE_NO_CRASH") == NULL)
        abort();
}

static void test_hang(void **state)
{
    (void)state;
    while (getenv("SAMPLE_NO_HANG") == NULL)
        sleep(1);
}

static void test_needs_a_device(void **state)
{
    (void)state;
    print_message("skipped: this fixture test always lacks its device\n");
    skip();
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_add),
    cmocka_unit_test(test_mul),
    cmocka_unit_test(test_crash),
    cmocka_unit_test(test_hang),
    cmocka_unit_test(test_needs_a_device),
};

CMN_TEST_MAIN(tests)
