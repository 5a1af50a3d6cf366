/* common/alloc_count.h — count heap allocations, for "zero allocations" assertions.
 *
 * Test binaries are linked with an interposer (common/src/alloc_count.c) that counts
 * every malloc/calloc/realloc/aligned allocation and free of the whole process, then
 * forwards to the real allocator. Under AddressSanitizer or ThreadSanitizer, which
 * own malloc themselves, the counts come from the sanitizer's allocation hooks
 * instead. A region is a snapshot of the counters: take one before the code under
 * test, and the difference after it is what that code allocated (all threads).
 *
 *     cmn_alloc_region r = cmn_alloc_begin();
 *     run_the_hot_path();
 *     cmn_alloc_counts c = cmn_alloc_end(&r);
 *     assert_int_equal(c.allocs, 0);
 *
 * Only available in binaries that link the interposer (every lab test binary does)
 * and not under valgrind (which replaces malloc itself); cmn_alloc_available() says
 * so at run time, and tests call cmn_require_alloc_counting() (common/test.h) to skip
 * with that reason. */
#ifndef COMMON_ALLOC_COUNT_H
#define COMMON_ALLOC_COUNT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cmn_alloc_counts {
    uint64_t allocs;   /* successful malloc, calloc, realloc(NULL,..), aligned allocs */
    uint64_t reallocs; /* realloc of an existing block (0 under sanitizers: they
                          report a realloc as an alloc plus a free) */
    uint64_t frees;    /* free of a non-NULL pointer */
    uint64_t bytes;    /* bytes requested by the allocations counted above */
} cmn_alloc_counts;

typedef struct cmn_alloc_region {
    cmn_alloc_counts start;
} cmn_alloc_region;

/* True when this binary counts allocations (the interposer or hooks are active). */
bool cmn_alloc_available(void);

/* Process-wide totals since start-up. Thread-safe. */
cmn_alloc_counts cmn_alloc_totals(void);

/* Starts a region: remembers the current totals. */
cmn_alloc_region cmn_alloc_begin(void);

/* Ends a region: what was counted since cmn_alloc_begin(). */
cmn_alloc_counts cmn_alloc_end(const cmn_alloc_region *r);

#endif
