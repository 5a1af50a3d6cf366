/* test_mb.c — the Multiboot parser on hand-made buffers: a map like QEMU's, every
 * malformation with the byte offset it must name, mb_usable() against a page-by-page
 * model, and command-line lookup. */
#include <string.h>

#include "common/test.h"
#include "kerr.h"
#include "mb.h"

/* Appends one map entry (size field 20) at buf+off; returns the new offset. */
static size_t put_entry(uint8_t *buf, size_t off, uint64_t base, uint64_t len, uint32_t type)
{
    uint32_t size = 20;
    memcpy(buf + off, &size, 4);
    memcpy(buf + off + 4, &base, 8);
    memcpy(buf + off + 12, &len, 8);
    memcpy(buf + off + 20, &type, 4);
    return off + 24;
}

static void test_parses_qemu_like_map(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t off = 0;
    off = put_entry(buf, off, 0, 0x9fc00, 1);
    off = put_entry(buf, off, 0x9fc00, 0x400, 2);
    off = put_entry(buf, off, 0x100000, 0x7ee0000, 1);
    off = put_entry(buf, off, 0xfffc0000, 0x40000, 2);
    mb_region map[8];
    size_t n = 0;
    mb_error err = {0, NULL};
    assert_int_equal(mb_parse_mmap(buf, off, map, 8, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(map[2].base, 0x100000);
    assert_int_equal(map[2].len, 0x7ee0000);
    assert_int_equal(map[2].type, 1);
    assert_string_equal(mb_type_name(map[3].type), "reserved");
}

static void test_entry_with_larger_size_field_is_skipped_correctly(void **state)
{
    (void)state;
    uint8_t buf[128] = {0};
    size_t off = put_entry(buf, 0, 0x1000, 0x2000, 1);
    uint32_t big = 28; /* a loader may add fields: 8 extra bytes */
    memcpy(buf, &big, 4);
    off += 8;
    off = put_entry(buf, off, 0x100000, 0x1000, 1);
    mb_region map[4];
    size_t n;
    assert_int_equal(mb_parse_mmap(buf, off, map, 4, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(map[1].base, 0x100000);
}

static void test_malformed_maps_name_the_offset(void **state)
{
    (void)state;
    uint8_t buf[128];
    mb_region map[4];
    size_t n;
    mb_error err;
    size_t off = put_entry(buf, 0, 0, 0x1000, 1);
    /* truncated: a second entry that stops after 10 bytes */
    put_entry(buf, off, 0x2000, 0x1000, 1);
    assert_int_equal(mb_parse_mmap(buf, off + 10, map, 4, &n, &err), -KERR_INVAL);
    assert_int_equal(err.offset, 24);
    assert_non_null(strstr(err.what, "past the end"));
    assert_int_equal(mb_parse_mmap(buf, off + 2, map, 4, &n, &err), -KERR_INVAL);
    assert_int_equal(err.offset, 24);
    assert_non_null(strstr(err.what, "size field"));
    /* size below 20 */
    uint32_t tiny = 12;
    memcpy(buf + off, &tiny, 4);
    assert_int_equal(mb_parse_mmap(buf, off + 24, map, 4, &n, &err), -KERR_INVAL);
    assert_int_equal(err.offset, 24);
    assert_non_null(strstr(err.what, "below 20"));
    /* a region that wraps past 2^64 */
    put_entry(buf, off, 0xfffffffffffff000ull, 0x2000, 1);
    assert_int_equal(mb_parse_mmap(buf, off + 24, map, 4, &n, &err), -KERR_INVAL);
    assert_int_equal(err.offset, 28);
    /* more entries than room */
    put_entry(buf, off, 0x2000, 0x1000, 1);
    assert_int_equal(mb_parse_mmap(buf, off + 24, map, 1, &n, &err), -KERR_NOSPC);
}

static void test_info_block(void **state)
{
    (void)state;
    uint8_t info[MB_INFO_SIZE] = {0};
    uint32_t flags = MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MMAP, v;
    memcpy(info, &flags, 4);
    v = 639;
    memcpy(info + 4, &v, 4);
    v = 0x1000;
    memcpy(info + 16, &v, 4);
    v = 96;
    memcpy(info + 44, &v, 4);
    v = 0x9000;
    memcpy(info + 48, &v, 4);
    mb_info mi;
    mb_error err;
    assert_int_equal(mb_read_info(MB_LOADER_MAGIC, info, sizeof info, &mi, &err), 0);
    assert_int_equal(mi.mem_lower_kib, 639);
    assert_int_equal(mi.cmdline_pa, 0x1000);
    assert_int_equal(mi.mmap_len, 96);
    assert_int_equal(mi.mmap_pa, 0x9000);
    assert_int_equal(mb_read_info(0x36d76289u, info, sizeof info, &mi, &err), -KERR_INVAL);
    assert_non_null(strstr(err.what, "magic"));
    assert_int_equal(mb_read_info(MB_LOADER_MAGIC, info, 40, &mi, &err), -KERR_INVAL);
    /* fields whose flag is clear read as 0 */
    flags = MB_INFO_MMAP;
    memcpy(info, &flags, 4);
    assert_int_equal(mb_read_info(MB_LOADER_MAGIC, info, sizeof info, &mi, &err), 0);
    assert_int_equal(mi.cmdline_pa, 0);
    assert_int_equal(mi.mem_lower_kib, 0);
}

/* True if the union of the available regions covers [s, e) (adjacent or overlapping
 * regions together count, as mb_usable merges them). */
static bool covered(const mb_region *map, size_t n, uint64_t s, uint64_t e)
{
    uint64_t at = s;
    for (bool progress = true; progress && at < e;) {
        progress = false;
        for (size_t i = 0; i < n; i++) {
            uint64_t rs = map[i].base, re = map[i].base + map[i].len;
            if (map[i].type == 1 && rs <= at && re > at) {
                at = re;
                progress = true;
            }
        }
    }
    return at >= e;
}

/* Model: one bool per page in [0, 64 pages); usable iff the available regions cover
 * all of it and no hole touches any of it. */
static void test_usable_against_page_model(void **state)
{
    (void)state;
    cmn_rng rng;
    cmn_test_rng(&rng);
    const uint64_t PAGES = 64, P = 4096;
    for (int round = 0; round < 3000; round++) {
        mb_region map[6];
        size_t n = 1 + cmn_rng_below(&rng, 6);
        for (size_t i = 0; i < n; i++) {
            uint64_t a = cmn_rng_below(&rng, PAGES * P), b = cmn_rng_below(&rng, PAGES * P);
            if (cmn_rng_below(&rng, 2)) { /* page-aligned half the time */
                a &= ~(uint64_t)(P - 1);
                b &= ~(uint64_t)(P - 1);
            }
            map[i].base = a < b ? a : b;
            map[i].len = (a < b ? b - a : a - b);
            map[i].type = cmn_rng_below(&rng, 3) ? 1 : 2;
        }
        mb_range res = {cmn_rng_below(&rng, PAGES * P), 0};
        res.end = res.start + cmn_rng_below(&rng, 8 * P);
        uint64_t lo = cmn_rng_below(&rng, 8) * P, hi = (PAGES - cmn_rng_below(&rng, 8)) * P;
        mb_range out[32];
        size_t nu = 0;
        assert_int_equal(mb_usable(map, n, &res, 1, lo, hi, out, 32, &nu), 0);
        for (uint64_t pg = 0; pg < PAGES; pg++) {
            uint64_t s = pg * P, e = s + P;
            bool avail = covered(map, n, s, e),
                 hole = res.start < e && res.end > s && res.end > res.start;
            for (size_t i = 0; i < n; i++) {
                uint64_t rs = map[i].base, re = map[i].base + map[i].len;
                if (map[i].type != 1 && rs < e && re > s &&
                    re > rs) /* empty holes remove nothing */
                    hole = true;
            }
            bool want = avail && !hole && s >= lo && e <= hi;
            bool got = false;
            for (size_t i = 0; i < nu; i++)
                if (out[i].start <= s && out[i].end >= e)
                    got = true;
            if (want != got)
                fail_msg("round %d page %llu: model says %d, mb_usable says %d", round,
                         (unsigned long long)pg, want, got);
        }
        for (size_t i = 0; i < nu; i++) { /* sorted, disjoint, not touching, aligned */
            assert_true(out[i].start < out[i].end);
            assert_int_equal(out[i].start % P, 0);
            assert_int_equal(out[i].end % P, 0);
            if (i)
                assert_true(out[i - 1].end < out[i].start);
        }
    }
}

static void test_usable_reports_no_space(void **state)
{
    (void)state;
    mb_region map[1] = {{0, 1 << 20, 1}};
    mb_range holes[3] = {{0x10000, 0x11000}, {0x20000, 0x21000}, {0x30000, 0x31000}};
    mb_range out[2];
    size_t n;
    assert_int_equal(mb_usable(map, 1, holes, 3, 0, 1 << 20, out, 2, &n), -KERR_NOSPC);
}

static void test_cmdline(void **state)
{
    (void)state;
    char v[16];
    const char *cl = "/boot/kernel.mb32 ktest.fault=page_fault quiet  demo=  k=verylongvaluehere";
    assert_true(mb_cmdline_get(cl, "ktest.fault", v, sizeof v));
    assert_string_equal(v, "page_fault");
    assert_true(mb_cmdline_get(cl, "quiet", v, sizeof v));
    assert_string_equal(v, "");
    assert_true(mb_cmdline_get(cl, "demo", v, sizeof v));
    assert_string_equal(v, "");
    assert_true(mb_cmdline_get(cl, "k", v, 5));
    assert_string_equal(v, "very");
    assert_false(mb_cmdline_get(cl, "ktest", v, sizeof v)); /* prefix is not a match */
    assert_false(mb_cmdline_get(cl, "absent", v, sizeof v));
    assert_false(mb_cmdline_get("", "x", v, sizeof v));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parses_qemu_like_map),
    cmocka_unit_test(test_entry_with_larger_size_field_is_skipped_correctly),
    cmocka_unit_test(test_malformed_maps_name_the_offset),
    cmocka_unit_test(test_info_block),
    cmocka_unit_test(test_usable_against_page_model),
    cmocka_unit_test(test_usable_reports_no_space),
    cmocka_unit_test(test_cmdline),
};

CMN_TEST_MAIN(tests)
