/* test_kheap.c — the kernel heap on host pages (aligned_alloc), checked against the
 * C library's malloc as the model: blocks keep their contents, never overlap, are
 * aligned; double and foreign frees are refused; pages go back when large blocks are
 * freed. */
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "kerr.h"
#include "kheap.h"

struct src {
    long live_pages;
    long fail; /* get() returns NULL while fail > 0 */
};

static void *s_get(void *ctx, size_t n)
{
    struct src *s = ctx;
    if (s->fail > 0)
        return NULL;
    void *p = aligned_alloc(KHEAP_PAGE, n * KHEAP_PAGE);
    if (p)
        s->live_pages += (long)n;
    return p;
}

/* Small-class pages are kept by the heap for reuse; the test returns them at the end
 * (release_all). One-page large blocks come and go through s_put, which untracks. */
static void *tracked[4096];
static size_t ntracked;

static void s_put(void *ctx, void *p, size_t n)
{
    struct src *s = ctx;
    s->live_pages -= (long)n;
    for (size_t i = 0; i < ntracked; i++)
        if (tracked[i] == p)
            tracked[i] = tracked[--ntracked];
    free(p);
}

static void *s_get_tracked(void *ctx, size_t n)
{
    void *p = s_get(ctx, n);
    if (p && n == 1 && ntracked < 4096)
        tracked[ntracked++] = p;
    return p;
}

static void release_all(struct src *s)
{
    for (size_t i = 0; i < ntracked; i++)
        free(tracked[i]);
    s->live_pages -= (long)ntracked;
    ntracked = 0;
}

static void test_sizes_and_alignment(void **state)
{
    (void)state;
    struct src s = {0, 0};
    kheap h;
    kheap_init(&h, (kheap_pages){s_get_tracked, s_put, &s});
    assert_null(kheap_alloc(&h, 0));
    static const size_t sizes[] = {1, 15, 16, 17, 100, 1024, 1025, 4000, 4081, 9000};
    void *p[10];
    for (int i = 0; i < 10; i++) {
        p[i] = kheap_alloc(&h, sizes[i]);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % KHEAP_ALIGN, 0);
        assert_true(kheap_usable(&h, p[i]) >= sizes[i]);
        memset(p[i], 0xab, sizes[i]);
    }
    assert_int_equal(kheap_usable(&h, p[0]), 16);
    assert_int_equal(kheap_usable(&h, p[3]), 32);
    for (int i = 0; i < 10; i++)
        assert_int_equal(kheap_free(&h, p[i]), 0);
    assert_int_equal(h.bytes_in_use, 0);
    assert_int_equal(kheap_free(&h, NULL), 0);
    release_all(&s);
    assert_int_equal(s.live_pages, 0); /* large blocks' pages were put back */
}

static void test_bad_frees_are_refused(void **state)
{
    (void)state;
    struct src s = {0, 0};
    kheap h;
    kheap_init(&h, (kheap_pages){s_get_tracked, s_put, &s});
    char *a = kheap_alloc(&h, 40), *b = kheap_alloc(&h, 40);
    assert_int_equal(kheap_free(&h, a + 16), -KERR_INVAL); /* inside a 64-byte block */
    assert_int_equal(kheap_free(&h, a + 1), -KERR_INVAL);  /* misaligned */
    assert_int_equal(kheap_free(&h, a), 0);
    assert_int_equal(kheap_free(&h, a), -KERR_EXIST); /* double free */
    assert_int_equal(kheap_usable(&h, a), 0);
    char *big = kheap_alloc(&h, 6000);
    assert_int_equal(kheap_free(&h, big + 64), -KERR_INVAL); /* not the block start */
    assert_int_equal(kheap_free(&h, big), 0);
    void *foreign = aligned_alloc(KHEAP_PAGE, KHEAP_PAGE);
    memset(foreign, 0, KHEAP_PAGE);
    assert_int_equal(kheap_free(&h, (char *)foreign + 32), -KERR_INVAL);
    free(foreign);
    /* freed memory is junk-filled past the free-list link */
    memset(b, 0xab, 40);
    assert_int_equal(kheap_free(&h, b), 0);
    assert_int_equal((unsigned char)b[20], 0x5a);
    release_all(&s);
}

static void test_out_of_pages(void **state)
{
    (void)state;
    struct src s = {0, 1};
    kheap h;
    kheap_init(&h, (kheap_pages){s_get_tracked, s_put, &s});
    assert_null(kheap_alloc(&h, 32));
    assert_null(kheap_alloc(&h, 10000));
    s.fail = 0;
    void *p = kheap_alloc(&h, 32);
    assert_non_null(p);
    assert_int_equal(kheap_free(&h, p), 0);
    release_all(&s);
}

struct live {
    unsigned char *p;
    size_t n;
    unsigned char tag;
};

static void test_random_against_malloc(void **state)
{
    (void)state;
    cmn_rng rng;
    cmn_test_rng(&rng);
    struct src s = {0, 0};
    kheap h;
    kheap_init(&h, (kheap_pages){s_get_tracked, s_put, &s});
    enum { SLOTS = 200 };
    struct live lv[SLOTS] = {{0}};
    size_t expect = 0;
    for (int step = 0; step < 30000; step++) {
        struct live *l = &lv[cmn_rng_below(&rng, SLOTS)];
        if (l->p) {
            for (size_t k = 0; k < l->n; k++)
                if (l->p[k] != (unsigned char)(l->tag + k))
                    fail_msg("block %p byte %zu changed: another block overlaps it", (void *)l->p,
                             k);
            expect -= kheap_usable(&h, l->p);
            assert_int_equal(kheap_free(&h, l->p), 0);
            l->p = NULL;
        } else {
            l->n = cmn_rng_below(&rng, 8) ? 1 + cmn_rng_below(&rng, 1024)
                                          : 1 + cmn_rng_below(&rng, 20000);
            l->p = kheap_alloc(&h, l->n);
            assert_non_null(l->p);
            l->tag = (unsigned char)cmn_rng_next(&rng);
            for (size_t k = 0; k < l->n; k++)
                l->p[k] = (unsigned char)(l->tag + k);
            expect += kheap_usable(&h, l->p);
        }
        assert_int_equal(h.bytes_in_use, expect);
    }
    for (int i = 0; i < SLOTS; i++)
        if (lv[i].p)
            assert_int_equal(kheap_free(&h, lv[i].p), 0);
    assert_int_equal(h.bytes_in_use, 0);
    release_all(&s);
    assert_int_equal(s.live_pages, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sizes_and_alignment),
    cmocka_unit_test(test_bad_frees_are_refused),
    cmocka_unit_test(test_out_of_pages),
    cmocka_unit_test(test_random_against_malloc),
};

CMN_TEST_MAIN(tests)
