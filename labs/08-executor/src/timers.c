/* timers.c — the timer service and the sleep/interval futures (freestanding core).
 *
 * An executor owns one exec_timers: a wheel, the platform clock, and a lock when
 * several worker threads share it. A sleep future arms a wheel entry that lives
 * inside the future itself (no allocation) and stores a clone of its task's waker
 * there; firing takes the wakers out under the lock and wakes them after releasing
 * it, so a waker never runs with the timer lock held. Dropping a pending sleep
 * removes its entry in O(1). */
#include "exec.h"

static void tlock(exec_timers *t)
{
    if (t->lock)
        t->lock(t);
}

static void tunlock(exec_timers *t)
{
    if (t->unlock)
        t->unlock(t);
}

void exec_timers_init(exec_timers *t, exec_platform *plat)
{
    t->plat = plat;
    exec_wheel_init(&t->wheel, plat->now_ns(plat->ctx) / 1000000u);
    t->lock = NULL;
    t->unlock = NULL;
    t->earlier = NULL;
    atomic_init(&t->next_deadline, EXEC_FOREVER);
}

size_t exec_timers_fire(exec_timers *t)
{
    enum { BATCH = 32 };
    exec_waker batch[BATCH];
    size_t fired = 0;
    if (atomic_load_explicit(&t->next_deadline, memory_order_acquire) > exec_timers_now(t))
        return 0;
    for (;;) {
        uint64_t now = exec_timers_now(t);
        size_t n = 0;
        tlock(t);
        exec_timer *e;
        while (n < BATCH && (e = exec_wheel_pop_expired(&t->wheel, now)) != NULL) {
            batch[n++] = e->waker;
            e->waker = (exec_waker){NULL, NULL};
        }
        atomic_store_explicit(&t->next_deadline, exec_wheel_next_hint(&t->wheel),
                              memory_order_release);
        tunlock(t);
        for (size_t i = 0; i < n; i++)
            if (batch[i].vt)
                exec_waker_wake(&batch[i]);
        fired += n;
        if (n < BATCH)
            return fired;
    }
}

uint64_t exec_timers_next(exec_timers *t)
{
    return atomic_load_explicit(&t->next_deadline, memory_order_seq_cst);
}

uint64_t exec_timers_now(exec_timers *t)
{
    return t->plat->now_ns(t->plat->ctx) / 1000000u;
}

/* --- sleep --------------------------------------------------------------------------- */
static exec_poll sleep_poll(exec_future *f, exec_cx *cx);
static void sleep_drop(exec_future *f);

static void sleep_init_common(exec_sleep *s)
{
    s->base.poll = sleep_poll;
    s->base.drop = sleep_drop;
    s->entry.armed = false;
    s->entry.fired = false;
    s->entry.prev = s->entry.next = NULL;
    s->entry.waker = (exec_waker){NULL, NULL};
    s->svc = NULL;
}

void exec_sleep_init(exec_sleep *s, uint64_t ms)
{
    sleep_init_common(s);
    s->duration_ms = ms;
    s->started = false;
}

void exec_sleep_until_init(exec_sleep *s, uint64_t deadline_ms)
{
    sleep_init_common(s);
    s->duration_ms = 0;
    s->started = true;
    s->entry.deadline = deadline_ms;
}

uint64_t exec_sleep_deadline(const exec_sleep *s)
{
    return s->entry.deadline;
}

static exec_poll sleep_poll(exec_future *f, exec_cx *cx)
{
    exec_sleep *s = (exec_sleep *)(void *)f;
    exec_timers *t = cx->timers;
    if (!s->started) {
        /* Round up: a timer fires when the whole-ms clock reaches its deadline, so
         * the deadline must not be below the exact end of the sleep. */
        uint64_t end_ns = t->plat->now_ns(t->plat->ctx) + s->duration_ms * 1000000u;
        s->entry.deadline = (end_ns + 999999u) / 1000000u;
        s->started = true;
    }
    bool earlier = false;
    exec_waker old = {NULL, NULL};
    tlock(t);
    if (s->entry.fired) {
        tunlock(t);
        return EXEC_READY;
    }
    if (!s->entry.armed) {
        s->entry.waker = exec_waker_clone(&cx->waker);
        s->svc = t;
        exec_wheel_insert(&t->wheel, &s->entry);
        uint64_t next = atomic_load_explicit(&t->next_deadline, memory_order_relaxed);
        if (s->entry.deadline < next) {
            /* seq_cst, paired with the parked driver's flag (mt.c): either this thread
             * sees the driver parked and unparks it, or the driver reads this deadline. */
            atomic_store_explicit(&t->next_deadline, s->entry.deadline, memory_order_seq_cst);
            earlier = true;
        }
    } else if (!exec_waker_will_wake(&s->entry.waker, &cx->waker)) {
        old = s->entry.waker;
        s->entry.waker = exec_waker_clone(&cx->waker);
    }
    tunlock(t);
    exec_waker_drop(&old);
    if (earlier && t->earlier)
        t->earlier(t, s->entry.deadline);
    return EXEC_PENDING;
}

static void sleep_drop(exec_future *f)
{
    exec_sleep *s = (exec_sleep *)(void *)f;
    exec_timers *t = s->svc;
    if (!t)
        return; /* never armed: nothing to undo */
    tlock(t);
    exec_wheel_remove(&t->wheel, &s->entry);
    exec_waker w = s->entry.waker;
    s->entry.waker = (exec_waker){NULL, NULL};
    tunlock(t);
    exec_waker_drop(&w);
}
