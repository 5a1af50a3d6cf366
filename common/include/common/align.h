/* common/align.h — cache-line and alignment macros shared by the labs.
 *
 * Only macros, usable from freestanding code too (it includes nothing but
 * <stddef.h> and <stdalign.h>). CMN_CACHE_LINE is 64 on every machine the course
 * targets (x86_64 and the Cortex-M/Arm boards); a lab that cares about a different
 * line size states it where it uses it. */
#ifndef COMMON_ALIGN_H
#define COMMON_ALIGN_H

#include <stdalign.h>
#include <stddef.h>

/* The cache line size the labs pad and align for, in bytes. */
#define CMN_CACHE_LINE 64

/* Aligns a declaration (variable or struct member) to a whole cache line. */
#define CMN_CACHE_ALIGNED alignas(CMN_CACHE_LINE)

/* True when x is a non-zero power of two. */
#define CMN_IS_POW2(x) ((x) != 0 && (((x) & ((x)-1)) == 0))

/* Rounds x up / down to a multiple of a, which must be a power of two. */
#define CMN_ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define CMN_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))

/* True when pointer p is aligned to a (a power of two). */
#define CMN_IS_ALIGNED(p, a) ((((size_t)(p)) & ((size_t)(a)-1)) == 0)

/* Bytes of padding that round `used` bytes up to a whole cache line (0 if exact). */
#define CMN_PAD_TO_LINE(used) ((CMN_CACHE_LINE - ((used) % CMN_CACHE_LINE)) % CMN_CACHE_LINE)

/* Number of elements of a true array (not a pointer). */
#define CMN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
