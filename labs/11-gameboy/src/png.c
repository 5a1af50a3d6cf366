/* png.c — screenshots: shades 0..3 become #FFFFFF #AAAAAA #555555 #000000.
 *
 * Hosted code (not part of the freestanding core). Maps the 160x144 frame of shades to
 * 8-bit grey and hands it to libcommon's libpng wrapper (common/png.h), which also
 * makes sure a failed write leaves no partial file.
 */
#include <stdio.h>
#include <string.h>

#include "common/png.h"
#include "gb_host.h"

int gbh_write_png(const char *path, const uint8_t *pixels)
{
    static const uint8_t grey[4] = {0xFF, 0xAA, 0x55, 0x00};
    static uint8_t img[GB_LCD_W * GB_LCD_H];
    for (size_t i = 0; i < sizeof img; i++)
        img[i] = grey[pixels[i] & 3];
    int rc = cmn_png_write(path, img, GB_LCD_W, GB_LCD_H, GB_LCD_W, CMN_PNG_GRAY);
    if (rc != 0) {
        fprintf(stderr, "gb: %s: cannot write the screenshot: %s\n", path, strerror(-rc));
        return 1;
    }
    return 0;
}
