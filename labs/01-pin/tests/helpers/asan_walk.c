/* asan_walk.c — the realloc bug's dangling walk, in a program always built with ASan.
 *
 * test_realloc_bug runs this (from its own build folder, ../helpers/asan_walk) so the
 * AddressSanitizer half of the demonstration is asserted in every build, not only in
 * SAN=address ones: the lab Makefile compiles it and the library sources with
 * -fsanitize=address whatever SAN says. Exit status: ASan's (1) when it catches the
 * stale read; 0 if the walk returned, which the test counts as a failure. */
#include <stdio.h>

#include "pin_bug.h"

int main(void)
{
    size_t walked = pin_bug_realloc(PIN_BUG_WALK_LINKS, 8, 1);
    printf("walked %zu nodes through freed memory unnoticed\n", walked);
    return 0;
}
