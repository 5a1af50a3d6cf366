/* test_ppu.c — the picture: background, window and sprites, checked pixel by pixel.
 *
 * Each test turns the LCD off, fills VRAM/OAM/registers through the bus as a game
 * would, turns it on, lets one whole frame render and compares the frame buffer with
 * what the Pan Docs rules give ("Tile Data", "Tile Maps", "Window", "OAM": 2 bits per
 * pixel with the low bit in the first byte of each row; sprites with smaller X win,
 * then lower OAM index; ten per line; colour 0 is transparent; the BG-priority bit
 * puts a sprite behind BG colours 1-3).
 */
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "gb.h"
#include "gb_host.h"
#include "romgen.h"

typedef struct scene {
    gb *g;
    uint8_t *rom;
} scene;

static void wr(scene *s, uint16_t a, uint8_t v)
{
    s->g->bus.write(s->g, a, v);
}

static scene *scene_new(void)
{
    scene *s = calloc(1, sizeof *s);
    size_t size;
    s->rom = romgen(0x00, 0, 0, &size);
    s->g = malloc(sizeof *s->g);
    gb_error err;
    assert_int_equal(gb_init(s->g, s->rom, size, NULL, 0, NULL, &err), 0);
    s->g->cpu.pc = 0x150; /* JR -2: the CPU stays out of the way */
    wr(s, 0xFF40, 0x00);  /* LCD off: VRAM and OAM are open */
    for (uint16_t a = 0x8000; a < 0xA000; a++)
        wr(s, a, 0);
    for (uint16_t a = 0xFE00; a < 0xFEA0; a++)
        wr(s, a, 0);
    wr(s, 0xFF47, 0xE4); /* BGP: colour n -> shade n */
    wr(s, 0xFF48, 0xE4);
    wr(s, 0xFF49, 0x1B); /* OBP1: reversed */
    return s;
}

static void scene_free(scene *s)
{
    free(s->g);
    free(s->rom);
    free(s);
}

/* Turns the LCD on with lcdc and returns after the first complete frame. */
static void render(scene *s, uint8_t lcdc)
{
    wr(s, 0xFF40, lcdc);
    assert_true(gb_run(s->g, GB_MCYCLES_PER_FRAME * 2, GB_EV_FRAME) & GB_EV_FRAME);
}

/* Writes an 8x8 tile at VRAM address a whose pixel (x, y) has colour f(x, y). */
static void put_tile(scene *s, uint16_t a, unsigned (*f)(unsigned, unsigned))
{
    for (unsigned y = 0; y < 8; y++) {
        uint8_t lo = 0, hi = 0;
        for (unsigned x = 0; x < 8; x++) {
            unsigned c = f(x, y);
            lo = (uint8_t)(lo | (c & 1) << (7 - x));
            hi = (uint8_t)(hi | ((c >> 1) & 1) << (7 - x));
        }
        wr(s, (uint16_t)(a + y * 2), lo);
        wr(s, (uint16_t)(a + y * 2 + 1), hi);
    }
}

static unsigned diag(unsigned x, unsigned y)
{
    return (x + y) & 3;
}
static unsigned solid1(unsigned x, unsigned y)
{
    (void)x;
    (void)y;
    return 1;
}
static unsigned solid2(unsigned x, unsigned y)
{
    (void)x;
    (void)y;
    return 2;
}
static unsigned solid3(unsigned x, unsigned y)
{
    (void)x;
    (void)y;
    return 3;
}
static unsigned left_half(unsigned x, unsigned y)
{
    (void)y;
    return x < 4 ? 3 : 0;
}
static unsigned top_row(unsigned x, unsigned y)
{
    (void)x;
    return y == 0 ? 2 : 1;
}

static uint8_t px(const scene *s, unsigned x, unsigned y)
{
    return s->g->ppu.fb[y][x];
}

static void test_background_scroll(void **state)
{
    (void)state;
    scene *s = scene_new();
    put_tile(s, 0x8010, diag); /* tile 1 */
    for (unsigned i = 0; i < 1024; i++)
        wr(s, (uint16_t)(0x9800 + i), (i / 32 + i % 32) & 1); /* checkerboard of 0/1 */
    wr(s, 0xFF42, 5);                                         /* SCY */
    wr(s, 0xFF43, 3);                                         /* SCX */
    render(s, 0x91); /* on, BG on, tiles at $8000, map $9800 */
    for (unsigned y = 0; y < GB_LCD_H; y++) {
        for (unsigned x = 0; x < GB_LCD_W; x++) {
            unsigned bx = (x + 3) & 255, by = (y + 5) & 255;
            unsigned tile = (bx / 8 + by / 8) & 1;
            unsigned want = tile ? diag(bx % 8, by % 8) : 0;
            if (px(s, x, y) != want)
                fail_msg("pixel (%u,%u) = %u, want %u", x, y, px(s, x, y), want);
        }
    }
    scene_free(s);
}

static void test_palette_and_signed_tiles(void **state)
{
    (void)state;
    scene *s = scene_new();
    put_tile(s, 0x9000, solid1); /* index 0 with signed addressing */
    put_tile(s, 0x8800, solid2); /* index $80 */
    for (unsigned i = 0; i < 1024; i++)
        wr(s, (uint16_t)(0x9C00 + i), (i % 32) < 10 ? 0x80 : 0x00);
    wr(s, 0xFF47, 0x1B);                 /* colour 1 -> shade 2, colour 2 -> shade 1 */
    render(s, 0x89);                     /* on, BG on, map $9C00, tiles at $8800 (signed) */
    assert_int_equal(px(s, 0, 0), 1);    /* tile $80 = colour 2 -> shade 1 */
    assert_int_equal(px(s, 100, 50), 2); /* tile 0 = colour 1 -> shade 2 */
    scene_free(s);
}

static void test_window(void **state)
{
    (void)state;
    scene *s = scene_new();
    put_tile(s, 0x8010, solid3);
    put_tile(s, 0x8020, top_row);
    for (unsigned i = 0; i < 1024; i++)
        wr(s, (uint16_t)(0x9C00 + i), 2); /* window map: tile 2 everywhere */
    wr(s, 0xFF4A, 50);                    /* WY */
    wr(s, 0xFF4B, 47);                    /* WX: the window starts at x = 40 */
    render(s, 0xF1);                      /* window on, window map $9C00 */
    assert_int_equal(px(s, 39, 60), 0);   /* BG (tile 0) */
    assert_int_equal(px(s, 40, 49), 0);   /* above WY */
    assert_int_equal(px(s, 40, 50), 2);   /* the window's own row 0 */
    assert_int_equal(px(s, 159, 51), 1);
    assert_int_equal(px(s, 40, 58), 2); /* window row 8 = tile row 0 again */
    scene_free(s);
}

static void sprite(scene *s, unsigned i, int x, int y, uint8_t tile, uint8_t attr)
{
    uint16_t a = (uint16_t)(0xFE00 + i * 4);
    wr(s, a, (uint8_t)(y + 16));
    wr(s, (uint16_t)(a + 1), (uint8_t)(x + 8));
    wr(s, (uint16_t)(a + 2), tile);
    wr(s, (uint16_t)(a + 3), attr);
}

static void test_sprites_basic(void **state)
{
    (void)state;
    scene *s = scene_new();
    put_tile(s, 0x8010, left_half);
    put_tile(s, 0x8020, solid1);
    sprite(s, 0, 20, 30, 1, 0x00);
    sprite(s, 1, 40, 30, 1, 0x20); /* X flip */
    sprite(s, 2, 60, 30, 1, 0x10); /* OBP1 */
    render(s, 0x93);               /* sprites on, 8x8 */
    assert_int_equal(px(s, 20, 30), 3);
    assert_int_equal(px(s, 24, 30), 0); /* colour 0: transparent, BG shows */
    assert_int_equal(px(s, 40, 37), 0);
    assert_int_equal(px(s, 47, 37), 3);
    assert_int_equal(px(s, 60, 30), 0); /* OBP1 maps colour 3 to shade 0 */
    assert_int_equal(px(s, 20, 38), 0); /* below the sprite */
    scene_free(s);
}

static void test_sprite_priority(void **state)
{
    (void)state;
    scene *s = scene_new();
    put_tile(s, 0x8010, solid1);
    put_tile(s, 0x8020, solid2);
    put_tile(s, 0x8030, left_half);
    sprite(s, 0, 14, 10, 1, 0); /* later X: loses to sprite 1 where they overlap */
    sprite(s, 1, 10, 10, 2, 0);
    sprite(s, 2, 50, 10, 1, 0); /* same X: lower index wins */
    sprite(s, 3, 50, 10, 2, 0);
    sprite(s, 4, 80, 10, 3, 0); /* transparent half of the winner lets the loser show */
    sprite(s, 5, 80, 10, 2, 0);
    render(s, 0x93);
    assert_int_equal(px(s, 15, 12), 2);
    assert_int_equal(px(s, 19, 12), 1);
    assert_int_equal(px(s, 52, 12), 1);
    assert_int_equal(px(s, 81, 12), 3);
    assert_int_equal(px(s, 86, 12), 2);
    scene_free(s);
}

static void test_sprite_behind_background(void **state)
{
    (void)state;
    scene *s = scene_new();
    put_tile(s, 0x8010, left_half);
    put_tile(s, 0x8020, solid2);
    for (unsigned i = 0; i < 32; i++)
        wr(s, (uint16_t)(0x9800 + 32 * 2 + i), 1); /* BG row 2 (y 16-23): left halves */
    sprite(s, 0, 8, 16, 2, 0x80);                  /* behind BG colours 1-3 */
    render(s, 0x93);
    assert_int_equal(px(s, 8, 16), 3);  /* BG colour 3 wins */
    assert_int_equal(px(s, 13, 16), 2); /* BG colour 0: the sprite shows */
    scene_free(s);
}

static void test_ten_sprites_per_line(void **state)
{
    (void)state;
    scene *s = scene_new();
    put_tile(s, 0x8010, solid3);
    for (unsigned i = 0; i < 11; i++)
        sprite(s, i, (int)(i * 12), 40, 1, 0);
    render(s, 0x93);
    for (unsigned i = 0; i < 10; i++)
        assert_int_equal(px(s, i * 12, 40), 3);
    assert_int_equal(px(s, 120, 40), 0); /* the 11th in OAM order is not drawn */
    scene_free(s);
}

static void test_tall_sprites_and_bg_off(void **state)
{
    (void)state;
    scene *s = scene_new();
    put_tile(s, 0x8020, solid1);   /* tile 2: top half */
    put_tile(s, 0x8030, solid3);   /* tile 3: bottom half */
    put_tile(s, 0x8000, solid2);   /* BG tile 0, hidden since BG is off */
    sprite(s, 0, 30, 30, 3, 0);    /* index 3: bit 0 ignored in 8x16 mode */
    sprite(s, 1, 60, 30, 2, 0x40); /* Y flip swaps the halves */
    render(s, 0x96);               /* BG off, sprites on, 8x16 */
    assert_int_equal(px(s, 0, 0), 0);
    assert_int_equal(px(s, 30, 30), 1);
    assert_int_equal(px(s, 30, 45), 3);
    assert_int_equal(px(s, 60, 30), 3);
    assert_int_equal(px(s, 60, 45), 1);
    scene_free(s);
}

static void test_png_screenshot(void **state)
{
    (void)state;
    scene *s = scene_new();
    put_tile(s, 0x8010, diag);
    wr(s, 0x9800, 1);
    render(s, 0x91);
    char path[] = "/tmp/gb-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(gbh_write_png(path, &s->g->ppu.fb[0][0]), 0);
    /* Read it back with libpng's simplified API: shades 0..3 = FF AA 55 00. */
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&img, path));
    assert_int_equal(img.width, GB_LCD_W);
    assert_int_equal(img.height, GB_LCD_H);
    img.format = PNG_FORMAT_GRAY;
    uint8_t *grey = malloc(PNG_IMAGE_SIZE(img));
    assert_true(png_image_finish_read(&img, NULL, grey, 0, NULL));
    static const uint8_t shade[4] = {0xFF, 0xAA, 0x55, 0x00};
    for (unsigned y = 0; y < GB_LCD_H; y++)
        for (unsigned x = 0; x < GB_LCD_W; x++)
            assert_int_equal(grey[y * GB_LCD_W + x], shade[px(s, x, y)]);
    assert_int_equal(grey[1 * GB_LCD_W + 2], 0x00); /* tile 1, pixel (2,1): colour 3 */
    free(grey);
    remove(path);
    scene_free(s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_background_scroll),
    cmocka_unit_test(test_palette_and_signed_tiles),
    cmocka_unit_test(test_window),
    cmocka_unit_test(test_sprites_basic),
    cmocka_unit_test(test_sprite_priority),
    cmocka_unit_test(test_sprite_behind_background),
    cmocka_unit_test(test_ten_sprites_per_line),
    cmocka_unit_test(test_tall_sprites_and_bg_off),
    cmocka_unit_test(test_png_screenshot),
};

CMN_TEST_MAIN(tests)
