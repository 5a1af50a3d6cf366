/* lines.c — the line-splitter future: a buffer with cursors into itself.
 *
 * State: buf[cursor, end) holds bytes read from the channel and not handed out yet;
 * the search for the next '\n' resumes at scan, so each byte is looked at once. A line
 * handed out is a view buf[cursor, nl) that stays valid until the next poll, which
 * first moves cursor past it and, when the buffer is full, slides the unconsumed bytes
 * to the front (rewriting the cursors: still into the same, pinned, buffer). */
#include "pin_lines.h"

#include <errno.h>
#include <string.h>

PIN_TYPE_DEFINE(pin_lines, pin_lines_drop);

pin_lines pin_lines_make(pin_chan_pinned src)
{
    pin_lines l;
    memset(&l, 0, sizeof l); /* anchor unpinned, cursors NULL: nothing points inside */
    l.waiter = PIN_WAITER_INIT;
    l.src = src;
    return l;
}

pin_waiter_pinned pin_lines_waiter(pin_lines_pinned self)
{
    /* SOLUTION BEGIN: the channel links to the waiter's node: it is structurally pinned */
    return PIN_PROJECT(pin_waiter, self, waiter);
    /* SOLUTION END */
}

pin_chan_pinned pin_lines_source(pin_lines_pinned self)
{
    /* SOLUTION BEGIN: the channel lives elsewhere: return a copy of the field */
    return PIN_GET(self)->src;
    /* SOLUTION END */
}

size_t pin_lines_count(pin_lines_pinned self)
{
    /* SOLUTION BEGIN: a counter nobody points into: return a copy */
    return PIN_GET(self)->lineno;
    /* SOLUTION END */
}

const char *pin_lines_pending(pin_lines_pinned self, size_t *len)
{
    pin_lines *l = PIN_GET(self);
    if (l->cursor == NULL) {
        *len = 0;
        return l->buf;
    }
    *len = (size_t)(l->end - l->cursor);
    return l->cursor;
}

void pin_lines_drop(void *self)
{
    pin_lines *l = self;
    if (l->waiter.pin.self != 0)
        pin_drop(&l->waiter.link, &pin_list_node_pin_type, __FILE__, __LINE__);
}

/* Slides buf[cursor, end) to the front of buf, so a partial line has room to grow. */
static void compact(pin_lines *l)
{
    size_t keep = (size_t)(l->end - l->cursor);
    size_t scanned = (size_t)(l->scan - l->cursor);
    memmove(l->buf, l->cursor, keep);
    l->cursor = l->buf;
    l->scan = l->buf + scanned;
    l->end = l->buf + keep;
}

/* Reads what the channel has into the free tail of buf; returns bytes read. */
static size_t fill(pin_lines *l)
{
    size_t room = (size_t)(l->buf + sizeof l->buf - l->end);
    if (room == 0)
        return 0;
    size_t got = pin_chan_read(l->src, l->end, room);
    l->end += got;
    return got;
}

/* Hands out buf[cursor, stop) as line number ++lineno and consumes through `next`. */
static pin_poll ready_line(pin_lines *l, char *stop, char *next, pin_line *out)
{
    *out = (pin_line){0, l->cursor, (size_t)(stop - l->cursor), ++l->lineno};
    l->cursor = l->scan = next;
    return PIN_READY;
}

/* A line that cannot fit: report it and skip to its end. */
static pin_poll too_long(pin_lines *l, pin_line *out)
{
    *out = (pin_line){-E2BIG, NULL, 0, ++l->lineno};
    l->skipping = true;
    l->cursor = l->scan = l->end = l->buf;
    return PIN_READY;
}

/* The channel is closed and drained: a last line without '\n', then the end. */
static pin_poll at_end(pin_lines *l, pin_line *out)
{
    if (l->cursor != l->end)
        return ready_line(l, l->end, l->end, out);
    l->eof = true;
    *out = (pin_line){PIN_LINES_EOF, NULL, 0, l->lineno};
    return PIN_READY;
}

pin_poll pin_lines_poll(pin_lines_pinned self, pin_context *cx, pin_line *out)
{
    pin_lines *l = PIN_GET(self);
    l->polls++;
    /* SOLUTION BEGIN: first poll makes the cursors; find '\n', refill, or register + Pending */
    if (l->cursor == NULL) /* first poll: only now, pinned, may we point into buf */
        l->cursor = l->scan = l->end = l->buf;
    for (;;) {
        char *nl = memchr(l->scan, '\n', (size_t)(l->end - l->scan));
        if (nl != NULL && !l->skipping)
            return ready_line(l, nl, nl + 1, out);
        if (nl != NULL) { /* the end of a too-long line: resume after it */
            l->skipping = false;
            l->cursor = l->scan = nl + 1;
            continue;
        }
        l->scan = l->end;
        if (l->skipping) {
            l->cursor = l->scan = l->end = l->buf; /* drop the too-long line's bytes */
        } else if (l->end == l->buf + sizeof l->buf) {
            if (l->cursor == l->buf)
                return too_long(l, out);
            compact(l);
        }
        if (fill(l) > 0)
            continue;
        if (pin_chan_finished(l->src))
            return at_end(l, out);
        pin_chan_register(l->src, pin_lines_waiter(self), cx->waker);
        return PIN_PENDING;
    }
    /* SOLUTION END */
}
