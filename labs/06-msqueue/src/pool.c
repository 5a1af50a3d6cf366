/* pool.c — the node pool: a per-handle cache in front of one global free chain.
 *
 * Every node of the queue comes from a fixed array made at msq_create. A thread keeps
 * free nodes in a private chain (no atomics); above MSQ_CACHE_MAX it hands a batch to
 * the global chain with one CAS, and when its cache is empty it takes the whole
 * global chain with one exchange. Taking *all* of it is what makes this free list
 * ABA-proof without tags: a Treiber pop must read top->next and CAS, which a recycled
 * top defeats; an exchange reads nothing from the nodes it removes. */
#include "msq_internal.h"

void msq_pool_init(msq_queue *q)
{
    /* Node 0 is the first dummy; 1..capacity-1 form the global free chain. */
    for (uint32_t i = 0; i < q->capacity; i++) {
        atomic_init(&q->nodes[i].next, ref_make(MSQ_NIL, 0));
        atomic_init(&q->nodes[i].value, 0);
        q->nodes[i].link = (i + 1 < q->capacity) ? i + 1 : MSQ_NIL;
    }
    atomic_init(&q->free_top, q->capacity > 1 ? 1u : MSQ_NIL);
}

/* Pushes the private chain first..last onto the global chain. */
static void global_push_chain(msq_queue *q, uint32_t first, uint32_t last)
{
    uint32_t top = atomic_load_explicit(&q->free_top, memory_order_relaxed);
    do {
        q->nodes[last].link = top;
        /* release: the chain's link fields (and everything the freeing thread did
         * with these nodes) must be visible to whoever takes the chain. Successive
         * pushes are RMWs, so they extend the release sequence and one acquire
         * exchange sees every earlier push. */
    } while (!atomic_compare_exchange_weak_explicit(&q->free_top, &top, first,
                                                    memory_order_release,
                                                    memory_order_relaxed));
}

uint32_t msq_node_alloc(msq_handle *h)
{
    msq_queue *q = h->q;
    if (h->cache_n == 0) {
        /* acquire: pairs with the release pushes above. */
        uint32_t chain = atomic_exchange_explicit(&q->free_top, MSQ_NIL, memory_order_acquire);
        uint32_t n = 0;
        for (uint32_t i = chain; i != MSQ_NIL; i = q->nodes[i].link)
            n++;
        h->cache_head = chain;
        h->cache_n = n;
        if (n == 0)
            return MSQ_NIL;
    }
    uint32_t idx = h->cache_head;
    h->cache_head = q->nodes[idx].link;
    h->cache_n--;
    return idx;
}

void msq_node_free(msq_handle *h, uint32_t idx)
{
    msq_queue *q = h->q;
    q->nodes[idx].link = h->cache_head;
    h->cache_head = idx;
    if (++h->cache_n <= MSQ_CACHE_MAX)
        return;
    uint32_t first = h->cache_head, last = first;
    for (uint32_t i = 1; i < MSQ_CACHE_SPILL; i++)
        last = q->nodes[last].link;
    h->cache_head = q->nodes[last].link;
    h->cache_n -= MSQ_CACHE_SPILL;
    global_push_chain(q, first, last);
}

size_t msq_pool_free_count(const msq_queue *q)
{
    size_t n = 0;
    for (uint32_t i = atomic_load_explicit(&q->free_top, memory_order_acquire); i != MSQ_NIL;
         i = q->nodes[i].link)
        n++;
    for (uint32_t t = 0; t < q->max_threads; t++)
        n += q->handles[t].cache_n;
    return n;
}
