/* exec.h — the freestanding core of the lab 08 async runtime.
 *
 * A future is a struct whose first member is an exec_future: a poll function that
 * returns EXEC_READY or EXEC_PENDING, and an optional drop function (its destructor).
 * A task owns one future plus a header (reference count, state bits, join slot); a
 * waker is a data pointer plus a vtable and is how a pending future asks to be polled
 * again. The core needs no libc: memory, the clock and parking come from callbacks
 * (exec_platform), so the capstone kernel links these files as they are.
 *
 * Everything here is usable from the single-threaded executor (exec_local) and from
 * the hosted multi-threaded one (exec_rt.h). Thread-safety is stated per function;
 * "any thread" means the function only uses atomics or the core's spinlocks. */
#ifndef EXEC_H
#define EXEC_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* -ECANCELED, spelled without <errno.h> so the core stays freestanding. */
#define EXEC_ECANCELED 125
/* How many leaf operations one poll of a task may complete before it must yield. */
#define EXEC_BUDGET 128u
/* "No deadline" for timers and parking. */
#define EXEC_FOREVER UINT64_MAX

typedef enum exec_poll { EXEC_PENDING = 0, EXEC_READY = 1 } exec_poll;

/* --- wakers -------------------------------------------------------------------------
 * The contract every waker honours: wake may be called from any thread, any number
 * of times (waking a task that is already scheduled does nothing: one poll), and
 * after the task has completed (then it does nothing). clone and drop keep a
 * reference count balanced: each clone is dropped or consumed by wake exactly once. */
typedef struct exec_waker exec_waker;
typedef struct exec_waker_vtable {
    exec_waker (*clone)(const void *data);
    void (*wake)(const void *data);        /* wake and release this reference */
    void (*wake_by_ref)(const void *data); /* wake, keep the reference */
    void (*drop)(const void *data);        /* release this reference */
} exec_waker_vtable;

struct exec_waker {
    const void *data;
    const exec_waker_vtable *vt;
};

/* A new reference to the same waker. Any thread. */
static inline exec_waker exec_waker_clone(const exec_waker *w)
{
    return w->vt->clone(w->data);
}
/* Wakes and consumes *w (it must not be used again). Any thread. */
static inline void exec_waker_wake(exec_waker *w)
{
    w->vt->wake(w->data);
    w->vt = NULL;
}
/* Wakes, keeping *w. Any thread. */
static inline void exec_waker_wake_by_ref(const exec_waker *w)
{
    w->vt->wake_by_ref(w->data);
}
/* Releases *w. Any thread. */
static inline void exec_waker_drop(exec_waker *w)
{
    if (w->vt)
        w->vt->drop(w->data);
    w->vt = NULL;
}
/* True when a and b wake the same task (so a stored clone need not be replaced). */
static inline bool exec_waker_will_wake(const exec_waker *a, const exec_waker *b)
{
    return a->data == b->data && a->vt == b->vt;
}

/* A 1-bit spinlock for the core's short critical sections (no libc, no futex). */
typedef struct exec_spin {
    atomic_flag f;
} exec_spin;
#define EXEC_SPIN_INIT                                                                             \
    {                                                                                              \
        ATOMIC_FLAG_INIT                                                                           \
    }
/* Inline: they sit on the I/O and wake paths, where a call costs more than the lock. */
static inline void exec_spin_lock(exec_spin *s)
{
    while (atomic_flag_test_and_set_explicit(&s->f, memory_order_acquire)) {
#if defined(__x86_64__) || defined(__i386__)
        __asm__ __volatile__("pause");
#endif
    }
}
static inline void exec_spin_unlock(exec_spin *s)
{
    atomic_flag_clear_explicit(&s->f, memory_order_release);
}

/* --- futures and the poll context -------------------------------------------------- */
typedef struct exec_future exec_future;
typedef struct exec_cx exec_cx;
typedef struct exec_timers exec_timers;
typedef struct exec_task exec_task;

typedef exec_poll (*exec_poll_fn)(exec_future *self, exec_cx *cx);
typedef void (*exec_drop_fn)(exec_future *self);

/* Embed as the FIRST member of a future's state struct. */
struct exec_future {
    exec_poll_fn poll;
    exec_drop_fn drop; /* may be NULL; runs exactly once, when the future is dropped */
};

/* What a poll function receives: the task's waker, its remaining budget, and the
 * services of the executor polling it (timers; the reactor, for hosted code). */
struct exec_cx {
    exec_waker waker;
    uint32_t budget;
    exec_timers *timers;
    void *io; /* the hosted reactor (exec_rt.h); NULL in the freestanding core */
};

/* Polls f once. */
static inline exec_poll exec_future_poll(exec_future *f, exec_cx *cx)
{
    return f->poll(f, cx);
}
/* Runs f's drop function, if any. */
static inline void exec_future_drop(exec_future *f)
{
    if (f->drop)
        f->drop(f);
}

/* Spends one unit of the cooperative budget. When the budget is used up it wakes the
 * task (so it is polled again later, after the others) and returns false: the caller
 * must return EXEC_PENDING. Leaf futures that can be ready over and over (yield,
 * channel receive, I/O that does not block) call this first. */
static inline bool exec_coop_proceed(exec_cx *cx)
{
    if (cx->budget == 0) {
        exec_waker_wake_by_ref(&cx->waker);
        return false;
    }
    cx->budget--;
    return true;
}

/* --- platform callbacks --------------------------------------------------------------- */
typedef struct exec_platform {
    void *ctx;
    /* size bytes aligned to max_align_t, or NULL. */
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *p, size_t size);
    /* Nanoseconds on a monotonic clock (timers count in whole ms of it). */
    uint64_t (*now_ns)(void *ctx);
    /* Block until unpark() is called or the clock reaches deadline_ms (EXEC_FOREVER:
     * no limit; 0: do not block, only poll), handling I/O readiness on the way. May
     * return early. */
    void (*park)(void *ctx, uint64_t deadline_ms);
    /* Makes a concurrent or the next park() return soon. Any thread. */
    void (*unpark)(void *ctx);
    /* Hands queued I/O requests to the kernel (a batching backend); may be NULL.
     * Multi-threaded executors call it before a worker runs out of local work. */
    void (*flush)(void *ctx);
} exec_platform;

/* --- the scheduler interface a task reports to ----------------------------------------- */
typedef struct exec_sched exec_sched;
typedef struct exec_sched_vtable {
    /* Queue t to be polled (takes over one reference). Any thread. */
    void (*schedule)(exec_sched *s, exec_task *t);
    /* Queue t after it yielded from its own poll (called by the polling thread). */
    void (*reschedule)(exec_sched *s, exec_task *t);
} exec_sched_vtable;

struct exec_sched {
    const exec_sched_vtable *vt;
    exec_platform plat;
    exec_timers *timers;
    void *io;
    exec_spin lock;        /* guards the list of live tasks */
    exec_task *all;        /* every task not yet complete, for shutdown */
    atomic_size_t live;    /* tasks allocated and not yet freed */
    atomic_size_t spawned; /* statistics */
};

/* --- tasks and join handles ------------------------------------------------------------ */
typedef struct exec_join exec_join; /* a task reference owned by whoever joins it */

/* Copies the future (size bytes starting with an exec_future) into a new task and
 * queues it. Returns the join handle (drop it with exec_join_drop), or NULL if out of
 * memory. Any thread. */
exec_join *exec_spawn(exec_sched *s, const exec_future *f, size_t size);
/* Like exec_spawn without a join handle. Returns 0 or -12 (ENOMEM). */
int exec_spawn_detached(exec_sched *s, const exec_future *f, size_t size);

/* Polls the task of a scheduled task: what an executor calls for each task it pops.
 * cx must carry the executor's timers and reactor; the waker is filled in here. */
void exec_task_run(exec_task *t, exec_cx *cx);
/* The waker of a task (a new reference). */
exec_waker exec_task_waker(exec_task *t);
/* Releases one reference to t (what a run queue does when it discards a task). */
void exec_task_unref(exec_task *t);

/* Ready when the task has finished (completed or cancelled). For use inside a poll. */
exec_poll exec_join_poll(exec_join *j, exec_cx *cx);
/* True once the task has finished. Any thread. */
bool exec_join_done(const exec_join *j);
/* After done: 0 if the future completed, -EXEC_ECANCELED if it was aborted. */
int exec_join_outcome(const exec_join *j);
/* After a 0 outcome: the task's copy of the future, where it left its result. */
void *exec_join_output(exec_join *j);
/* Requests cancellation: the future is dropped (its drop runs once) on the executor
 * instead of being polled again, and the joiner sees -EXEC_ECANCELED. Harmless after
 * completion. Any thread. */
void exec_join_abort(exec_join *j);
/* Releases the handle (the task keeps running if it has not finished). */
void exec_join_drop(exec_join *j);

/* Cancels every unfinished task of s (dropping its future) and wakes their joiners:
 * what an executor does at shutdown, when nothing is being polled. */
void exec_sched_cancel_all(exec_sched *s);
/* Tasks allocated and not yet freed. Any thread. */
size_t exec_sched_live(exec_sched *s);

/* --- timers: a hierarchical timing wheel, 1 ms ticks ----------------------------------- */
#define EXEC_WHEEL_LEVELS 6
#define EXEC_WHEEL_SLOTS 64
/* 64^6 - 64^5 ms (about 2.2 years): later deadlines are clamped to this horizon. One
 * top-level slot short of a full revolution, so a deadline that wraps into the next
 * 64^6 block lands in a top-level slot behind the clock's and is never mistaken for
 * one in the current block. */
#define EXEC_WHEEL_HORIZON (((uint64_t)1 << 36) - ((uint64_t)1 << 30))

typedef struct exec_timer exec_timer;
struct exec_timer {
    exec_timer *prev, *next; /* slot list */
    uint64_t deadline;       /* absolute ms */
    uint8_t level, slot;
    bool armed; /* in the wheel */
    bool fired; /* deadline reached */
    exec_waker waker;
};

typedef struct exec_wheel {
    uint64_t elapsed; /* the wheel's "now": every armed deadline is >= elapsed */
    uint64_t occupied[EXEC_WHEEL_LEVELS];
    exec_timer *slots[EXEC_WHEEL_LEVELS][EXEC_WHEEL_SLOTS];
    size_t count;
} exec_wheel;

/* Empties w, its clock at now_ms. */
void exec_wheel_init(exec_wheel *w, uint64_t now_ms);
/* Arms t for t->deadline (set by the caller; a past deadline fires on the next
 * advance). O(1). t must not be armed. */
void exec_wheel_insert(exec_wheel *w, exec_timer *t);
/* Disarms t. O(1). */
void exec_wheel_remove(exec_wheel *w, exec_timer *t);
/* The earliest armed deadline (exact), or EXEC_FOREVER if none. O(timers in one
 * slot) when that slot is above level 0. */
uint64_t exec_wheel_next(const exec_wheel *w);
/* A lower bound of exec_wheel_next in O(levels): the start of the first occupied
 * slot. What a parking executor uses (waking at a slot start cascades it). */
uint64_t exec_wheel_next_hint(const exec_wheel *w);
/* Advances the clock to now_ms and removes one expired timer (marked fired), or
 * returns NULL when none is left at or before now_ms. Timers expire in deadline
 * order. */
exec_timer *exec_wheel_pop_expired(exec_wheel *w, uint64_t now_ms);

/* The timer service an executor offers its futures (cx->timers): a wheel, a clock,
 * and a lock when several threads share it. */
struct exec_timers {
    exec_wheel wheel;
    exec_platform *plat;
    void (*lock)(exec_timers *t); /* NULL: single-threaded */
    void (*unlock)(exec_timers *t);
    /* Called (outside the lock) when a new deadline is earlier than any before it,
     * so a thread parked with a longer timeout re-computes it; may be NULL. */
    void (*earlier)(exec_timers *t, uint64_t deadline);
    atomic_uint_fast64_t next_deadline; /* cached exec_wheel_next, for parking */
};

void exec_timers_init(exec_timers *t, exec_platform *plat);
/* Fires every timer due at the platform's now; returns how many. */
size_t exec_timers_fire(exec_timers *t);
/* The next armed deadline (absolute ms), or EXEC_FOREVER if none. */
uint64_t exec_timers_next(exec_timers *t);
/* The timer clock: the platform's now in whole milliseconds. */
uint64_t exec_timers_now(exec_timers *t);

/* A future ready at a deadline (never earlier), sleeping on cx->timers. */
typedef struct exec_sleep {
    exec_future base;
    uint64_t duration_ms;
    bool started;
    exec_timers *svc; /* where the entry is armed (NULL until the first poll) */
    exec_timer entry;
} exec_sleep;
/* Initialises a sleep of ms milliseconds, counted from its first poll. */
void exec_sleep_init(exec_sleep *s, uint64_t ms);
/* Initialises a sleep until the absolute time deadline_ms of the timer clock. */
void exec_sleep_until_init(exec_sleep *s, uint64_t deadline_ms);
/* The deadline once started (absolute ms). */
uint64_t exec_sleep_deadline(const exec_sleep *s);

/* An interval: each exec_interval_tick() is ready once per period, on a fixed grid
 * from the first poll (missed ticks are delivered at once, not skipped). */
typedef struct exec_interval {
    exec_sleep sleep;
    uint64_t period_ms;
} exec_interval;
void exec_interval_init(exec_interval *iv, uint64_t period_ms);
exec_poll exec_interval_tick(exec_interval *iv, exec_cx *cx);
void exec_interval_drop(exec_interval *iv);

/* --- combinators ----------------------------------------------------------------------- */
/* Pending once (after waking itself), then ready: lets the other tasks run. */
typedef struct exec_yield {
    exec_future base;
    bool yielded;
} exec_yield;
void exec_yield_init(exec_yield *y);

/* Ready when every future in futs is ready; each is polled until ready, then never
 * again. The array and futures belong to the caller. */
typedef struct exec_join_all {
    exec_future base;
    exec_future **futs;
    bool *done;
    size_t n, left;
} exec_join_all;
void exec_join_all_init(exec_join_all *j, exec_future **futs, bool *done, size_t n);

/* Ready when the first future is ready: `winner` is its index; the others are
 * dropped at once (their drop functions run). */
typedef struct exec_select {
    exec_future base;
    exec_future **futs;
    size_t n;
    size_t winner;
    bool finished;
} exec_select;
void exec_select_init(exec_select *s, exec_future **futs, size_t n);

/* Ready when inner is ready (timed_out = false) or after ms milliseconds, whichever is
 * first (timed_out = true, inner dropped). */
typedef struct exec_timeout {
    exec_future base;
    exec_future *inner;
    exec_sleep sleep;
    bool timed_out;
    bool finished;
} exec_timeout;
void exec_timeout_init(exec_timeout *t, exec_future *inner, uint64_t ms);

/* --- channels ------------------------------------------------------------------------------
 * A bounded multi-producer single-consumer queue of fixed-size items in storage the
 * caller provides (no allocation), and a oneshot carrying one 64-bit value. Any
 * thread may use either end; send/receive are futures. Errors: EXEC_EPIPE when the
 * other side is gone. */
#define EXEC_EPIPE 32

typedef struct exec_mpsc_waiter exec_mpsc_waiter;
struct exec_mpsc_waiter { /* a sender waiting for room, in FIFO order */
    exec_mpsc_waiter *prev, *next;
    exec_waker waker;
    bool queued;
};

typedef struct exec_mpsc {
    exec_spin lock;
    unsigned char *slots;
    size_t elem, cap, head, len;
    size_t senders; /* live sender handles; 0 = closed for sending */
    bool rx_closed;
    exec_waker rx; /* the receiver, when it waits */
    exec_mpsc_waiter *wait_head, *wait_tail;
} exec_mpsc;

/* A channel of cap items of elem bytes each in storage (cap * elem bytes), with one
 * sender handle counted. */
void exec_mpsc_init(exec_mpsc *ch, void *storage, size_t elem, size_t cap);
/* Counts one more sender handle / releases one (the last wakes the receiver). */
void exec_mpsc_sender_add(exec_mpsc *ch);
void exec_mpsc_sender_drop(exec_mpsc *ch);
/* The receiver is gone: pending and future sends fail with -EXEC_EPIPE. */
void exec_mpsc_receiver_drop(exec_mpsc *ch);

typedef struct exec_mpsc_send {
    exec_future base;
    exec_mpsc *ch;
    const void *item; /* copied in when there is room; owned by the caller until then */
    exec_mpsc_waiter w;
    int result; /* 0, or -EXEC_EPIPE */
} exec_mpsc_send;
/* Sends elem bytes from item: ready once they are in the channel (waits for room,
 * senders served in FIFO order). Dropping it while waiting gives up its place. */
void exec_mpsc_send_init(exec_mpsc_send *s, exec_mpsc *ch, const void *item);

typedef struct exec_mpsc_recv {
    exec_future base;
    exec_mpsc *ch;
    void *out;
    int result; /* 0: an item is in out; -EXEC_EPIPE: empty and no sender is left */
} exec_mpsc_recv;
void exec_mpsc_recv_init(exec_mpsc_recv *r, exec_mpsc *ch, void *out);
/* Without waiting: 0 and an item, -11 (EAGAIN) when empty, -EXEC_EPIPE when closed. */
int exec_mpsc_try_recv(exec_mpsc *ch, void *out);

#define EXEC_ONESHOT_EMPTY 0
#define EXEC_ONESHOT_SENT 1
#define EXEC_ONESHOT_TX_GONE 2
#define EXEC_ONESHOT_RX_GONE 3
typedef struct exec_oneshot {
    exec_spin lock;
    int state;
    uint64_t value;
    exec_waker rx;
} exec_oneshot;
void exec_oneshot_init(exec_oneshot *o);
/* Sends value (never waits). 0, or -EXEC_EPIPE if the receiver is gone or a value was
 * already sent. */
int exec_oneshot_send(exec_oneshot *o, uint64_t value);
/* The sender will never send: the receiver gets -EXEC_EPIPE. */
void exec_oneshot_sender_drop(exec_oneshot *o);
void exec_oneshot_receiver_drop(exec_oneshot *o);

typedef struct exec_oneshot_recv {
    exec_future base;
    exec_oneshot *o;
    uint64_t value;
    int result; /* 0 with value, or -EXEC_EPIPE */
} exec_oneshot_recv;
void exec_oneshot_recv_init(exec_oneshot_recv *r, exec_oneshot *o);

/* --- the single-threaded executor ------------------------------------------------------ */
typedef struct exec_local {
    exec_sched sched;
    exec_timers timers;
    exec_task *head, *tail;      /* ready queue (executor thread only) */
    exec_task *dhead, *dtail;    /* yielded tasks, queued after the next I/O check */
    _Atomic(exec_task *) remote; /* wakes from anywhere: a lock-free stack */
    atomic_int parked;
    uint64_t ticks; /* task polls since the last look at I/O (see local.c) */
    uint64_t polls; /* statistics: task polls */
} exec_local;

/* Initialises an executor over plat (copied). io is handed to futures as cx->io. */
void exec_local_init(exec_local *ex, const exec_platform *plat, void *io);
/* Runs tasks until j has finished; returns its outcome. Executor thread only. */
int exec_local_block_on(exec_local *ex, exec_join *j);
/* Runs tasks until none is ready and no timer is due (does not park). */
void exec_local_run_ready(exec_local *ex);
/* Cancels every unfinished task, then returns; frees nothing still referenced. */
void exec_local_shutdown(exec_local *ex);

#endif
