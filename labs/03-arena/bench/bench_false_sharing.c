/* bench_false_sharing.c — the cache-line padding exercise, measured.
 *
 * Two threads each bump their own counter (a relaxed atomic load + store, so the
 * compiler keeps every store but no locked instruction is involved). "packed": the two
 * counters sit next to each other in one 64-byte line, which then ping-pongs between
 * the cores on every store (false sharing). "padded": each counter has its own line
 * (alignas(64)), so each core keeps its line. Items = increments, both threads. */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

#include "bench.h"

enum { BATCH = 1000 };

static struct {
    _Atomic(uint64_t) c[2];
} packed;

static struct {
    alignas(64) _Atomic(uint64_t) c;
} padded[2];

static void bump(bench_state *st, _Atomic(uint64_t) *c)
{
    while (bench_keep_running_batch(st, BATCH))
        for (int i = 0; i < BATCH; i++)
            atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                                  memory_order_relaxed);
    bench_set_items(st, bench_state_iterations(st));
}

static void bm_packed(bench_state *st, void *arg)
{
    (void)arg;
    bump(st, &packed.c[bench_state_thread_index(st) & 1]);
}

static void bm_padded(bench_state *st, void *arg)
{
    (void)arg;
    bump(st, &padded[bench_state_thread_index(st) & 1].c);
}

static void setup(void)
{
    bench_min_time(
        bench_real_time(bench_threads(bench_register("counters/packed", bm_packed, NULL), 2)), 0.3);
    bench_min_time(
        bench_real_time(bench_threads(bench_register("counters/padded", bm_padded, NULL), 2)), 0.3);
}
BENCH_SETUP(setup)
