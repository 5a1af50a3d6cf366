/* kalloc.h — the kernel's allocators behind one small interface.
 *
 * Two implementations exist and the Makefile picks one (KALLOC=lab03|local):
 *   lab03 (default when ../03-arena is present): lab 03's buddy allocator manages the
 *         physical frames, its slab caches serve kmalloc's small size classes and an
 *         arena holds boot-lifetime objects; their sources are compiled in directly.
 *   local: the bitmap frame allocator (src/frame.c) and the size-class heap
 *         (src/kheap.c) of this lab, for a tree without lab 03 (make handout --lab 04).
 * Everything else in the kernel uses only these functions. All of them may be called
 * with interrupts on; they disable interrupts around the allocator state. */
#ifndef KALLOC_H
#define KALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "mb.h"

/* Takes over the usable physical ranges (page-aligned, identity-mapped). Panics if
 * none can be managed. */
void pmm_init(const mb_range *usable, size_t n);

/* One 4 KiB frame (contents undefined): 0 and *pa, or -KERR_NOMEM. */
int pmm_alloc(uint64_t *pa);

/* Returns a frame: 0, -KERR_INVAL (unaligned), -KERR_RANGE (not managed memory) or
 * -KERR_EXIST (not an allocated frame: a double free). */
int pmm_free(uint64_t pa);

/* Free frames now. */
size_t pmm_free_frames(void);

/* Names the implementation for the boot log ("lab 03 buddy"...). */
const char *pmm_name(void);

/* The heap: kmalloc gives 16-byte aligned blocks (NULL if n is 0 or memory is out);
 * kfree panics on a pointer it did not give out or a double free. */
void heap_init(void);
void *kmalloc(size_t n);
void kfree(void *p);
size_t heap_bytes_in_use(void);
size_t heap_pages(void); /* pages mapped for the heap now */
const char *heap_name(void);

/* Memory for objects that live until shutdown (never freed): aligned to align (a
 * power of two <= 4096); NULL when out of memory. */
void *kalloc_permanent(size_t size, size_t align);

#endif
