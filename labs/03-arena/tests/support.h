/* support.h — test helpers shared by lab 03's tests: a source that counts and limits
 * what it hands out (to prove chunks go back and OOM returns NULL), and a shadow map
 * that proves live allocations never overlap. */
#ifndef ARENA_TEST_SUPPORT_H
#define ARENA_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena_source.h"

typedef struct test_source {
    size_t limit;     /* bytes it may have out at once (SIZE_MAX: no limit) */
    size_t out_bytes; /* bytes handed out and not yet given back */
    size_t out_blocks;
    size_t allocs, frees;
    size_t last_size; /* size of the last request */
    size_t bad_frees; /* frees whose size did not match */
} test_source;

/* A source over aligned_alloc that fails once `limit` bytes are out. */
arena_source test_source_make(test_source *ts, size_t limit);

/* A set of live [p, p+n) ranges; add fails the test on overlap. */
typedef struct shadow shadow;
shadow *shadow_new(void);
void shadow_free(shadow *s);
/* Records [p, p+n) with a fill byte; fails the test if it overlaps a live range. */
void shadow_add(shadow *s, void *p, size_t n, uint8_t fill);
/* Forgets the range starting at p. */
void shadow_remove(shadow *s, void *p);
/* Fails the test if any live range lost its fill byte (someone wrote over it). */
void shadow_verify(const shadow *s);
/* Forgets every range. */
void shadow_clear(shadow *s);
size_t shadow_count(const shadow *s);

#endif
