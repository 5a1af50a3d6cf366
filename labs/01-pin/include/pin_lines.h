/* pin_lines.h — a self-referential future: a line splitter over a pin_chan.
 *
 * The future owns a buffer and keeps two cursors into that same buffer: where the
 * unconsumed bytes start and where the newline search resumes. It also embeds a
 * waiter that the channel links to while the future is Pending. Both make it
 * self-referential, so it is made by value (movable: no pointer into it exists yet),
 * pinned, and only its first poll creates the cursors.
 *
 * Each Ready hands out one line, as a view into the future's own buffer that stays
 * valid until the next poll; a Pending has registered the task's waker with the
 * channel. Lines end in '\n' (a '\r' before it is kept); the last line may lack one. */
#ifndef PIN_LINES_H
#define PIN_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "pin.h"
#include "pin_async.h"

/* Longest line, newline included, the splitter can hold. */
#define PIN_LINES_BUF 4096

typedef struct pin_lines {
    pin_anchor pin;
    /* structurally pinned: pointers into it exist while pinned */
    char buf[PIN_LINES_BUF];
    char *cursor;      /* first unconsumed byte, in buf; NULL before the first poll */
    char *scan;        /* newline search resumes here, cursor <= scan <= end */
    char *end;         /* one past the last buffered byte */
    pin_waiter waiter; /* linked into src's waiter list while Pending */
    /* not structurally pinned */
    pin_chan_pinned src;
    size_t lineno; /* lines handed out so far */
    size_t polls;
    bool eof;
    bool skipping; /* dropping the rest of a line that was too long */
} pin_lines;
PIN_TYPE(pin_lines);

/* What a Ready carries. */
typedef struct pin_line {
    int status;       /* 0: a line; PIN_LINES_EOF: no more lines; -E2BIG: line too long */
    const char *text; /* the line without its '\n', in the future's buffer (status 0) */
    size_t len;
    size_t lineno; /* 1-based number of this line (or of the line that was too long) */
} pin_line;

#define PIN_LINES_EOF 1

/* A splitter reading from src, by value and not pinned: move it freely, then pin it
 * (PIN_BOX / PIN_STACK) before the first poll. */
pin_lines pin_lines_make(pin_chan_pinned src);

/* Polls for the next line. PIN_READY: *out holds a line, the end, or an error (a line
 * longer than PIN_LINES_BUF - 1 bytes: -E2BIG naming the line number; the splitter
 * then skips that line). PIN_PENDING: no complete line yet; cx's waker is registered
 * with the channel and will be called once when bytes arrive or the channel closes. */
pin_poll pin_lines_poll(pin_lines_pinned self, pin_context *cx, pin_line *out);

/* Projection: the embedded waiter, structurally pinned (the channel points at it). */
pin_waiter_pinned pin_lines_waiter(pin_lines_pinned self);

/* Projection: the channel, a plain copy of the pinned pointer (not structural: the
 * splitter only refers to it, moving the splitter does not move the channel). */
pin_chan_pinned pin_lines_source(pin_lines_pinned self);

/* Projection: the number of lines handed out so far (a copy). */
size_t pin_lines_count(pin_lines_pinned self);

/* Projection: bytes buffered but not handed out yet (read-only view, valid until the
 * next poll): where the self-references point. */
const char *pin_lines_pending(pin_lines_pinned self, size_t *len);

/* Unregisters the waiter (used as the type's drop: a dropped splitter must not stay
 * linked into the channel). */
void pin_lines_drop(void *self);

#endif
