/* pool.c — the node pool: a per-handle cache in front of a global stack of batches.
 *
 * Every node of the queue comes from a fixed array made at msq_create. A thread keeps
 * free nodes in a private chain (no atomics); when it is empty it pops one batch.
 * Nodes come back only as whole chains: a limbo bucket that became safe, the nodes a
 * hazard scan found unprotected (kept in the scanner's cache when they fit), an idle
 * thread's cache; each goes on the global stack as one batch, with one CAS. The global stack is a Treiber stack whose elements are batches, and
 * its pop is the textbook ABA case: a thread reads top = A and A's successor B, stalls,
 * and meanwhile A and B are popped and A is pushed back; an untagged CAS(top, A, B)
 * would then succeed and hand out B twice. The top is therefore a tagged reference. */
#include "msq_internal.h"

/* Pushes the private chain starting at first (linked by `link`, n nodes) as one batch. */
static void global_push_batch(msq_queue *q, uint32_t first, uint32_t n)
{
    q->nodes[first].batch_n = n;
    uint64_t top = atomic_load_explicit(&q->free_top, memory_order_relaxed);
    do {
        atomic_store_explicit(&q->nodes[first].batch_next, ref_idx(top), memory_order_relaxed);
        /* release: the batch's link fields (and everything the freeing thread did
         * with these nodes) happen before the pop that takes the batch. */
    } while (!atomic_compare_exchange_weak_explicit(&q->free_top, &top,
                                                    ref_make(first, ref_tag(top) + 1),
                                                    memory_order_release, memory_order_relaxed));
}

/* Pops one batch; returns its first node or MSQ_NIL. */
static uint32_t global_pop_batch(msq_queue *q)
{
    /* acquire (load and CAS): pairs with the release push of the batch we take. */
    uint64_t top = atomic_load_explicit(&q->free_top, memory_order_acquire);
    for (;;) {
        if (ref_idx(top) == MSQ_NIL)
            return MSQ_NIL;
        /* The node may be popped and reused while we read this; the read is atomic
         * (no data race) and a stale value is caught by the tag in the CAS. */
        uint32_t next =
            atomic_load_explicit(&q->nodes[ref_idx(top)].batch_next, memory_order_relaxed);
        /* SOLUTION BEGIN: CAS top to (next, tag + 1); the tag is what stops ABA here */
        if (atomic_compare_exchange_weak_explicit(&q->free_top, &top,
                                                  ref_make(next, ref_tag(top) + 1),
                                                  memory_order_acquire, memory_order_acquire))
            return ref_idx(top);
        /* SOLUTION END */
    }
}

void msq_pool_init(msq_queue *q)
{
    /* Node 0 is the first dummy; 1..capacity-1 are cut into batches of cache_max:
     * [1 .. B], [B+1 .. 2B], ... each linked by `link` and pushed on the stack. */
    uint32_t batch = q->cache_max, top = MSQ_NIL;
    for (uint32_t i = 0; i < q->capacity; i++) {
        atomic_init(&q->nodes[i].next, ref_make(MSQ_NIL, 0));
        atomic_init(&q->nodes[i].value, 0);
        atomic_init(&q->nodes[i].batch_next, MSQ_NIL);
        bool last = i == 0 || i + 1 == q->capacity || (i - 1) % batch == batch - 1;
        q->links[i] = last ? MSQ_NIL : i + 1;
        if (i > 0 && (i - 1) % batch == 0) {
            uint32_t left = q->capacity - i;
            q->nodes[i].batch_n = left < batch ? left : batch;
            atomic_init(&q->nodes[i].batch_next, top);
            top = i;
        }
    }
    atomic_init(&q->free_top, ref_make(top, 0));
}

bool msq_cache_refill(msq_handle *h)
{
    uint32_t chain = global_pop_batch(h->q);
    if (chain == MSQ_NIL)
        return false;
    h->cache_head = chain;
    h->cache_n = h->q->nodes[chain].batch_n; /* no walk: the pusher wrote the length */
    return true;
}

/* msq_node_alloc is inline, in msq_internal.h. */

void msq_pool_free_chain(msq_handle *h, uint32_t first, uint32_t n)
{
    /* One batch, whatever its length: no walk over the chain, one CAS. The nodes go
     * to whoever allocates next (in a producer/consumer split, not this thread). */
    if (n > 0)
        global_push_batch(h->q, first, n);
}

void msq_cache_flush(msq_handle *h)
{
    if (h->cache_n == 0)
        return;
    global_push_batch(h->q, h->cache_head, h->cache_n);
    h->cache_head = MSQ_NIL;
    h->cache_n = 0;
}

size_t msq_pool_free_count(const msq_queue *q)
{
    size_t n = 0;
    for (uint32_t b = ref_idx(atomic_load_explicit(&q->free_top, memory_order_acquire));
         b != MSQ_NIL; b = atomic_load_explicit(&q->nodes[b].batch_next, memory_order_relaxed))
        for (uint32_t i = b; i != MSQ_NIL; i = q->links[i])
            n++;
    for (uint32_t t = 0; t < q->max_threads; t++)
        n += q->handles[t].cache_n;
    return n;
}
