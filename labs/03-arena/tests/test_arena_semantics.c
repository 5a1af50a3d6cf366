/* test_arena_semantics.c — what mark/rewind, reset, destroy, extend and the stats
 * promise, checked byte for byte: chunk growth at exact boundaries, exact in_use /
 * wasted / high-water figures, chunks going back to the source, fixed buffers, OOM. */
#include <string.h>

#include "common/test.h"
#include "arena.h"
#include "support.h"

/* Bytes an allocation of n consumes after its (aligned) start. */
static size_t span(size_t n)
{
    return ((n + ARENA_GRANULE - 1) & ~(ARENA_GRANULE - 1)) + ARENA_REDZONE;
}

static void test_chunk_boundary_exact(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, SIZE_MAX);
    arena a;
    arena_init(&a, &src, 4096);
    assert_int_equal(ts.allocs, 0); /* lazy: nothing taken yet */
    size_t room = 4096 - ARENA_CHUNK_HEADER;
    /* Fill the first chunk to the last byte: still one chunk. */
    char *p = arena_alloc(&a, room - ARENA_REDZONE, 1);
    assert_non_null(p);
    assert_int_equal(ts.allocs, 1);
    assert_int_equal(ts.last_size, 4096);
    arena_stats st = arena_get_stats(&a);
    assert_int_equal(st.chunks, 1);
    assert_int_equal(st.reserved, 4096);
    assert_int_equal(st.in_use, room - ARENA_REDZONE);
    assert_int_equal(st.wasted, ARENA_REDZONE);
    p[room - ARENA_REDZONE - 1] = 1; /* the last byte is usable */
    /* One more byte needs a second chunk, twice the size. */
    assert_non_null(arena_alloc(&a, 1, 1));
    assert_int_equal(ts.allocs, 2);
    assert_int_equal(ts.last_size, 8192);
    st = arena_get_stats(&a);
    assert_int_equal(st.chunks, 2);
    assert_int_equal(st.reserved, 4096 + 8192);
    assert_int_equal(st.in_use, room - ARENA_REDZONE + 1);
    /* A request bigger than the next chunk gets a chunk of its own, page-rounded. */
    assert_non_null(arena_alloc(&a, 100000, 16));
    assert_int_equal(ts.allocs, 3);
    assert_true(ts.last_size >= 100000 + ARENA_CHUNK_HEADER && ts.last_size % 4096 == 0);
    arena_destroy(&a);
    assert_int_equal(ts.out_blocks, 0);
    assert_int_equal(ts.bad_frees, 0);
}

static void test_stats_exact(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, SIZE_MAX);
    arena a;
    arena_init(&a, &src, 1 << 16);
    uintptr_t prev_end = 0;
    size_t in_use = 0, wasted = 0;
    const size_t sizes[] = {1, 7, 8, 13, 64, 100, 3, 0, 4000};
    const size_t aligns[] = {1, 8, 16, 4, 64, 32, 1, 8, 4096};
    for (size_t i = 0; i < CMN_ARRAY_LEN(sizes); i++) {
        uintptr_t p = (uintptr_t)arena_alloc(&a, sizes[i], aligns[i]);
        assert_true(p != 0);
        if (prev_end == 0) /* first allocation: padding from the chunk's data start */
            prev_end = (uintptr_t)a.head + ARENA_CHUNK_HEADER;
        wasted += (p - prev_end) + span(sizes[i]) - sizes[i];
        in_use += sizes[i];
        prev_end = p + span(sizes[i]);
        arena_stats st = arena_get_stats(&a);
        assert_int_equal(st.in_use, in_use);
        assert_int_equal(st.wasted, wasted);
        assert_int_equal(st.high_water, in_use);
    }
    arena_reset(&a);
    arena_stats st = arena_get_stats(&a);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.wasted, 0);
    assert_int_equal(st.high_water, in_use); /* remembered across reset */
    assert_int_equal(st.chunks, 1);
    arena_destroy(&a);
}

static void test_mark_rewind(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, SIZE_MAX);
    arena a;
    arena_init(&a, &src, 1024);
    char *keep = arena_alloc(&a, 100, 1);
    memset(keep, 'k', 100);
    arena_mark m = arena_save(&a);
    arena_stats before = arena_get_stats(&a);
    char *first_after = arena_alloc(&a, 50, 1);
    for (int i = 0; i < 200; i++) /* spills into several new chunks */
        assert_non_null(arena_alloc(&a, 100, 8));
    assert_true(arena_get_stats(&a).chunks > 3);
    size_t hw = arena_get_stats(&a).in_use;
    arena_rewind(&a, m);
    arena_stats after = arena_get_stats(&a);
    assert_int_equal(after.in_use, before.in_use);
    assert_int_equal(after.wasted, before.wasted);
    assert_int_equal(after.chunks, 1); /* the newer chunks went back */
    assert_int_equal(ts.out_blocks, 1);
    assert_int_equal(after.high_water, hw);
    /* The next allocation reuses the rewound space exactly. */
    assert_ptr_equal(arena_alloc(&a, 50, 1), first_after);
    for (int i = 0; i < 100; i++)
        assert_int_equal(keep[i], 'k');
    /* Nested marks rewind innermost first. */
    arena_mark outer = arena_save(&a);
    arena_alloc(&a, 10, 1);
    arena_mark inner = arena_save(&a);
    void *x = arena_alloc(&a, 10, 1);
    arena_rewind(&a, inner);
    assert_ptr_equal(arena_alloc(&a, 10, 1), x);
    arena_rewind(&a, outer);
    assert_int_equal(arena_get_stats(&a).in_use, before.in_use + 50);
    /* A mark taken on an empty arena rewinds like reset. */
    arena b;
    arena_init(&b, &src, 1024);
    arena_mark empty = arena_save(&b);
    for (int i = 0; i < 50; i++)
        arena_alloc(&b, 100, 1);
    arena_rewind(&b, empty);
    assert_int_equal(arena_get_stats(&b).in_use, 0);
    assert_int_equal(arena_get_stats(&b).chunks, 1);
    arena_destroy(&b);
    arena_destroy(&a);
    assert_int_equal(ts.out_blocks, 0);
}

/* A source that hands out chunks at increasing addresses of one static region and
 * never reuses them: a chunk given back always lies above the ones still held. */
typedef struct rising {
    unsigned char *next;
    size_t allocs;
} rising;

static _Alignas(4096) unsigned char rising_region[(size_t)256 * 1024];

static void *rising_alloc(void *ctx, size_t size, size_t align)
{
    rising *r = ctx;
    uintptr_t p = ((uintptr_t)r->next + align - 1) & ~(uintptr_t)(align - 1);
    if (p + size > (uintptr_t)rising_region + sizeof rising_region)
        return NULL;
    r->next = (unsigned char *)(p + size);
    r->allocs++;
    return (void *)p;
}

static void rising_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)p;
    (void)size;
}

/* Allocates 64-byte blocks until the arena takes a new chunk; every block before that
 * must lie inside [lo, hi) (the inline fast path must not run past the chunk the
 * rewind or reset left on top, into the popped one above it). */
static void fill_within(arena *a, rising *r, uintptr_t lo, uintptr_t hi)
{
    size_t chunks = r->allocs;
    for (int i = 0; i < 1000; i++) {
        uintptr_t p = (uintptr_t)arena_alloc(a, 64, 8);
        assert_true(p != 0);
        if (r->allocs != chunks)
            return; /* the next chunk: the old one was used up inside its bounds */
        assert_true(p >= lo && p + 64 <= hi);
    }
    fail_msg("1000 blocks of 64 bytes fit in a 4 KiB chunk");
}

static void test_rewind_and_reset_bound_the_fast_path(void **state)
{
    (void)state;
    rising r = {.next = rising_region};
    arena_source src = {.alloc = rising_alloc, .free = rising_free, .ctx = &r};
    arena a;
    arena_init(&a, &src, 4096);
    uintptr_t first = (uintptr_t)arena_alloc(&a, 100, 8);
    uintptr_t lo = first - ARENA_CHUNK_HEADER, hi = lo + 4096;
    arena_mark m = arena_save(&a);
    assert_non_null(arena_alloc(&a, 4000, 8)); /* a second chunk, above the first */
    assert_int_equal(r.allocs, 2);
    arena_rewind(&a, m);
    fill_within(&a, &r, lo, hi);
    arena_reset(&a); /* back to the first chunk; the others (above it) go back */
    assert_int_equal((uintptr_t)arena_alloc(&a, 100, 8), first);
    fill_within(&a, &r, lo, hi);
    arena_destroy(&a);
}

static void test_reset_keeps_first_chunk(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, SIZE_MAX);
    arena a;
    arena_init(&a, &src, 2048);
    void *first = arena_alloc(&a, 16, 16);
    for (int i = 0; i < 100; i++)
        arena_alloc(&a, 200, 8);
    size_t chunks = arena_get_stats(&a).chunks;
    assert_true(chunks >= 4);
    arena_reset(&a);
    assert_int_equal(ts.frees, chunks - 1);
    assert_int_equal(arena_get_stats(&a).chunks, 1);
    assert_int_equal(arena_get_stats(&a).reserved, 2048);
    assert_ptr_equal(arena_alloc(&a, 16, 16), first); /* starts over in the first chunk */
    arena_destroy(&a);
    assert_int_equal(ts.out_blocks, 0);
    /* destroy of a never-used arena and reset of an empty one are harmless */
    arena_init(&a, &src, 0);
    arena_reset(&a);
    arena_destroy(&a);
    assert_int_equal(ts.out_blocks, 0);
}

static void test_extend_and_realloc(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, SIZE_MAX);
    arena a;
    arena_init(&a, &src, 4096);
    char *s = arena_alloc(&a, 10, 1);
    for (int i = 0; i < 10; i++)
        s[i] = (char)('0' + i);
    assert_true(arena_extend(&a, s, 10, 100)); /* the last allocation grows in place */
    assert_int_equal(arena_get_stats(&a).in_use, 100);
    assert_true(arena_extend(&a, s, 100, 5)); /* and shrinks */
    assert_int_equal(arena_get_stats(&a).in_use, 5);
    char *t = arena_alloc(&a, 8, 1);
    assert_false(arena_extend(&a, s, 5, 50));   /* no longer the last one */
    assert_false(arena_extend(&a, t, 8, 5000)); /* no room in the chunk */
    assert_true(arena_extend(&a, t, 8, 16));
    char *u = arena_realloc(&a, s, 5, 64, 1); /* not last: moves and copies */
    assert_ptr_not_equal(u, s);
    assert_memory_equal(u, "01234", 5);
    char *v = arena_realloc(&a, u, 64, 128, 1); /* last: stays */
    assert_ptr_equal(v, u);
    char *w = arena_realloc(&a, v, 128, 10000, 1); /* too big for the chunk: moves */
    assert_non_null(w);
    assert_memory_equal(w, "01234", 5);
    assert_non_null(arena_realloc(&a, NULL, 0, 32, 8));
    arena_destroy(&a);
}

static void test_fixed_buffer(void **state)
{
    (void)state;
    _Alignas(64) unsigned char buf[1024];
    arena a;
    arena_init_buffer(&a, buf, sizeof buf);
    size_t got = 0;
    while (arena_alloc(&a, 10, 1) != NULL)
        got++;
    assert_int_equal(got, (1024 - ARENA_CHUNK_HEADER) / span(10));
    arena_stats st = arena_get_stats(&a);
    assert_int_equal(st.reserved, 1024);
    assert_int_equal(st.chunks, 1);
    arena_reset(&a);
    void *p = arena_alloc(&a, 10, 1);
    assert_ptr_equal(p, buf + ARENA_CHUNK_HEADER);
    arena_destroy(&a); /* the buffer is ours again, unpoisoned */
    memset(buf, 0, sizeof buf);
    /* Misaligned start and a buffer too small for a header. */
    arena_init_buffer(&a, buf + 3, 500);
    void *q = arena_alloc(&a, 8, 8);
    assert_non_null(q);
    assert_true((uintptr_t)q >= (uintptr_t)(buf + 3) && (uintptr_t)q + 8 <= (uintptr_t)(buf + 503));
    arena_destroy(&a);
    arena_init_buffer(&a, buf, 8);
    assert_null(arena_alloc(&a, 1, 1));
    arena_destroy(&a);
}

static void test_oom_returns_null(void **state)
{
    (void)state;
    test_source ts;
    arena_source src = test_source_make(&ts, (size_t)64 * 1024);
    arena a;
    arena_init(&a, &src, 4096);
    size_t n = 0;
    while (arena_alloc(&a, 1000, 8) != NULL)
        n++;
    assert_true(n > 30 && n < 64);
    assert_null(arena_alloc(&a, 1000, 8));
    assert_null(arena_alloc(&a, SIZE_MAX, 1)); /* absurd sizes fail cleanly */
    assert_null(arena_alloc(&a, SIZE_MAX - 4096, 4096));
    assert_null(arena_zalloc(&a, SIZE_MAX / 2, 1));
    assert_true(ts.out_bytes <= (size_t)64 * 1024);
    /* Still usable after OOM: reset and allocate again. */
    arena_reset(&a);
    assert_non_null(arena_alloc(&a, 1000, 8));
    arena_destroy(&a);
    assert_int_equal(ts.out_blocks, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_chunk_boundary_exact),
    cmocka_unit_test(test_stats_exact),
    cmocka_unit_test(test_mark_rewind),
    cmocka_unit_test(test_reset_keeps_first_chunk),
    cmocka_unit_test(test_extend_and_realloc),
    cmocka_unit_test(test_fixed_buffer),
    cmocka_unit_test(test_oom_returns_null),
    cmocka_unit_test(test_rewind_and_reset_bound_the_fast_path),
};
CMN_TEST_MAIN(tests)
