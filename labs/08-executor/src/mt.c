/* mt.c — the multi-threaded executor: N workers, work stealing, one driver.
 *
 * Each worker owns a Chase–Lev deque (deque.h); tasks woken on a worker go to its
 * deque, tasks spawned or woken from outside go to a global injection queue (a
 * mutex-guarded list). A worker looks in its deque, then the injection queue (first,
 * every EVENT_INTERVAL polls, so injected tasks are never starved), then steals from
 * the others. An idle worker either becomes the *driver* (it holds driver_lock and
 * parks in the reactor until the next timer, so exactly one thread waits for I/O) or
 * sleeps on a futex. Wakers that add work call notify(), which wakes a futex sleeper
 * or, when there is none, interrupts the driver's reactor wait through its eventfd.
 *
 * No lost wake-ups: a worker going to sleep announces itself (sleepers++), reads the
 * futex word, re-checks every queue and only then waits for the word to change; a
 * notifier pushes, then reads sleepers, then bumps the word. With sequentially
 * consistent accesses on both sides one of them must see the other. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "deque.h"
#include "mt.h"
#include "task_impl.h"

enum { EVENT_INTERVAL = 61, STEAL_TRIES = 2, INJECT_BATCH = 32 };

typedef struct worker {
    exec_deque q;
    struct exec_mt *mt;
    unsigned idx;
    pthread_t th;
    uint64_t ticks, rng;
    exec_task *dhead, *dtail; /* yielded tasks, back in the deque after the next I/O check */
} worker;

struct exec_mt {
    exec_sched sched;
    exec_timers timers;
    pthread_mutex_t timer_lock;
    unsigned n;
    worker *w;
    pthread_mutex_t inj_lock;
    exec_task *inj_head, *inj_tail;
    atomic_size_t inj_len;
    atomic_uint sleepers;
    _Atomic uint32_t word; /* the futex idle workers wait on */
    atomic_int driver_parked;
    pthread_mutex_t driver_lock;
    atomic_bool stop;
};

static _Thread_local worker *tls_worker;

static long futex(_Atomic uint32_t *addr, int op, uint32_t val)
{
    return syscall(SYS_futex, (uint32_t *)(uintptr_t)addr, op, val, NULL, NULL, 0);
}

static exec_mt *mt_of(exec_sched *s)
{
    return (exec_mt *)(void *)s;
}

/* --- the injection queue ------------------------------------------------------------- */
static void inject(exec_mt *mt, exec_task *t)
{
    t->next = NULL;
    pthread_mutex_lock(&mt->inj_lock);
    if (mt->inj_tail)
        mt->inj_tail->next = t;
    else
        mt->inj_head = t;
    mt->inj_tail = t;
    atomic_fetch_add_explicit(&mt->inj_len, 1, memory_order_seq_cst);
    pthread_mutex_unlock(&mt->inj_lock);
}

static exec_task *inject_pop(exec_mt *mt)
{
    if (atomic_load_explicit(&mt->inj_len, memory_order_seq_cst) == 0)
        return NULL;
    pthread_mutex_lock(&mt->inj_lock);
    exec_task *t = mt->inj_head;
    if (t) {
        mt->inj_head = t->next;
        if (!mt->inj_head)
            mt->inj_tail = NULL;
        atomic_fetch_sub_explicit(&mt->inj_len, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&mt->inj_lock);
    return t;
}

/* --- waking workers --------------------------------------------------------------------- */
static void wake_one(exec_mt *mt)
{
    atomic_fetch_add_explicit(&mt->word, 1, memory_order_seq_cst);
    futex(&mt->word, FUTEX_WAKE_PRIVATE, 1);
}

static void notify(exec_mt *mt)
{
    /* SOLUTION BEGIN: after the push: a sleeper? bump the word and wake it; else interrupt a parked driver */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&mt->sleepers, memory_order_seq_cst) > 0)
        wake_one(mt);
    else if (atomic_load_explicit(&mt->driver_parked, memory_order_seq_cst))
        mt->sched.plat.unpark(mt->sched.plat.ctx);
    /* SOLUTION END */
}

static void push_here(exec_mt *mt, exec_task *t)
{
    worker *w = tls_worker;
    if (w && w->mt == mt && exec_deque_push(&w->q, t))
        return;
    inject(mt, t);
}

/* Out of local work: takes a fair share of the injection queue at once (up to
 * INJECT_BATCH) under one lock, returns the first and queues the rest on this worker's
 * deque, where the others can steal them. Popping one at a time made a worker whose
 * only task yields come back to maintenance (an epoll call and a clock read) on every
 * yield. */
static exec_task *inject_pop_batch(worker *w)
{
    exec_mt *mt = w->mt;
    size_t len = atomic_load_explicit(&mt->inj_len, memory_order_seq_cst);
    if (len == 0)
        return NULL;
    size_t room = (size_t)(EXEC_DEQUE_CAP - exec_deque_len(&w->q));
    size_t want = len / mt->n + 1;
    if (want > INJECT_BATCH)
        want = INJECT_BATCH;
    if (want > room + 1)
        want = room + 1;
    pthread_mutex_lock(&mt->inj_lock);
    exec_task *first = mt->inj_head, *last = first;
    size_t got = first ? 1 : 0;
    while (last && got < want && last->next) {
        last = last->next;
        got++;
    }
    if (first) {
        mt->inj_head = last->next;
        if (!mt->inj_head)
            mt->inj_tail = NULL;
        last->next = NULL;
        atomic_fetch_sub_explicit(&mt->inj_len, got, memory_order_relaxed);
    }
    pthread_mutex_unlock(&mt->inj_lock);
    if (!first)
        return NULL;
    exec_task *t = first->next;
    while (t) {
        exec_task *next = t->next;
        if (!exec_deque_push(&w->q, t)) /* thieves cannot add: only if room was misjudged */
            inject(mt, t);
        t = next;
    }
    if (got > 1 && atomic_load_explicit(&mt->sleepers, memory_order_seq_cst) > 0)
        notify(mt); /* there is work to steal */
    return first;
}

static void mt_schedule(exec_sched *s, exec_task *t)
{
    exec_mt *mt = mt_of(s);
    push_here(mt, t);
    notify(mt);
}

static void mt_reschedule(exec_sched *s, exec_task *t)
{
    /* A yield: deferred until this worker next looks at I/O (see find_task). */
    exec_mt *mt = mt_of(s);
    worker *w = tls_worker;
    if (!w || w->mt != mt) {
        mt_schedule(s, t);
        return;
    }
    t->next = NULL;
    if (w->dtail)
        w->dtail->next = t;
    else
        w->dhead = t;
    w->dtail = t;
}

static const exec_sched_vtable mt_vt = {mt_schedule, mt_reschedule};

/* --- finding work --------------------------------------------------------------------- */
static exec_task *steal(worker *w)
{
    exec_mt *mt = w->mt;
    for (int attempt = 0; attempt < STEAL_TRIES; attempt++) {
        bool lost = false;
        w->rng = w->rng * 6364136223846793005u + 1442695040888963407u;
        unsigned start = (unsigned)(w->rng >> 33) % mt->n;
        for (unsigned k = 0; k < mt->n; k++) {
            worker *v = &mt->w[(start + k) % mt->n];
            if (v == w)
                continue;
            exec_task *t = exec_deque_steal(&v->q, &lost);
            if (t)
                return t;
        }
        if (!lost)
            return NULL;
    }
    return NULL;
}

static exec_task *local_pop(worker *w)
{
    for (;;) {
        bool lost = false;
        exec_task *t = exec_deque_steal(&w->q, &lost);
        if (t || !lost)
            return t;
    }
}

static bool has_work(exec_mt *mt)
{
    if (atomic_load_explicit(&mt->inj_len, memory_order_seq_cst) > 0)
        return true;
    for (unsigned i = 0; i < mt->n; i++)
        if (exec_deque_len(&mt->w[i].q) > 0)
            return true;
    return false;
}

/* Looks at I/O and timers without blocking, then requeues the deferred tasks. */
static void maintenance(worker *w)
{
    exec_mt *mt = w->mt;
    if (mt->sched.plat.flush)
        mt->sched.plat.flush(mt->sched.plat.ctx);
    if (pthread_mutex_trylock(&mt->driver_lock) == 0) {
        mt->sched.plat.park(mt->sched.plat.ctx, 0);
        pthread_mutex_unlock(&mt->driver_lock);
    }
    exec_timers_fire(&mt->timers);
    bool any = w->dhead != NULL;
    while (w->dhead) {
        exec_task *t = w->dhead;
        w->dhead = t->next;
        if (!exec_deque_push(&w->q, t))
            inject(mt, t);
    }
    w->dtail = NULL;
    if (any && atomic_load_explicit(&mt->sleepers, memory_order_relaxed) > 0)
        notify(mt); /* there is work to steal */
}

static exec_task *find_task(worker *w)
{
    exec_mt *mt = w->mt;
    exec_task *t = NULL;
    if (w->ticks % EVENT_INTERVAL == 0) {
        t = inject_pop(mt);
        maintenance(w);
    }
    if (!t)
        t = local_pop(w);
    if (!t && w->dhead) {
        maintenance(w);
        t = local_pop(w);
    }
    if (!t && mt->sched.plat.flush) /* out of local work: hand queued I/O over */
        mt->sched.plat.flush(mt->sched.plat.ctx);
    if (!t)
        t = inject_pop_batch(w);
    if (!t)
        t = steal(w);
    return t;
}

/* Nothing to do: drive the reactor if nobody does, else sleep on the futex. */
static void idle(worker *w)
{
    /* SOLUTION BEGIN: trylock the driver: park in the reactor until the next timer; else sleepers++, read the word, re-check, futex-wait */
    exec_mt *mt = w->mt;
    if (pthread_mutex_trylock(&mt->driver_lock) == 0) {
        atomic_store_explicit(&mt->driver_parked, 1, memory_order_seq_cst);
        if (!has_work(mt) && !atomic_load(&mt->stop))
            mt->sched.plat.park(mt->sched.plat.ctx, exec_timers_next(&mt->timers));
        atomic_store_explicit(&mt->driver_parked, 0, memory_order_seq_cst);
        pthread_mutex_unlock(&mt->driver_lock);
        exec_timers_fire(&mt->timers);
        /* Leaving the driver seat with work to do: let a sleeper take the seat. */
        if (has_work(mt) && atomic_load(&mt->sleepers) > 0)
            wake_one(mt);
        return;
    }
    atomic_fetch_add_explicit(&mt->sleepers, 1, memory_order_seq_cst);
    uint32_t seen = atomic_load_explicit(&mt->word, memory_order_seq_cst);
    if (!has_work(mt) && !atomic_load(&mt->stop))
        futex(&mt->word, FUTEX_WAIT_PRIVATE, seen);
    atomic_fetch_sub_explicit(&mt->sleepers, 1, memory_order_seq_cst);
    /* SOLUTION END */
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    exec_mt *mt = w->mt;
    tls_worker = w;
    exec_cx cx = {.timers = &mt->timers, .io = mt->sched.io};
    while (!atomic_load_explicit(&mt->stop, memory_order_acquire)) {
        w->ticks++;
        exec_task *t = find_task(w);
        if (t)
            exec_task_run(t, &cx);
        else
            idle(w);
    }
    tls_worker = NULL;
    return NULL;
}

/* --- timers shared by the workers -------------------------------------------------------- */
static void t_lock(exec_timers *t)
{
    pthread_mutex_lock(&((exec_mt *)(void *)((char *)t - offsetof(exec_mt, timers)))->timer_lock);
}

static void t_unlock(exec_timers *t)
{
    pthread_mutex_unlock(&((exec_mt *)(void *)((char *)t - offsetof(exec_mt, timers)))->timer_lock);
}

static void t_earlier(exec_timers *t, uint64_t deadline)
{
    (void)deadline;
    exec_mt *mt = (exec_mt *)(void *)((char *)t - offsetof(exec_mt, timers));
    if (atomic_load_explicit(&mt->driver_parked, memory_order_seq_cst))
        mt->sched.plat.unpark(mt->sched.plat.ctx);
}

/* --- life cycle ---------------------------------------------------------------------------- */
int exec_mt_new(exec_mt **out, unsigned n, const exec_platform *plat, void *io)
{
    exec_mt *mt = calloc(1, sizeof *mt);
    worker *ws = aligned_alloc(64, ((sizeof(worker) * n + 63) / 64) * 64);
    if (!mt || !ws) {
        free(mt);
        free(ws);
        return -ENOMEM;
    }
    mt->sched.vt = &mt_vt;
    mt->sched.plat = *plat;
    mt->sched.io = io;
    mt->sched.timers = &mt->timers;
    atomic_flag_clear(&mt->sched.lock.f);
    atomic_init(&mt->sched.live, 0);
    atomic_init(&mt->sched.spawned, 0);
    exec_timers_init(&mt->timers, &mt->sched.plat);
    mt->timers.lock = t_lock;
    mt->timers.unlock = t_unlock;
    mt->timers.earlier = t_earlier;
    pthread_mutex_init(&mt->timer_lock, NULL);
    pthread_mutex_init(&mt->inj_lock, NULL);
    pthread_mutex_init(&mt->driver_lock, NULL);
    mt->n = n;
    mt->w = ws;
    for (unsigned i = 0; i < n; i++) {
        exec_deque_init(&ws[i].q);
        ws[i].mt = mt;
        ws[i].idx = i;
        ws[i].ticks = 0;
        ws[i].rng = 0x9E3779B97F4A7C15u * (i + 1);
        ws[i].dhead = ws[i].dtail = NULL;
    }
    for (unsigned i = 0; i < n; i++) {
        int rc = pthread_create(&ws[i].th, NULL, worker_main, &ws[i]);
        if (rc != 0) {
            mt->n = i; /* stop the ones that started */
            exec_mt_shutdown(mt);
            exec_mt_free(mt);
            return -rc;
        }
    }
    *out = mt;
    return 0;
}

exec_sched *exec_mt_sched(exec_mt *mt)
{
    return &mt->sched;
}

/* --- blocking a plain thread on a join handle: a waker that bumps a futex ----------------- */
typedef struct thread_parker {
    _Atomic uint32_t word;
} thread_parker;

/* Per thread and static: a waker clone may outlive the wait that made it. */
static _Thread_local thread_parker tls_parker;

static exec_waker tp_clone(const void *d);
static void tp_wake_by_ref(const void *d)
{
    thread_parker *p = (thread_parker *)(uintptr_t)d;
    atomic_fetch_add_explicit(&p->word, 1, memory_order_seq_cst);
    futex(&p->word, FUTEX_WAKE_PRIVATE, 1);
}
static void tp_drop(const void *d)
{
    (void)d;
}
static void tp_wake(const void *d)
{
    tp_wake_by_ref(d);
}
static const exec_waker_vtable tp_vt = {tp_clone, tp_wake, tp_wake_by_ref, tp_drop};
static exec_waker tp_clone(const void *d)
{
    return (exec_waker){d, &tp_vt};
}

int exec_mt_wait(exec_mt *mt, exec_join *j)
{
    exec_cx cx = {.waker = {&tls_parker, &tp_vt},
                  .budget = EXEC_BUDGET,
                  .timers = &mt->timers,
                  .io = mt->sched.io};
    for (;;) {
        uint32_t seen = atomic_load_explicit(&tls_parker.word, memory_order_seq_cst);
        cx.budget = EXEC_BUDGET;
        if (exec_join_poll(j, &cx) == EXEC_READY)
            return exec_join_outcome(j);
        futex(&tls_parker.word, FUTEX_WAIT_PRIVATE, seen);
    }
}

void exec_mt_shutdown(exec_mt *mt)
{
    atomic_store(&mt->stop, true);
    for (unsigned i = 0; i < mt->n; i++) {
        atomic_fetch_add(&mt->word, 1);
        futex(&mt->word, FUTEX_WAKE_PRIVATE, INT32_MAX);
        mt->sched.plat.unpark(mt->sched.plat.ctx);
    }
    for (unsigned i = 0; i < mt->n; i++)
        pthread_join(mt->w[i].th, NULL);
    exec_sched_cancel_all(&mt->sched);
    exec_task *t;
    while ((t = inject_pop(mt)) != NULL)
        exec_task_unref(t);
    for (unsigned i = 0; i < mt->n; i++) {
        while ((t = local_pop(&mt->w[i])) != NULL)
            exec_task_unref(t);
        while ((t = mt->w[i].dhead) != NULL) {
            mt->w[i].dhead = t->next;
            exec_task_unref(t);
        }
    }
}

void exec_mt_free(exec_mt *mt)
{
    pthread_mutex_destroy(&mt->timer_lock);
    pthread_mutex_destroy(&mt->inj_lock);
    pthread_mutex_destroy(&mt->driver_lock);
    free(mt->w);
    free(mt);
}
