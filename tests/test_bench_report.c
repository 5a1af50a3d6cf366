/* test_bench_report.c — the ratio table compares each variant with its group's
 * baseline (named, or the first registered), per argument set, ignoring min_time
 * segments, in registration order even when the runs were interleaved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "support/run.h"

static void test_named_baseline_ratios(void **state)
{
    (void)state;
    char *out = NULL;
    int rc = run_cmd(
        &out,
        "tools/bench-report --table tests/fixtures/bench.json --baseline glibc --baseline malloc");
    assert_int_equal(rc, 0);
    /* arena: 25M/s vs glibc 5M/s */
    assert_non_null(strstr(out, "parse/arena/1000"));
    assert_non_null(strstr(out, "5.00x"));
    assert_non_null(strstr(out, "2.00x")); /* jemalloc */
    assert_non_null(strstr(out, "2.50x")); /* slab vs malloc, min_time ignored */
    free(out);
}

static void test_first_variant_is_default_baseline(void **state)
{
    (void)state;
    char *out = NULL;
    int rc = run_cmd(&out, "tools/bench-report --table tests/fixtures/bench.json");
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "5.00x")); /* glibc is first in its group */
    free(out);
}

static void test_aggregates_only_uses_the_means(void **state)
{
    (void)state;
    char *out = NULL;
    /* --benchmark_report_aggregates_only: no iteration runs, only mean/median rows. */
    int rc = run_cmd(&out, "tools/bench-report --table tests/fixtures/bench-aggregates.json");
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "parse/arena/1000"));
    assert_non_null(strstr(out, "5.00x"));
    assert_null(strstr(out, "_median"));
    free(out);
    rc = run_cmd(&out,
                 "tools/bench-report --stat median --table tests/fixtures/bench-aggregates.json");
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "median of repetitions"));
    assert_non_null(strstr(out, "5.00x"));
    free(out);
}

static void test_interleaved_runs_keep_registration_order(void **state)
{
    (void)state;
    char *out = NULL;
    /* Random interleaving writes the runs shuffled (arena, jemalloc, glibc); the table
     * lists them as registered and glibc, registered first, stays the baseline. */
    int rc = run_cmd(&out, "tools/bench-report --table tests/fixtures/bench-interleaved.json");
    assert_int_equal(rc, 0);
    const char *glibc = strstr(out, "parse/glibc/1000");
    const char *arena = strstr(out, "parse/arena/1000");
    const char *je = strstr(out, "parse/jemalloc/1000");
    assert_non_null(glibc);
    assert_non_null(arena);
    assert_non_null(je);
    assert_true(glibc < arena && arena < je);
    assert_non_null(strstr(glibc, "(baseline)"));
    assert_non_null(strstr(arena, "5.00x"));
    assert_non_null(strstr(je, "2.00x"));
    free(out);
}

static void test_unreadable_json_is_a_clear_error(void **state)
{
    (void)state;
    char *out = NULL;
    int rc = run_cmd(&out, "tools/bench-report --table tests/fixtures/missing.json");
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(out, "cannot read tests/fixtures/missing.json"));
    free(out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_named_baseline_ratios),
    cmocka_unit_test(test_first_variant_is_default_baseline),
    cmocka_unit_test(test_aggregates_only_uses_the_means),
    cmocka_unit_test(test_interleaved_runs_keep_registration_order),
    cmocka_unit_test(test_unreadable_json_is_a_clear_error),
};

CMN_TEST_MAIN(tests)
