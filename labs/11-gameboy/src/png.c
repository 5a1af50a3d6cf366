/* png.c — screenshots through libpng: shades 0..3 become #FFFFFF #AAAAAA #555555 #000000.
 *
 * Hosted code (not part of the freestanding core); an 8-bit greyscale PNG of the
 * 160x144 frame, one row at a time.
 */
#include <png.h>
#include <stdio.h>
#include <string.h>

#include "gb_host.h"

int gbh_write_png(const char *path, const uint8_t *pixels)
{
    static const uint8_t grey[4] = {0xFF, 0xAA, 0x55, 0x00};
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info || setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "gb: %s: libpng could not write the image\n", path);
        png_destroy_write_struct(&png, &info);
        fclose(f);
        return 1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, GB_LCD_W, GB_LCD_H, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    uint8_t row[GB_LCD_W];
    for (int y = 0; y < GB_LCD_H; y++) {
        for (int x = 0; x < GB_LCD_W; x++)
            row[x] = grey[pixels[y * GB_LCD_W + x] & 3];
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    if (fclose(f)) {
        perror(path);
        return 1;
    }
    return 0;
}
