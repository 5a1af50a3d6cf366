/* msq.h — the Michael–Scott lock-free MPMC queue, with safe memory reclamation.
 *
 * A singly linked list with a dummy node: producers link at the tail, consumers swing
 * the head. Nodes live in a fixed pool created with the queue and are named by a
 * 32-bit index; head, tail and every `next` field hold an index plus a 32-bit
 * generation tag packed into one 64-bit word ("tagged pointer"), so every CAS is an
 * ordinary 64-bit CAS that is lock-free on every 64-bit target (no cmpxchg16b).
 * A dequeued node is not reused until no other thread can still read it: hazard
 * pointers (bounded garbage) or epoch-based reclamation (cheaper, unbounded if a
 * thread stalls), chosen when the queue is created.
 *
 * Each thread registers once and passes its handle to every call:
 *
 *     msq_queue *q; msq_create(&(msq_config){.capacity = 4096, .max_threads = 8,
 *                                           .reclaim = MSQ_RECLAIM_HP}, &q);
 *     msq_handle *h = msq_register(q);
 *     msq_enqueue(h, 42); uintptr_t v; if (msq_dequeue(h, &v) == 0) ...
 *     msq_unregister(h); msq_destroy(q);
 */
#ifndef MSQ_H
#define MSQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct msq_queue msq_queue;
typedef struct msq_handle msq_handle;

/* How dequeued nodes are made safe to reuse. */
typedef enum msq_reclaim {
    MSQ_RECLAIM_HP = 1,  /* hazard pointers: at most msq_unreclaimed_bound() nodes wait */
    MSQ_RECLAIM_EBR = 2, /* epoch-based: cheaper per operation, no bound if a thread stalls */
} msq_reclaim;

typedef struct msq_config {
    uint32_t capacity;    /* nodes in the pool, >= 2; one is always the dummy */
    uint32_t max_threads; /* handles that may be registered at once, 1..MSQ_MAX_THREADS */
    msq_reclaim reclaim;  /* MSQ_RECLAIM_HP or MSQ_RECLAIM_EBR */
} msq_config;

#define MSQ_MAX_THREADS 256u
#define MSQ_MAX_CAPACITY (UINT32_MAX - 1u)

/* NULL if cfg is acceptable, else a message naming the bad field and why. */
const char *msq_config_error(const msq_config *cfg);

/* Creates a queue; *out owns it. Returns 0, -EINVAL (see msq_config_error) or -ENOMEM. */
int msq_create(const msq_config *cfg, msq_queue **out);

/* Frees q and its pool. No thread may use q or a handle of it any more. */
void msq_destroy(msq_queue *q);

/* Claims a per-thread handle. Thread-safe. NULL when max_threads are registered. */
msq_handle *msq_register(msq_queue *q);

/* Releases h (its garbage stays with the slot for the next owner). Thread-safe. */
void msq_unregister(msq_handle *h);

/* Appends value. Lock-free. Returns 0, or -EAGAIN when no free node is available to
 * this thread (pool exhausted: all nodes queued, cached by other threads or awaiting
 * reclamation). Only the thread owning h may call it. */
int msq_enqueue(msq_handle *h, uintptr_t value);

/* Removes the oldest value into *out. Lock-free. Returns 0, or -EAGAIN when the queue
 * was empty at the linearisation point. Only the thread owning h may call it. */
int msq_dequeue(msq_handle *h, uintptr_t *out);

/* Nodes dequeued but not yet reusable, summed over all handles. Exact when quiescent,
 * a snapshot otherwise. Thread-safe. */
size_t msq_unreclaimed(const msq_queue *q);

/* Upper bound on msq_unreclaimed() that the scheme guarantees at all times: for hazard
 * pointers max_threads * (retire threshold); SIZE_MAX for epochs (no bound). */
size_t msq_unreclaimed_bound(const msq_queue *q);

/* Nodes that are free (in the global list or a handle's cache). Quiescent use only. */
size_t msq_free_nodes(const msq_queue *q);

/* Forces a reclamation pass on h's garbage (hazard scan / epoch advance attempt).
 * Returns how many nodes became reusable. Only the thread owning h may call it. */
size_t msq_reclaim_now(msq_handle *h);

/* Name of a reclamation scheme ("hp", "ebr"), for reports. */
const char *msq_reclaim_name(msq_reclaim r);

#endif
