/* heap_slab.c — kmalloc over lab 03's slab caches, permanent objects in its arena.
 *
 * Seven slab caches serve the size classes 16..1024. Each cache draws its 4 KiB slabs
 * from its own heap window (HEAP_WINDOW(1..7)), so kfree finds the cache from the
 * address alone: (p - HEAP_BASE) >> HEAP_WINDOW_SHIFT. Bigger blocks are page runs in
 * window 0 with a 16-byte header {magic, pages}. kalloc_permanent() bump-allocates
 * from a lab 03 arena whose chunks come from window 8. Slab misuse (double free, a
 * pointer into an object) reaches slab_error and becomes a panic naming the cache. */
#include "arch.h"
#include "arena.h"
#include "kalloc.h"
#include "kprintf.h"
#include "layout.h"
#include "mm.h"
#include "slab.h"

#define CLASSES 7
#define LARGE_MAGIC 0x4c41524745484541ull /* "LARGEHEA" */
#define ARENA_WINDOW 8

struct window {
    uint64_t next; /* bump pointer */
    size_t pages;  /* mapped now */
};

static struct window windows[HEAP_WINDOWS];
static slab_cache caches[CLASSES];
static arena_source sources[CLASSES];
static arena_source arena_src;
static arena permanent;
static size_t large_bytes;
static const char *const names[CLASSES] = {"kmalloc-16",  "kmalloc-32",  "kmalloc-64",
                                           "kmalloc-128", "kmalloc-256", "kmalloc-512",
                                           "kmalloc-1024"};

static void *window_get(struct window *w, size_t size)
{
    size_t n = (size + 4095) / 4096;
    uint64_t va = w->next;
    if (mm_map_pages(va, n, PTE_W | PTE_NX) != 0)
        return NULL;
    w->next += n * 4096;
    w->pages += n;
    return (void *)va;
}

static void window_put(struct window *w, void *p, size_t size)
{
    size_t n = (size + 4095) / 4096;
    mm_unmap_pages((uint64_t)p, n);
    w->pages -= n;
}

/* arena_source callbacks: ctx is the window. align <= 4096 always holds for pages. */
static void *src_alloc(void *ctx, size_t size, size_t align)
{
    (void)align;
    return window_get(ctx, size);
}

static void src_free(void *ctx, void *p, size_t size)
{
    window_put(ctx, p, size);
}

static void slab_error(const slab_cache *c, const char *what, const void *ptr)
{
    PANIC("kfree(%p): %s in slab cache %s", ptr, what, c->name);
}

void heap_init(void)
{
    for (unsigned i = 0; i < HEAP_WINDOWS; i++)
        windows[i] = (struct window){HEAP_WINDOW(i), 0};
    for (unsigned c = 0; c < CLASSES; c++) {
        sources[c] = (arena_source){src_alloc, src_free, &windows[c + 1]};
        if (slab_cache_init(&caches[c], names[c], (size_t)16 << c, 16, 4096, &sources[c],
                            slab_error) != 0)
            PANIC("slab cache %s rejected its parameters", names[c]);
    }
    arena_src = (arena_source){src_alloc, src_free, &windows[ARENA_WINDOW]};
    arena_init(&permanent, &arena_src, 16384);
}

static unsigned window_of(const void *p)
{
    return (unsigned)(((uint64_t)p - HEAP_BASE) >> HEAP_WINDOW_SHIFT);
}

void *kmalloc(size_t n)
{
    if (n == 0 || n > ((size_t)1 << 36))
        return NULL;
    bool on = irq_save();
    void *p = NULL;
    if (n <= 1024) {
        unsigned c = 0;
        while (((size_t)16 << c) < n)
            c++;
        p = slab_alloc(&caches[c]);
    } else {
        uint64_t *run = window_get(&windows[0], n + 16);
        if (run) {
            run[0] = LARGE_MAGIC;
            run[1] = (n + 16 + 4095) / 4096;
            large_bytes += run[1] * 4096 - 16;
            p = run + 2;
        }
    }
    irq_restore(on);
    return p;
}

void kfree(void *p)
{
    if (!p)
        return;
    unsigned w = (uint64_t)p >= HEAP_BASE ? window_of(p) : HEAP_WINDOWS;
    bool on = irq_save();
    if (w >= 1 && w <= CLASSES) {
        slab_free(&caches[w - 1], p);
    } else if (w == 0 && (uint64_t)p % 4096 == 16 && ((uint64_t *)p)[-2] == LARGE_MAGIC) {
        uint64_t *run = (uint64_t *)p - 2;
        size_t pages = run[1];
        run[0] = 0;
        large_bytes -= pages * 4096 - 16;
        window_put(&windows[0], run, pages * 4096);
    } else {
        PANIC("kfree(%p): not a heap block", p);
    }
    irq_restore(on);
}

size_t heap_bytes_in_use(void)
{
    size_t bytes = large_bytes;
    for (unsigned c = 0; c < CLASSES; c++) {
        slab_stats st = slab_get_stats(&caches[c]);
        bytes += st.in_use * st.obj_size;
    }
    return bytes;
}

size_t heap_pages(void)
{
    size_t n = 0;
    for (unsigned i = 0; i < HEAP_WINDOWS; i++)
        n += windows[i].pages;
    return n;
}

const char *heap_name(void)
{
    return "lab 03 slab caches + arena";
}

void *kalloc_permanent(size_t size, size_t align)
{
    bool on = irq_save();
    void *p = arena_alloc(&permanent, size, align);
    irq_restore(on);
    return p;
}
