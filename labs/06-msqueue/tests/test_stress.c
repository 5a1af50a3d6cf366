/* test_stress.c — producers and consumers hammering one queue: every item comes out
 * exactly once, and the items of one producer reach each consumer in the order they
 * were produced. Items are (producer << 40 | sequence number). The run is seeded:
 * each thread sprinkles random short pauses between operations to vary the
 * interleavings, and a failure prints the seed (COURSE_SEED=... replays it). A small
 * pool makes nodes recycle constantly, which is where ABA and use-after-reuse bugs
 * live. Under hazard pointers the garbage bound is checked throughout. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/test.h"
#include "msq.h"
#include "stress_scale.h"

#define SEQ_BITS 40
#define SEQ_MASK ((UINT64_C(1) << SEQ_BITS) - 1)

typedef struct run {
    msq_queue *q;
    unsigned producers, consumers;
    uint64_t per_producer, total;
    uint64_t seed;
    _Atomic uint8_t *seen;
    _Atomic uint64_t consumed;
    _Atomic int failed;
    char msg[200];
    pthread_barrier_t start;
} run;

typedef struct actor {
    run *r;
    unsigned id;
} actor;

/* Keeps the first failure's message; the threads stop at their next check. */
#define RECORD_FAILURE(r, ...)                                                                     \
    do {                                                                                           \
        int e_ = 0;                                                                                \
        if (atomic_compare_exchange_strong(&(r)->failed, &e_, 1))                                  \
            snprintf((r)->msg, sizeof(r)->msg, __VA_ARGS__);                                       \
    } while (0)
#define ULL(x) ((unsigned long long)(x))

/* A random pause of 0..63 relax instructions on ~1/8 of operations. */
static void jitter(cmn_rng *rng)
{
    uint64_t x = cmn_rng_next(rng);
    if ((x & 7) == 0)
        for (uint64_t i = 0; i < ((x >> 3) & 63); i++)
            MSQ_CPU_RELAX();
}

static void wait_a_little(unsigned *spins)
{
    if (++*spins % 64 == 0)
        sched_yield(); /* two cores, more threads: let the others run */
    else
        MSQ_CPU_RELAX();
}

static void *producer(void *arg)
{
    actor *a = arg;
    run *r = a->r;
    cmn_rng rng;
    cmn_rng_seed(&rng, r->seed + a->id);
    msq_handle *h = msq_register(r->q);
    pthread_barrier_wait(&r->start);
    for (uint64_t s = 0; s < r->per_producer && !atomic_load(&r->failed); s++) {
        unsigned spins = 0;
        while (msq_enqueue(h, ((uint64_t)a->id << SEQ_BITS) | s) == -EAGAIN)
            wait_a_little(&spins);
        jitter(&rng);
    }
    msq_unregister(h);
    return NULL;
}

static void consume_one(run *r, uint64_t v, uint64_t *last)
{
    uint64_t p = v >> SEQ_BITS, s = v & SEQ_MASK;
    if (p >= r->producers || s >= r->per_producer) {
        RECORD_FAILURE(r, "dequeued %llu: no producer made it (%llu)", ULL(v), ULL(p));
        return;
    }
    if (last[p] != UINT64_MAX && s <= last[p])
        RECORD_FAILURE(r, "producer %llu order broken: item %llu came after item %llu", ULL(p),
                       ULL(s), ULL(last[p]));
    last[p] = s;
    if (atomic_exchange(&r->seen[p * r->per_producer + s], 1) != 0)
        RECORD_FAILURE(r, "item %llu of producer %llu dequeued twice", ULL(s), ULL(p));
}

static void *consumer(void *arg)
{
    actor *a = arg;
    run *r = a->r;
    cmn_rng rng;
    cmn_rng_seed(&rng, r->seed + 1000 + a->id);
    uint64_t *last = malloc(r->producers * sizeof *last);
    for (unsigned p = 0; p < r->producers; p++)
        last[p] = UINT64_MAX;
    msq_handle *h = msq_register(r->q);
    size_t bound = msq_unreclaimed_bound(r->q);
    pthread_barrier_wait(&r->start);
    unsigned spins = 0;
    uint64_t mine = 0;
    while (atomic_load(&r->consumed) < r->total && !atomic_load(&r->failed)) {
        uintptr_t v;
        if (msq_dequeue(h, &v) != 0) {
            wait_a_little(&spins);
            continue;
        }
        consume_one(r, v, last);
        atomic_fetch_add(&r->consumed, 1);
        if (++mine % 1024 == 0 && msq_unreclaimed(r->q) > bound)
            RECORD_FAILURE(r, "%llu nodes unreclaimed, over the bound %llu",
                           ULL(msq_unreclaimed(r->q)), ULL(bound));
        jitter(&rng);
    }
    msq_unregister(h);
    free(last);
    return NULL;
}

static void stress(msq_reclaim how, unsigned producers, unsigned consumers, uint32_t capacity,
                   uint64_t items)
{
    run *r = calloc(1, sizeof *r);
    r->producers = producers;
    r->consumers = consumers;
    r->per_producer = stress_items(items) / producers;
    r->total = r->per_producer * producers;
    r->seed = cmn_test_seed();
    r->seen = calloc(r->total, 1);
    assert_int_equal(msq_create(&(msq_config){capacity, producers + consumers, how}, &r->q), 0);
    pthread_barrier_init(&r->start, NULL, producers + consumers);
    unsigned n = producers + consumers;
    pthread_t tid[16];
    actor act[16];
    assert_true(n <= 16);
    for (unsigned i = 0; i < n; i++) {
        act[i] = (actor){r, i < producers ? i : i - producers};
        assert_int_equal(
            pthread_create(&tid[i], NULL, i < producers ? producer : consumer, &act[i]), 0);
    }
    for (unsigned i = 0; i < n; i++)
        pthread_join(tid[i], NULL);
    if (atomic_load(&r->failed))
        fail_msg("%s", r->msg);
    for (uint64_t i = 0; i < r->total; i++)
        if (!r->seen[i])
            fail_msg("item %llu of producer %llu never dequeued",
                     (unsigned long long)(i % r->per_producer),
                     (unsigned long long)(i / r->per_producer));
    /* Quiescent: every node is the dummy, free, or (hazard pointers) garbage. */
    assert_int_equal(msq_free_nodes(r->q) + msq_unreclaimed(r->q) + 1, capacity);
    msq_destroy(r->q);
    pthread_barrier_destroy(&r->start);
    free(r->seen);
    free(r);
}

static void test_hp_1p1c(void **state)
{
    (void)state;
    stress(MSQ_RECLAIM_HP, 1, 1, 4096, 1u << 20);
}

static void test_hp_2p2c(void **state)
{
    (void)state;
    stress(MSQ_RECLAIM_HP, 2, 2, 4096, 1u << 21);
}

static void test_ebr_2p2c(void **state)
{
    (void)state;
    stress(MSQ_RECLAIM_EBR, 2, 2, 4096, 1u << 21);
}

static void test_hp_4p4c_small_pool(void **state)
{
    (void)state;
    /* Oversubscribed (8 threads, 2 cores) with a pool barely above what caches and
     * garbage can hold: nodes are recycled within microseconds. */
    stress(MSQ_RECLAIM_HP, 4, 4, 2048, 1u << 20);
}

static void test_ebr_3p1c_small_pool(void **state)
{
    (void)state;
    stress(MSQ_RECLAIM_EBR, 3, 1, 2048, 1u << 20);
}

static void test_hp_2p2c_tiny_pool(void **state)
{
    (void)state;
    /* 64 nodes for 4 threads: a node is back in the queue a few dozen operations
     * after it left, so a dequeuer delayed mid-operation meets its old head again. */
    stress(MSQ_RECLAIM_HP, 2, 2, 64, 1u << 20);
}

static void test_ebr_2p2c_tiny_pool(void **state)
{
    (void)state;
    stress(MSQ_RECLAIM_EBR, 2, 2, 128, 1u << 20);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hp_2p2c_tiny_pool),
    cmocka_unit_test(test_ebr_2p2c_tiny_pool),
    cmocka_unit_test(test_hp_1p1c),
    cmocka_unit_test(test_hp_2p2c),
    cmocka_unit_test(test_ebr_2p2c),
    cmocka_unit_test(test_hp_4p4c_small_pool),
    cmocka_unit_test(test_ebr_3p1c_small_pool),
};

CMN_TEST_MAIN(tests)
