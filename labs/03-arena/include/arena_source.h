/* arena_source.h — where the allocators of lab 03 get their memory from.
 *
 * None of the three allocators (arena, slab, buddy) calls malloc or mmap itself: the
 * caller hands them a source, two callbacks and a context pointer. A hosted program
 * passes arena_heap_source() or arena_mmap_source() (arena_hosted.h); a kernel passes
 * its page allocator, for example buddy_source() over physical memory. This is what
 * lets the same code build with -ffreestanding -nostdlib. */
#ifndef ARENA_SOURCE_H
#define ARENA_SOURCE_H

#include <stddef.h>

typedef struct arena_source {
    /* Returns `size` bytes aligned to `align` (a power of two, at most 4096), or NULL
     * when the source is exhausted. Never called with size 0. */
    void *(*alloc)(void *ctx, size_t size, size_t align);
    /* Gives back a block from alloc with the same size. */
    void (*free)(void *ctx, void *p, size_t size);
    void *ctx;
} arena_source;

/* Error codes returned (negated) by the functions of this lab that return int. They
 * carry Linux errno values so hosted callers can pass them to strerror(-rc). */
#define ARENA_EINVAL 22
#define ARENA_ENOMEM 12

#endif
