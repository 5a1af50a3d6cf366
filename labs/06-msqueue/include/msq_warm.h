/* msq_warm.h — the warm-up structures: a spinlock with backoff, a shared counter
 * incremented four ways, and per-thread counters packed or padded to cache lines.
 *
 * They teach the three costs the queue pays: an RMW on a contended line, the
 * acquire/release pairing that makes a lock a lock, and false sharing. Each runner
 * starts `threads` threads, waits for all of them at a barrier, lets each do `iters`
 * increments, and returns the total the counter(s) ended with. */
#ifndef MSQ_WARM_H
#define MSQ_WARM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Test-and-test-and-set lock: waiters spin on a plain load (the line stays shared in
 * their caches) and back off exponentially after each lost race. */
typedef struct msq_spinlock {
    _Atomic uint32_t locked;
} msq_spinlock;

#define MSQ_SPINLOCK_INIT                                                                          \
    {                                                                                              \
        0                                                                                          \
    }

/* Initialises an unlocked lock. */
void msq_spin_init(msq_spinlock *l);

/* Acquires l (acquire ordering); spins with backoff. Not recursive. */
void msq_spin_lock(msq_spinlock *l);

/* Acquires l if free; true on success (acquire ordering), false without waiting. */
bool msq_spin_trylock(msq_spinlock *l);

/* Releases l (release ordering). The caller must hold it. */
void msq_spin_unlock(msq_spinlock *l);

/* How the shared counter is incremented. */
typedef enum msq_count_kind {
    MSQ_COUNT_ATOMIC,    /* atomic_fetch_add, relaxed: exact */
    MSQ_COUNT_SPINLOCK,  /* plain ++ under msq_spinlock: exact */
    MSQ_COUNT_MUTEX,     /* plain ++ under pthread_mutex: exact */
    MSQ_COUNT_LOADSTORE, /* relaxed load, then store of +1: no data race, but loses updates */
} msq_count_kind;

/* Runs threads x iters increments of one shared counter; returns its final value, or 0
 * with errno set if a thread could not be started. */
uint64_t msq_count_run(msq_count_kind kind, unsigned threads, uint64_t iters);

/* Per-thread counters, one per thread, in an array whose elements are 8 bytes apart
 * (padded = false: several share a cache line) or a cache line apart (true). Each
 * thread increments only its own element. Returns the sum of all elements. */
uint64_t msq_percpu_run(bool padded, unsigned threads, uint64_t iters);

/* Byte distance between neighbouring elements in msq_percpu_run's array. */
unsigned msq_percpu_stride(bool padded);

/* Pins the calling thread to CPU id mod (online CPUs), so that threads meant to run
 * side by side on different cores do (a busy scheduler may stack them on one). Best
 * effort: does nothing on a single CPU or if the kernel refuses. */
void msq_pin_to_cpu(unsigned id);

#endif
