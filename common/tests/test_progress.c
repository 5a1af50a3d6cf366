/* test_progress.c — the bar draws when forced (as on a terminal), stays silent on a
 * non-terminal stream, and ends on 100% with a newline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/progress.h"
#include "common/test.h"

static void test_silent_when_not_a_terminal(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    cmn_progress p;
    cmn_progress_start_on(&p, f, false, "work", 10);
    for (uint64_t i = 0; i <= 10; i++)
        cmn_progress_update(&p, i);
    cmn_progress_finish(&p);
    assert_int_equal(ftell(f), 0);
    fclose(f);
}

static void test_draws_when_forced(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    cmn_progress p;
    cmn_progress_start_on(&p, f, true, "work", 200);
    for (uint64_t i = 0; i <= 200; i++)
        cmn_progress_update(&p, i);
    cmn_progress_finish(&p);
    fclose(f);
    assert_non_null(strstr(buf, "work ["));
    assert_non_null(strstr(buf, "100% 200/200\n"));
    /* Throttled: far fewer redraws than updates. */
    size_t draws = 0;
    for (const char *c = buf; *c; c++)
        draws += *c == '\r';
    assert_true(draws >= 2 && draws < 50);
    free(buf);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_silent_when_not_a_terminal),
    cmocka_unit_test(test_draws_when_forced),
};

CMN_TEST_MAIN(tests)
