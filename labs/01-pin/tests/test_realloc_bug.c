/* test_realloc_bug.c — list nodes in a realloc-grown array: the move check catches the
 * moved nodes at their first use, and AddressSanitizer catches the dangling links.
 *
 * Both run in a child process. ASan can only judge a program built with it (it
 * replaces malloc and instruments every load), so its half runs a helper program that
 * the lab Makefile always builds with -fsanitize=address (tests/helpers/asan_walk.c),
 * found next to this binary's folder; in a plain build the stale read is undefined
 * behaviour that may well go unnoticed, which is the point of the demonstration. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/test.h"
#include "pin_bug.h"

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

static char helper[PATH_MAX];

static void run_helper(void *arg)
{
    (void)arg;
    unsetenv("ASAN_OPTIONS"); /* ASan's defaults: report and exit 1 */
    execl(helper, helper, (char *)NULL);
    fprintf(stderr, "cannot run %s: %s\n", helper, strerror(errno));
    _exit(127);
}

static void test_asan_catches_dangling_links(void **state)
{
    (void)state;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    snprintf(helper, sizeof helper, "%s/../helpers/asan_walk", dirname(self));
    if (access(helper, X_OK) != 0) {
        print_message("skip: %s is missing (it is built by make tests)\n", helper);
        skip();
    }
    assert_true(cmn_dies_with(run_helper, NULL,
                              "realloc #[0-9]+ moved it to 0x[0-9a-f]+\n(.|\n)*"
                              "AddressSanitizer: heap-use-after-free on address 0x[0-9a-f]+"));
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
