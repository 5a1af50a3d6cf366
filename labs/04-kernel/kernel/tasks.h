/* tasks.h — the kernel's two demo tasks, run by the minimal executor (exec.h).
 *
 * ticker: wakes every `period` ticks through timer_wake_at() until it has seen `count`
 * wake-ups, then finishes. line reader: waits for serial input through the serial
 * driver's waker, collects one line (up to Enter) and echoes it; it gives up when
 * `deadline` (a tick) passes, so a run with no input still ends. */
#ifndef TASKS_H
#define TASKS_H

#include <stdbool.h>
#include <stdint.h>

#include "exec.h"

struct ticker {
    uint64_t period, next;
    unsigned count, seen;
    uint64_t started, finished; /* ticks */
};

struct line_reader {
    char line[80];
    unsigned len;
    uint64_t deadline;
    bool armed, timed_out, complete;
};

bool ticker_poll(exec_task *t, exec_waker w);
bool line_reader_poll(exec_task *t, exec_waker w);

/* The kernel's idle hook: sleeps with hlt until an interrupt makes a task ready. */
void tasks_idle(void *ctx, exec *ex);

/* The done hook: prints "task NAME finished". */
void tasks_done(void *ctx, exec_task *t);

#endif
