/* pin_async.h — the smallest async runtime that shows why futures are pinned.
 *
 * Four pieces. A waker: a function and a pointer, called when an event the task waits
 * for has happened. A waiter: a waker plus an intrusive list node, embedded in a future
 * and linked into the event source while the future is Pending; the source keeps a
 * pointer to the future's memory, so a future that moved after its first Pending would
 * leave the source pointing at garbage. That is why the future must be pinned before
 * its first poll. A channel: the event source, a byte queue that wakes every
 * registered waiter once per write or close. An executor: a ready queue of pinned
 * tasks; a waker puts its task back on the queue, run_until_stalled polls whatever
 * is queued until nothing is.
 *
 * Single-threaded: one thread owns the executor, its tasks, channels and futures. */
#ifndef PIN_ASYNC_H
#define PIN_ASYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "pin.h"
#include "pin_list.h"

typedef enum pin_poll { PIN_PENDING = 0, PIN_READY = 1 } pin_poll;

/* What to call when the awaited event happens. Copyable (no self-references). */
typedef struct pin_waker {
    void (*wake)(void *data);
    void *data;
} pin_waker;

/* What a poll function receives besides its future: the waker of the polling task. */
typedef struct pin_context {
    pin_waker waker;
} pin_context;

/* A waker registration, embedded (structurally pinned) in a future. */
typedef struct pin_waiter {
    pin_anchor pin;
    pin_list_node link; /* structural: linked into the source's waiter list */
    pin_waker waker;    /* not structural: a copy, replaced on every registration */
} pin_waiter;
PIN_TYPE(pin_waiter);

#define PIN_WAITER_INIT ((pin_waiter){PIN_UNPINNED, PIN_LIST_NODE_INIT, {NULL, NULL}})

/* Projection: the waiter's list node, structurally pinned. */
pin_list_node_pinned pin_waiter_link(pin_waiter_pinned w);

/* Projection: the waiter's waker, a plain pointer (not structurally pinned). */
pin_waker *pin_waiter_waker(pin_waiter_pinned w);

/* --- channel: the event source --------------------------------------------------------- */

typedef struct pin_chan {
    pin_anchor pin;
    pin_list waiters; /* structural: nodes of Pending futures point here */
    char *data;       /* queued bytes [head, len) of a heap block of cap bytes */
    size_t head, len, cap;
    bool closed;
    size_t wakes; /* wakers called so far (for tests and demos) */
} pin_chan;
PIN_TYPE(pin_chan);

#define PIN_CHAN_INIT ((pin_chan){PIN_UNPINNED, PIN_LIST_INIT, NULL, 0, 0, 0, false, 0})

/* Sets up a pinned channel made from PIN_CHAN_INIT. */
void pin_chan_init(pin_chan_pinned ch);

/* Queues n bytes and wakes every registered waiter once (unregistering it). Returns 0,
 * -EPIPE if the channel is closed, -ENOMEM if the bytes could not be queued. */
int pin_chan_write(pin_chan_pinned ch, const void *bytes, size_t n);

/* Marks the end of the stream and wakes every registered waiter once. */
void pin_chan_close(pin_chan_pinned ch);

/* Moves up to max queued bytes to dst; returns how many (0: nothing queued). */
size_t pin_chan_read(pin_chan_pinned ch, void *dst, size_t max);

/* True when the channel is closed and every byte has been read. */
bool pin_chan_finished(pin_chan_pinned ch);

/* Registers w with waker: w is linked into the channel's waiter list (once; a second
 * registration only replaces the waker). w must stay pinned while registered. */
void pin_chan_register(pin_chan_pinned ch, pin_waiter_pinned w, pin_waker waker);

/* Number of registered waiters. */
size_t pin_chan_waiters(pin_chan_pinned ch);

/* Frees the queue; the channel must have no registered waiter left. Used as drop. */
void pin_chan_destroy(void *ch);

/* --- executor ------------------------------------------------------------------------ */

typedef struct pin_exec pin_exec;

/* A task: a type-erased poll function and its state, queued on an executor. */
typedef struct pin_task {
    pin_anchor pin;
    pin_list_node link;                             /* structural: the ready queue */
    pin_poll (*poll)(void *state, pin_context *cx); /* polls the task's future */
    void *state;                                    /* owned by the caller, outlives the task */
    pin_exec *exec;
    size_t polls, wakes;
    bool done;
} pin_task;
PIN_TYPE(pin_task);

#define PIN_TASK_INIT(poll_fn, state_ptr)                                                          \
    ((pin_task){PIN_UNPINNED, PIN_LIST_NODE_INIT, (poll_fn), (state_ptr), NULL, 0, 0, false})

struct pin_exec {
    pin_anchor pin;
    pin_list ready; /* structural */
    size_t polls;
};
PIN_TYPE(pin_exec);

#define PIN_EXEC_INIT ((pin_exec){PIN_UNPINNED, PIN_LIST_INIT, 0})

/* Sets up a pinned executor made from PIN_EXEC_INIT. */
void pin_exec_init(pin_exec_pinned ex);

/* Puts a pinned task on the ready queue; it is polled by the next run. */
void pin_exec_spawn(pin_exec_pinned ex, pin_task_pinned t);

/* Polls queued tasks until the queue is empty; returns the number of polls made. A
 * task that returns Ready is done and never polled again. */
size_t pin_exec_run_until_stalled(pin_exec_pinned ex);

/* The waker of a task: queues it again on its executor (once, however often called
 * before the next poll). */
pin_waker pin_task_waker(pin_task_pinned t);

#endif
