/* ring.c — SPSC byte ring (see ring.h for the memory-ordering argument). */
#include "ring.h"

#include "kerr.h"

int ring_init(ring *r, uint8_t *storage, size_t cap)
{
    if (!r || !storage || cap < 2 || (cap & (cap - 1)) != 0)
        return -KERR_INVAL;
    r->buf = storage;
    r->mask = cap - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    atomic_init(&r->dropped, 0);
    return 0;
}

bool ring_push(ring *r, uint8_t byte)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - tail > r->mask) {
        atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
        return false;
    }
    r->buf[head & r->mask] = byte;
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
    return true;
}

bool ring_pop(ring *r, uint8_t *out)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    if (head == tail)
        return false;
    *out = r->buf[tail & r->mask];
    atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
    return true;
}

size_t ring_len(const ring *r)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    return head - tail;
}

size_t ring_cap(const ring *r)
{
    return r->mask + 1;
}
