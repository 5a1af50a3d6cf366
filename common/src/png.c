/* png.c — PNG writing through libpng (see common/png.h).
 *
 * libpng reports errors by longjmp to the setjmp point set here; the image goes to a
 * temporary file first and is renamed over `path` only when complete, so a failure
 * never leaves half a screenshot behind. */
#include "common/png.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int encode(FILE *f, const uint8_t *pixels, uint32_t w, uint32_t h, size_t stride,
                  cmn_png_format fmt)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (!png)
        return -ENOMEM;
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return -ENOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -EIO;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, w, h, 8, fmt == CMN_PNG_GRAY ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < h; y++)
        png_write_row(png, pixels + (size_t)y * stride);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int cmn_png_write(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                  size_t stride, cmn_png_format format)
{
    if (!path || !pixels || width == 0 || height == 0 || width > 1u << 20 || height > 1u << 20 ||
        (format != CMN_PNG_GRAY && format != CMN_PNG_RGB) ||
        stride < (size_t)width * (size_t)format)
        return -EINVAL;
    size_t n = strlen(path);
    char *tmp = malloc(n + 8);
    if (!tmp)
        return -ENOMEM;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmpXXX", 8);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int e = -errno;
        free(tmp);
        return e;
    }
    int rc = encode(f, pixels, width, height, stride, format);
    if (fclose(f) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}
