/* kfmt.c — the formatter behind kprintf (see kfmt.h).
 *
 * A format is scanned once; each conversion is parsed into a spec (flags, width,
 * precision, length), its digits are produced into a small stack buffer in reverse,
 * and emit_field() pads and writes sign, prefix, zeros and digits in printf's order.
 * Nothing here allocates or touches global state, so it is safe in interrupt
 * handlers and panics. */
#include "kfmt.h"

#include <stdbool.h>
#include <stdint.h>

enum { F_MINUS = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16 };
enum len { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_T, L_J };

struct spec {
    unsigned flags;
    int width;
    int prec; /* -1: none */
    enum len len;
};

struct out {
    kfmt_sink sink;
    void *ctx;
    size_t n;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (n) {
        o->sink(o->ctx, s, n);
        o->n += n;
    }
}

static void pad(struct out *o, char c, int n)
{
    char buf[16];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = c;
    while (n > 0) {
        size_t k = n > 16 ? 16 : (size_t)n;
        put(o, buf, k);
        n -= (int)k;
    }
}

/* Writes [spaces][sign/prefix][zeros][body][spaces] as printf lays out a field. */
static void emit_field(struct out *o, const struct spec *sp, const char *prefix, size_t plen,
                       int zeros, const char *body, size_t blen)
{
    int total = (int)(plen + blen) + (zeros > 0 ? zeros : 0);
    int fill = sp->width > total ? sp->width - total : 0;
    if (fill && (sp->flags & F_MINUS) == 0 && (sp->flags & F_ZERO) == 0)
        pad(o, ' ', fill);
    put(o, prefix, plen);
    if (fill && (sp->flags & F_MINUS) == 0 && (sp->flags & F_ZERO) != 0)
        pad(o, '0', fill);
    pad(o, '0', zeros);
    put(o, body, blen);
    if (fill && (sp->flags & F_MINUS) != 0)
        pad(o, ' ', fill);
}

static void emit_uint(struct out *o, struct spec sp, uintmax_t v, unsigned base, bool upper,
                      const char *sign)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[32];
    size_t i = sizeof buf;
    uintmax_t x = v;
    while (x) {
        /* base is 8, 10 or 16: every caller passes a constant */
        // cppcheck-suppress zerodivcond
        buf[--i] = digits[x % base];
        x /= base;
    }
    if (sp.prec < 0 && i == sizeof buf)
        buf[--i] = '0'; /* a plain zero still prints one digit */
    size_t blen = sizeof buf - i;
    char prefix[3];
    size_t plen = 0;
    for (const char *s = sign; *s; s++)
        prefix[plen++] = *s;
    if ((sp.flags & F_ALT) && base == 16 && v != 0) {
        prefix[plen++] = '0';
        prefix[plen++] = upper ? 'X' : 'x';
    }
    int zeros = sp.prec > (int)blen ? sp.prec - (int)blen : 0;
    if ((sp.flags & F_ALT) && base == 8 && zeros == 0 && (blen == 0 || buf[i] != '0'))
        zeros = 1;
    if (sp.prec >= 0)
        sp.flags &= ~(unsigned)F_ZERO; /* a precision turns off zero padding */
    emit_field(o, &sp, prefix, plen, zeros, buf + i, blen);
}

/* The va_list is passed by pointer so that every helper consumes the same list; it was
 * set up by va_copy in kfmt_vformat, which clang's analyzer does not follow.
 * NOLINTBEGIN(clang-analyzer-valist.Uninitialized) */
static uintmax_t get_unsigned(enum len len, va_list *ap)
{
    switch (len) {
    case L_HH:
        return (unsigned char)va_arg(*ap, unsigned);
    case L_H:
        return (unsigned short)va_arg(*ap, unsigned);
    case L_L:
        return va_arg(*ap, unsigned long);
    case L_LL:
        return va_arg(*ap, unsigned long long);
    case L_Z:
        return va_arg(*ap, size_t);
    case L_T:
        return (uintmax_t)va_arg(*ap, ptrdiff_t);
    case L_J:
        return va_arg(*ap, uintmax_t);
    default:
        return va_arg(*ap, unsigned);
    }
}

static intmax_t get_signed(enum len len, va_list *ap)
{
    switch (len) {
    case L_HH:
        return (signed char)va_arg(*ap, int);
    case L_H:
        return (short)va_arg(*ap, int);
    case L_L:
        return va_arg(*ap, long);
    case L_LL:
        return va_arg(*ap, long long);
    case L_Z:
        return (intmax_t)va_arg(*ap, size_t);
    case L_T:
        return va_arg(*ap, ptrdiff_t); /* NOLINT(bugprone-branch-clone): same type only on LP64 */
    case L_J:
        return va_arg(*ap, intmax_t);
    default:
        return va_arg(*ap, int);
    }
}

/* Parses flags, width, precision and length after a '%'; returns the position of the
 * conversion character. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
    sp->flags = 0;
    for (;; f++) {
        if (*f == '-')
            sp->flags |= F_MINUS;
        else if (*f == '0')
            sp->flags |= F_ZERO;
        else if (*f == '+')
            sp->flags |= F_PLUS;
        else if (*f == ' ')
            sp->flags |= F_SPACE;
        else if (*f == '#')
            sp->flags |= F_ALT;
        else
            break;
    }
    sp->width = 0;
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) {
            sp->flags |= F_MINUS;
            sp->width = -sp->width;
        }
        f++;
    }
    while (*f >= '0' && *f <= '9')
        sp->width = sp->width * 10 + (*f++ - '0');
    sp->prec = -1;
    if (*f == '.') {
        f++;
        sp->prec = 0;
        if (*f == '*') {
            sp->prec = va_arg(*ap, int);
            if (sp->prec < 0)
                sp->prec = -1;
            f++;
        }
        while (*f >= '0' && *f <= '9')
            sp->prec = sp->prec * 10 + (*f++ - '0');
    }
    sp->len = L_NONE;
    if (f[0] == 'h' && f[1] == 'h') {
        sp->len = L_HH;
        f += 2;
    } else if (f[0] == 'l' && f[1] == 'l') {
        sp->len = L_LL;
        f += 2;
    } else if (*f == 'h') {
        sp->len = L_H;
        f++;
    } else if (*f == 'l') {
        sp->len = L_L;
        f++;
    } else if (*f == 'z') {
        sp->len = L_Z;
        f++;
    } else if (*f == 't') {
        sp->len = L_T;
        f++;
    } else if (*f == 'j') {
        sp->len = L_J;
        f++;
    }
    if (sp->flags & F_MINUS)
        sp->flags &= ~(unsigned)F_ZERO;
    return f;
}

static void emit_signed(struct out *o, const struct spec *sp, intmax_t v)
{
    const char *sign = v < 0 ? "-" : (sp->flags & F_PLUS) ? "+" : (sp->flags & F_SPACE) ? " " : "";
    uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
    emit_uint(o, *sp, mag, 10, false, sign);
}

static void emit_string(struct out *o, struct spec sp, const char *s)
{
    if (!s)
        s = "(null)";
    size_t n = 0;
    while (s[n] && (sp.prec < 0 || n < (size_t)sp.prec))
        n++;
    sp.flags &= ~(unsigned)F_ZERO;
    emit_field(o, &sp, "", 0, 0, s, n);
}

/* One conversion; f points at the conversion character. */
static void convert(struct out *o, struct spec *sp, char c, va_list *ap)
{
    switch (c) {
    case 'd':
    case 'i':
        emit_signed(o, sp, get_signed(sp->len, ap));
        break;
    case 'u':
        emit_uint(o, *sp, get_unsigned(sp->len, ap), 10, false, "");
        break;
    case 'x':
        emit_uint(o, *sp, get_unsigned(sp->len, ap), 16, false, "");
        break;
    case 'X':
        emit_uint(o, *sp, get_unsigned(sp->len, ap), 16, true, "");
        break;
    case 'o':
        emit_uint(o, *sp, get_unsigned(sp->len, ap), 8, false, "");
        break;
    case 'c': {
        char ch = (char)va_arg(*ap, int);
        sp->flags &= ~(unsigned)F_ZERO;
        emit_field(o, sp, "", 0, 0, &ch, 1);
        break;
    }
    case 's':
        emit_string(o, *sp, va_arg(*ap, const char *));
        break;
    case 'p': {
        const void *p = va_arg(*ap, const void *);
        if (!p) {
            sp->prec = -1;
            emit_string(o, *sp, "(nil)");
        } else {
            sp->flags |= F_ALT;
            emit_uint(o, *sp, (uintptr_t)p, 16, false, "");
        }
        break;
    }
    case '%':
        put(o, "%", 1);
        break;
    default: {
        char bad[3] = {'%', '?', c};
        put(o, bad, c ? 3 : 2);
        break;
    }
    }
}

/* NOLINTEND(clang-analyzer-valist.Uninitialized) */

size_t kfmt_vformat(kfmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
    struct out o = {sink, ctx, 0};
    va_list aq;
    va_copy(aq, ap);
    const char *f = fmt;
    while (*f) {
        const char *lit = f;
        while (*f && *f != '%')
            f++;
        put(&o, lit, (size_t)(f - lit));
        if (!*f)
            break;
        struct spec sp;
        f = parse_spec(f + 1, &sp, &aq);
        convert(&o, &sp, *f, &aq);
        if (*f)
            f++;
    }
    va_end(aq);
    return o.n;
}

struct bufsink {
    char *buf;
    size_t size;
    size_t used;
};

static void buf_sink(void *ctx, const char *s, size_t n)
{
    struct bufsink *b = ctx;
    for (size_t i = 0; i < n; i++, b->used++)
        if (b->used + 1 < b->size)
            b->buf[b->used] = s[i];
}

size_t kfmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct bufsink b = {buf, size, 0};
    size_t n = kfmt_vformat(buf_sink, &b, fmt, ap);
    if (size)
        buf[b.used < size ? b.used : size - 1] = '\0';
    return n;
}

size_t kfmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = kfmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
