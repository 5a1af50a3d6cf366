/* test_realloc_bug.c — list nodes in a realloc-grown array: the move check catches the
 * moved nodes at their first use, and AddressSanitizer catches the dangling links.
 *
 * Both run in a child process. The ASan case can only be judged in a build with
 * SAN=address (ASan replaces malloc and reports the read of the freed block); in any
 * other build the stale read is undefined behaviour that may well go unnoticed, so
 * that test skips and says why instead of passing. */
#include "common/test.h"
#include "pin_bug.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

static void run_bug(void *arg)
{
    pin_bug_realloc(*(pin_bug_mode *)arg, 8, 1);
}

static void test_check_catches_realloc(void **state)
{
    (void)state;
    pin_bug_mode mode = PIN_BUG_USE_ARRAY;
    assert_true(cmn_dies_with(run_bug, &mode,
                              "realloc #[0-9]+ moved it to 0x[0-9a-f]+\n"
                              "pin: pinned object moved: type pin_item pinned at 0x[0-9a-f]+, now "
                              "at 0x[0-9a-f]+ \\(checked at [^ ]*bug\\.c:[0-9]+\\)"));
}

static void test_asan_catches_dangling_links(void **state)
{
    (void)state;
#ifdef HAVE_ASAN
    pin_bug_mode mode = PIN_BUG_WALK_LINKS;
    assert_true(cmn_dies_with(run_bug, &mode,
                              "AddressSanitizer: heap-use-after-free on address 0x[0-9a-f]+"));
#else
    print_message("skip: built without SAN=address, so nothing checks the stale read; "
                  "run make check SAN=address,undefined\n");
    skip();
#endif
}

static void test_bad_sizes_are_refused(void **state)
{
    (void)state;
    assert_int_equal(pin_bug_realloc(PIN_BUG_USE_ARRAY, 0, 0), SIZE_MAX);
    assert_int_equal(pin_bug_realloc(PIN_BUG_USE_ARRAY, (1u << 16) + 1, 0), SIZE_MAX);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_check_catches_realloc),
    cmocka_unit_test(test_asan_catches_dangling_links),
    cmocka_unit_test(test_bad_sizes_are_refused),
};

CMN_TEST_MAIN(tests)
