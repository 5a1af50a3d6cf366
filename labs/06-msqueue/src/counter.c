/* counter.c — the shared-counter and false-sharing experiments.
 *
 * One runner starts the threads behind a barrier so they really overlap, and each
 * experiment is a small per-thread loop. The load/store counter is the "lost update"
 * lesson without undefined behaviour: both accesses are atomic, so there is no data
 * race, yet two threads can read the same value and both store value + 1. */
#define _GNU_SOURCE /* pthread_setaffinity_np, CPU_SET: pin each thread to its own core */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <stdlib.h>

#include "common/align.h"
#include "msq_warm.h"

typedef struct padded_counter {
    CMN_CACHE_ALIGNED _Atomic uint64_t v;
} padded_counter;

/* Padded on purpose: the counters must not share lines. */
typedef struct shared { // NOLINT(clang-analyzer-optin.performance.Padding)
    pthread_barrier_t start;
    msq_count_kind kind;
    bool padded;
    uint64_t iters;
    CMN_CACHE_ALIGNED _Atomic uint64_t atomic_count;
    CMN_CACHE_ALIGNED uint64_t plain_count; /* only under the lock of the experiment */
    msq_spinlock spin;
    pthread_mutex_t mutex;
    _Atomic uint64_t *packed; /* percpu, unpadded */
    padded_counter *lines;    /* percpu, padded */
} shared;

typedef struct worker {
    shared *s;
    unsigned id;
} worker;

static void count_loop(shared *s)
{
    for (uint64_t i = 0; i < s->iters; i++) {
        switch (s->kind) {
        case MSQ_COUNT_ATOMIC:
            /* relaxed: only the final total matters, and the join that reads it
             * synchronises with every thread. */
            atomic_fetch_add_explicit(&s->atomic_count, 1, memory_order_relaxed);
            break;
        case MSQ_COUNT_SPINLOCK:
            msq_spin_lock(&s->spin);
            s->plain_count++;
            msq_spin_unlock(&s->spin);
            break;
        case MSQ_COUNT_MUTEX:
            pthread_mutex_lock(&s->mutex);
            s->plain_count++;
            pthread_mutex_unlock(&s->mutex);
            break;
        case MSQ_COUNT_LOADSTORE: {
            uint64_t v = atomic_load_explicit(&s->atomic_count, memory_order_relaxed);
            atomic_store_explicit(&s->atomic_count, v + 1, memory_order_relaxed);
            break;
        }
        }
    }
}

static void percpu_loop(shared *s, unsigned id)
{
    _Atomic uint64_t *mine = s->padded ? &s->lines[id].v : &s->packed[id];
    /* relaxed load + store: a real memory write per increment (the compiler may not
     * keep it in a register), without a locked RMW since only we write it. */
    for (uint64_t i = 0; i < s->iters; i++)
        atomic_store_explicit(mine, atomic_load_explicit(mine, memory_order_relaxed) + 1,
                              memory_order_relaxed);
}

/* False sharing and contention happen only between threads that run at the same time
 * on different cores, and the scheduler is free to stack two busy threads on one core:
 * hence the pinning. */
void msq_pin_to_cpu(unsigned id)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 2)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((size_t)(id % (unsigned)ncpu), &set);
    (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *count_thread(void *arg)
{
    worker *w = arg;
    msq_pin_to_cpu(w->id);
    pthread_barrier_wait(&w->s->start);
    count_loop(w->s);
    return NULL;
}

static void *percpu_thread(void *arg)
{
    worker *w = arg;
    msq_pin_to_cpu(w->id);
    pthread_barrier_wait(&w->s->start);
    percpu_loop(w->s, w->id);
    return NULL;
}

/* Starts `threads` threads running fn and joins them; -errno if one cannot start. */
static int run_threads(shared *s, unsigned threads, void *(*fn)(void *))
{
    pthread_t *tid = calloc(threads, sizeof *tid);
    worker *w = calloc(threads, sizeof *w);
    int rc = (tid && w) ? pthread_barrier_init(&s->start, NULL, threads) : ENOMEM;
    unsigned started = 0;
    for (; rc == 0 && started < threads; started++) {
        w[started] = (worker){s, started};
        rc = pthread_create(&tid[started], NULL, fn, &w[started]);
    }
    if (rc != 0 && started > 0)
        abort(); /* the started threads wait at the barrier forever: cannot recover */
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    if (tid && w && started > 0)
        pthread_barrier_destroy(&s->start);
    free(tid);
    free(w);
    return -rc;
}

uint64_t msq_count_run(msq_count_kind kind, unsigned threads, uint64_t iters)
{
    shared *s = aligned_alloc(CMN_CACHE_LINE, CMN_ALIGN_UP(sizeof *s, (size_t)CMN_CACHE_LINE));
    if (s == NULL || threads == 0) {
        free(s);
        errno = threads == 0 ? EINVAL : ENOMEM;
        return 0;
    }
    s->kind = kind;
    s->iters = iters;
    atomic_init(&s->atomic_count, 0);
    s->plain_count = 0;
    msq_spin_init(&s->spin);
    pthread_mutex_init(&s->mutex, NULL);
    int rc = run_threads(s, threads, count_thread);
    uint64_t total = (kind == MSQ_COUNT_SPINLOCK || kind == MSQ_COUNT_MUTEX)
                         ? s->plain_count
                         : atomic_load_explicit(&s->atomic_count, memory_order_relaxed);
    pthread_mutex_destroy(&s->mutex);
    free(s);
    if (rc != 0) {
        errno = -rc;
        return 0;
    }
    return total;
}

unsigned msq_percpu_stride(bool padded)
{
    return padded ? (unsigned)sizeof(padded_counter) : (unsigned)sizeof(_Atomic uint64_t);
}

uint64_t msq_percpu_run(bool padded, unsigned threads, uint64_t iters)
{
    shared *s = aligned_alloc(CMN_CACHE_LINE, CMN_ALIGN_UP(sizeof *s, (size_t)CMN_CACHE_LINE));
    size_t bytes =
        CMN_ALIGN_UP((size_t)threads * msq_percpu_stride(padded), (size_t)CMN_CACHE_LINE);
    void *arr = (s != NULL && threads > 0) ? aligned_alloc(CMN_CACHE_LINE, bytes) : NULL;
    if (arr == NULL) {
        free(s);
        errno = threads == 0 ? EINVAL : ENOMEM;
        return 0;
    }
    s->padded = padded;
    s->iters = iters;
    s->packed = arr;
    s->lines = arr;
    for (unsigned i = 0; i < threads; i++)
        atomic_init(padded ? &s->lines[i].v : &s->packed[i], 0);
    int rc = run_threads(s, threads, percpu_thread);
    uint64_t sum = 0;
    for (unsigned i = 0; i < threads; i++)
        sum += atomic_load_explicit(padded ? &s->lines[i].v : &s->packed[i], memory_order_relaxed);
    free(arr);
    free(s);
    if (rc != 0) {
        errno = -rc;
        return 0;
    }
    return sum;
}
