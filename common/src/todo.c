/* todo.c — default course_todo for non-test programs (see common/todo.h).
 *
 * Weak, so the cmocka harness's definition wins in test binaries. */
#include "common/todo.h"

#include <stdio.h>
#include <stdlib.h>

__attribute__((weak)) _Noreturn void course_todo(const char *hint, const char *file, int line)
{
    fprintf(stderr, "%s:%d: TODO: %s\n", file, line, hint);
    abort();
}
