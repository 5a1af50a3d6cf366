/* test_grader.c — tools/grade scores the fixture lab exactly: passing tests earn their
 * points, a crashing test and a hanging test (killed at the timeout) earn zero and say
 * why, a compile-fail file that compiles earns zero; results.json carries the
 * Gradescope field names and types. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "support/run.h"

static json_t *results;
static char *grade_output;

static int grade_once(void **state)
{
    (void)state;
    char *dir = scratch_dir("grader");
    if (!dir)
        return -1;
    char path[4200];
    snprintf(path, sizeof path, "%s/results.json", dir);
    int rc = run_cmd(&grade_output, "tools/grade --timeout 2 --out '%s' tests/sample-lab", path);
    if (rc != 0) {
        fprintf(stderr, "grade failed (%d):\n%s\n", rc, grade_output);
        free(dir);
        return -1;
    }
    json_error_t err;
    results = json_load_file(path, 0, &err);
    if (!results)
        fprintf(stderr, "results.json: %s at line %d\n", err.text, err.line);
    free(dir);
    return results ? 0 : -1;
}

static int grade_done(void **state)
{
    (void)state;
    json_decref(results);
    free(grade_output);
    return 0;
}

static json_t *item(const char *title)
{
    json_t *tests = json_object_get(results, "tests");
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t)
    {
        const char *name = json_string_value(json_object_get(t, "name"));
        if (name && strstr(name, title))
            return t;
    }
    return NULL;
}

static void test_total_score(void **state)
{
    (void)state;
    assert_true(json_is_number(json_object_get(results, "score")));
    assert_float_equal(json_number_value(json_object_get(results, "score")), 6.0, 1e-9);
    assert_non_null(strstr(grade_output, "Score: 6/10"));
}

static void test_gradescope_fields(void **state)
{
    (void)state;
    assert_true(json_is_number(json_object_get(results, "execution_time")));
    json_t *tests = json_object_get(results, "tests");
    assert_true(json_is_array(tests));
    assert_int_equal(json_array_size(tests), 7);
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t)
    {
        assert_true(json_is_string(json_object_get(t, "name")));
        assert_true(json_is_number(json_object_get(t, "score")));
        assert_true(json_is_number(json_object_get(t, "max_score")));
        assert_true(json_is_string(json_object_get(t, "output")));
        const char *vis = json_string_value(json_object_get(t, "visibility"));
        assert_non_null(vis);
        assert_true(strcmp(vis, "visible") == 0 || strcmp(vis, "hidden") == 0 ||
                    strcmp(vis, "after_due_date") == 0 || strcmp(vis, "after_published") == 0);
    }
    assert_string_equal(json_string_value(json_object_get(item("hanging"), "visibility")),
                        "hidden");
}

static void test_passing_tests_score(void **state)
{
    (void)state;
    assert_float_equal(json_number_value(json_object_get(item("sample_add adds"), "score")), 2, 0);
    assert_float_equal(json_number_value(json_object_get(item("multiplies"), "score")), 3, 0);
    assert_float_equal(json_number_value(json_object_get(item("pointer-to-int"), "score")), 1, 0);
}

static void test_crash_scores_zero_and_says_why(void **state)
{
    (void)state;
    json_t *t = item("crashing");
    assert_non_null(t);
    assert_float_equal(json_number_value(json_object_get(t, "score")), 0, 0);
    assert_float_equal(json_number_value(json_object_get(t, "max_score")), 2, 0);
    assert_non_null(strstr(json_string_value(json_object_get(t, "output")), "SIGABRT"));
}

static void test_hang_scores_zero_and_says_why(void **state)
{
    (void)state;
    json_t *t = item("hanging");
    assert_non_null(t);
    assert_float_equal(json_number_value(json_object_get(t, "score")), 0, 0);
    assert_non_null(strstr(json_string_value(json_object_get(t, "output")), "timed out"));
}

static void test_compiling_fail_file_scores_zero(void **state)
{
    (void)state;
    json_t *t = item("fails its compile-fail test");
    assert_non_null(t);
    assert_float_equal(json_number_value(json_object_get(t, "score")), 0, 0);
    assert_non_null(
        strstr(json_string_value(json_object_get(t, "output")), "compiled, but it must not"));
}

static void test_skipped_line_left_out_of_total(void **state)
{
    (void)state;
    json_t *t = item("not judged");
    assert_non_null(t);
    assert_float_equal(json_number_value(json_object_get(t, "score")), 0, 0);
    assert_float_equal(json_number_value(json_object_get(t, "max_score")), 0, 0);
    assert_non_null(strstr(json_string_value(json_object_get(t, "output")), "lacks its device"));
}

static void test_bad_grade_conf_is_a_clear_error(void **state)
{
    (void)state;
    char *dir = scratch_dir("badconf");
    assert_non_null(dir);
    char *out = NULL;
    int rc =
        run_cmd(&out,
                "cp -r tests/sample-lab/. '%s/' && printf 'test_math lots\\n' > '%s/grade.conf' && "
                "tools/grade --timeout 2 --out '%s/r.json' '%s'",
                dir, dir, dir, dir);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(out, "grade.conf:1: points must be a number"));
    free(out);
    free(dir);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_total_score),
    cmocka_unit_test(test_gradescope_fields),
    cmocka_unit_test(test_passing_tests_score),
    cmocka_unit_test(test_crash_scores_zero_and_says_why),
    cmocka_unit_test(test_hang_scores_zero_and_says_why),
    cmocka_unit_test(test_compiling_fail_file_scores_zero),
    cmocka_unit_test(test_skipped_line_left_out_of_total),
    cmocka_unit_test(test_bad_grade_conf_is_a_clear_error),
};

CMN_TEST_MAIN_GROUP(tests, grade_once, grade_done)
