/* test_buddy.c — the buddy allocator against a reference model: random alloc/free
 * sequences over regions of several shapes, the invariant checker after every step,
 * no overlap (shadow map), everything coalescing back at the end, OOM and bad frees. */
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "arena.h"
#include "buddy.h"
#include "slab.h"
#include "support.h"

static void check_or_fail(const buddy *b)
{
    const char *err = buddy_check(b);
    if (err != NULL)
        fail_msg("buddy invariant broken: %s", err);
}

/* Runs `steps` random operations over a region of len bytes at offset `skew` from a
 * 1 MiB-aligned buffer; returns after checking full coalescing. */
static void run_model(size_t len, size_t skew, size_t min_block, int steps)
{
    cmn_rng rng;
    cmn_test_rng(&rng);
    unsigned char *mem = aligned_alloc((size_t)1 << 20, ((len + skew) | ((1u << 20) - 1)) + 1);
    assert_non_null(mem);
    buddy b;
    assert_int_equal(buddy_init(&b, mem + skew, len, min_block), 0);
    check_or_fail(&b);
    buddy_stats start = buddy_get_stats(&b);
    assert_true(start.total_bytes > len / 2);
    assert_int_equal(start.free_bytes, start.total_bytes);
    shadow *sh = shadow_new();
    void **live = calloc((size_t)steps, sizeof *live);
    size_t *sizes = calloc((size_t)steps, sizeof *sizes);
    size_t n = 0, used = 0;
    for (int i = 0; i < steps; i++) {
        if (n == 0 || cmn_rng_below(&rng, 100) < 55) {
            size_t want = (size_t)cmn_rng_range(&rng, 1, min_block << cmn_rng_below(&rng, 7));
            void *p = buddy_alloc(&b, want);
            if (p == NULL) { /* only when no free block is big enough */
                assert_true(buddy_get_stats(&b).largest_free < want);
                continue;
            }
            size_t bs = buddy_block_size(&b, p);
            assert_true(bs >= want && bs >= min_block && (bs & (bs - 1)) == 0);
            assert_true(((uintptr_t)p & (bs - 1)) == 0); /* aligned to its size */
            assert_true(bs < 2 * want || bs == min_block);
            shadow_add(sh, p, bs, (uint8_t)(i | 1));
            live[n] = p;
            sizes[n++] = bs;
            used += bs;
        } else {
            size_t k = cmn_rng_below(&rng, n);
            shadow_remove(sh, live[k]);
            assert_int_equal(buddy_free(&b, live[k]), 0);
            used -= sizes[k];
            live[k] = live[--n];
            sizes[k] = sizes[n];
        }
        check_or_fail(&b);
        buddy_stats st = buddy_get_stats(&b);
        assert_int_equal(st.free_bytes + used, st.total_bytes);
        assert_int_equal(st.used_blocks, n);
    }
    shadow_verify(sh);
    while (n > 0) {
        assert_int_equal(buddy_free(&b, live[--n]), 0);
        check_or_fail(&b);
    }
    /* Fully coalesced: the free lists are exactly what init carved. */
    buddy_stats end = buddy_get_stats(&b);
    assert_int_equal(end.free_bytes, end.total_bytes);
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
        assert_int_equal(end.free_blocks[k], start.free_blocks[k]);
    free(sizes);
    free(live);
    shadow_free(sh);
    free(mem);
}

static void test_model_power_of_two_region(void **state)
{
    (void)state;
    run_model((size_t)1 << 20, 0, 64, 4000);
}

static void test_model_odd_region(void **state)
{
    (void)state;
    run_model(777777, 4096 + 48, 16, 4000);
}

static void test_model_pages(void **state)
{
    (void)state;
    run_model((size_t)8 << 20, 12345, 4096, 3000);
}

static void test_coalesces_to_one_block(void **state)
{
    (void)state;
    /* A 1 MiB-aligned region of 1 MiB + metadata room: the managed part is one block. */
    size_t len = ((size_t)1 << 20);
    unsigned char *mem = aligned_alloc((size_t)1 << 21, (size_t)1 << 21);
    buddy b;
    /* Put the metadata just below the 1 MiB boundary so the managed area is aligned. */
    size_t meta = len / 4096 + 4096;
    assert_int_equal(buddy_init(&b, mem + (1u << 20) - 4096, len + 4096, 4096), 0);
    (void)meta;
    buddy_stats st = buddy_get_stats(&b);
    assert_int_equal(st.total_bytes, len);
    assert_int_equal(st.largest_free, len);
    void *blocks[256];
    for (int i = 0; i < 256; i++) {
        blocks[i] = buddy_alloc(&b, 4096);
        assert_non_null(blocks[i]);
    }
    assert_null(buddy_alloc(&b, 1)); /* OOM: NULL, no crash */
    assert_int_equal(buddy_get_stats(&b).free_bytes, 0);
    /* Free in a scrambled order; coalescing must still end with one block. */
    for (int i = 0; i < 256; i++) {
        assert_int_equal(buddy_free(&b, blocks[(i * 97) % 256]), 0);
        check_or_fail(&b);
    }
    st = buddy_get_stats(&b);
    assert_int_equal(st.largest_free, len);
    assert_int_equal(st.free_blocks[20], 1);
    assert_int_equal(st.free_bytes, len);
    free(mem);
}

static void test_bad_free_and_sizes(void **state)
{
    (void)state;
    unsigned char *mem = aligned_alloc(4096, 1 << 16);
    buddy b;
    assert_int_equal(buddy_init(&b, mem, 1 << 16, 64), 0);
    char *p = buddy_alloc(&b, 100);
    assert_int_equal(buddy_block_size(&b, p), 128);
    assert_int_equal(buddy_free(&b, p + 64), -ARENA_EINVAL); /* interior */
    assert_int_equal(buddy_free(&b, (void *)((uintptr_t)mem + (1u << 17))),
                     -ARENA_EINVAL); /* outside */
    assert_int_equal(buddy_free(&b, p), 0);
    assert_int_equal(buddy_free(&b, p), -ARENA_EINVAL); /* double free */
    assert_int_equal(buddy_free(&b, NULL), 0);
    assert_null(buddy_alloc(&b, 0));
    assert_null(buddy_alloc(&b, (size_t)1 << 17)); /* larger than the region */
    assert_null(buddy_alloc(&b, SIZE_MAX));
    check_or_fail(&b);
    assert_int_equal(buddy_init(&b, mem, 1 << 16, 8), -ARENA_EINVAL);   /* < 16 */
    assert_int_equal(buddy_init(&b, mem, 1 << 16, 100), -ARENA_EINVAL); /* not 2^k */
    assert_int_equal(buddy_init(&b, mem, 10, 16), -ARENA_EINVAL);       /* no block fits */
    free(mem);
}

static void test_arena_and_slab_on_buddy(void **state)
{
    (void)state;
    size_t len = (size_t)4 << 20;
    unsigned char *mem = aligned_alloc(4096, len);
    buddy b;
    assert_int_equal(buddy_init(&b, mem, len, 4096), 0);
    size_t free0 = buddy_get_stats(&b).free_bytes;
    arena_source src = buddy_source(&b);
    arena a;
    arena_init(&a, &src, 8192);
    for (int i = 0; i < 2000; i++)
        assert_non_null(arena_alloc(&a, 100, 16));
    slab_cache c;
    assert_int_equal(slab_cache_init(&c, "on-buddy", 40, 8, 4096, &src, NULL), 0);
    for (int i = 0; i < 1000; i++)
        assert_non_null(slab_alloc(&c));
    assert_true(buddy_get_stats(&b).free_bytes < free0);
    check_or_fail(&b);
    arena_destroy(&a);
    slab_cache_destroy(&c);
    assert_int_equal(buddy_get_stats(&b).free_bytes, free0);
    check_or_fail(&b);
    free(mem);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_model_power_of_two_region),
    cmocka_unit_test(test_model_odd_region),
    cmocka_unit_test(test_model_pages),
    cmocka_unit_test(test_coalesces_to_one_block),
    cmocka_unit_test(test_bad_free_and_sizes),
    cmocka_unit_test(test_arena_and_slab_on_buddy),
};
CMN_TEST_MAIN(tests)
