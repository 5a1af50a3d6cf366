/* test_handout.c — make handout replaces the fixture's solution region with a stub
 * that builds, fails the covering test with the hint and leaves the other tests
 * passing; a broken region is refused with file:line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "support/run.h"

static void test_region_stripped_and_edition_builds(void **state)
{
    (void)state;
    char *dir = scratch_dir("handout");
    assert_non_null(dir);
    char *out = NULL;
    assert_int_equal(
        run_cmd(&out, "tools/handout --strip-fixtures --out '%s/tree' --lab none", dir), 0);
    assert_non_null(strstr(out, "1 solution regions stubbed"));
    free(out);

    char path[4200];
    snprintf(path, sizeof path, "%s/tree/tests/sample-lab/src/sample.c", dir);
    char *src = read_file(path);
    assert_non_null(src);
    assert_null(strstr(src, "return a + b;"));
    assert_null(strstr(src, "SOLUTION"));
    assert_non_null(strstr(src, "course_todo(\"return the sum of a and b\""));
    free(src);
    snprintf(path, sizeof path, "%s/tree/mk/handout.mk", dir);
    src = read_file(path);
    assert_non_null(src);
    assert_non_null(strstr(src, "HANDOUT := 1"));
    free(src);

    /* The learner edition builds, and the covering test fails with the hint. */
    int rc = run_cmd(&out, "make -s -C '%s/tree/tests/sample-lab' tests DEPS_DONE=1 BUILD='%s/b'",
                     dir, dir);
    if (rc != 0)
        fail_msg("learner edition did not build:\n%s", out);
    free(out);
    rc = run_cmd(&out, "'%s'/b/*/labs/sample-lab/tests/test_math --filter test_add", dir);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(out, "TODO (src/sample.c"));
    assert_non_null(strstr(out, "return the sum of a and b"));
    assert_non_null(strstr(out, "[  FAILED  ] test_add"));
    free(out);
    rc = run_cmd(&out, "'%s'/b/*/labs/sample-lab/tests/test_math --filter test_mul", dir);
    assert_int_equal(rc, 0);
    free(out);
    free(dir);
}

static void test_unbalanced_region_is_refused(void **state)
{
    (void)state;
    char *dir = scratch_dir("handout-bad");
    assert_non_null(dir);
    char *out = NULL;
    int rc = run_cmd(&out,
                     "mkdir -p '%s/src/labs/01-x/src' && cd '%s/src' && git init -q . && "
                     "printf 'int f(void)\\n{\\n    /* SOLUTION "
                     "BEGIN: hint */\\n    return 1;\\n}\\n' "
                     "> labs/01-x/src/f.c && '%s/tools/handout' --root . --out '%s/out'",
                     dir, dir, TOP, dir);
    assert_int_not_equal(rc, 0);
    /* (markers split in two, so this file does not itself look like an open region) */
    assert_non_null(strstr(out, "labs/01-x/src/f.c:3: SOLUTION "
                                "BEGIN is never closed"));
    free(out);
    free(dir);
}

static void test_wrapped_hint_is_joined(void **state)
{
    (void)state;
    char *dir = scratch_dir("handout-wrapped");
    assert_non_null(dir);
    char *out = NULL;
    int rc = run_cmd(&out,
                     "mkdir -p '%s/src/labs/01-x/src' && cd '%s/src' && git init -q . && "
                     "printf 'int f(int a)\n{\n    /* SOLUTION "
                     "BEGIN: add one, as the\n"
                     "     * guide says */\n    return a + 1;\n    /* SOLUTION END */\n}\n' "
                     "> labs/01-x/src/f.c && '%s/tools/handout' --root . --out '%s/out' && "
                     "cat '%s/out/labs/01-x/src/f.c'",
                     dir, dir, TOP, dir, dir);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "course_todo(\"add one, as the guide says\""));
    assert_null(strstr(out, "return a + 1"));
    free(out);
    free(dir);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_region_stripped_and_edition_builds),
    cmocka_unit_test(test_unbalanced_region_is_refused),
    cmocka_unit_test(test_wrapped_hint_is_joined),
};

CMN_TEST_MAIN(tests)
