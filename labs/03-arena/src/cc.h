/* cc.h — the compiler extensions lab 03 uses, named in one place (GCC and clang). */
#ifndef ARENA_CC_H
#define ARENA_CC_H

/* Keeps a slow path out of line, so the fast path that calls it stays small (no
 * register saves for the slow path's sake on every call). */
#define ARENA_NOINLINE __attribute__((noinline))
/* Branch hints for the fast path. */
#define ARENA_LIKELY(x) __builtin_expect(!!(x), 1)
#define ARENA_UNLIKELY(x) __builtin_expect(!!(x), 0)

#endif
