/* deque.h — a fixed-capacity Chase–Lev work-stealing deque of tasks (private).
 *
 * The owner pushes at the bottom; anybody takes from the top with one CAS on `top`.
 * The classic algorithm also lets the owner pop LIFO from the bottom; this executor
 * does not, because a task that yields is pushed back by its own worker and a LIFO
 * pop would hand it straight back, starving the rest (see the README). So the owner
 * takes from the top too, and every queue is FIFO. Capacity is fixed (a power of
 * two): a full deque spills to the executor's injection queue instead of growing, so
 * no buffer is ever freed while a thief might read it.
 *
 * Memory orders follow Lê, Pop, Cohen and Zappa Nardelli, "Correct and efficient
 * work-stealing for weak memory models" (PPoPP 2013), with the fences folded into
 * release/acquire/seq_cst accesses so ThreadSanitizer can follow them. */
#ifndef EXEC_DEQUE_H
#define EXEC_DEQUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "exec.h"

#define EXEC_DEQUE_CAP 256

typedef struct exec_deque {
    alignas(64) _Atomic int64_t top;
    alignas(64) _Atomic int64_t bottom;
    _Atomic(exec_task *) buf[EXEC_DEQUE_CAP];
} exec_deque;

static inline void exec_deque_init(exec_deque *d)
{
    atomic_init(&d->top, 0);
    atomic_init(&d->bottom, 0);
    for (int i = 0; i < EXEC_DEQUE_CAP; i++)
        atomic_init(&d->buf[i], NULL);
}

/* Owner only. False when full (the caller spills the task elsewhere). */
static inline bool exec_deque_push(exec_deque *d, exec_task *t)
{
    /* SOLUTION BEGIN: write the slot, then publish it with a release store of bottom */
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed);
    int64_t tp = atomic_load_explicit(&d->top, memory_order_acquire);
    if (b - tp >= EXEC_DEQUE_CAP)
        return false;
    atomic_store_explicit(&d->buf[b & (EXEC_DEQUE_CAP - 1)], t, memory_order_relaxed);
    atomic_store_explicit(&d->bottom, b + 1, memory_order_release);
    return true;
    /* SOLUTION END */
}

/* Any thread (the owner included). NULL when empty or when another taker won the race
 * for the last element (*lost is then set: try again). */
static inline exec_task *exec_deque_steal(exec_deque *d, bool *lost)
{
    /* SOLUTION BEGIN: read top, then bottom; if non-empty read the slot and claim it by CAS on top */
    int64_t tp = atomic_load_explicit(&d->top, memory_order_seq_cst);
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_seq_cst);
    if (tp >= b)
        return NULL;
    exec_task *t = atomic_load_explicit(&d->buf[tp & (EXEC_DEQUE_CAP - 1)], memory_order_relaxed);
    if (!atomic_compare_exchange_strong_explicit(&d->top, &tp, tp + 1, memory_order_seq_cst,
                                                 memory_order_relaxed)) {
        *lost = true;
        return NULL;
    }
    return t;
    /* SOLUTION END */
}

/* Tasks in the deque (a snapshot). Any thread. */
static inline int64_t exec_deque_len(exec_deque *d)
{
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_seq_cst);
    int64_t tp = atomic_load_explicit(&d->top, memory_order_seq_cst);
    return b > tp ? b - tp : 0;
}

#endif
