/* exec.c — the kernel's minimal executor (see exec.h for the wake/idle protocol).
 *
 * The ready set is one 32-bit atomic mask: exec_wake() ORs a bit in, exec_run()
 * swaps the whole mask for zero and polls each task whose bit was set, lowest id
 * first. Several wakes before a poll collapse into one poll, which is the usual
 * contract: a waker means "poll me again", not "once per event". */
#include "exec.h"

#include <stddef.h>

#include "kerr.h"

void exec_init(exec *ex, exec_hooks hooks)
{
    for (size_t i = 0; i < EXEC_MAX_TASKS; i++)
        ex->tasks[i] = NULL;
    atomic_init(&ex->ready, 0);
    ex->live = 0;
    ex->hooks = hooks;
}

int exec_spawn(exec *ex, exec_task *t, const char *name, exec_poll_fn poll, void *state)
{
    for (unsigned i = 0; i < EXEC_MAX_TASKS; i++) {
        if (ex->tasks[i] && !ex->tasks[i]->done)
            continue;
        t->poll = poll;
        t->name = name;
        t->state = state;
        t->id = i;
        t->done = false;
        t->polls = 0;
        ex->tasks[i] = t;
        ex->live |= 1u << i;
        atomic_fetch_or(&ex->ready, 1u << i);
        return 0;
    }
    return -KERR_NOSPC;
}

void exec_wake(exec_waker w)
{
    /* SOLUTION BEGIN: set the task's bit in the ready mask with one atomic OR (ISR-safe) */
    if (w.ex && w.id < EXEC_MAX_TASKS)
        atomic_fetch_or_explicit(&w.ex->ready, 1u << w.id, memory_order_release);
    /* SOLUTION END */
}

bool exec_has_ready(exec *ex)
{
    return (atomic_load_explicit(&ex->ready, memory_order_acquire) & ex->live) != 0;
}

int exec_run(exec *ex)
{
    int finished = 0;
    /* SOLUTION BEGIN: swap out the ready mask, poll its live tasks, retire done ones, else idle */
    while (ex->live) {
        uint32_t ready = atomic_exchange_explicit(&ex->ready, 0, memory_order_acquire) & ex->live;
        if (!ready) {
            if (!ex->hooks.idle)
                return -KERR_INVAL;
            ex->hooks.idle(ex->hooks.ctx, ex);
            continue;
        }
        for (unsigned i = 0; i < EXEC_MAX_TASKS; i++) {
            if (!(ready & (1u << i)))
                continue;
            exec_task *t = ex->tasks[i];
            t->polls++;
            if (!t->poll(t, (exec_waker){ex, i}))
                continue;
            t->done = true;
            ex->live &= ~(1u << i);
            finished++;
            if (ex->hooks.done)
                ex->hooks.done(ex->hooks.ctx, t);
        }
    }
    /* SOLUTION END */
    return finished;
}
