// expect: too few arguments
/* arena_alloc has no default alignment: every call says what it needs. */
#include "arena.h"

void *f(arena *a);
void *f(arena *a)
{
    return arena_alloc(a, 16);
}
