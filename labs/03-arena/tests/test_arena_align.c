/* test_arena_align.c — every pointer the arena returns honours its alignment, for
 * every power of two up to ARENA_MAX_ALIGN, and bad alignments are refused. */
#include <string.h>

#include "common/test.h"
#include "arena.h"
#include "arena_hosted.h"
#include "support.h"

static void test_every_power_of_two(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, SIZE_MAX);
    arena a;
    arena_init(&a, &src, 4096);
    /* Mixed sizes between aligned requests so the cursor is misaligned before each. */
    for (int round = 0; round < 3; round++)
        for (size_t align = 1; align <= ARENA_MAX_ALIGN; align *= 2)
            for (size_t size = 0; size < 70; size += 23) {
                assert_non_null(arena_alloc(&a, 1 + (size % 7), 1));
                void *p = arena_alloc(&a, size, align);
                assert_non_null(p);
                assert_true(((uintptr_t)p & (align - 1)) == 0);
            }
    arena_destroy(&a);
    assert_int_equal(ts.out_blocks, 0);
}

static void test_zalloc_zeroes_and_aligns(void **state)
{
    (void)state;
    arena_source src = arena_heap_source();
    arena a;
    arena_init(&a, &src, 0);
    for (size_t align = 1; align <= ARENA_MAX_ALIGN; align *= 2) {
        unsigned char *p = arena_alloc(&a, 100, 1);
        memset(p, 0xAB, 100);
        arena_rewind(&a, arena_save(&a)); /* nothing released: p stays */
        unsigned char *z = arena_zalloc(&a, 300, align);
        assert_non_null(z);
        assert_true(((uintptr_t)z & (align - 1)) == 0);
        for (size_t i = 0; i < 300; i++)
            assert_int_equal(z[i], 0);
        memset(z, 0xCD, 300); /* dirty it for the next round's reuse after reset */
        arena_reset(&a);
    }
    arena_destroy(&a);
}

static void test_bad_alignment_refused(void **state)
{
    (void)state;
    arena_source src = arena_heap_source();
    arena a;
    arena_init(&a, &src, 0);
    const size_t bad[] = {0, 3, 6, 12, 48, 8192, (size_t)1 << 40, SIZE_MAX};
    for (size_t i = 0; i < CMN_ARRAY_LEN(bad); i++) {
        assert_null(arena_alloc(&a, 16, bad[i]));
        assert_null(arena_zalloc(&a, 16, bad[i]));
    }
    assert_int_equal(arena_get_stats(&a).in_use, 0);
    arena_destroy(&a);
}

static void test_thread_safe_arena_aligns(void **state)
{
    (void)state;
    arena_source src = arena_heap_source();
    arena_mt a;
    arena_mt_init(&a, &src, 4096);
    for (size_t align = 1; align <= ARENA_MAX_ALIGN; align *= 2) {
        assert_non_null(arena_mt_alloc(&a, 3, 1));
        void *p = arena_mt_alloc(&a, 40, align);
        assert_non_null(p);
        assert_true(((uintptr_t)p & (align - 1)) == 0);
    }
    assert_null(arena_mt_alloc(&a, 8, 0));
    assert_null(arena_mt_alloc(&a, 8, 24));
    assert_null(arena_mt_alloc(&a, 8, 8192));
    arena_mt_destroy(&a);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_power_of_two),
    cmocka_unit_test(test_zalloc_zeroes_and_aligns),
    cmocka_unit_test(test_bad_alignment_refused),
    cmocka_unit_test(test_thread_safe_arena_aligns),
};
CMN_TEST_MAIN(tests)
