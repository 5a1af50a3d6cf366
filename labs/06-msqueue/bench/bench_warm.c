/* bench_warm.c — the warm-up structures: what a lock's backoff buys under contention,
 * what a locked RMW costs against a plain per-thread store, and what false sharing
 * costs. Every run starts its threads together and times the whole run.
 *
 *   lock2/...   2 threads, 2 M lock/unlock pairs each with a counter increment:
 *               msq_spinlock (TTAS + backoff), a bare test-and-set lock, pthread mutex
 *   count2/...  2 threads, 5 M increments each of one shared counter (atomic RMW) vs
 *               a per-thread counter on its own line
 *   percpu2/... 2 threads, 20 M increments each of their own counter: padded (one
 *               line each) vs packed (neighbours on one line: false sharing) */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "bench.h"
#include "common/time.h"
#include "msq_arch.h"
#include "msq_warm.h"

/* The lesson's counter-example: test-and-set with no backoff and no read-only spin. */
typedef struct tas_lock {
    _Atomic uint32_t locked;
} tas_lock;

typedef struct lock_run {
    int kind; /* 0 msq_spinlock, 1 tas, 2 mutex */
    uint64_t iters;
    msq_spinlock spin;
    tas_lock tas;
    pthread_mutex_t mutex;
    uint64_t counter;
    _Atomic int ready;
    _Atomic unsigned started;
} lock_run;

static void *lock_thread(void *arg)
{
    lock_run *r = arg;
    msq_pin_to_cpu((unsigned)atomic_fetch_add(&r->started, 1));
    atomic_fetch_add(&r->ready, 1);
    while (atomic_load(&r->ready) < 2)
        MSQ_CPU_RELAX();
    for (uint64_t i = 0; i < r->iters; i++) {
        if (r->kind == 0) {
            msq_spin_lock(&r->spin);
            r->counter++;
            msq_spin_unlock(&r->spin);
        } else if (r->kind == 1) {
            while (atomic_exchange_explicit(&r->tas.locked, 1, memory_order_acquire))
                ;
            r->counter++;
            atomic_store_explicit(&r->tas.locked, 0, memory_order_release);
        } else {
            pthread_mutex_lock(&r->mutex);
            r->counter++;
            pthread_mutex_unlock(&r->mutex);
        }
    }
    return NULL;
}

static void bm_lock(bench_state *st, void *arg)
{
    int kind = (int)(intptr_t)arg;
    const uint64_t iters = UINT64_C(2000000);
    while (bench_keep_running(st)) {
        lock_run r = {.kind = kind, .iters = iters};
        msq_spin_init(&r.spin);
        atomic_init(&r.tas.locked, 0);
        pthread_mutex_init(&r.mutex, NULL);
        pthread_t t[2];
        uint64_t t0 = cmn_now_ns();
        for (int i = 0; i < 2; i++)
            pthread_create(&t[i], NULL, lock_thread, &r);
        for (int i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        bench_set_iteration_time(st, (double)(cmn_now_ns() - t0) / 1e9);
        pthread_mutex_destroy(&r.mutex);
        if (r.counter != 2 * iters) {
            bench_skip(st, "lock lost an increment");
            return;
        }
    }
    bench_set_items(st, (int64_t)(2 * iters) * bench_state_iterations(st));
}

static void bm_count(bench_state *st, void *arg)
{
    int kind = (int)(intptr_t)arg; /* 0 shared atomic, 1 per-thread padded */
    const uint64_t iters = UINT64_C(5000000);
    while (bench_keep_running(st)) {
        uint64_t t0 = cmn_now_ns();
        uint64_t got =
            kind == 0 ? msq_count_run(MSQ_COUNT_ATOMIC, 2, iters) : msq_percpu_run(true, 2, iters);
        bench_set_iteration_time(st, (double)(cmn_now_ns() - t0) / 1e9);
        BENCH_DO_NOT_OPTIMIZE(got);
    }
    bench_set_items(st, (int64_t)(2 * iters) * bench_state_iterations(st));
}

static void bm_percpu(bench_state *st, void *arg)
{
    bool padded = arg != NULL;
    const uint64_t iters = UINT64_C(20000000);
    while (bench_keep_running(st)) {
        uint64_t t0 = cmn_now_ns();
        uint64_t got = msq_percpu_run(padded, 2, iters);
        bench_set_iteration_time(st, (double)(cmn_now_ns() - t0) / 1e9);
        if (got != 2 * iters) {
            bench_skip(st, "per-thread counters lost an increment");
            return;
        }
    }
    bench_set_items(st, (int64_t)(2 * iters) * bench_state_iterations(st));
}

static void each(bench_def *b)
{
    bench_iterations(bench_manual_time(b), 1);
    bench_time_unit(b, BENCH_MS);
}

static void setup(void)
{
    each(bench_register("lock2/msq_spinlock", bm_lock, (void *)0));
    each(bench_register("lock2/tas_no_backoff", bm_lock, (void *)1));
    each(bench_register("lock2/pthread_mutex", bm_lock, (void *)2));
    each(bench_register("count2/shared_atomic", bm_count, (void *)0));
    each(bench_register("count2/per_thread", bm_count, (void *)1));
    each(bench_register("percpu2/padded", bm_percpu, (void *)1));
    each(bench_register("percpu2/packed", bm_percpu, NULL));
}
BENCH_SETUP(setup)
