/* ring.h — a single-producer single-consumer byte ring for interrupt-driven input.
 *
 * The serial interrupt handler is the only producer and the task that reads input is
 * the only consumer, so head and tail each have one writer and no lock is needed:
 * the producer publishes a byte with a release store of head, the consumer frees a
 * slot with a release store of tail. The capacity is a power of two; indices run
 * freely and wrap through the mask, so full (head - tail == cap) and empty
 * (head == tail) are told apart without a wasted slot. */
#ifndef RING_H
#define RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ring {
    uint8_t *buf;
    size_t mask;           /* capacity - 1 */
    atomic_size_t head;    /* next slot the producer writes */
    atomic_size_t tail;    /* next slot the consumer reads */
    atomic_size_t dropped; /* bytes refused because the ring was full */
} ring;

/* Uses storage[0..cap) (cap a power of two, >= 2); returns -KERR_INVAL otherwise. */
int ring_init(ring *r, uint8_t *storage, size_t cap);

/* Producer: appends one byte; false (and counts a drop) when full. */
bool ring_push(ring *r, uint8_t byte);

/* Consumer: removes the oldest byte into *out; false when empty. */
bool ring_pop(ring *r, uint8_t *out);

/* Bytes currently stored (a snapshot; exact when called by either side alone). */
size_t ring_len(const ring *r);

/* Capacity in bytes. */
size_t ring_cap(const ring *r);

#endif
