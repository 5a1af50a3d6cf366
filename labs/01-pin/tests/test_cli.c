/* test_cli.c — the `pin` program: the demo prints the README's five lines, split
 * splits a file, and bad input gets an error that names what was wrong and where.
 *
 * Runs the program built next to this binary's folder (../bin/pin) in a child. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/test.h"

static char prog[PATH_MAX];
static char *const *child_argv;

static void run_prog(void *arg)
{
    (void)arg;
    execv(prog, child_argv);
    fprintf(stderr, "cannot run %s: %s\n", prog, strerror(errno));
    _exit(127);
}

/* Finds the program: build/<cfg>/labs/01-pin/bin/pin, beside this test's folder. */
static void find_prog(void)
{
    if (prog[0] != '\0')
        return;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    snprintf(prog, sizeof prog, "%s/../bin/pin", dirname(self));
}

/* Runs pin with argv (argv[0] included, NULL-ended); returns how it ended. */
static void run(char *const *argv, cmn_death *d)
{
    find_prog();
    child_argv = argv;
    assert_int_equal(cmn_run_child(run_prog, NULL, d), 0);
    assert_true(d->exited);
}

static bool matches(const char *text, const char *pattern)
{
    regex_t re;
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    bool ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    if (!ok)
        print_error("output does not match /%s/:\n%s\n", pattern, text);
    return ok;
}

static const char *demo_re = "^\\[addr\\] before pin: 0x[0-9a-f]+\n"
                             "\\[addr\\] after pin:  0x[0-9a-f]+\n"
                             "poll #1 -> Pending \\(waker registered\\)\n"
                             "poll #2 -> Ready\\(\"done\"\\)\n"
                             "address stable: true\n$";

static void test_demo_prints_the_outcome(void **state)
{
    (void)state;
    cmn_death d;
    char *const argv[] = {"pin", "demo", NULL};
    run(argv, &d);
    assert_int_equal(d.code, 0);
    assert_true(matches(d.output, demo_re));
}

static void test_demo_on_the_stack(void **state)
{
    (void)state;
    cmn_death d;
    char *const argv[] = {"pin", "demo", "--stack", NULL};
    run(argv, &d);
    assert_int_equal(d.code, 0);
    assert_true(matches(d.output, demo_re));
}

/* Writes text to a new temporary file; returns its path in buf. */
static const char *temp_file(char *buf, size_t n, const char *text, size_t len)
{
    snprintf(buf, n, "/tmp/pin-cli-XXXXXX");
    int fd = mkstemp(buf);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return buf;
}

static void test_split_a_file(void **state)
{
    (void)state;
    char path[64];
    temp_file(path, sizeof path, "one\ntwo\n\nfour", 13);
    cmn_death d;
    char *const argv[] = {"pin", "split", "--chunk", "3", path, NULL};
    run(argv, &d);
    unlink(path);
    assert_int_equal(d.code, 0);
    assert_true(matches(d.output, "1: one\n2: two\n3: \n4: four\n"));
    assert_true(matches(d.output, "4 lines"));
}

static void test_split_names_a_long_line(void **state)
{
    (void)state;
    static char text[5000 + 8] = "ok\n"; /* then 5000 x's, then "\nend\n" */
    memset(text + 3, 'x', 5000);
    text[5003] = '\n';
    text[5004] = 'e';
    text[5005] = 'n';
    text[5006] = 'd';
    text[5007] = '\n';
    char path[64];
    temp_file(path, sizeof path, text, sizeof text);
    cmn_death d;
    char *const argv[] = {"pin", "split", path, NULL};
    run(argv, &d);
    unlink(path);
    assert_int_equal(d.code, 1);
    char want[128];
    snprintf(want, sizeof want, "pin split: %s:2: line longer than 4095 bytes, skipped", path);
    assert_true(matches(d.output, want));
    assert_true(matches(d.output, "3: end\n")); /* it goes on after the long line */
}

static void test_bad_arguments_are_named(void **state)
{
    (void)state;
    cmn_death d;
    char *const chunk[] = {"pin", "split", "--chunk", "0", NULL};
    run(chunk, &d);
    assert_int_equal(d.code, 2);
    assert_true(matches(d.output, "split --chunk: expected a whole number from 1 to [0-9]+, "
                                  "got '0'"));
    char *const missing[] = {"pin", "split", "/nonexistent/pin-input", NULL};
    run(missing, &d);
    assert_int_equal(d.code, 1);
    assert_true(matches(d.output, "cannot open '/nonexistent/pin-input': No such file"));
    char *const unknown[] = {"pin", "frobnicate", NULL};
    run(unknown, &d);
    assert_int_equal(d.code, 2);
    assert_true(matches(d.output, "unknown command 'frobnicate'"));
}

static void test_realloc_bug_is_stopped(void **state)
{
    (void)state;
    char *const argv[] = {"pin", "realloc-bug", NULL};
    find_prog();
    child_argv = argv;
    assert_true(cmn_dies_with(run_prog, NULL,
                              "\\[bug\\] 8 list nodes in an array at 0x[0-9a-f]+; realloc #[0-9]+ "
                              "moved it to 0x[0-9a-f]+\n"
                              "pin: pinned object moved: type pin_item pinned at 0x[0-9a-f]+"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_demo_prints_the_outcome),
    cmocka_unit_test(test_demo_on_the_stack),
    cmocka_unit_test(test_split_a_file),
    cmocka_unit_test(test_split_names_a_long_line),
    cmocka_unit_test(test_bad_arguments_are_named),
    cmocka_unit_test(test_realloc_bug_is_stopped),
};

CMN_TEST_MAIN(tests)
