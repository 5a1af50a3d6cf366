/* task.c — tasks, their wakers, join handles and cancellation (freestanding core).
 *
 * A task is one allocation: a header and a copy of the future. Its life is a small
 * state machine in one atomic word: SCHEDULED (in a run queue), RUNNING (being
 * polled), NOTIFIED (woken while running: poll again), COMPLETE, CANCELLED. Every
 * transition is a compare-and-swap, so wakes from any thread are idempotent and a
 * wake after completion is a no-op. References: one for the live-task list, one per
 * run-queue entry, one per join handle, one per waker; the last one frees. */
#include "exec.h"
#include "task_impl.h"

static exec_future *task_future(exec_task *t)
{
    return (exec_future *)(void *)t->fut;
}

static void task_ref(exec_task *t)
{
    atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

static void task_free(exec_task *t)
{
    exec_sched *s = t->sched;
    if (!t->fut_dropped)
        exec_future_drop(task_future(t));
    s->plat.free(s->plat.ctx, t, t->size);
    atomic_fetch_sub_explicit(&s->live, 1, memory_order_release);
}

void exec_task_unref(exec_task *t)
{
    if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
        task_free(t);
}

/* --- the waker vtable: data is the task --------------------------------------------- */
static exec_waker task_waker_clone(const void *data);
static void task_wake_by_ref(const void *data);
static void task_wake(const void *data);
static void task_waker_drop(const void *data);

static const exec_waker_vtable task_waker_vt = {
    task_waker_clone,
    task_wake,
    task_wake_by_ref,
    task_waker_drop,
};

static exec_waker task_waker_clone(const void *data)
{
    /* SOLUTION BEGIN: a clone is one more reference to the same task */
    exec_task *t = (exec_task *)(uintptr_t)data;
    task_ref(t);
    return (exec_waker){data, &task_waker_vt};
    /* SOLUTION END */
}

/* The state change of a wake. Returns true when the task was idle and is now
 * SCHEDULED: the caller must then queue it, with a reference for the queue. */
static bool task_notify(exec_task *t)
{
    /* SOLUTION BEGIN: CAS loop: complete -> false; running -> set NOTIFIED, false; scheduled -> false; idle -> set SCHEDULED, true */
    uint32_t s = atomic_load_explicit(&t->state, memory_order_acquire);
    for (;;) {
        if (s & T_COMPLETE)
            return false;
        uint32_t n;
        if (s & T_RUNNING) {
            if (s & T_NOTIFIED)
                return false;
            n = s | T_NOTIFIED;
        } else if (s & T_SCHEDULED) {
            return false;
        } else {
            n = s | T_SCHEDULED;
        }
        if (atomic_compare_exchange_weak_explicit(&t->state, &s, n, memory_order_acq_rel,
                                                  memory_order_acquire))
            return !(s & T_RUNNING);
    }
    /* SOLUTION END */
}

static void task_wake_by_ref(const void *data)
{
    exec_task *t = (exec_task *)(uintptr_t)data;
    if (task_notify(t)) {
        task_ref(t); /* the run queue's reference */
        t->sched->vt->schedule(t->sched, t);
    }
}

/* Wake by value: when the task gets queued, this waker's reference becomes the run
 * queue's, so a wake through a stored waker (the reactor's, a timer's) costs no
 * reference-count traffic; otherwise the reference is released. */
static void task_wake(const void *data)
{
    exec_task *t = (exec_task *)(uintptr_t)data;
    if (task_notify(t))
        t->sched->vt->schedule(t->sched, t);
    else
        exec_task_unref(t);
}

static void task_waker_drop(const void *data)
{
    exec_task_unref((exec_task *)(uintptr_t)data);
}

exec_waker exec_task_waker(exec_task *t)
{
    return task_waker_clone(t);
}

/* --- spawn ------------------------------------------------------------------------ */
static void copy_bytes(unsigned char *dst, const unsigned char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
}

static exec_task *task_new(exec_sched *s, const exec_future *f, size_t size, uint32_t refs)
{
    size_t total = sizeof(exec_task) + size;
    exec_task *t = s->plat.alloc(s->plat.ctx, total);
    if (!t)
        return NULL;
    atomic_init(&t->state, T_SCHEDULED);
    atomic_init(&t->refs, refs);
    t->next = NULL;
    t->sched = s;
    atomic_flag_clear(&t->join_lock.f);
    t->join_waker = (exec_waker){NULL, NULL};
    t->outcome = 0;
    t->fut_dropped = false;
    t->size = total;
    copy_bytes(t->fut, (const unsigned char *)f, size);
    atomic_fetch_add_explicit(&s->live, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->spawned, 1, memory_order_relaxed);
    exec_spin_lock(&s->lock);
    t->all_prev = NULL;
    t->all_next = s->all;
    if (s->all)
        s->all->all_prev = t;
    s->all = t;
    exec_spin_unlock(&s->lock);
    return t;
}

exec_join *exec_spawn(exec_sched *s, const exec_future *f, size_t size)
{
    /* live list + run queue + join handle */
    exec_task *t = task_new(s, f, size, 3);
    if (!t)
        return NULL;
    s->vt->schedule(s, t);
    return (exec_join *)(void *)t;
}

int exec_spawn_detached(exec_sched *s, const exec_future *f, size_t size)
{
    exec_task *t = task_new(s, f, size, 2);
    if (!t)
        return -12;
    s->vt->schedule(s, t);
    return 0;
}

/* --- running ------------------------------------------------------------------------ */
static void unlink_live(exec_task *t)
{
    exec_sched *s = t->sched;
    exec_spin_lock(&s->lock);
    if (t->all_prev)
        t->all_prev->all_next = t->all_next;
    else
        s->all = t->all_next;
    if (t->all_next)
        t->all_next->all_prev = t->all_prev;
    t->all_prev = t->all_next = NULL;
    exec_spin_unlock(&s->lock);
}

/* Called by the one thread that owns the task's RUNNING bit (or, at shutdown, the
 * only thread left): records the outcome, drops a cancelled future, wakes the joiner. */
static void task_finish(exec_task *t, int outcome)
{
    if (outcome != 0) {
        exec_future_drop(task_future(t));
        t->fut_dropped = true;
    }
    t->outcome = outcome;
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(
        &t->state, &s, (s & ~(T_RUNNING | T_NOTIFIED | T_SCHEDULED)) | T_COMPLETE,
        memory_order_acq_rel, memory_order_relaxed)) {
    }
    exec_spin_lock(&t->join_lock);
    exec_waker w = t->join_waker;
    t->join_waker = (exec_waker){NULL, NULL};
    exec_spin_unlock(&t->join_lock);
    if (w.vt)
        exec_waker_wake(&w);
    unlink_live(t);
    exec_task_unref(t); /* the live list's reference */
}

void exec_task_run(exec_task *t, exec_cx *cx)
{
    /* SOLUTION BEGIN: SCHEDULED->RUNNING, poll unless cancelled, then complete, reschedule (NOTIFIED) or go idle */
    uint32_t s = atomic_load_explicit(&t->state, memory_order_acquire);
    while (!atomic_compare_exchange_weak_explicit(&t->state, &s, (s & ~T_SCHEDULED) | T_RUNNING,
                                                  memory_order_acq_rel, memory_order_acquire)) {
    }
    if (s & T_COMPLETE) { /* finished at shutdown while still queued */
        exec_task_unref(t);
        return;
    }
    exec_poll r = EXEC_PENDING;
    if (!(s & T_CANCELLED)) {
        cx->waker = (exec_waker){t, &task_waker_vt}; /* borrowed: the queue's reference */
        cx->budget = EXEC_BUDGET;
        r = exec_future_poll(task_future(t), cx);
    }
    for (;;) {
        s = atomic_load_explicit(&t->state, memory_order_acquire);
        if (r == EXEC_READY || (s & T_CANCELLED)) {
            task_finish(t, r == EXEC_READY ? 0 : -EXEC_ECANCELED);
            exec_task_unref(t); /* the run queue's reference */
            return;
        }
        uint32_t n =
            (s & T_NOTIFIED) ? ((s & ~(T_RUNNING | T_NOTIFIED)) | T_SCHEDULED) : (s & ~T_RUNNING);
        if (atomic_compare_exchange_weak_explicit(&t->state, &s, n, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            if (s & T_NOTIFIED)
                t->sched->vt->reschedule(t->sched, t); /* keeps the queue's reference */
            else
                exec_task_unref(t);
            return;
        }
    }
    /* SOLUTION END */
}

/* --- join handles ------------------------------------------------------------------ */
static exec_task *jt(const exec_join *j)
{
    return (exec_task *)(uintptr_t)(const void *)j;
}

bool exec_join_done(const exec_join *j)
{
    return atomic_load_explicit(&jt(j)->state, memory_order_acquire) & T_COMPLETE;
}

exec_poll exec_join_poll(exec_join *j, exec_cx *cx)
{
    exec_task *t = jt(j);
    if (exec_join_done(j))
        return exec_coop_proceed(cx) ? EXEC_READY : EXEC_PENDING;
    exec_spin_lock(&t->join_lock);
    if (exec_join_done(j)) {
        exec_spin_unlock(&t->join_lock);
        return EXEC_READY;
    }
    exec_waker old = t->join_waker;
    if (!old.vt || !exec_waker_will_wake(&old, &cx->waker)) {
        t->join_waker = exec_waker_clone(&cx->waker);
    } else {
        old.vt = NULL;
    }
    exec_spin_unlock(&t->join_lock);
    exec_waker_drop(&old);
    return EXEC_PENDING;
}

int exec_join_outcome(const exec_join *j)
{
    return jt(j)->outcome;
}

void *exec_join_output(exec_join *j)
{
    return jt(j)->fut;
}

void exec_join_abort(exec_join *j)
{
    exec_task *t = jt(j);
    uint32_t s = atomic_load_explicit(&t->state, memory_order_acquire);
    do {
        if (s & (T_COMPLETE | T_CANCELLED))
            return;
    } while (!atomic_compare_exchange_weak_explicit(&t->state, &s, s | T_CANCELLED,
                                                    memory_order_acq_rel, memory_order_acquire));
    task_wake_by_ref(t); /* the executor drops the future on its next turn */
}

void exec_join_drop(exec_join *j)
{
    exec_task *t = jt(j);
    exec_spin_lock(&t->join_lock);
    exec_waker w = t->join_waker;
    t->join_waker = (exec_waker){NULL, NULL};
    exec_spin_unlock(&t->join_lock);
    exec_waker_drop(&w);
    exec_task_unref(t);
}

/* --- shutdown ----------------------------------------------------------------------- */
void exec_sched_cancel_all(exec_sched *s)
{
    for (;;) {
        exec_spin_lock(&s->lock);
        exec_task *t = s->all;
        if (t)
            task_ref(t);
        exec_spin_unlock(&s->lock);
        if (!t)
            return;
        atomic_fetch_or_explicit(&t->state, T_CANCELLED, memory_order_acq_rel);
        task_finish(t, -EXEC_ECANCELED);
        exec_task_unref(t);
    }
}

size_t exec_sched_live(exec_sched *s)
{
    return atomic_load_explicit(&s->live, memory_order_acquire);
}
