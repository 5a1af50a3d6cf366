/* local.c — the single-threaded executor (freestanding core).
 *
 * One thread polls tasks from a FIFO ready queue. Wakes arrive from anywhere (timers,
 * the reactor, other threads) through a lock-free stack the loop empties into the
 * FIFO, so a waker never touches the FIFO itself; a task that woke itself while being
 * polled goes straight to the back of the FIFO. When nothing is ready the loop parks
 * in the platform (the reactor) until the next timer or an unpark. A task that wakes
 * itself during its poll (a yield, a spent budget) is *deferred*: it goes back to the
 * queue only after the next look at timers and I/O, which happens whenever the queue
 * runs dry and after at most EVENT_INTERVAL polls since the last look. So tasks that
 * are always ready cannot starve I/O: a round of all of them is followed by an I/O
 * check. The count restarts at every look (a park counts), so a loop whose queue
 * runs dry every few dozen polls anyway — an echo server's round of 50 connections —
 * never pays for an extra non-blocking poll of the reactor. */
#include "exec.h"
#include "task_impl.h"

enum { EVENT_INTERVAL = 61 };

static exec_task **link_of(exec_task *t)
{
    return &t->next;
}

static exec_local *local_of(exec_sched *s)
{
    return (exec_local *)(void *)s;
}

static void list_push(exec_task **head, exec_task **tail, exec_task *t)
{
    *link_of(t) = NULL;
    if (*tail)
        *link_of(*tail) = t;
    else
        *head = t;
    *tail = t;
}

static void fifo_push(exec_local *ex, exec_task *t)
{
    list_push(&ex->head, &ex->tail, t);
}

/* Appends the deferred (yielded) tasks to the ready queue. */
static void undefer(exec_local *ex)
{
    if (!ex->dhead)
        return;
    if (ex->tail)
        *link_of(ex->tail) = ex->dhead;
    else
        ex->head = ex->dhead;
    ex->tail = ex->dtail;
    ex->dhead = ex->dtail = NULL;
}

static exec_task *fifo_pop(exec_local *ex)
{
    exec_task *t = ex->head;
    if (t) {
        ex->head = *link_of(t);
        if (!ex->head)
            ex->tail = NULL;
    }
    return t;
}

static void local_schedule(exec_sched *s, exec_task *t)
{
    /* SOLUTION BEGIN: push on the lock-free stack, then unpark the executor if it is parked */
    exec_local *ex = local_of(s);
    exec_task *head = atomic_load_explicit(&ex->remote, memory_order_relaxed);
    do {
        *link_of(t) = head;
    } while (!atomic_compare_exchange_weak_explicit(&ex->remote, &head, t, memory_order_seq_cst,
                                                    memory_order_relaxed));
    if (atomic_load_explicit(&ex->parked, memory_order_seq_cst) &&
        atomic_exchange_explicit(&ex->parked, 0, memory_order_seq_cst))
        s->plat.unpark(s->plat.ctx);
    /* SOLUTION END */
}

static void local_reschedule(exec_sched *s, exec_task *t)
{
    exec_local *ex = local_of(s);
    list_push(&ex->dhead, &ex->dtail, t);
}

static const exec_sched_vtable local_vt = {local_schedule, local_reschedule};

void exec_local_init(exec_local *ex, const exec_platform *plat, void *io)
{
    ex->sched.vt = &local_vt;
    ex->sched.plat = *plat;
    ex->sched.io = io;
    ex->sched.timers = &ex->timers;
    atomic_flag_clear(&ex->sched.lock.f);
    ex->sched.all = NULL;
    atomic_init(&ex->sched.live, 0);
    atomic_init(&ex->sched.spawned, 0);
    exec_timers_init(&ex->timers, &ex->sched.plat);
    ex->head = ex->tail = NULL;
    ex->dhead = ex->dtail = NULL;
    atomic_init(&ex->remote, NULL);
    atomic_init(&ex->parked, 0);
    ex->ticks = 0;
    ex->polls = 0;
}

/* Moves the remote stack into the FIFO, oldest first. */
static void drain_remote(exec_local *ex)
{
    exec_task *t = atomic_exchange_explicit(&ex->remote, NULL, memory_order_acquire);
    exec_task *rev = NULL;
    while (t) {
        exec_task *next = *link_of(t);
        *link_of(t) = rev;
        rev = t;
        t = next;
    }
    while (rev) {
        exec_task *next = *link_of(rev);
        fifo_push(ex, rev);
        rev = next;
    }
}

/* Nothing is ready: sleep in the platform until a wake, a timer or I/O. Returns
 * whether it looked at I/O (false: a wake had already arrived). */
static bool park(exec_local *ex)
{
    /* SOLUTION BEGIN: announce parked, re-check the remote stack (no lost wake-up), park until the next timer */
    atomic_store_explicit(&ex->parked, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&ex->remote, memory_order_seq_cst) != NULL) {
        atomic_store_explicit(&ex->parked, 0, memory_order_relaxed);
        return false;
    }
    ex->sched.plat.park(ex->sched.plat.ctx, exec_timers_next(&ex->timers));
    atomic_store_explicit(&ex->parked, 0, memory_order_relaxed);
    return true;
    /* SOLUTION END */
}

/* One turn of the loop: returns false when it parked instead of polling a task. */
static inline bool turn(exec_local *ex, bool may_park)
{
    /* SOLUTION BEGIN: after EVENT_INTERVAL polls without a look at I/O (or when idle) pull remote wakes, fire timers, poll I/O; then pop and run one task */
    bool due = ex->ticks >= EVENT_INTERVAL;
    if (!ex->head || due) {
        drain_remote(ex);
        exec_timers_fire(&ex->timers);
        if (due || (!ex->head && ex->dhead)) {
            ex->sched.plat.park(ex->sched.plat.ctx, 0);
            ex->ticks = 0;
        }
        drain_remote(ex);
        undefer(ex);
    }
    exec_task *t = fifo_pop(ex);
    if (!t) {
        if (may_park && park(ex))
            ex->ticks = 0;
        return false;
    }
    exec_cx cx = {.timers = &ex->timers, .io = ex->sched.io};
    ex->ticks++;
    ex->polls++;
    exec_task_run(t, &cx);
    return true;
    /* SOLUTION END */
}

int exec_local_block_on(exec_local *ex, exec_join *j)
{
    while (!exec_join_done(j))
        turn(ex, true);
    return exec_join_outcome(j);
}

void exec_local_run_ready(exec_local *ex)
{
    while (turn(ex, false)) {
    }
}

void exec_local_shutdown(exec_local *ex)
{
    exec_sched_cancel_all(&ex->sched);
    drain_remote(ex);
    undefer(ex);
    exec_task *t;
    while ((t = fifo_pop(ex)) != NULL)
        exec_task_unref(t); /* the queue's reference */
}
