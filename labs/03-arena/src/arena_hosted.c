/* arena_hosted.c — sources over the C heap and mmap, and the stderr slab error hook.
 *
 * Hosted only (not in FREESTANDING_SRCS): these are the callbacks a program on an
 * operating system hands to the freestanding core. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "arena_hosted.h"

static void *heap_alloc(void *ctx, size_t size, size_t align)
{
    (void)ctx;
    size_t rounded = (size + align - 1) & ~(align - 1); /* aligned_alloc wants a multiple */
    return aligned_alloc(align, rounded);
}

static void heap_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)size;
    free(p);
}

arena_source arena_heap_source(void)
{
    return (arena_source){.alloc = heap_alloc, .free = heap_free, .ctx = NULL};
}

static void *map_alloc(void *ctx, size_t size, size_t align)
{
    (void)ctx;
    (void)align; /* mmap returns page-aligned memory, and align <= 4096 */
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void map_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    munmap(p, size);
}

arena_source arena_mmap_source(void)
{
    return (arena_source){.alloc = map_alloc, .free = map_free, .ctx = NULL};
}

void slab_report_abort(const slab_cache *c, const char *what, const void *ptr)
{
    fprintf(stderr, "slab cache '%s': %s (pointer %p, object size %zu)\n", c->name, what, ptr,
            c->obj_size);
    fflush(stderr);
    abort();
}
