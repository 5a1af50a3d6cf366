/* common/progress.h — a one-line progress bar for long CLI runs.
 *
 * Draws only when the stream is a terminal, so piped or logged output stays clean;
 * redraws at most every 1% (or 100 ms), so calling cmn_progress_update in a hot loop
 * costs a compare. Not thread-safe: update from one thread. */
#ifndef COMMON_PROGRESS_H
#define COMMON_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct cmn_progress {
    FILE *out; /* NULL when not drawing */
    const char *label;
    uint64_t total;
    uint64_t next_draw; /* next count that triggers a redraw */
    uint64_t last_ns;
    int width;
} cmn_progress;

/* Starts a bar for `total` units on stdout, drawing only if stdout is a terminal. */
void cmn_progress_start(cmn_progress *p, const char *label, uint64_t total);

/* Same, on any stream; force=true draws even when it is not a terminal (tests). */
void cmn_progress_start_on(cmn_progress *p, FILE *out, bool force, const char *label,
                           uint64_t total);

/* Reports that `done` units (cumulative) are finished. */
void cmn_progress_update(cmn_progress *p, uint64_t done);

/* Draws 100% and ends the line. */
void cmn_progress_finish(cmn_progress *p);

#endif
