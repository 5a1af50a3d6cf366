/* test_counter.c — a shared counter incremented from several threads: the atomic,
 * spinlock and mutex versions are exact; the relaxed load-then-store version is free
 * of data races (so sanitizers stay quiet) yet can lose updates, and never invents
 * any. Per-thread counters, packed or padded, always sum correctly; the padded ones
 * really sit a cache line apart (the speed difference is the bench's job). */
#include <errno.h>

#include "common/test.h"
#include "common/align.h"
#include "msq_warm.h"
#include "stress_scale.h"

static void test_atomic_counter_is_exact(void **state)
{
    (void)state;
    uint64_t n = stress_items(500000);
    assert_int_equal(msq_count_run(MSQ_COUNT_ATOMIC, 4, n), 4 * n);
}

static void test_spinlock_counter_is_exact(void **state)
{
    (void)state;
    uint64_t n = stress_items(200000);
    assert_int_equal(msq_count_run(MSQ_COUNT_SPINLOCK, 4, n), 4 * n);
}

static void test_mutex_counter_is_exact(void **state)
{
    (void)state;
    uint64_t n = stress_items(200000);
    assert_int_equal(msq_count_run(MSQ_COUNT_MUTEX, 4, n), 4 * n);
}

static void test_load_store_counter_never_gains(void **state)
{
    (void)state;
    uint64_t n = stress_items(500000);
    uint64_t got = msq_count_run(MSQ_COUNT_LOADSTORE, 4, n);
    /* Lost updates, never extra ones: every stored value is some loaded value + 1,
     * and no more than 4n stores happen. (Not even ">= n": a thread preempted
     * between its load and its store can put back an old, small value at the end.) */
    assert_true(got >= 1);
    assert_true(got <= 4 * n);
    print_message("load/store counter: %llu of %llu increments survived\n", (unsigned long long)got,
                  (unsigned long long)n * 4);
}

static void test_zero_threads_is_an_error(void **state)
{
    (void)state;
    errno = 0;
    assert_int_equal(msq_count_run(MSQ_COUNT_ATOMIC, 0, 10), 0);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(msq_percpu_run(true, 0, 10), 0);
    assert_int_equal(errno, EINVAL);
}

static void test_percpu_sums(void **state)
{
    (void)state;
    uint64_t n = stress_items(1000000);
    assert_int_equal(msq_percpu_run(false, 4, n), 4 * n);
    assert_int_equal(msq_percpu_run(true, 4, n), 4 * n);
}

static void test_padding_separates_lines(void **state)
{
    (void)state;
    assert_int_equal(msq_percpu_stride(true) % CMN_CACHE_LINE, 0);
    assert_true(msq_percpu_stride(false) < CMN_CACHE_LINE); /* neighbours share a line */
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_atomic_counter_is_exact),
    cmocka_unit_test(test_spinlock_counter_is_exact),
    cmocka_unit_test(test_mutex_counter_is_exact),
    cmocka_unit_test(test_load_store_counter_never_gains),
    cmocka_unit_test(test_zero_threads_is_an_error),
    cmocka_unit_test(test_percpu_sums),
    cmocka_unit_test(test_padding_separates_lines),
};

CMN_TEST_MAIN(tests)
