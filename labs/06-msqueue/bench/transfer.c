/* transfer.c — the P-producer / C-consumer harness (see transfer.h). */
#define _GNU_SOURCE /* pthread_setaffinity_np, CPU_SET */
#include "transfer.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/time.h"
#include "msq_arch.h"

typedef struct run {
    const queue_impl *impl;
    void *q;
    unsigned threads, producers;
    uint64_t per_producer, total;
    _Atomic unsigned ready;
    _Atomic uint64_t consumed;
    _Atomic uint64_t sum;
    _Atomic uint64_t end_ns;
    _Atomic uint64_t empty_polls, full_waits;
} run;

typedef struct actor {
    run *r;
    unsigned id;
    bool producer;
} actor;

/* The one waiting policy, for every queue and both sides: exponential backoff. The
 * k-th failed enqueue (full) or dequeue (empty) in a row pauses TRANSFER_BASE_PAUSES *
 * 2^(k-1) times, at most TRANSFER_MAX_PAUSES; after TRANSFER_SPINS failures in a row
 * every further failure yields the CPU; a success starts over. A consumer that finds
 * the queue empty and looks again at once reads the very line the producer writes
 * next, so both pay a line transfer per item from then on; waiting a little longer
 * after each failure lets a backlog build, and then the two work on different lines.
 * (Measured: starting at one pause did not change the regime, since a caught-up
 * consumer fails about once per 50-100 items, never many times in a row.) With more
 * threads than cores (2P2C on two) a waiter that only spun would burn the time slice
 * its partner needs, hence the yield. */
#define TRANSFER_BASE_PAUSES 64u
#define TRANSFER_MAX_PAUSES 4096u
#define TRANSFER_SPINS 10u

static void wait_turn(unsigned *fails)
{
    if (++*fails > TRANSFER_SPINS) {
        sched_yield();
        return;
    }
    unsigned shift = *fails - 1 < 6 ? *fails - 1 : 6; /* 64 << 6 = 4096 */
    unsigned n = TRANSFER_BASE_PAUSES << shift;
    if (n > TRANSFER_MAX_PAUSES)
        n = TRANSFER_MAX_PAUSES;
    for (unsigned i = 0; i < n; i++)
        MSQ_CPU_RELAX();
}

/* Thread placement, the same for every queue. By default the scheduler places the
 * threads (on a machine shared with other jobs a pinned thread cannot move away from
 * a busy core). MSQ_BENCH_PIN=rr pins thread i (producers first, then consumers) to
 * CPU i mod ncpu: 1P1C then always runs producer and consumer on different cores,
 * 2P2C one producer and one consumer on each of two cores. */
static void place_thread(unsigned i)
{
    const char *pin = getenv("MSQ_BENCH_PIN");
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (pin == NULL || strcmp(pin, "rr") != 0 || ncpu < 2)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((size_t)(i % (unsigned)ncpu), &set);
    (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *actor_main(void *arg)
{
    actor *a = arg;
    run *r = a->r;
    place_thread(a->producer ? a->id : a->id + r->producers);
    void *ctx = r->impl->thread_begin(r->q, a->producer);
    atomic_fetch_add(&r->ready, 1);
    while (atomic_load(&r->ready) < r->threads + 1)
        sched_yield();
    unsigned fails = 0;
    uint64_t waits = 0;
    if (a->producer) {
        uint64_t base = (uint64_t)a->id * r->per_producer + 1;
        for (uint64_t i = 0; i < r->per_producer; i++) {
            while (!r->impl->enq(ctx, (uintptr_t)(base + i))) {
                waits++;
                wait_turn(&fails);
            }
            fails = 0;
        }
        atomic_fetch_add_explicit(&r->full_waits, waits, memory_order_relaxed);
    } else {
        uint64_t sum = 0, got = 0;
        while (atomic_load_explicit(&r->consumed, memory_order_relaxed) < r->total) {
            uintptr_t v;
            if (!r->impl->deq(ctx, &v)) {
                /* Publish the local count before waiting, or two consumers could
                 * each hold part of the last items' count and wait forever. */
                atomic_fetch_add_explicit(&r->consumed, got, memory_order_relaxed);
                got = 0;
                waits++;
                wait_turn(&fails);
                continue;
            }
            fails = 0;
            sum += v;
            if (++got % 256 == 0) {
                atomic_fetch_add_explicit(&r->consumed, 256, memory_order_relaxed);
                got = 0;
            }
        }
        atomic_fetch_add(&r->consumed, got);
        atomic_fetch_add(&r->sum, sum);
        atomic_fetch_add_explicit(&r->empty_polls, waits, memory_order_relaxed);
        uint64_t now = cmn_now_ns(), prev = atomic_load(&r->end_ns);
        while (now > prev && !atomic_compare_exchange_weak(&r->end_ns, &prev, now))
            ;
    }
    r->impl->thread_end(ctx);
    return NULL;
}

transfer_result transfer_run(const queue_impl *impl, unsigned producers, unsigned consumers,
                             uint64_t items)
{
    run r = {.impl = impl, .threads = producers + consumers, .producers = producers};
    if (r.threads > 64)
        abort(); /* the bench registers at most 2 + 2 */
    r.per_producer = items / producers;
    r.total = r.per_producer * producers;
    r.q = impl->create(r.threads, r.total);
    pthread_t tid[64];
    actor act[64];
    const unsigned n_threads = r.threads; /* r is shared with the threads from here on */
    for (unsigned i = 0; i < n_threads; i++) {
        bool prod = i < producers;
        act[i] = (actor){&r, prod ? i : i - producers, prod};
        if (pthread_create(&tid[i], NULL, actor_main, &act[i]) != 0)
            abort(); /* the others wait for it forever: nothing to recover */
    }
    while (atomic_load(&r.ready) < r.threads)
        sched_yield();
    uint64_t start = cmn_now_ns();
    atomic_fetch_add(&r.ready, 1); /* go */
    for (unsigned i = 0; i < n_threads; i++)
        pthread_join(tid[i], NULL);
    impl->destroy(r.q);
    /* Every consumed item is counted once, so the count overshoots only if an item
     * was duplicated, and the sum catches lost or corrupted values. */
    uint64_t n = r.total;
    uint64_t expect = n * (n + 1) / 2;
    return (transfer_result){(double)(atomic_load(&r.end_ns) - start) / 1e9,
                             atomic_load(&r.sum) == expect && atomic_load(&r.consumed) == n,
                             atomic_load(&r.empty_polls), atomic_load(&r.full_waits)};
}
