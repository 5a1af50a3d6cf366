/* test_alloc_count.c — the allocation counter sees malloc/calloc/realloc/free made
 * inside a region, and nothing when the region does no heap work. */
#include <stdlib.h>
#include <string.h>

#include "common/alloc_count.h"
#include "common/test.h"

static void test_counter_is_available(void **state)
{
    (void)state;
    cmn_require_alloc_counting();
    assert_true(cmn_alloc_available());
    void *volatile p = malloc(1);
    free(p);
    assert_true(cmn_alloc_totals().allocs > 0);
}

static void test_counts_allocations_and_frees(void **state)
{
    (void)state;
    cmn_require_alloc_counting();
    cmn_alloc_region r = cmn_alloc_begin();
    void *volatile a = malloc(100);
    void *volatile b = calloc(4, 25);
    free(a);
    free(b);
    cmn_alloc_counts c = cmn_alloc_end(&r);
    assert_int_equal(c.allocs, 2);
    assert_int_equal(c.frees, 2);
    assert_int_equal(c.bytes, 200);
}

static void test_realloc_counted(void **state)
{
    (void)state;
    cmn_require_alloc_counting();
    cmn_alloc_region r = cmn_alloc_begin();
    char *volatile p = malloc(8);
    char *q = realloc(p, 4096);
    assert_non_null(q);
    free(q);
    cmn_alloc_counts c = cmn_alloc_end(&r);
    /* Plain build: 1 alloc + 1 realloc; under a sanitizer a realloc is alloc + free. */
    assert_int_equal(c.allocs + c.reallocs, 2);
    assert_true(c.frees >= 1);
    assert_true(c.bytes >= 8 + 4096);
}

static void test_no_heap_work_counts_zero(void **state)
{
    (void)state;
    char buf[64];
    cmn_alloc_region r = cmn_alloc_begin();
    memset(buf, 'x', sizeof buf);
    buf[63] = 0;
    volatile size_t n = strlen(buf);
    cmn_alloc_counts c = cmn_alloc_end(&r);
    assert_int_equal(n, 63);
    assert_int_equal(c.allocs, 0);
    assert_int_equal(c.frees, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_counter_is_available),
    cmocka_unit_test(test_counts_allocations_and_frees),
    cmocka_unit_test(test_realloc_counted),
    cmocka_unit_test(test_no_heap_work_counts_zero),
};

CMN_TEST_MAIN(tests)
