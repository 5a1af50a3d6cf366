/* bench_queue.c — msq against the peers, 1 producer / 1 consumer and 2 / 2.
 *
 * Each benchmark moves ITEMS values (10 million; MSQ_BENCH_ITEMS overrides) through
 * a fresh queue once and reports items/s from the wall time (manual time: the
 * harness times from the common start to the last dequeue). Names are
 * "q1p1c/VARIANT" and "q2p2c/VARIANT"; the ratio table compares with msq-ebr. */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "msq.h"
#include "transfer.h"

typedef struct msq_ctx {
    msq_handle *h;
} msq_ctx;

static void *msq_make(unsigned threads, uint64_t items, msq_reclaim how)
{
    msq_queue *q = NULL;
    /* One node per item of the run plus the dummy, like the peers' pools, which are
     * reserved to the same size (bench/peers.c): no queue's producer ever waits for
     * memory, however far it runs ahead of the consumers. (Measured with a 64 Ki
     * pool, the peers' producers ran up to 2 M items ahead where msq's had to wait.) */
    const char *cap = getenv("MSQ_BENCH_CAPACITY");
    uint64_t want = cap && *cap ? strtoull(cap, NULL, 0) : items + 1;
    uint32_t capacity = want > MSQ_MAX_CAPACITY ? MSQ_MAX_CAPACITY : (uint32_t)want;
    if (msq_create(&(msq_config){capacity, threads + 1, how}, &q) != 0)
        abort();
    return q;
}

static void *msq_hp_create(unsigned threads, uint64_t items)
{
    return msq_make(threads, items, MSQ_RECLAIM_HP);
}

static void *msq_ebr_create(unsigned threads, uint64_t items)
{
    return msq_make(threads, items, MSQ_RECLAIM_EBR);
}

static void msq_free(void *q)
{
    msq_destroy(q);
}

static void *msq_begin(void *q, bool producer)
{
    (void)producer;
    return msq_register(q);
}

static void msq_end(void *h)
{
    msq_unregister(h);
}

static bool msq_enq(void *h, uintptr_t v)
{
    return msq_enqueue(h, v) == 0;
}

static bool msq_deq(void *h, uintptr_t *v)
{
    return msq_dequeue(h, v) == 0;
}

const queue_impl impl_msq_hp = {"msq-hp", msq_hp_create, msq_free, msq_begin,
                                msq_end,  msq_enq,       msq_deq};
const queue_impl impl_msq_ebr = {"msq-ebr", msq_ebr_create, msq_free, msq_begin,
                                 msq_end,   msq_enq,        msq_deq};

typedef struct shape {
    const queue_impl *impl;
    unsigned producers, consumers;
} shape;

static uint64_t bench_items(void)
{
    const char *env = getenv("MSQ_BENCH_ITEMS");
    return env && *env ? strtoull(env, NULL, 0) : UINT64_C(10000000);
}

static void bm_transfer(bench_state *st, void *arg)
{
    const shape *s = arg;
    uint64_t items = bench_items();
    uint64_t empty = 0, full = 0;
    while (bench_keep_running(st)) {
        transfer_result r = transfer_run(s->impl, s->producers, s->consumers, items);
        if (!r.checksum_ok) {
            bench_skip(st, "checksum mismatch: items lost or duplicated");
            return;
        }
        bench_set_iteration_time(st, r.seconds);
        empty += r.empty_polls;
        full += r.full_waits;
    }
    int64_t moved = (int64_t)(items / s->producers * s->producers) * bench_state_iterations(st);
    bench_set_items(st, moved);
    /* Which regime the run was in: consumers outrunning producers (empty polls) or
     * producers waiting for room (full); both per item moved. */
    bench_counter(st, "empty/item", (double)empty / (double)moved, BENCH_COUNTER_DEFAULT);
    bench_counter(st, "full/item", (double)full / (double)moved, BENCH_COUNTER_DEFAULT);
}

static shape shapes[2][6];

static void setup(void)
{
    const queue_impl *impls[] = {&impl_msq_ebr,   &impl_msq_hp,   &impl_ck_fifo_mpmc,
                                 &impl_urcu_wfcq, &impl_urcu_lfq, &impl_mutex_ring};
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < 6; i++) {
            unsigned n = s == 0 ? 1 : 2;
            shapes[s][i] = (shape){impls[i], n, n};
            char name[64];
            snprintf(name, sizeof name, "q%up%uc/%s", n, n, impls[i]->name);
            bench_def *b = bench_register(name, bm_transfer, &shapes[s][i]);
            bench_iterations(bench_manual_time(b), 1);
            bench_time_unit(b, BENCH_MS);
        }
}
BENCH_SETUP(setup)
