/* peers.c — the queues a C programmer would pick instead, each used the way its
 * library intends, behind the queue_impl vtable of transfer.h.
 *
 * - Concurrency Kit ck_fifo_mpmc: Michael–Scott with double-width (pointer,
 *   generation) CAS; entries are type-stable, so a dequeued "garbage" entry may be
 *   reused at once (CK's own validation does this).
 * - liburcu wfcqueue: wait-free enqueue (one exchange), dequeue under the queue's
 *   internal mutex; a dequeued node may be reused at once.
 * - liburcu rculfqueue: lock-free in both directions under RCU read-side critical
 *   sections; a dequeued node may be reused only after a grace period (call_rcu).
 * - a ring buffer of 4096 slots under one pthread mutex.
 *
 * Nodes are recycled the way msq's pool does it: consumers collect dequeued nodes in
 * batches of 64 and push each batch on a shared Treiber stack (ck_stack, generation-
 * counted pop); producers pop whole batches. So every queue pays about one shared
 * atomic per 64 items for memory, as msq does. The stack is filled before the clock
 * starts with one node per item of the run, as msq's pool is: no queue calls malloc
 * or takes a page fault in the loop. */
#define _LGPL_SOURCE
#define RCU_MEMB
#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wpointer-arith"
#pragma GCC diagnostic ignored "-Wundef"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <ck_fifo.h>
#include <ck_stack.h>
#include <urcu.h>
#include <urcu/rculfqueue.h>
#include <urcu/wfcqueue.h>
#pragma GCC diagnostic pop

#include "common/align.h"
#include "transfer.h"

/* --- node recycling shared by the node-based peers ----------------------------------- */

#define BATCH 64

typedef struct bnode {
    union {
        ck_fifo_mpmc_entry_t ck;
        struct cds_wfcq_node wf;
        struct cds_lfq_node_rcu lf;
    } u;
    uintptr_t value;
    struct bnode *chain;   /* next node of the same batch */
    ck_stack_entry_t link; /* batches on the shared stack (first node only) */
    struct rcu_head rcu;   /* rculfqueue: the batch waits a grace period */
    void *owner;           /* rculfqueue: the recycler to return the batch to */
} bnode;

typedef struct recycler {
    alignas(16) ck_stack_t stack;
    pthread_mutex_t slabs_lock;
    void **slabs;
    size_t nslabs, cap;
} recycler;

static void recycler_init(recycler *r)
{
    memset(r, 0, sizeof *r);
    ck_stack_init(&r->stack);
    pthread_mutex_init(&r->slabs_lock, NULL);
}

static void recycler_fini(recycler *r)
{
    for (size_t i = 0; i < r->nslabs; i++)
        free(r->slabs[i]);
    free(r->slabs);
    pthread_mutex_destroy(&r->slabs_lock);
}

/* A fresh batch of BATCH nodes (only while the pool grows). */
static bnode *recycler_grow(recycler *r)
{
    bnode *slab = aligned_alloc(64, CMN_ALIGN_UP(sizeof(bnode) * BATCH, (size_t)64));
    memset(slab, 0, sizeof(bnode) * BATCH);
    for (int i = 0; i < BATCH; i++)
        slab[i].chain = i + 1 < BATCH ? &slab[i + 1] : NULL;
    pthread_mutex_lock(&r->slabs_lock);
    if (r->nslabs == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->slabs = realloc(r->slabs, r->cap * sizeof *r->slabs);
    }
    r->slabs[r->nslabs++] = slab;
    pthread_mutex_unlock(&r->slabs_lock);
    return slab;
}

static bnode *recycler_get(recycler *r)
{
    ck_stack_entry_t *e = ck_stack_pop_mpmc(&r->stack);
    return e ? (bnode *)((char *)e - offsetof(bnode, link)) : recycler_grow(r);
}

static void recycler_put(recycler *r, bnode *first)
{
    ck_stack_push_mpmc(&r->stack, &first->link);
}

/* Puts `items` nodes (whole batches) on the stack ahead of the run, touched. */
static void recycler_reserve(recycler *r, uint64_t items)
{
    for (uint64_t n = 0; n < items; n += BATCH)
        recycler_put(r, recycler_grow(r));
}

/* Per-thread ends of the recycling: a batch being used, a batch being filled. */
typedef struct tctx {
    void *q;
    recycler *rec;
    bnode *take; /* producer: free nodes */
    bnode *fill; /* consumer: dequeued nodes */
    int nfill;
} tctx;

static bnode *take_node(tctx *t)
{
    if (t->take == NULL)
        t->take = recycler_get(t->rec);
    bnode *n = t->take;
    t->take = n->chain;
    return n;
}

/* Adds n to the consumer's batch; returns a full batch to hand back, else NULL. */
static bnode *collect_node(tctx *t, bnode *n)
{
    n->chain = t->fill;
    t->fill = n;
    if (++t->nfill < BATCH)
        return NULL;
    bnode *full = t->fill;
    t->fill = NULL;
    t->nfill = 0;
    return full;
}

static tctx *tctx_new(void *q, recycler *rec)
{
    tctx *t = calloc(1, sizeof *t);
    t->q = q;
    t->rec = rec;
    return t;
}

/* Leftover nodes are simply dropped: recycler_fini frees every slab. */
static void tctx_free(void *ctx)
{
    free(ctx);
}

/* --- Concurrency Kit ck_fifo_mpmc ------------------------------------------------------ */

typedef struct ckq {
    alignas(64) ck_fifo_mpmc_t fifo;
    recycler rec;
} ckq;

static void *ck_create(unsigned threads, uint64_t items)
{
    (void)threads;
    ckq *q = aligned_alloc(64, CMN_ALIGN_UP(sizeof(ckq), (size_t)64));
    memset(q, 0, sizeof *q);
    recycler_init(&q->rec);
    recycler_reserve(&q->rec, items);
    bnode *stub = recycler_get(&q->rec);
    recycler_put(&q->rec, stub->chain); /* keep the rest of the first batch */
    ck_fifo_mpmc_init(&q->fifo, &stub->u.ck);
    return q;
}

static void ck_destroy(void *p)
{
    ckq *q = p;
    recycler_fini(&q->rec);
    free(q);
}

static void *ck_begin(void *p, bool producer)
{
    (void)producer;
    return tctx_new(p, &((ckq *)p)->rec);
}

static bool ck_enq(void *ctx, uintptr_t v)
{
    tctx *t = ctx;
    bnode *n = take_node(t);
    ck_fifo_mpmc_enqueue(&((ckq *)t->q)->fifo, &n->u.ck, (void *)v);
    return true;
}

static bool ck_deq(void *ctx, uintptr_t *v)
{
    tctx *t = ctx;
    ck_fifo_mpmc_entry_t *garbage;
    void *val;
    if (!ck_fifo_mpmc_dequeue(&((ckq *)t->q)->fifo, &val, &garbage))
        return false;
    *v = (uintptr_t)val;
    bnode *full = collect_node(t, (bnode *)(void *)garbage);
    if (full)
        recycler_put(t->rec, full);
    return true;
}

const queue_impl impl_ck_fifo_mpmc = {"ck_fifo_mpmc", ck_create, ck_destroy, ck_begin,
                                      tctx_free,      ck_enq,    ck_deq};

/* --- liburcu wfcqueue ---------------------------------------------------------------- */

typedef struct wfq {
    alignas(64) struct cds_wfcq_head head;
    alignas(64) struct cds_wfcq_tail tail;
    recycler rec;
} wfq;

static void *wf_create(unsigned threads, uint64_t items)
{
    (void)threads;
    wfq *q = aligned_alloc(64, CMN_ALIGN_UP(sizeof(wfq), (size_t)64));
    memset(q, 0, sizeof *q);
    cds_wfcq_init(&q->head, &q->tail);
    recycler_init(&q->rec);
    recycler_reserve(&q->rec, items);
    return q;
}

static void wf_destroy(void *p)
{
    wfq *q = p;
    cds_wfcq_destroy(&q->head, &q->tail);
    recycler_fini(&q->rec);
    free(q);
}

static void *wf_begin(void *p, bool producer)
{
    (void)producer;
    return tctx_new(p, &((wfq *)p)->rec);
}

static bool wf_enq(void *ctx, uintptr_t v)
{
    tctx *t = ctx;
    wfq *q = t->q;
    bnode *n = take_node(t);
    cds_wfcq_node_init(&n->u.wf);
    n->value = v;
    cds_wfcq_enqueue(&q->head, &q->tail, &n->u.wf);
    return true;
}

static bool wf_deq(void *ctx, uintptr_t *v)
{
    tctx *t = ctx;
    wfq *q = t->q;
    struct cds_wfcq_node *node = cds_wfcq_dequeue_blocking(&q->head, &q->tail);
    if (node == NULL)
        return false;
    bnode *n = (bnode *)(void *)node;
    *v = n->value;
    bnode *full = collect_node(t, n);
    if (full)
        recycler_put(t->rec, full);
    return true;
}

const queue_impl impl_urcu_wfcq = {"urcu_wfcqueue", wf_create, wf_destroy, wf_begin,
                                   tctx_free,       wf_enq,    wf_deq};

/* --- liburcu rculfqueue ---------------------------------------------------------------- */

typedef struct lfq {
    alignas(64) struct cds_lfq_queue_rcu q;
    recycler rec;
} lfq;

static void lf_create_thread_reg(void)
{
    rcu_register_thread();
}

static void *lf_create(unsigned threads, uint64_t items)
{
    (void)threads;
    lfq *q = aligned_alloc(64, CMN_ALIGN_UP(sizeof(lfq), (size_t)64));
    memset(q, 0, sizeof *q);
    recycler_init(&q->rec);
    recycler_reserve(&q->rec, items);
    cds_lfq_init_rcu(&q->q, call_rcu);
    lf_create_thread_reg();
    return q;
}

static void lf_destroy(void *p)
{
    lfq *q = p;
    rcu_unregister_thread();
    rcu_barrier(); /* every batch's grace period has run its callback */
    /* Remaining: the queue's dummy node, which belongs to the library. */
    cds_lfq_destroy_rcu(&q->q);
    recycler_fini(&q->rec);
    free(q);
}

static void *lf_begin(void *p, bool producer)
{
    (void)producer;
    rcu_register_thread();
    return tctx_new(p, &((lfq *)p)->rec);
}

static void lf_end(void *ctx)
{
    rcu_unregister_thread();
    tctx_free(ctx);
}

static void lf_batch_done(struct rcu_head *head)
{
    bnode *first = (bnode *)((char *)head - offsetof(bnode, rcu));
    recycler_put(first->owner, first);
}

static bool lf_enq(void *ctx, uintptr_t v)
{
    tctx *t = ctx;
    bnode *n = take_node(t);
    cds_lfq_node_init_rcu(&n->u.lf);
    n->value = v;
    rcu_read_lock();
    cds_lfq_enqueue_rcu(&((lfq *)t->q)->q, &n->u.lf);
    rcu_read_unlock();
    return true;
}

static bool lf_deq(void *ctx, uintptr_t *v)
{
    tctx *t = ctx;
    rcu_read_lock();
    struct cds_lfq_node_rcu *node = cds_lfq_dequeue_rcu(&((lfq *)t->q)->q);
    rcu_read_unlock();
    if (node == NULL)
        return false;
    bnode *n = (bnode *)(void *)node;
    *v = n->value;
    bnode *full = collect_node(t, n);
    if (full) {
        /* One grace period per batch, not per node. */
        full->owner = t->rec;
        call_rcu(&full->rcu, lf_batch_done);
    }
    return true;
}

const queue_impl impl_urcu_lfq = {
    "urcu_rculfqueue", lf_create, lf_destroy, lf_begin, lf_end, lf_enq, lf_deq};

/* --- a mutex-protected ring buffer ------------------------------------------------------ */

#define RING 4096u

typedef struct ring {
    pthread_mutex_t lock;
    uint64_t head, tail; /* under lock */
    uintptr_t slot[RING];
} ring;

/* The ring keeps its fixed 4096 slots (a bounded ring is how one is used; its full
 * waits show in the bench's full/item counter). */
static void *ring_create(unsigned threads, uint64_t items)
{
    (void)threads;
    (void)items;
    ring *r = calloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    return r;
}

static void ring_destroy(void *p)
{
    ring *r = p;
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static void *ring_begin(void *p, bool producer)
{
    (void)producer;
    return p;
}

static void ring_end(void *ctx)
{
    (void)ctx;
}

static bool ring_enq(void *ctx, uintptr_t v)
{
    ring *r = ctx;
    pthread_mutex_lock(&r->lock);
    bool ok = r->tail - r->head < RING;
    if (ok)
        r->slot[r->tail++ % RING] = v;
    pthread_mutex_unlock(&r->lock);
    return ok;
}

static bool ring_deq(void *ctx, uintptr_t *v)
{
    ring *r = ctx;
    pthread_mutex_lock(&r->lock);
    bool ok = r->head != r->tail;
    if (ok)
        *v = r->slot[r->head++ % RING];
    pthread_mutex_unlock(&r->lock);
    return ok;
}

const queue_impl impl_mutex_ring = {"mutex_ring", ring_create, ring_destroy, ring_begin,
                                    ring_end,     ring_enq,    ring_deq};
