/* common/png.h — write PNG screenshots through libpng.
 *
 * A thin wrapper: the caller hands 8-bit grey or RGB pixels, libpng does the encoding
 * (no hand-written deflate). Programs that call it link with -lpng; libcommon's other
 * users do not pay for it (the archive member is only pulled in when used). */
#ifndef COMMON_PNG_H
#define COMMON_PNG_H

#include <stddef.h>
#include <stdint.h>

typedef enum { CMN_PNG_GRAY = 1, CMN_PNG_RGB = 3 } cmn_png_format;

/* Writes a width x height image to `path`. pixels holds rows top to bottom, each
 * `stride` bytes apart (stride >= width * format). Returns 0, or -errno when the file
 * cannot be written (-EINVAL for bad sizes, -EIO for an encoder error); on error no
 * partial file is left at `path`. */
int cmn_png_write(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                  size_t stride, cmn_png_format format);

#endif
