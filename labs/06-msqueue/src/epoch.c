/* epoch.c — epoch-based reclamation (Fraser, 2004), the scheme crossbeam and the
 * Linux kernel's RCU are relatives of.
 *
 * A thread "pins" the global epoch while it touches the queue: it announces the epoch
 * it saw and a fence orders that announcement before any read of the queue. A
 * dequeued node goes into the dequeuer's limbo bucket for the global epoch e it read
 * after unlinking. The epoch only moves from g to g+1 when every pinned thread has
 * announced g, so once it reaches e+2 every thread that could have seen the node has
 * unpinned since: the bucket is reused. One pinned thread that stalls stops the epoch
 * and therefore all reclamation: garbage is unbounded (the test for it proves it). */
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "msq_internal.h"

/* The asymmetric fence. A pinning reader needs its announcement ordered before its
 * reads of the queue (store->load), which costs a full fence on every operation. But
 * the only thread that needs that order is an advancer, which runs once per hundreds
 * of operations. membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) makes every CPU that
 * runs one of our threads execute a full barrier before it returns, so the advancer
 * can pay for both sides and readers keep only a compiler barrier. This is how
 * liburcu's "memb" flavour and Linux's own RCU work; it is outside C11's model (a
 * system call is the other half of the fence), so ThreadSanitizer builds and kernels
 * without membarrier use the plain fence on both sides. */
bool msq_ebr_asym_available(void)
{
#ifdef MSQ_TSAN
    return false;
#else
    static _Atomic int asym_state; /* 0 unknown, 1 available, 2 not available */
    int st = atomic_load_explicit(&asym_state, memory_order_acquire);
    if (st == 0) {
        long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
        bool ok = cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
                  syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
        st = ok ? 1 : 2;
        atomic_store_explicit(&asym_state, st, memory_order_release);
    }
    return st == 1;
#endif
}

/* The advancer's half: a full barrier here and on every CPU running our threads. */
void msq_heavy_fence(bool asym)
{
    if (!asym || syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
        MSQ_FENCE_SC(); /* (membarrier cannot fail once registered; if it did, q->ebr_asym
                         * would have to be off for readers too: see msq_create) */
}

static void heavy_fence(msq_queue *q)
{
    msq_heavy_fence(q->ebr_asym);
}

/* msq_ebr_enter and msq_ebr_exit are inline, in msq_internal.h. */

/* A bucket's chain goes back to the pool whole, as one batch: no per-node work. */
static size_t free_bucket(msq_handle *h, uint32_t b)
{
    uint32_t n = h->limbo_n[b];
    msq_pool_free_chain(h, h->limbo_head[b], n);
    h->limbo_head[b] = MSQ_NIL;
    h->limbo_n[b] = 0;
    h->limbo_total -= n;
    return n;
}


/* Moves the global epoch forward if every pinned thread has seen the current one. */
static void try_advance(msq_queue *q)
{
    /* Pairs with the fence in msq_ebr_enter: a thread whose announcement we do not
     * see below will see every unlink we (and those before us) made. */
    heavy_fence(q);
    uint64_t g = atomic_load_explicit(&q->epoch, memory_order_relaxed);
    /* SOLUTION BEGIN: give up if any pinned thread announced another epoch; else CAS g -> g + 1 */
    for (uint32_t t = 0; t < q->max_threads; t++) {
        uint64_t v = atomic_load_explicit(&q->handles[t].epoch, memory_order_acquire);
        if ((v & 1u) && (v >> 1) != g)
            return;
    }
    /* release/acquire on the epoch word: whoever reads the new epoch also sees the
     * unpins we observed. Failure is fine: somebody else advanced it. */
    atomic_compare_exchange_strong_explicit(&q->epoch, &g, g + 1, memory_order_acq_rel,
                                            memory_order_relaxed);
    /* SOLUTION END */
}

size_t msq_ebr_collect(msq_handle *h)
{
    try_advance(h->q);
    uint64_t g = atomic_load_explicit(&h->q->epoch, memory_order_acquire);
    size_t freed = 0;
    for (uint32_t b = 0; b < 3; b++)
        if (h->limbo_n[b] > 0 && h->limbo_epoch[b] + 2 <= g)
            freed += free_bucket(h, b);
    msq_publish_garbage(h, h->limbo_total);
    return freed;
}

/* The rest of msq_ebr_retire (msq_internal.h), when the epoch moved since our last
 * retirement or an advance attempt is due. */
void msq_ebr_retire_slow(msq_handle *h, uint32_t idx, uint64_t g)
{
    uint32_t b = h->limbo_cur;
    if (h->limbo_epoch[b] != g || h->limbo_n[b] == 0) {
        /* Switch buckets. The bucket for g mod 3 last held epoch g-3 or older:
         * already safe. */
        b = (uint32_t)(g % 3);
        if (h->limbo_n[b] > 0 && h->limbo_epoch[b] != g)
            free_bucket(h, b);
        h->limbo_epoch[b] = g;
        h->limbo_cur = b;
    }
    msq_ebr_limbo_push(h, b, idx);
    if (++h->since_advance >= h->q->ebr_period) {
        h->since_advance = 0;
        msq_ebr_collect(h);
    }
}
