/* test_kfmt.c — kfmt against the C library's snprintf, the reference nobody on this
 * team wrote: fixed cases for each conversion and flag, then seeded random formats
 * and values, then the buffer-truncation contract. */
#include <stdio.h>
#include <string.h>

#include "common/test.h"
#include "kfmt.h"

#define CHECK(...)                                                                                 \
    do {                                                                                           \
        char want[256], got[256];                                                                  \
        int wn = snprintf(want, sizeof want, __VA_ARGS__);                                         \
        size_t gn = kfmt_snprintf(got, sizeof got, __VA_ARGS__);                                   \
        assert_string_equal(got, want);                                                            \
        assert_int_equal(gn, (size_t)wn);                                                          \
    } while (0)

static void test_integers(void **state)
{
    (void)state;
    CHECK("%d|%i|%u", 0, -1, 42u);
    CHECK("%d %d", 2147483647, (-2147483647 - 1));
    CHECK("%ld %lld %lu", -9223372036854775807L - 1, 123456789012345LL, 18446744073709551615UL);
    CHECK("%x %X %o %#x %#X %#o %#o", 0xdeadbeefu, 0xabcu, 8u, 255u, 255u, 8u, 0u);
    /* hh/h must truncate an int argument the way printf does (clang warns about the
     * int argument, which is exactly the point here) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    // cppcheck-suppress [invalidPrintfArgType_sint, invalidPrintfArgType_uint]
    CHECK("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
#pragma GCC diagnostic pop
    CHECK("%zu %zx %td %jd", (size_t)77, (size_t)0xff, (ptrdiff_t)-5, (intmax_t)-7);
    CHECK("[%5d] [%-5d] [%05d] [%+d] [% d] [%+05d]", 42, 42, -42, 7, 7, -3);
    CHECK("[%.3d] [%.0d] [%8.3x] [%-8.3x|] [%8.3d]", 5, 0, 0xfu, 0xfu, 12);
    CHECK("[%*d] [%-*d] [%.*d] [%*d]", 6, 1, 6, 2, 4, 3, -6, 4);
    CHECK("[%#.0o] [%#5x] [%#05x]", 0u, 1u, 1u);
}

static void test_strings_chars_pointers(void **state)
{
    (void)state;
    CHECK("[%s] [%10s] [%-10s] [%.2s] [%5.1s]", "kernel", "abc", "abc", "xyz", "qq");
    CHECK("[%c] [%3c] [%-3c] %%", 'A', 'b', 'c');
    int x;
    CHECK("%p [%20p] [%-20p]", (void *)&x, (void *)&x, (void *)0x1000);
    CHECK("%p", (void *)0);
    char got[32];
    const char *volatile none = NULL; /* hidden from the compiler's format check */
    kfmt_snprintf(got, sizeof got, "%s", none);
    assert_string_equal(got, "(null)");
}

static void test_unknown_conversion_is_visible(void **state)
{
    (void)state;
    char got[32];
    /* The format is built at run time: the compiler would rightly reject %y. */
    const char *volatile fmt = "a%yb";
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    size_t n = kfmt_snprintf(got, sizeof got, fmt, 1);
#pragma GCC diagnostic pop
    assert_string_equal(got, "a%?yb");
    assert_int_equal(n, 5);
}

static void test_truncation(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'x', sizeof buf);
    size_t n = kfmt_snprintf(buf, 5, "%d-%s", 12345, "abc");
    assert_int_equal(n, 9);
    assert_string_equal(buf, "1234");
    assert_int_equal(buf[5], 'x'); /* nothing written past size */
    n = kfmt_snprintf(buf, 0, "%s", "abc");
    assert_int_equal(n, 3);
    assert_int_equal(buf[0], '1');
}

/* Random formats from a grammar of flags/width/precision/length, random values. */
static void test_random_against_snprintf(void **state)
{
    (void)state;
    cmn_rng r;
    cmn_test_rng(&r);
    static const char *flags[] = {"", "-", "0", "+", " ", "#", "-+", "0#", "+ 0"};
    static const char conv[] = "diuxXo";
    for (int i = 0; i < 20000; i++) {
        char fmt[32];
        int w = (int)cmn_rng_below(&r, 4) == 0 ? -1 : (int)cmn_rng_below(&r, 25);
        int p = (int)cmn_rng_below(&r, 3) == 0 ? (int)cmn_rng_below(&r, 22) : -1;
        char c = conv[cmn_rng_below(&r, sizeof conv - 1)];
        const char *fl = flags[cmn_rng_below(&r, sizeof flags / sizeof *flags)];
        bool wide = cmn_rng_below(&r, 2);
        int k = snprintf(fmt, sizeof fmt, "<%%%s", fl);
        if (w >= 0)
            k += snprintf(fmt + k, sizeof fmt - (size_t)k, "%d", w);
        if (p >= 0)
            k += snprintf(fmt + k, sizeof fmt - (size_t)k, ".%d", p);
        snprintf(fmt + k, sizeof fmt - (size_t)k, "%s%c>", wide ? "ll" : "", c);
        uint64_t v = cmn_rng_next(&r) >> cmn_rng_below(&r, 64);
        char want[128], got[128];
        int wn;
        size_t gn;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat"
        if (wide) {
            wn = snprintf(want, sizeof want, fmt, (long long)v);
            gn = kfmt_snprintf(got, sizeof got, fmt, (long long)v);
        } else {
            wn = snprintf(want, sizeof want, fmt, (int)(uint32_t)v);
            gn = kfmt_snprintf(got, sizeof got, fmt, (int)(uint32_t)v);
        }
#pragma GCC diagnostic pop
        if (strcmp(want, got) != 0 || gn != (size_t)wn)
            fail_msg("format \"%s\" value %llu: libc \"%s\", kfmt \"%s\"", fmt,
                     (unsigned long long)v, want, got);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_integers),
    cmocka_unit_test(test_strings_chars_pointers),
    cmocka_unit_test(test_unknown_conversion_is_visible),
    cmocka_unit_test(test_truncation),
    cmocka_unit_test(test_random_against_snprintf),
};

CMN_TEST_MAIN(tests)
