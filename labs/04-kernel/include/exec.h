/* exec.h — a minimal single-core async executor for the kernel.
 *
 * A task is a state machine with a poll function: poll makes what progress it can and
 * returns true when the task is finished; if it returns false it must first have
 * handed its waker to whatever it waits for (a timer deadline, serial input). An
 * interrupt handler calls exec_wake(), which only sets the task's bit in an atomic
 * ready mask, so waking is safe from any context and never allocates. exec_run()
 * polls ready tasks until all are finished; when none is ready it calls the idle hook,
 * which in the kernel is "cli; if nothing is ready: sti; hlt" so that a wake-up
 * between the check and the hlt is not lost (sti takes effect after the next
 * instruction). Lab 08 builds the full executor; this is the kernel's minimal one. */
#ifndef EXEC_H
#define EXEC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define EXEC_MAX_TASKS 32

typedef struct exec exec;
typedef struct exec_task exec_task;

/* Names one task of one executor; copied freely, called from interrupt handlers. */
typedef struct exec_waker {
    exec *ex;
    unsigned id;
} exec_waker;

/* Returns true when the task has finished; false after registering w somewhere. */
typedef bool (*exec_poll_fn)(exec_task *t, exec_waker w);

struct exec_task {
    exec_poll_fn poll;
    const char *name;
    void *state; /* the task's own data */
    unsigned id; /* set by exec_spawn */
    bool done;
    uint32_t polls; /* how often poll ran (tests check no spurious polls) */
};

typedef struct exec_hooks {
    void (*idle)(void *ctx, exec *ex);     /* wait until exec_has_ready() */
    void (*done)(void *ctx, exec_task *t); /* a task finished (may be NULL) */
    void *ctx;
} exec_hooks;

struct exec {
    exec_task *tasks[EXEC_MAX_TASKS];
    atomic_uint_least32_t ready; /* bit i: task i should be polled */
    uint32_t live;               /* bit i: task i exists and is not done */
    exec_hooks hooks;
};

/* An executor with no tasks. */
void exec_init(exec *ex, exec_hooks hooks);

/* Adds t (owned by the caller, must outlive the run) as ready. 0 or -KERR_NOSPC. */
int exec_spawn(exec *ex, exec_task *t, const char *name, exec_poll_fn poll, void *state);

/* Marks w's task ready. Interrupt-safe; waking a finished task does nothing. */
void exec_wake(exec_waker w);

/* True if some task is ready (what the idle hook waits for). */
bool exec_has_ready(exec *ex);

/* Polls until every spawned task has finished. Returns the number of tasks that
 * finished, or -KERR_INVAL if tasks are waiting and there is no idle hook (nothing
 * could ever wake them). */
int exec_run(exec *ex);

#endif
