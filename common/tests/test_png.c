/* test_png.c — written PNGs decode (with libpng's own reader) to the same pixels, in
 * grey and RGB, with a row stride; bad arguments and unwritable paths are errors that
 * leave no file behind. */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/png.h"
#include "common/test.h"

static char path[256];

static int make_path(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/cmn-png-test-%d.png", (int)getpid());
    return 0;
}

static int remove_path(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

/* Decodes path with libpng's simplified API into a malloc'd buffer of `fmt` pixels. */
static uint8_t *decode(uint32_t *w, uint32_t *h, uint32_t fmt)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        return NULL;
    img.format = fmt;
    uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
    if (buf && !png_image_finish_read(&img, NULL, buf, 0, NULL)) {
        free(buf);
        buf = NULL;
    }
    *w = img.width;
    *h = img.height;
    png_image_free(&img);
    return buf;
}

static void test_gray_round_trip_with_stride(void **state)
{
    (void)state;
    enum { W = 160, H = 144, STRIDE = 200 };
    static uint8_t px[H * STRIDE];
    const uint8_t shades[4] = {0xFF, 0xAA, 0x55, 0x00};
    for (int y = 0; y < H; y++)
        for (int x = 0; x < STRIDE; x++)
            px[y * STRIDE + x] = x < W ? shades[(x / 8 + y / 8) % 4] : 0x42;
    assert_int_equal(cmn_png_write(path, px, W, H, STRIDE, CMN_PNG_GRAY), 0);
    uint32_t w, h;
    uint8_t *back = decode(&w, &h, PNG_FORMAT_GRAY);
    assert_non_null(back);
    assert_int_equal(w, W);
    assert_int_equal(h, H);
    for (int y = 0; y < H; y++)
        assert_memory_equal(back + y * W, px + y * STRIDE, W);
    free(back);
}

static void test_rgb_round_trip(void **state)
{
    (void)state;
    uint8_t px[2 * 3 * 2] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30};
    assert_int_equal(cmn_png_write(path, px, 2, 2, 6, CMN_PNG_RGB), 0);
    uint32_t w, h;
    uint8_t *back = decode(&w, &h, PNG_FORMAT_RGB);
    assert_non_null(back);
    assert_memory_equal(back, px, sizeof px);
    free(back);
}

static void test_bad_arguments_and_paths(void **state)
{
    (void)state;
    uint8_t px[4] = {0};
    assert_int_equal(cmn_png_write(path, px, 0, 1, 1, CMN_PNG_GRAY), -EINVAL);
    assert_int_equal(cmn_png_write(path, px, 4, 1, 3, CMN_PNG_GRAY), -EINVAL);
    assert_int_equal(cmn_png_write(path, px, 1, 1, 3, (cmn_png_format)2), -EINVAL);
    assert_int_equal(cmn_png_write("/nonexistent-dir/x.png", px, 2, 2, 2, CMN_PNG_GRAY), -ENOENT);
    assert_int_equal(access("/nonexistent-dir/x.png.tmpXXX", F_OK), -1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_gray_round_trip_with_stride, make_path, remove_path),
    cmocka_unit_test_setup_teardown(test_rgb_round_trip, make_path, remove_path),
    cmocka_unit_test(test_bad_arguments_and_paths),
};

CMN_TEST_MAIN(tests)
