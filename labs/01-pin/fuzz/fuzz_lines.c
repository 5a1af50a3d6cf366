/* fuzz_lines.c — libFuzzer target: the line-splitter future against a reference.
 *
 * The first input byte picks the event sizes, the rest is the text. The text is fed
 * through a pinned channel in those pieces; every line the future hands out must equal
 * the reference (memchr over the whole text), a line longer than the buffer must come
 * back as -E2BIG with its number, and the future must end exactly at the end. Any
 * mismatch aborts, and ASan/UBSan watch the cursor arithmetic. `make fuzz`. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pin_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void expect(int ok)
{
    if (!ok)
        abort();
}

/* Checks one Ready against the reference at *ref; advances *ref past that line. */
static void check_line(const pin_line *out, const char *t, size_t n, size_t *ref, size_t lineno)
{
    const char *nl = memchr(t + *ref, '\n', n - *ref);
    size_t want = (size_t)((nl ? nl : t + n) - (t + *ref));
    expect(out->lineno == lineno);
    if (want >= PIN_LINES_BUF) {
        expect(out->status == -E2BIG);
    } else {
        expect(out->status == 0 && out->len == want);
        expect(want == 0 || memcmp(out->text, t + *ref, want) == 0);
    }
    *ref += want + (nl != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = (size_t)data[0] * 37 + 1; /* 1 .. 9436 bytes per event */
    const char *t = (const char *)data + 1;
    size_t n = size - 1, fed = 0, ref = 0, lineno = 0;
    pin_chan ch_slot = PIN_CHAN_INIT;
    pin_chan_pinned ch = PIN_INIT(pin_chan, &ch_slot);
    pin_chan_init(ch);
    PIN_STACK(pin_lines, f, pin_lines_make(ch));
    pin_context cx = {{NULL, NULL}};
    for (;;) {
        pin_line out;
        if (pin_lines_poll(f, &cx, &out) == PIN_PENDING) {
            expect(pin_chan_waiters(ch) == 1);
            if (fed == n) {
                pin_chan_close(ch);
                continue;
            }
            size_t piece = step < n - fed ? step : n - fed;
            expect(pin_chan_write(ch, t + fed, piece) == 0);
            fed += piece;
            continue;
        }
        if (out.status == PIN_LINES_EOF)
            break;
        check_line(&out, t, n, &ref, ++lineno);
    }
    expect(ref == n && fed == n);
    PIN_STACK_DROP(pin_lines, f);
    pin_drop(&ch_slot, &pin_chan_pin_type, __FILE__, __LINE__);
    return 0;
}
