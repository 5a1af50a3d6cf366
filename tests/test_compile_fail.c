/* test_compile_fail.c — the compile-fail runner passes a file only when it fails to
 * compile with a matching diagnostic: it rejects a file that compiles, a file whose
 * error does not match, and a file with no expectation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "support/run.h"

#define CC "gcc -std=c11 -Wall -Werror -fsyntax-only -Itests/sample-lab/include"

static void test_matching_error_passes(void **state)
{
    (void)state;
    char *out = NULL;
    int rc =
        run_cmd(&out, "tools/compile-fail --cc '" CC "' tests/sample-lab/tests/fail/bad_assign.c");
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "ok 1 - fail:bad_assign"));
    free(out);
}

static void test_file_that_compiles_is_rejected(void **state)
{
    (void)state;
    char *out = NULL;
    int rc =
        run_cmd(&out, "tools/compile-fail --cc '" CC "' tests/sample-lab/tests/fail/compiles.c");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "not ok 1 - fail:compiles"));
    assert_non_null(strstr(out, "compiled, but it must not"));
    free(out);
}

static void test_wrong_diagnostic_is_rejected(void **state)
{
    (void)state;
    char *dir = scratch_dir("cf");
    assert_non_null(dir);
    char *out = NULL;
    int rc = run_cmd(&out,
                     "printf '// expect: shape mismatch\\nint x = ;\\n' > '%s/wrong.c' && "
                     "printf 'int x = ;\\n' > '%s/noexpect.c' && "
                     "tools/compile-fail --cc '" CC "' '%s/wrong.c' '%s/noexpect.c'",
                     dir, dir, dir, dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "no diagnostic matches /shape mismatch/"));
    assert_non_null(strstr(out, "first line must be '// expect: REGEX'"));
    free(out);
    free(dir);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_matching_error_passes),
    cmocka_unit_test(test_file_that_compiles_is_rejected),
    cmocka_unit_test(test_wrong_diagnostic_is_rejected),
};

CMN_TEST_MAIN(tests)
