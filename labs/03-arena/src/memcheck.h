/* memcheck.h — the one place where lab 03 talks to AddressSanitizer and valgrind.
 *
 * MC_POISON(p, n) makes [p, p+n) unusable: ASan reports any access to it (manual
 * poisoning interface) and valgrind memcheck reports it as an invalid access (client
 * request MAKE_MEM_NOACCESS). MC_UNPOISON(p, n) makes it usable again (for valgrind:
 * addressable but undefined, as fresh malloc memory is). MC_VALGRIND() is true when the
 * program runs under valgrind; callers cache it, because a client request costs a few
 * instructions even outside valgrind.
 *
 * Freestanding builds (the kernel) and hosted builds without either tool get empty
 * macros, so the allocators' hot paths compile to the same code as without checks. */
#ifndef ARENA_MEMCHECK_H
#define ARENA_MEMCHECK_H

#include <stddef.h>

#include "arena.h"

/* Uses its arguments (side-effect-free expressions), so "unused" warnings stay quiet. */
#define MC_NOTHING(p, n) ((void)(p), (void)(n))

#if ARENA_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define MC_POISON(p, n) __asan_poison_memory_region((p), (n))
#define MC_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#define MC_VALGRIND() 0
#define MC_VG_POISON(p, n) MC_NOTHING(p, n)
#define MC_VG_UNPOISON(p, n) MC_NOTHING(p, n)
#elif __STDC_HOSTED__ && defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define MC_HAVE_VALGRIND 1
#endif
#endif

#if !ARENA_ASAN
#define MC_POISON(p, n) MC_NOTHING(p, n)
#define MC_UNPOISON(p, n) MC_NOTHING(p, n)
#ifdef MC_HAVE_VALGRIND
#define MC_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#define MC_VG_POISON(p, n) ((void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define MC_VG_UNPOISON(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#else
#define MC_VALGRIND() 0
#define MC_VG_POISON(p, n) MC_NOTHING(p, n)
#define MC_VG_UNPOISON(p, n) MC_NOTHING(p, n)
#endif
#endif

#endif
