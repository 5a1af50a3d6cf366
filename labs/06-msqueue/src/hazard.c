/* hazard.c — hazard pointers (Michael, 2004) over pool indices.
 *
 * Before reading a node, a thread publishes its index in one of its two hazard slots
 * and then re-reads the word it got the index from: if the word is unchanged, the
 * node was still in the queue *after* the slot was visible, so any later scan will
 * see the slot. A dequeued node goes on its dequeuer's retired chain; when that chain
 * reaches hp_threshold = max(2 * H, 64) nodes (H = 2 * max_threads slots in all; up to
 * MSQ_EBR_PERIOD_MAX instead of 64 when the scan uses membarrier, see msq_create), a scan
 * snapshots every slot and frees the retired nodes nobody protects. At most H survive
 * a scan, so no handle ever holds more than hp_threshold retired nodes: that is the
 * bound msq_unreclaimed_bound() reports and the tests check. */
#include <stdlib.h>

#include "msq_internal.h"

/* msq_hp_protect and msq_hp_clear are inline, in msq_internal.h: they run on every
 * operation. */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static bool is_hazard(const uint32_t *set, size_t n, uint32_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && set[lo] == v;
}

size_t msq_hp_scan(msq_handle *h)
{
    msq_queue *q = h->q;
    /* Pairs with the fence in msq_hp_protect (see there). */
    msq_heavy_fence(q->hp_asym);
    size_t nh = 0;
    uint32_t keep = MSQ_NIL, kept = 0, gone = MSQ_NIL, gone_last = MSQ_NIL;
    size_t freed = 0;
    /* SOLUTION BEGIN: snapshot every hazard slot (sorted), then chain each retired node nobody protects into gone */
    for (uint32_t t = 0; t < q->max_threads; t++)
        for (int s = 0; s < 2; s++) {
            uint32_t v = atomic_load_explicit(&q->handles[t].hp[s], memory_order_acquire);
            if (v != 0)
                h->scratch[nh++] = v - 1;
        }
    qsort(h->scratch, nh, sizeof h->scratch[0], cmp_u32);
    for (uint32_t i = h->retired_head; i != MSQ_NIL;) {
        uint32_t nxt = q->links[i];
        if (is_hazard(h->scratch, nh, i)) {
            q->links[i] = keep;
            keep = i;
            kept++;
        } else {
            if (gone == MSQ_NIL)
                gone_last = i;
            q->links[i] = gone;
            gone = i;
            freed++;
        }
        i = nxt;
    }
    /* SOLUTION END */
    /* The free ones go back as one chain, no per-node work: into our own cache if it
     * has room (reused first, LIFO), else to the pool as one batch with one CAS. */
    if (freed > 0 && h->cache_n + freed <= q->cache_max) {
        q->links[gone_last] = h->cache_head;
        h->cache_head = gone;
        h->cache_n += (uint32_t)freed;
    } else {
        msq_pool_free_chain(h, gone, (uint32_t)freed);
    }
    h->retired_head = keep;
    h->retired_n = kept;
    msq_publish_garbage(h, kept);
    return freed;
}

void msq_hp_retire(msq_handle *h, uint32_t idx)
{
    h->q->links[idx] = h->retired_head;
    h->retired_head = idx;
    h->retired_n++;
    msq_publish_garbage(h, h->retired_n);
    /* (The pending node counts against the bound too.) */
    if (h->retired_n + (h->pending != MSQ_NIL) >= h->q->hp_threshold)
        msq_hp_scan(h);
}
