/* test_hist.c — percentiles agree with an exact nearest-rank reference (a sorted
 * copy of the samples) to within the documented 1/64, never below it; merge adds. */
#include <stdlib.h>
#include <string.h>

#include "common/hist.h"
#include "common/test.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t exact_rank(const uint64_t *sorted, size_t n, double p)
{
    double e = p / 100.0 * (double)n;
    size_t rank = (size_t)e;
    if ((double)rank < e)
        rank++;
    if (rank == 0)
        rank = 1;
    return sorted[rank - 1];
}

static void test_small_values_exact(void **state)
{
    (void)state;
    static cmn_hist h;
    cmn_hist_init(&h);
    for (uint64_t v = 1; v <= 100; v++)
        cmn_hist_record(&h, v);
    assert_int_equal(cmn_hist_percentile(&h, 50), 50);
    assert_int_equal(cmn_hist_percentile(&h, 99), 99);
    assert_int_equal(cmn_hist_percentile(&h, 100), 100);
    assert_int_equal(cmn_hist_percentile(&h, 0), 1);
    cmn_hist_summary s = cmn_hist_summarize(&h);
    assert_int_equal(s.count, 100);
    assert_int_equal(s.min, 1);
    assert_int_equal(s.max, 100);
    assert_true(s.mean > 50.49 && s.mean < 50.51);
}

static void test_matches_sorted_reference(void **state)
{
    (void)state;
    enum { N = 100000 };
    static cmn_hist h;
    static uint64_t v[N];
    cmn_rng r;
    cmn_test_rng(&r);
    cmn_hist_init(&h);
    for (size_t i = 0; i < N; i++) {
        /* log-uniform over 1 ns .. ~1 s, like real latencies */
        v[i] = (uint64_t)1 << cmn_rng_below(&r, 30);
        v[i] += cmn_rng_below(&r, v[i]);
        cmn_hist_record(&h, v[i]);
    }
    qsort(v, N, sizeof v[0], cmp_u64);
    const double ps[] = {1, 10, 50, 90, 99, 99.9, 99.99};
    for (size_t k = 0; k < CMN_ARRAY_LEN(ps); k++) {
        uint64_t want = exact_rank(v, N, ps[k]);
        uint64_t got = cmn_hist_percentile(&h, ps[k]);
        assert_true(got >= want);
        assert_true((double)got <= (double)want * (1.0 + 1.0 / 64.0) + 1.0);
    }
    assert_int_equal(cmn_hist_percentile(&h, 100), v[N - 1]);
}

static void test_huge_values_and_merge(void **state)
{
    (void)state;
    static cmn_hist a, b;
    cmn_hist_init(&a);
    cmn_hist_init(&b);
    cmn_hist_record(&a, UINT64_MAX);
    cmn_hist_record_n(&b, 1000, 3);
    cmn_hist_merge(&a, &b);
    assert_int_equal(a.count, 4);
    assert_int_equal(cmn_hist_percentile(&a, 50), 1000 + 7); /* bucket [992,1007] -> clamp? */
    assert_int_equal(cmn_hist_percentile(&a, 100), UINT64_MAX);
    assert_int_equal(a.min, 1000);
    char buf[128];
    assert_true(cmn_hist_format(&a, buf, sizeof buf, 1) > 0);
    assert_non_null(strstr(buf, "n=4"));
}

static void test_empty(void **state)
{
    (void)state;
    static cmn_hist h;
    cmn_hist_init(&h);
    assert_int_equal(cmn_hist_percentile(&h, 50), 0);
    cmn_hist_summary s = cmn_hist_summarize(&h);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.min, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_small_values_exact),
    cmocka_unit_test(test_matches_sorted_reference),
    cmocka_unit_test(test_huge_values_and_merge),
    cmocka_unit_test(test_empty),
};

CMN_TEST_MAIN(tests)
