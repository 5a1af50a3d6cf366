/* msq_internal.h — the queue's layout, shared by the queue, the pool and the two
 * reclamation schemes.
 *
 * A reference to a node is a 64-bit word: the node's pool index in the low 32 bits,
 * a generation tag in the high 32. Every successful CAS on head, tail or a `next`
 * field writes tag+1, so a word that left a value and came back to the same index
 * (the ABA pattern) no longer compares equal. Fields written by other threads are
 * atomics on their own cache lines; fields only the owner touches are plain. */
#ifndef MSQ_INTERNAL_H
#define MSQ_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/align.h"
#include "msq.h"
#include "msq_arch.h"

#define MSQ_NIL UINT32_MAX

static inline uint32_t ref_idx(uint64_t r)
{
    return (uint32_t)r;
}

static inline uint32_t ref_tag(uint64_t r)
{
    return (uint32_t)(r >> 32);
}

static inline uint64_t ref_make(uint32_t idx, uint32_t tag)
{
    return ((uint64_t)tag << 32) | idx;
}

typedef struct msq_node {
    /* One node per cache line: the producer filling node k+1 must not steal the line
     * the consumer is reading node k from. */
    CMN_CACHE_ALIGNED _Atomic uint64_t next; /* tagged ref to the successor; NIL at the tail */
    _Atomic uintptr_t value;     /* written before the node is linked, read by one dequeuer */
    _Atomic uint32_t batch_next; /* global free stack: the next batch (read by racing pops) */
    uint32_t batch_n;            /* first node of a pushed batch: its length (owner only) */
} msq_node;

/* The pool starts cut into batches of MSQ_CACHE_MAX nodes (fewer for small pools, see
 * msq_create): what one refill of a thread's cache takes at first. */
#define MSQ_CACHE_MAX 128u
/* Empty dequeues in a row after which a consumer hands back its cache and garbage. */
#define MSQ_IDLE_POLLS 256u
/* Epoch scheme: try to advance the global epoch every ebr_period retirements, between
 * MSQ_EBR_PERIOD and MSQ_EBR_PERIOD_MAX (see msq_create). The maximum applies with the
 * asymmetric fence, whose membarrier costs about 14 us on the course VM (an IPI to
 * every CPU running one of our threads): every 1024 retirements that was ~14 ns per
 * item, the consumer's largest cost; every 16384 it is under 1 ns. Hazard-pointer
 * scans with membarrier use the same maximum. */
#define MSQ_EBR_PERIOD 64u
#define MSQ_EBR_PERIOD_MAX 16384u

struct msq_handle {
    /* Read by other threads (hazard scans, epoch advances): its own line. */
    CMN_CACHE_ALIGNED _Atomic uint32_t hp[2]; /* protected index + 1, 0 = none */
    _Atomic uint64_t epoch;                   /* (epoch << 1) | active */
    _Atomic uint32_t in_use;
    _Atomic size_t garbage; /* published count of unreclaimed nodes */
    /* Owner-only state: a separate line so scans do not bounce it. */
    CMN_CACHE_ALIGNED msq_queue *q;
    uint32_t cache_head, cache_n;       /* local free nodes, chained by link */
    uint32_t retired_head, retired_n;   /* hazard pointers: retired, chained by link */
    uint32_t limbo_head[3], limbo_n[3]; /* epochs: retired per epoch % 3 */
    uint64_t limbo_epoch[3];            /* the global epoch each bucket was filled in */
    uint32_t limbo_cur;                 /* the bucket the last retirement went to */
    uint32_t limbo_total;               /* limbo_n[0] + [1] + [2] (published as garbage) */
    uint32_t since_advance;
    uint32_t idle_polls; /* consecutive empty dequeues */
    /* The old dummy of our last dequeue, not retired yet: tail may still name it
     * (see msq_dequeue). Counted in `garbage`. */
    uint32_t pending;
    uint32_t *scratch;   /* hazard scan: sorted snapshot of all hazards */
};

struct msq_queue {
    CMN_CACHE_ALIGNED _Atomic uint64_t head;
    CMN_CACHE_ALIGNED _Atomic uint64_t tail;
    CMN_CACHE_ALIGNED _Atomic uint64_t free_top; /* global free stack of batches (tagged) */
    CMN_CACHE_ALIGNED _Atomic uint64_t epoch;    /* global epoch */
    CMN_CACHE_ALIGNED msq_node *nodes;           /* read-mostly from here on */
    /* links[i]: the free-list / retire-list chain through node i. Kept apart from the
     * nodes, 16 to a cache line, because a thread taking a batch of nodes walks this
     * chain: inside the nodes that walk was one cache miss per node (the lines were
     * last written by the thread that freed them); here, with batches that are freed
     * roughly in allocation order, one miss covers many nodes. Owner only. */
    uint32_t *links;
    msq_handle *handles;
    uint32_t capacity;
    uint32_t max_threads;
    uint32_t hp_threshold; /* retire count that triggers a scan */
    uint32_t cache_max;    /* size of the pool's initial batches */
    uint32_t ebr_period;   /* retirements between epoch advance attempts */
    bool ebr_asym;         /* epochs: readers skip the fence (membarrier) */
    bool hp_asym;          /* hazard pointers: protect skips the fence (membarrier) */
    msq_reclaim reclaim;
};

/* Publishes h's unreclaimed count: `listed` nodes on its retired/limbo lists, plus
 * the pending old dummy if there is one. */
static inline void msq_publish_garbage(msq_handle *h, size_t listed)
{
    atomic_store_explicit(&h->garbage, listed + (h->pending != MSQ_NIL), memory_order_relaxed);
}

/* pool.c: the node pool. */
/* Fills h's empty cache with one batch from the global stack; false if there is none. */
bool msq_cache_refill(msq_handle *h);

/* Takes a free node from h's cache (refilled from the global stack when empty);
 * MSQ_NIL when none is left. Inline: it runs on every enqueue. */
static inline uint32_t msq_node_alloc(msq_handle *h)
{
    msq_queue *q = h->q;
    if (h->cache_n == 0 && !msq_cache_refill(h))
        return MSQ_NIL;
    uint32_t idx = h->cache_head;
    h->cache_head = q->links[idx];
    h->cache_n--;
    /* The next node's line was last read by a consumer: fetch it for writing now, so
     * the miss and the invalidation overlap this enqueue instead of stalling the next. */
    if (h->cache_head != MSQ_NIL)
        MSQ_PREFETCH_W(&q->nodes[h->cache_head]);
    return idx;
}
void msq_pool_init(msq_queue *q);
/* Hands all of h's cached free nodes to the global chain (idle or leaving). */
void msq_cache_flush(msq_handle *h);
/* Hands a whole chain (n nodes linked by `links`, ending in MSQ_NIL) back in O(1). */
void msq_pool_free_chain(msq_handle *h, uint32_t first, uint32_t n);
size_t msq_pool_free_count(const msq_queue *q);

/* hazard.c: hazard pointers. */
static inline void msq_hp_protect(msq_handle *h, int slot, uint32_t idx)
{
    /* The slot must be visible before the caller re-reads the source word: a
     * store->load order, which needs sequential consistency. A seq_cst exchange
     * (one xchg on x86, cheaper than store + mfence) is in the single total order S
     * together with the caller's seq_cst re-read and the scanner's seq_cst fence:
     * either the re-read sees the unlink, or the scan sees our slot. With the
     * asymmetric fence (q->hp_asym, see epoch.c) the scanner's membarrier runs a full
     * barrier on our CPU too, so our half only has to keep the compiler from moving
     * the re-read above the store: that barrier falls either after our store (which
     * is then visible to the scan's reads, made after membarrier returns) or before
     * it, and so before our re-read, which then sees the unlink the scanner made
     * before calling membarrier. */
    if (h->q->hp_asym) {
        atomic_store_explicit(&h->hp[slot], idx + 1, memory_order_relaxed);
        atomic_signal_fence(memory_order_seq_cst);
    } else {
        atomic_exchange_explicit(&h->hp[slot], idx + 1, memory_order_seq_cst);
    }
}

static inline void msq_hp_clear(msq_handle *h)
{
    /* release: our reads of the protected nodes happen before a scanner that sees
     * the slot empty (acquire) frees and someone reuses them. */
    atomic_store_explicit(&h->hp[0], 0, memory_order_release);
    atomic_store_explicit(&h->hp[1], 0, memory_order_release);
}

void msq_hp_retire(msq_handle *h, uint32_t idx);
size_t msq_hp_scan(msq_handle *h);

/* epoch.c: epoch-based reclamation. Pinning, unpinning and the common case of a
 * retirement are inline here: they run on every operation. */
static inline void msq_ebr_enter(msq_handle *h)
{
    uint64_t g = atomic_load_explicit(&h->q->epoch, memory_order_relaxed);
    atomic_store_explicit(&h->epoch, (g << 1) | 1u, memory_order_relaxed);
    /* store->load order: the announcement must be visible before we read head/tail,
     * or an advancer could miss us and free what we are about to read. Pairs with
     * the fence in try_advance; with membarrier that fence covers this side too, and
     * only the compiler must be kept from moving our reads above the store. */
    if (h->q->ebr_asym)
        atomic_signal_fence(memory_order_seq_cst);
    else
        MSQ_FENCE_SC();
}

static inline void msq_ebr_exit(msq_handle *h)
{
    uint64_t v = atomic_load_explicit(&h->epoch, memory_order_relaxed);
    /* release: our reads of queue nodes happen before an advancer that sees us
     * unpinned (acquire) lets the nodes be reused. */
    atomic_store_explicit(&h->epoch, v & ~(uint64_t)1, memory_order_release);
}

static inline void msq_ebr_limbo_push(msq_handle *h, uint32_t b, uint32_t idx)
{
    h->q->links[idx] = h->limbo_head[b];
    h->limbo_head[b] = idx;
    h->limbo_n[b]++;
    h->limbo_total++;
    msq_publish_garbage(h, h->limbo_total);
}

void msq_ebr_retire_slow(msq_handle *h, uint32_t idx, uint64_t g);

/* Puts a dequeued node in the limbo bucket of the global epoch read now. */
static inline void msq_ebr_retire(msq_handle *h, uint32_t idx)
{
    /* acquire: pairs with the advancer's release CAS (we see the unpins it saw). */
    uint64_t g = atomic_load_explicit(&h->q->epoch, memory_order_acquire);
    uint32_t b = h->limbo_cur;
    if (h->limbo_epoch[b] == g && h->limbo_n[b] != 0 && h->since_advance + 1 < h->q->ebr_period) {
        h->since_advance++;
        msq_ebr_limbo_push(h, b, idx);
    } else {
        msq_ebr_retire_slow(h, idx, g);
    }
}
size_t msq_ebr_collect(msq_handle *h);
/* True if this process can use membarrier(PRIVATE_EXPEDITED) (registers it once). */
bool msq_ebr_asym_available(void);
/* The reclaimer's half of the asymmetric fence (membarrier if asym, else a full fence). */
void msq_heavy_fence(bool asym);

#endif
