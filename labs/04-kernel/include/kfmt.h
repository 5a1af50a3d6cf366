/* kfmt.h — printf-style formatting without libc, for kprintf and panic messages.
 *
 * One formatter writes into a sink callback, so the same code prints to the serial
 * port in the kernel and into a buffer in host tests. Supported: %d %i %u %x %X %o %c
 * %s %p %%, flags '-' '0' '+' ' ' '#', a width and precision (number or '*'), and the
 * length modifiers hh h l ll z t j. Anything else is printed as "%?" plus the
 * character, never skipped silently, so a bad format is visible in the log. */
#ifndef KFMT_H
#define KFMT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives n bytes of output (not NUL-terminated). */
typedef void (*kfmt_sink)(void *ctx, const char *s, size_t n);

/* Formats fmt with ap into sink; returns the number of bytes produced. */
size_t kfmt_vformat(kfmt_sink sink, void *ctx, const char *fmt, va_list ap);

/* snprintf's contract: writes at most size-1 bytes plus a NUL (if size > 0) and
 * returns the length the whole output would have. */
size_t kfmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

size_t kfmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
