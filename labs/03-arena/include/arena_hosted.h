/* arena_hosted.h — the parts of lab 03 that need an operating system.
 *
 * Memory sources over the C heap and over mmap, per-thread arenas (pthread), and the
 * slab error hook that prints to stderr. None of this is built freestanding: the
 * kernel lab supplies its own sources and hooks. */
#ifndef ARENA_HOSTED_H
#define ARENA_HOSTED_H

#include "arena.h"
#include "slab.h"

/* A source over aligned_alloc/free. Thread-safe. */
arena_source arena_heap_source(void);

/* A source over mmap/munmap (fresh pages, zero-filled). Thread-safe. */
arena_source arena_mmap_source(void);

/* The calling thread's own arena (over the heap source, 64 KiB first chunk), created on
 * first use and destroyed when the thread exits. Never NULL. */
arena *arena_local(void);

/* A slab_error_fn that prints "slab cache 'NAME': WHAT (pointer 0x...)" to stderr
 * and aborts. */
void slab_report_abort(const slab_cache *c, const char *what, const void *ptr);

#endif
