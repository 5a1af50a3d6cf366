/* arena_malloc.c — libarena_malloc.so: the C allocator replaced by per-thread arenas.
 *
 *     LD_PRELOAD=build/gcc/labs/03-arena/libarena_malloc.so sort big.txt
 *
 * Every thread allocates from its own arena (no locks, no sharing). free() gives memory
 * back only when it frees the thread's most recent allocation (the cursor moves back),
 * and realloc() of the most recent allocation grows in place: the pattern of a
 * short-lived batch process that builds, uses and exits. Blocks of 256 KiB or more get
 * their own mapping and are unmapped by free, so one big temporary buffer does not pin
 * memory for good. A 16-byte header before each block records its size (for realloc
 * and malloc_usable_size) and its offset from the block start (for aligned blocks).
 *
 * Threads' arenas are never destroyed: another thread may still hold their pointers.
 * ARENA_MALLOC_STATS=1 prints the calling thread's arena figures at exit.
 *
 * Built with -fPIC by the lab Makefile from this file and src/arena.c, without
 * sanitizers (an ASan runtime cannot be preloaded into arbitrary programs). */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arena.h"

#define EXPORT __attribute__((visibility("default")))
#define HDR ((size_t)16)
#define BIG ((size_t)256 * 1024)
#define PAGE ((size_t)4096)
#define BIG_FLAG ((size_t)1 << 63)

typedef struct hdr {
    size_t size; /* usable bytes */
    size_t off;  /* user pointer - block start; BIG_FLAG if the block is its own mapping */
} hdr;
_Static_assert(sizeof(hdr) == HDR, "header must keep 16-byte alignment");

static __thread arena tl_arena __attribute__((tls_model("initial-exec")));
static __thread bool tl_ready __attribute__((tls_model("initial-exec")));

static void *map_alloc(void *ctx, size_t size, size_t align)
{
    (void)ctx;
    (void)align;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void map_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    munmap(p, size);
}

static int stats_fd = -1; /* where ARENA_MALLOC_STATS=1 writes (a dup of stderr) */

static void print_stats(void)
{
    if (!tl_ready)
        return;
    arena_stats s = arena_get_stats(&tl_arena);
    char line[256];
    int n = snprintf(line, sizeof line,
                     "arena_malloc: main thread: in use %zu B, high water %zu B, %zu chunks, "
                     "%zu B reserved, %zu B wasted\n",
                     s.in_use, s.high_water, s.chunks, s.reserved, s.wasted);
    if (n > 0 && stats_fd >= 0)
        (void)!write(stats_fd, line, (size_t)n);
}

/* A constructor, not the first malloc: ld.so may call malloc before libc has set up
 * the environment, and getenv would then miss the variable. */
__attribute__((constructor)) static void read_env(void)
{
    if (getenv("ARENA_MALLOC_STATS") != NULL) {
        /* A private copy of stderr: programs such as sort close fd 2 in their own
         * exit handlers, which run before ours. */
        stats_fd = dup(2);
        atexit(print_stats);
    }
}

static arena *me(void)
{
    if (__builtin_expect(!tl_ready, 0)) {
        arena_source src = {.alloc = map_alloc, .free = map_free, .ctx = NULL};
        arena_init(&tl_arena, &src, (size_t)1 << 20);
        tl_ready = true;
    }
    return &tl_arena;
}

static hdr *header(void *p)
{
    return (hdr *)((char *)p - HDR);
}

static size_t round_page(size_t n)
{
    return (n + PAGE - 1) & ~(PAGE - 1);
}

/* A block of its own mapping: [map ... p-HDR: header, p: n bytes). */
static void *big_alloc(size_t n, size_t align)
{
    size_t lead = align > HDR ? align : HDR;
    if (n > SIZE_MAX / 2)
        return NULL;
    size_t len = round_page(lead + n) + (align > PAGE ? align : 0);
    char *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    uintptr_t p = ((uintptr_t)map + lead + align - 1) & ~(uintptr_t)(align - 1);
    size_t off = (size_t)(p - (uintptr_t)map);
    size_t keep = round_page(off + n);
    if (keep < len)
        munmap(map + keep, len - keep); /* trim what alignment did not need */
    *header((void *)p) = (hdr){.size = n, .off = off | BIG_FLAG};
    return (void *)p;
}

static void *alloc_aligned(size_t n, size_t align)
{
    if (align < HDR)
        align = HDR;
    if (n >= BIG || align > PAGE)
        return big_alloc(n, align);
    size_t off = align; /* >= HDR: room for the header, keeps p aligned */
    char *block = arena_alloc(me(), off + n, align);
    if (block == NULL)
        return NULL;
    void *p = block + off;
    *header(p) = (hdr){.size = n, .off = off};
    return p;
}

static void *do_malloc(size_t n)
{
    void *p = alloc_aligned(n, HDR);
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

EXPORT void *malloc(size_t n)
{
    return do_malloc(n);
}

EXPORT void free(void *p)
{
    if (p == NULL)
        return;
    hdr h = *header(p);
    if (h.off & BIG_FLAG) {
        size_t off = h.off & ~BIG_FLAG;
        munmap((char *)p - off, round_page(off + h.size));
        return;
    }
    /* Only the thread's most recent allocation goes back: its cursor moves down. */
    if (tl_ready)
        (void)arena_extend(&tl_arena, (char *)p - h.off, h.off + h.size, 0);
}

EXPORT void *calloc(size_t n, size_t m)
{
    size_t total;
    if (__builtin_mul_overflow(n, m, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = do_malloc(total);
    if (p != NULL && !(header(p)->off & BIG_FLAG)) /* fresh mappings are zero already */
        memset(p, 0, total);
    return p;
}

EXPORT void *realloc(void *p, size_t n)
{
    if (p == NULL)
        return do_malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    hdr *h = header(p);
    if (!(h->off & BIG_FLAG) && n < BIG && tl_ready &&
        arena_extend(&tl_arena, (char *)p - h->off, h->off + h->size, h->off + n)) {
        h->size = n; /* the most recent allocation grew or shrank in place */
        return p;
    }
    if (n <= h->size)
        return p; /* shrinking: keep the block */
    void *q = do_malloc(n);
    if (q == NULL)
        return NULL;
    memcpy(q, p, h->size);
    free(p);
    return q;
}

EXPORT void *reallocarray(void *p, size_t n, size_t m)
{
    size_t total;
    if (__builtin_mul_overflow(n, m, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, total);
}

static bool good_align(size_t align)
{
    return align != 0 && (align & (align - 1)) == 0;
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (!good_align(align) || align % sizeof(void *) != 0)
        return EINVAL;
    void *p = alloc_aligned(n, align);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
    if (!good_align(align)) {
        errno = EINVAL;
        return NULL;
    }
    void *p = alloc_aligned(n, align);
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

EXPORT void *memalign(size_t align, size_t n)
{
    return aligned_alloc(align, n);
}

EXPORT void *valloc(size_t n)
{
    return aligned_alloc(PAGE, n);
}

EXPORT void *pvalloc(size_t n)
{
    return aligned_alloc(PAGE, round_page(n));
}

EXPORT size_t malloc_usable_size(void *p)
{
    return p == NULL ? 0 : header(p)->size;
}
