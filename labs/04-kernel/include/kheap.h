/* kheap.h — the kernel heap: size classes over pages, large blocks as whole pages.
 *
 * Requests up to 1024 bytes round up to a power-of-two class (16..1024); each class
 * keeps a free list threaded through its free blocks, refilled a page at a time. A
 * page of small blocks starts with a 16-byte header naming its class, so kheap_free()
 * finds the size from the pointer alone. Bigger requests take whole pages with the
 * same header. Pages come from a callback (the kernel maps fresh frames into its heap
 * window; host tests use aligned_alloc). Freed blocks are filled with 0x5a so a
 * use-after-free reads junk, and carry a marker so a double free is reported. This is
 * the local heap the kernel uses until lab 03's arena/slab are linked. */
#ifndef KHEAP_H
#define KHEAP_H

#include <stddef.h>
#include <stdint.h>

#define KHEAP_PAGE 4096u
#define KHEAP_CLASSES 7 /* 16, 32, ..., 1024 */
#define KHEAP_ALIGN 16u

/* get(ctx, n) returns n contiguous, page-aligned pages or NULL; put() takes them back. */
typedef struct kheap_pages {
    void *(*get)(void *ctx, size_t npages);
    void (*put)(void *ctx, void *pages, size_t npages);
    void *ctx;
} kheap_pages;

typedef struct kheap {
    kheap_pages src;
    void *free[KHEAP_CLASSES];
    size_t bytes_in_use; /* sum of the rounded sizes of live blocks */
    size_t pages;        /* pages currently taken from src */
} kheap;

/* Prepares an empty heap that draws pages from src. */
void kheap_init(kheap *h, kheap_pages src);

/* A block of at least n bytes, aligned to 16; NULL if n is 0 or memory is out. */
void *kheap_alloc(kheap *h, size_t n);

/* Frees p (NULL is ignored). Returns 0, -KERR_INVAL if p did not come from this heap,
 * or -KERR_EXIST if it is already free. */
int kheap_free(kheap *h, void *p);

/* The usable size of live block p (>= what was asked), or 0 if p is not one. */
size_t kheap_usable(const kheap *h, const void *p);

#endif
