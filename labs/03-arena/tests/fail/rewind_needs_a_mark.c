// expect: incompatible type|passing 'arena_stats'
/* arena_rewind takes the arena_mark from arena_save, not some other snapshot: the
 * types keep a stats struct (or a pointer) from being passed as a position. */
#include "arena.h"

void f(arena *a);
void f(arena *a)
{
    arena_rewind(a, arena_get_stats(a));
}
