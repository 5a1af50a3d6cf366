/* lin_record.c — record real multi-threaded histories for the linearizability checker.
 *
 * Shared by the tests and the msqcheck CLI. Threads spin on a counter until all are
 * running (a barrier's futex wake-up takes longer than a whole run and would make the
 * history sequential), then log each operation between msq_lin_begin and msq_lin_end.
 * The stack target is the negative control: a real object that is not a queue. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "common/rng.h"
#include "msq_lin.h"

struct msq_lin_target {
    msq_queue *q;         /* the queue under test, or NULL for the stack */
    pthread_mutex_t lock; /* the stack: a LIFO in disguise */
    uintptr_t *stack;
    size_t depth, cap;
};

msq_lin_target *msq_lin_target_queue(msq_queue *q)
{
    msq_lin_target *t = calloc(1, sizeof *t);
    if (t)
        t->q = q;
    return t;
}

msq_lin_target *msq_lin_target_stack(size_t cap)
{
    msq_lin_target *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->stack = calloc(cap ? cap : 1, sizeof *t->stack);
    if (!t->stack) {
        free(t);
        return NULL;
    }
    t->cap = cap;
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

void msq_lin_target_destroy(msq_lin_target *t)
{
    if (!t)
        return;
    if (t->stack) {
        pthread_mutex_destroy(&t->lock);
        free(t->stack);
    }
    free(t);
}

static int target_enq(msq_lin_target *t, msq_handle *h, uintptr_t v)
{
    if (t->q)
        return msq_enqueue(h, v);
    pthread_mutex_lock(&t->lock);
    int rc = t->depth < t->cap ? (t->stack[t->depth++] = v, 0) : -EAGAIN;
    pthread_mutex_unlock(&t->lock);
    return rc;
}

static int target_deq(msq_lin_target *t, msq_handle *h, uintptr_t *v)
{
    if (t->q)
        return msq_dequeue(h, v);
    pthread_mutex_lock(&t->lock);
    int rc = t->depth > 0 ? (*v = t->stack[--t->depth], 0) : -EAGAIN;
    pthread_mutex_unlock(&t->lock);
    return rc;
}

typedef struct recorder {
    msq_lin_target *t;
    msq_lin_log *log;
    unsigned id, threads;
    size_t ops;
    uint64_t seed;
    _Atomic unsigned *ready;
} recorder;

/* One operation, logged; yields inside its window now and then (see the header). */
static void record_one(recorder *r, msq_handle *h, cmn_rng *rng, size_t i)
{
    uint64_t inv = msq_lin_begin(r->log);
    if (cmn_rng_below(rng, 32) == 0)
        sched_yield();
    /* 45% enqueues: the queue stays short, which keeps the number of possible orders
     * of overlapping enqueues still inside it (the checker's search space) small. */
    if (cmn_rng_below(rng, 100) < 45) {
        uintptr_t v = ((uintptr_t)r->id << 32) | i;
        int rc = target_enq(r->t, h, v);
        if (cmn_rng_below(rng, 32) == 0)
            sched_yield();
        if (rc == 0)
            msq_lin_end(r->log, r->id, inv, MSQ_LIN_ENQ, v);
    } else {
        uintptr_t v;
        if (target_deq(r->t, h, &v) == 0)
            msq_lin_end(r->log, r->id, inv, MSQ_LIN_DEQ, v);
        else
            msq_lin_end(r->log, r->id, inv, MSQ_LIN_DEQ_EMPTY, 0);
    }
}

static void *record_thread(void *arg)
{
    recorder *r = arg;
    cmn_rng rng;
    cmn_rng_seed(&rng, r->seed + r->id);
    msq_handle *h = r->t->q ? msq_register(r->t->q) : NULL;
    atomic_fetch_add(r->ready, 1);
    while (atomic_load(r->ready) < r->threads)
        sched_yield();
    for (size_t i = 0; i < r->ops; i++)
        record_one(r, h, &rng, i);
    if (h)
        msq_unregister(h);
    return NULL;
}

int msq_lin_record(msq_lin_target *t, msq_lin_log *log, unsigned threads, size_t ops, uint64_t seed)
{
    if (threads == 0 || threads > MSQ_LIN_MAX_THREADS)
        return -EINVAL;
    pthread_t tid[MSQ_LIN_MAX_THREADS];
    recorder r[MSQ_LIN_MAX_THREADS];
    _Atomic unsigned ready = 0;
    unsigned started = 0;
    int rc = 0;
    for (; started < threads; started++) {
        r[started] = (recorder){t, log, started, threads, ops, seed, &ready};
        int e = pthread_create(&tid[started], NULL, record_thread, &r[started]);
        if (e != 0) {
            rc = -e;
            break;
        }
    }
    if (rc != 0) /* let the started threads through their start line, then finish */
        atomic_fetch_add(&ready, threads - started);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    return rc;
}
