/* transfer.h — the producer/consumer harness every queue bench shares.
 *
 * A queue implementation is a small vtable; transfer_run() starts P producers and C
 * consumers, releases them together, moves `items` values through the queue and
 * returns the wall time from release to the last dequeue. Values are checksummed so a
 * peer used wrongly (a lost or duplicated item) fails the bench instead of flattering
 * it. Every queue gets the same harness: the same thread placement, start barrier,
 * waiting policy on full/empty (exponential backoff, then yield after 10 failures in
 * a row: with more threads than cores a pure spinner would hold the core its partner
 * needs), item count and checks (see transfer.c). */
#ifndef TRANSFER_H
#define TRANSFER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct queue_impl {
    const char *name;
    /* A queue for `threads` threads that can hold `items` values at once (the whole
     * run): node pools are made that big before the clock starts. */
    void *(*create)(unsigned threads, uint64_t items);
    void (*destroy)(void *q);
    void *(*thread_begin)(void *q, bool producer); /* per-thread context */
    void (*thread_end)(void *ctx);
    bool (*enq)(void *ctx, uintptr_t v);  /* false: full, try again */
    bool (*deq)(void *ctx, uintptr_t *v); /* false: empty, try again */
} queue_impl;

typedef struct transfer_result {
    double seconds;
    bool checksum_ok;
    uint64_t empty_polls; /* dequeues that found the queue empty, all consumers */
    uint64_t full_waits;  /* enqueues refused (ring full / no free node), all producers */
} transfer_result;

/* Moves `items` values (split evenly over producers) through a fresh queue. */
transfer_result transfer_run(const queue_impl *impl, unsigned producers, unsigned consumers,
                             uint64_t items);

/* The implementations (bench/peers.c, bench/bench_queue.c). */
extern const queue_impl impl_msq_hp, impl_msq_ebr, impl_ck_fifo_mpmc, impl_urcu_wfcq, impl_urcu_lfq,
    impl_mutex_ring;

#endif
