/* queue.c — the Michael–Scott queue (PODC 1996) on tagged pool indices.
 *
 * head points at the dummy node, whose successor holds the oldest value; tail points
 * at the last node or, briefly, its predecessor (an enqueue links first and swings
 * tail second, and any thread that sees tail lagging swings it for the enqueuer).
 * Each operation brackets its reads with the queue's reclamation scheme (hazard
 * slots, or a pinned epoch), and every CAS writes a new tag. Orderings are the
 * weakest that are correct; each says why beside it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "msq_internal.h"

#ifdef MSQ_TSAN
_Atomic uint64_t msq_tsan_fence_word;
#endif

const char *msq_reclaim_name(msq_reclaim r)
{
    return r == MSQ_RECLAIM_HP ? "hp" : r == MSQ_RECLAIM_EBR ? "ebr" : "?";
}

const char *msq_config_error(const msq_config *cfg)
{
    if (cfg == NULL)
        return "msq_config: NULL pointer";
    if (cfg->capacity < 2)
        return "msq_config.capacity: must be at least 2 (one node is always the dummy)";
    if (cfg->capacity > MSQ_MAX_CAPACITY)
        return "msq_config.capacity: must be below 2^32 - 1 (indices are 32-bit)";
    if (cfg->max_threads < 1 || cfg->max_threads > MSQ_MAX_THREADS)
        return "msq_config.max_threads: must be between 1 and MSQ_MAX_THREADS (256)";
    if (cfg->reclaim != MSQ_RECLAIM_HP && cfg->reclaim != MSQ_RECLAIM_EBR)
        return "msq_config.reclaim: must be MSQ_RECLAIM_HP or MSQ_RECLAIM_EBR";
    return NULL;
}

static void handle_init(msq_queue *q, msq_handle *h, uint32_t *scratch)
{
    memset(h, 0, sizeof *h);
    atomic_init(&h->hp[0], 0);
    atomic_init(&h->hp[1], 0);
    atomic_init(&h->epoch, 0);
    atomic_init(&h->in_use, 0);
    atomic_init(&h->garbage, 0);
    h->q = q;
    h->cache_head = h->retired_head = h->pending = MSQ_NIL;
    for (int b = 0; b < 3; b++)
        h->limbo_head[b] = MSQ_NIL;
    h->scratch = scratch;
}

int msq_create(const msq_config *cfg, msq_queue **out)
{
    if (msq_config_error(cfg) != NULL)
        return -EINVAL;
    msq_queue *q = aligned_alloc(CMN_CACHE_LINE, sizeof *q);
    if (q == NULL)
        return -ENOMEM;
    memset(q, 0, sizeof *q);
    q->capacity = cfg->capacity;
    q->max_threads = cfg->max_threads;
    q->reclaim = cfg->reclaim;
    /* Scale the per-thread hoards to the pool, so a small pool is not all sitting in
     * caches and garbage lists: a scan every max(2H, min(64, share)) retirements
     * (H = hazard slots; 2H is the least that frees >= H nodes per scan), and a cache
     * of min(128, share) nodes, where share = capacity / (4 * max_threads). */
    uint32_t slots = 2 * cfg->max_threads;
    uint32_t share = cfg->capacity / (4 * cfg->max_threads);
    uint32_t amortise = share < 64 ? share : 64;
    /* With the asymmetric fence a scan costs a system call: scan every
     * min(MSQ_EBR_PERIOD_MAX, share) retirements instead (the bound grows with it). */
    q->hp_asym = cfg->reclaim == MSQ_RECLAIM_HP && msq_ebr_asym_available();
    if (q->hp_asym)
        amortise = share < MSQ_EBR_PERIOD_MAX ? share : MSQ_EBR_PERIOD_MAX;
    q->hp_threshold = 2 * slots > amortise ? 2 * slots : amortise;
    q->cache_max = share < MSQ_CACHE_MAX ? (share > 2 ? share : 2) : MSQ_CACHE_MAX;
    /* Epochs: with the asymmetric fence an advance costs a system call, so advance
     * rarely (up to every MSQ_EBR_PERIOD_MAX retirements, within a third of the
     * thread's share of the pool). */
    q->ebr_asym = cfg->reclaim == MSQ_RECLAIM_EBR && msq_ebr_asym_available();
    uint32_t period = q->ebr_asym ? share / 3 : MSQ_EBR_PERIOD;
    period = period < MSQ_EBR_PERIOD ? MSQ_EBR_PERIOD : period;
    q->ebr_period = period > MSQ_EBR_PERIOD_MAX ? MSQ_EBR_PERIOD_MAX : period;
    size_t nbytes = CMN_ALIGN_UP(sizeof(msq_node) * (size_t)cfg->capacity, (size_t)CMN_CACHE_LINE);
    q->nodes = aligned_alloc(CMN_CACHE_LINE, nbytes);
    q->handles = aligned_alloc(CMN_CACHE_LINE, sizeof(msq_handle) * cfg->max_threads);
    q->links = calloc(cfg->capacity, sizeof *q->links);
    uint32_t *scratch = calloc((size_t)slots * cfg->max_threads, sizeof *scratch);
    if (q->nodes == NULL || q->handles == NULL || q->links == NULL || scratch == NULL) {
        free(q->links);
        free(q->nodes);
        free(q->handles);
        free(scratch);
        free(q);
        return -ENOMEM;
    }
    for (uint32_t t = 0; t < cfg->max_threads; t++)
        handle_init(q, &q->handles[t], scratch + (size_t)t * slots);
    msq_pool_init(q);
    atomic_init(&q->head, ref_make(0, 0));
    atomic_init(&q->tail, ref_make(0, 0));
    atomic_init(&q->epoch, 2); /* start at 2 so "epoch + 2 <= g" never underflows */
    *out = q;
    return 0;
}

void msq_destroy(msq_queue *q)
{
    if (q == NULL)
        return;
    free(q->handles[0].scratch);
    free(q->handles);
    free(q->links);
    free(q->nodes);
    free(q);
}

msq_handle *msq_register(msq_queue *q)
{
    for (uint32_t t = 0; t < q->max_threads; t++) {
        uint32_t expect = 0;
        /* acquire: we take over the slot's owner-only state from its last owner,
         * whose msq_unregister released it. */
        if (atomic_compare_exchange_strong_explicit(&q->handles[t].in_use, &expect, 1,
                                                    memory_order_acquire, memory_order_relaxed))
            return &q->handles[t];
    }
    return NULL;
}

void msq_unregister(msq_handle *h)
{
    msq_reclaim_now(h);
    msq_cache_flush(h);
    atomic_store_explicit(&h->in_use, 0, memory_order_release);
}

static inline void retire(msq_handle *h, bool hp, uint32_t idx)
{
    /* SOLUTION BEGIN: hand the old dummy to the reclamation scheme, never straight to the pool */
    if (hp)
        msq_hp_retire(h, idx);
    else
        msq_ebr_retire(h, idx);
    /* SOLUTION END */
}

/* Retires h's pending old dummy (see msq_dequeue), first making sure tail is off it:
 * if tail still names it (its enqueuer has not swung tail yet), swing tail to its
 * successor ourselves; a failed CAS means somebody else moved it forward. */
static void pending_flush(msq_handle *h)
{
    uint32_t old = h->pending;
    if (old == MSQ_NIL)
        return;
    msq_queue *q = h->q;
    /* acquire: a swing past old by another thread happens before our retirement. */
    uint64_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    if (ref_idx(tail) == old) {
        /* old is ours until we retire it, and its next is fixed since we unlinked it. */
        uint32_t ni = ref_idx(atomic_load_explicit(&q->nodes[old].next, memory_order_relaxed));
        atomic_compare_exchange_strong_explicit(&q->tail, &tail, ref_make(ni, ref_tag(tail) + 1),
                                                memory_order_acq_rel, memory_order_acquire);
    }
    h->pending = MSQ_NIL;
    retire(h, q->reclaim == MSQ_RECLAIM_HP, old);
}

size_t msq_reclaim_now(msq_handle *h)
{
    pending_flush(h);
    return h->q->reclaim == MSQ_RECLAIM_HP ? msq_hp_scan(h) : msq_ebr_collect(h);
}

size_t msq_unreclaimed(const msq_queue *q)
{
    size_t n = 0;
    for (uint32_t t = 0; t < q->max_threads; t++)
        n += atomic_load_explicit(&q->handles[t].garbage, memory_order_relaxed);
    return n;
}

size_t msq_unreclaimed_bound(const msq_queue *q)
{
    if (q->reclaim == MSQ_RECLAIM_EBR)
        return SIZE_MAX;
    return (size_t)q->max_threads * q->hp_threshold;
}

size_t msq_free_nodes(const msq_queue *q)
{
    return msq_pool_free_count(q);
}

/* --- the two operations --------------------------------------------------------- */

/* Reads q->tail and protects the node it names; returns the tagged tail. */
static uint64_t protected_tail(msq_handle *h, bool hp)
{
    msq_queue *q = h->q;
    /* acquire: pairs with the release CAS that swung tail here, so the node's
     * initialisation (next = NIL) is visible before we read its next field. */
    uint64_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    if (!hp)
        return tail;
    for (;;) {
        msq_hp_protect(h, 0, ref_idx(tail));
        /* seq_cst: the re-read must come after the hazard in the total order (with
         * q->hp_asym the scanner's membarrier orders them instead: msq_hp_protect). */
        uint64_t again = atomic_load_explicit(&q->tail, memory_order_seq_cst);
        if (again == tail)
            return tail;
        tail = again;
    }
}

static uint64_t protected_head(msq_handle *h, bool hp)
{
    msq_queue *q = h->q;
    /* acquire: pairs with the release CAS that made this node the dummy. */
    uint64_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    if (!hp)
        return head;
    /* SOLUTION BEGIN: publish the hazard, re-read head (seq_cst); until they agree */
    for (;;) {
        msq_hp_protect(h, 0, ref_idx(head));
        /* seq_cst: the re-read must come after the hazard in the total order (with
         * q->hp_asym the scanner's membarrier orders them instead: msq_hp_protect). */
        uint64_t again = atomic_load_explicit(&q->head, memory_order_seq_cst);
        if (again == head)
            return head;
        head = again;
    }
    /* SOLUTION END */
}

static inline void op_begin(msq_handle *h, bool hp)
{
    if (!hp)
        msq_ebr_enter(h);
}

static inline void op_end(msq_handle *h, bool hp)
{
    if (hp)
        msq_hp_clear(h);
    else
        msq_ebr_exit(h);
}

/* Links node n after the current last node; returns the tagged tail it linked to. */
static uint64_t link_at_tail(msq_handle *h, uint32_t n, bool hp)
{
    msq_queue *q = h->q;
    msq_backoff bo;
    msq_backoff_init(&bo);
    /* SOLUTION BEGIN: read tail, then tail->next; if next is NIL CAS it to n, else help swing tail */
    for (;;) {
        uint64_t tail = protected_tail(h, hp);
        msq_node *last = &q->nodes[ref_idx(tail)];
        /* acquire: if another enqueue linked a node here, we may swing tail to it
         * and later enqueuers will read that node's next: its init must be visible. */
        uint64_t next = atomic_load_explicit(&last->next, memory_order_acquire);
        /* Consistent snapshot: tail has not moved (same index AND tag) since we read
         * it, so `next` really is the successor of the current last node. */
        if (tail != atomic_load_explicit(&q->tail, memory_order_acquire))
            continue;
        if (ref_idx(next) == MSQ_NIL) {
            /* release: publishes n's value and next before anyone can reach n. The
             * linearisation point of enqueue. */
            if (atomic_compare_exchange_weak_explicit(&last->next, &next,
                                                      ref_make(n, ref_tag(next) + 1),
                                                      memory_order_release, memory_order_relaxed))
                return tail;
            msq_backoff_pause(&bo);
        } else {
            /* tail lags behind the last node: help the other enqueuer. release:
             * whoever reads tail next must see that node's initialisation. */
            atomic_compare_exchange_strong_explicit(&q->tail, &tail,
                                                    ref_make(ref_idx(next), ref_tag(tail) + 1),
                                                    memory_order_release, memory_order_relaxed);
        }
    }
    /* SOLUTION END */
}

int msq_enqueue(msq_handle *h, uintptr_t value)
{
    msq_queue *q = h->q;
    bool hp = q->reclaim == MSQ_RECLAIM_HP;
    uint32_t n = msq_node_alloc(h);
    if (n == MSQ_NIL) {
        /* Pool dry for us: recycle our own garbage, if any (a pure producer has none,
         * and an epoch advance attempt can cost a system call). */
        if (atomic_load_explicit(&h->garbage, memory_order_relaxed) != 0)
            msq_reclaim_now(h);
        n = msq_node_alloc(h);
        if (n == MSQ_NIL)
            return -EAGAIN;
    }
    msq_node *node = &q->nodes[n];
    /* relaxed: nobody can reach n until the release CAS that links it. */
    atomic_store_explicit(&node->value, value, memory_order_relaxed);
    /* SOLUTION BEGIN: keep the next field's tag counting when you reset it to NIL */
    uint64_t old = atomic_load_explicit(&node->next, memory_order_relaxed);
    atomic_store_explicit(&node->next, ref_make(MSQ_NIL, ref_tag(old) + 1), memory_order_relaxed);
    /* SOLUTION END */
    op_begin(h, hp);
    uint64_t tail = link_at_tail(h, n, hp);
    /* Swing tail to n; failure means another thread already helped. release: as
     * for every tail swing. */
    atomic_compare_exchange_strong_explicit(&q->tail, &tail, ref_make(n, ref_tag(tail) + 1),
                                            memory_order_release, memory_order_relaxed);
    op_end(h, hp);
    return 0;
}

/* One dequeue attempt loop; returns the old dummy's index or MSQ_NIL when empty. */
static uint32_t unlink_head(msq_handle *h, bool hp, uintptr_t *out)
{
    msq_queue *q = h->q;
    msq_backoff bo;
    msq_backoff_init(&bo);
    /* SOLUTION BEGIN: read head, head->next; validate head; empty, or read the value and CAS head */
    for (;;) {
        uint64_t head = protected_head(h, hp);
        /* acquire: pairs with the release CAS that linked the successor, making its
         * value visible. */
        uint64_t next = atomic_load_explicit(&q->nodes[ref_idx(head)].next, memory_order_acquire);
        uint32_t ni = ref_idx(next);
        if (hp && ni != MSQ_NIL)
            msq_hp_protect(h, 1, ni);
        /* Validate: head unchanged (index and tag) means head was still the dummy
         * when we read its next, and next is not yet dequeued, so it is protected
         * (its slot was set before this re-read) and not retired. */
        if (head !=
            atomic_load_explicit(&q->head, hp ? memory_order_seq_cst : memory_order_acquire))
            continue;
        if (ni == MSQ_NIL)
            return MSQ_NIL; /* empty: linearised at the read of head->next */
        /* relaxed: made visible by the acquire load of next above. Read before the
         * CAS: once it succeeds, another dequeuer may unlink and retire ni. */
        uintptr_t v = atomic_load_explicit(&q->nodes[ni].value, memory_order_relaxed);
        /* release: the next dequeuer (acquire load of head) must see what we saw of
         * ni, including its next field's initialisation. Linearisation point. Tail
         * may still name head here (its enqueuer has not swung it yet): head passes
         * it, which is why the old dummy is not retired at once (msq_dequeue). */
        if (atomic_compare_exchange_weak_explicit(&q->head, &head, ref_make(ni, ref_tag(head) + 1),
                                                  memory_order_release, memory_order_relaxed)) {
            *out = v;
            /* ni is our protected new dummy; its successor holds the next value a
             * dequeue will read, on a line the producer wrote: start fetching it
             * (for reading: taking it exclusive would steal it from the producer). */
            uint32_t nn = ref_idx(atomic_load_explicit(&q->nodes[ni].next, memory_order_relaxed));
            if (nn != MSQ_NIL)
                MSQ_PREFETCH_R(&q->nodes[nn]);
            return ref_idx(head);
        }
        msq_backoff_pause(&bo);
    }
    /* SOLUTION END */
}

/* Empty check without protection or barrier: pool memory is never unmapped and
 * `next` is atomic, so reading a node that was recycled under us is harmless, and the
 * tag makes "head unchanged" exact. If head is the same word before and after we read
 * its next as NIL, the queue was empty at that read: a valid linearisation point. */
static bool surely_empty(msq_queue *q)
{
    uint64_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    uint64_t next = atomic_load_explicit(&q->nodes[ref_idx(head)].next, memory_order_acquire);
    return ref_idx(next) == MSQ_NIL && atomic_load_explicit(&q->head, memory_order_acquire) == head;
}

int msq_dequeue(msq_handle *h, uintptr_t *out)
{
    bool hp = h->q->reclaim == MSQ_RECLAIM_HP;
    uint32_t old = MSQ_NIL;
    /* The unprotected look first only while polling an empty queue (idle_polls > 0):
     * after a success the queue is most likely not empty, and the look would be
     * three loads and a branch for nothing. */
    if (h->idle_polls == 0 || !surely_empty(h->q)) {
        op_begin(h, hp);
        old = unlink_head(h, hp, out);
        op_end(h, hp);
    }
    if (old == MSQ_NIL) {
        /* Idle consumer: after a run of empty polls, give back what it holds, so
         * producers are not starved of nodes that sit in our garbage or cache while
         * nothing arrives. (Not on every poll: a consumer that is merely faster than
         * its producer would hammer the free stack with one-node batches.) */
        if (++h->idle_polls >= MSQ_IDLE_POLLS) {
            h->idle_polls = 0;
            pending_flush(h);
            /* (Only with a bucket's worth where a scan or advance costs a system
             * call: the membarrier would interrupt the producers' CPUs too.) */
            size_t g = atomic_load_explicit(&h->garbage, memory_order_relaxed);
            size_t worth = !hp ? h->q->ebr_period : h->q->hp_asym ? h->q->hp_threshold / 2 : 1;
            if (g != 0 && g >= worth)
                msq_reclaim_now(h);
            msq_cache_flush(h);
        }
        return -EAGAIN;
    }
    h->idle_polls = 0;
    /* Our CAS may have moved head past a lagging tail, and a node tail names must not
     * be retired (an enqueuer could follow tail into it after its reuse). Reading
     * tail here to check would cost a cache miss on every item (every enqueue writes
     * tail). Instead the old dummy waits, pending, until our next successful dequeue:
     * that one moved head past old's successor, which some enqueuer linked a node
     * after, having read tail == that successor; so tail is past old for good. */
    uint32_t prev = h->pending;
    h->pending = old;
    if (prev != MSQ_NIL)
        retire(h, hp, prev);
    else
        msq_publish_garbage(h, hp ? h->retired_n : h->limbo_total);
    return 0;
}
