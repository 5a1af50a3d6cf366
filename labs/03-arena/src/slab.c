/* slab.c — fixed-size object caches (see include/slab.h).
 *
 * A slab is slab_size bytes aligned to slab_size: header, optional live bitmap, then
 * objects. Objects never handed out are taken in address order (the `fresh` index),
 * freed ones go on the slab's embedded free list (the first word of a free object is
 * the link), so a new slab costs nothing to set up. Every slab is on the `all` list
 * (touched only when slabs come and go); partially used ones are also on `partial`
 * (alloc takes its head); full ones are on no other list, so the common full ->
 * partial -> full cycle is one push and one pop at the head of `partial`. At most one
 * empty slab is kept.
 * Freestanding: no libc; the source supplies aligned slabs. */
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memcheck.h"
#include "slab.h"

#define SLAB_MAGIC 0x51ab51abu

struct slab {
    slab *prev, *next;         /* on the partial list (while partially used) */
    slab *all_prev, *all_next; /* on the all list (always) */
    slab_cache *cache;         /* owner: checked by free in debug builds */
    void *free;                /* embedded free list of this slab's objects */
    uint32_t inuse;            /* objects allocated from this slab */
    uint32_t fresh;            /* objects [fresh, capacity) were never handed out */
    uint32_t magic;
    uint32_t pad;
    uint64_t live[]; /* SLAB_DEBUG: bit i set while object i is allocated */
};

static size_t align_up(size_t x, size_t a)
{
    return (x + (a - 1)) & ~(a - 1);
}

static bool is_pow2(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static size_t bitmap_bytes(size_t objects)
{
    return SLAB_DEBUG ? (objects + 63) / 64 * sizeof(uint64_t) : 0;
}

/* The inverse of odd d modulo 2^64 (Newton's iteration doubles the correct bits). */
static uint64_t inverse_odd(uint64_t d)
{
    uint64_t x = d; /* correct to 3 bits: d * d == 1 (mod 8) for odd d */
    for (int i = 0; i < 5; i++)
        x *= 2 - d * x;
    return x;
}

/* Index of the object at byte offset off from object 0, or a value >= capacity when
 * off is not a multiple of the stride. Division by the stride would cost tens of
 * cycles per call; exact division by an odd number is a multiplication by its inverse,
 * and a non-multiple maps to a huge number instead. */
static uint64_t object_index(const slab_cache *c, uintptr_t off)
{
    if ((off & (((uintptr_t)1 << c->stride_shift) - 1)) != 0)
        return UINT64_MAX;
    return (uint64_t)(off >> c->stride_shift) * c->stride_inv;
}

int slab_cache_init(slab_cache *c, const char *name, size_t size, size_t align, size_t slab_size,
                    const arena_source *src, slab_error_fn on_error)
{
    *c = (slab_cache){0};
    if (align == 0)
        align = alignof(max_align_t);
    if (align < alignof(void *))
        align = alignof(void *);
    if (slab_size == 0)
        slab_size = 4096;
    if (!is_pow2(align) || !is_pow2(slab_size) || slab_size < 256 || slab_size > 4096 ||
        size == 0 || size > slab_size)
        return -ARENA_EINVAL;
    size_t stride = align_up(size < sizeof(void *) ? sizeof(void *) : size, align);
    size_t upper = slab_size / stride;
    size_t first = align_up(sizeof(slab) + bitmap_bytes(upper), align);
    if (first >= slab_size || (slab_size - first) / stride == 0)
        return -ARENA_EINVAL;
    c->name = name != NULL ? name : "(unnamed)";
    c->obj_size = stride;
    c->slab_size = slab_size;
    c->first_off = first;
    c->capacity = (uint32_t)((slab_size - first) / stride);
    c->stride_shift = (uint32_t)__builtin_ctzll((unsigned long long)stride);
    c->stride_inv = inverse_odd((uint64_t)(stride >> c->stride_shift));
    c->src = *src;
    c->on_error = on_error;
    return 0;
}

/* --- occupancy lists ------------------------------------------------------------------ */

static void list_push(slab **list, slab *s)
{
    s->prev = NULL;
    s->next = *list;
    if (*list != NULL)
        (*list)->prev = s;
    *list = s;
}

static void list_remove(slab **list, slab *s)
{
    if (s->prev != NULL)
        s->prev->next = s->next;
    else
        *list = s->next;
    if (s->next != NULL)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
}

static void all_push(slab_cache *c, slab *s)
{
    s->all_prev = NULL;
    s->all_next = c->all;
    if (c->all != NULL)
        c->all->all_prev = s;
    c->all = s;
}

static void all_remove(slab_cache *c, slab *s)
{
    if (s->all_prev != NULL)
        s->all_prev->all_next = s->all_next;
    else
        c->all = s->all_next;
    if (s->all_next != NULL)
        s->all_next->all_prev = s->all_prev;
}

static uintptr_t object_at(const slab_cache *c, const slab *s, size_t i)
{
    return (uintptr_t)s + c->first_off + i * c->obj_size;
}

/* A slab with every object free: reuses the kept empty one or asks the source. */
static slab *new_slab(slab_cache *c)
{
    slab *s = c->empty;
    if (s != NULL) {
        c->empty = NULL;
        return s;
    }
    s = c->src.alloc(c->src.ctx, c->slab_size, c->slab_size);
    if (s == NULL)
        return NULL;
    *s = (slab){.cache = c, .magic = SLAB_MAGIC};
    for (size_t i = 0; i < bitmap_bytes(c->capacity) / sizeof(uint64_t); i++)
        s->live[i] = 0;
    MC_POISON((void *)object_at(c, s, 0), c->slab_size - c->first_off);
    all_push(c, s);
    c->slabs++;
    return s;
}

/* An empty slab: kept if none is, else given back to the source. */
static void retire_slab(slab_cache *c, slab *s)
{
    if (c->empty == NULL) {
        s->free = NULL;
        s->fresh = 0;
        MC_POISON((void *)object_at(c, s, 0), c->slab_size - c->first_off);
        c->empty = s;
        return;
    }
    c->slabs--;
    all_remove(c, s);
    s->magic = 0;
    MC_UNPOISON(s, c->slab_size);
    c->src.free(c->src.ctx, s, c->slab_size);
}

/* --- alloc and free -------------------------------------------------------------------- */

/* Debug builds: sets object obj's live bit. */
static void mark_live(const slab_cache *c, slab *s, uintptr_t obj)
{
#if SLAB_DEBUG
    uint64_t i = object_index(c, obj - object_at(c, s, 0));
    s->live[i / 64] |= (uint64_t)1 << (i % 64);
#else
    (void)c, (void)s, (void)obj;
#endif
}

void *slab_alloc(slab_cache *c)
{
    if (c->nmag != 0) { /* the magazine: the most recently freed object, no slab work */
        uintptr_t obj = (uintptr_t)c->mag[--c->nmag];
        mark_live(c, (slab *)(obj & ~(uintptr_t)(c->slab_size - 1)), obj);
        MC_UNPOISON((void *)obj, c->obj_size);
        c->in_use++;
        return (void *)obj;
    }
    slab *s = c->partial;
    if (s == NULL) {
        s = new_slab(c);
        if (s == NULL)
            return NULL;
        list_push(&c->partial, s);
    }
    uintptr_t obj;
    /* SOLUTION BEGIN: pop the slab's free list (or take object `fresh`), count it, and take the
     * slab off the partial list when it has no object left */
    if (s->free != NULL) {
        obj = (uintptr_t)s->free;
        s->free = *(void **)s->free;
    } else {
        obj = object_at(c, s, s->fresh++);
    }
    /* s is the list head, so this removal is O(1) */
    if (++s->inuse == c->capacity)
        list_remove(&c->partial, s);
    /* SOLUTION END */
    mark_live(c, s, obj);
    MC_UNPOISON((void *)obj, c->obj_size);
    c->in_use++;
    return (void *)obj;
}

static void misuse(const slab_cache *c, const char *what, const void *p)
{
    if (c->on_error != NULL)
        c->on_error(c, what, p);
    __builtin_trap();
}

#if SLAB_DEBUG
/* Debug-build checks of a pointer handed to slab_free: it must be the start of a live
 * object of this cache. */
static void check_free(slab_cache *c, slab *s, uintptr_t p)
{
    if (s->magic != SLAB_MAGIC || s->cache != c)
        misuse(c, "free of a pointer that is not from this cache", (void *)p);
    uintptr_t first = object_at(c, s, 0);
    uint64_t i = p < first ? UINT64_MAX : object_index(c, p - first);
    if (i >= c->capacity)
        misuse(c, "free of a pointer that is not the start of an object", (void *)p);
    uint64_t bit = (uint64_t)1 << (i % 64);
    if ((s->live[i / 64] & bit) == 0)
        misuse(c, "double free (the object is already free)", (void *)p);
    s->live[i / 64] &= ~bit;
}
#endif

/* Returns p to its slab s: the free list, occupancy and list moves. */
static void free_to_slab(slab_cache *c, slab *s, void *p)
{
    /* Poison all but the link word, which the free list needs. */
    MC_UNPOISON(p, sizeof(void *));
    MC_POISON((char *)p + sizeof(void *), c->obj_size - sizeof(void *));
    /* SOLUTION BEGIN: push p on its slab's free list and uncount it; a full slab goes back on the
     * partial list, an empty one leaves it (retire_slab) */
    *(void **)p = s->free;
    s->free = p;
    if (s->inuse-- == c->capacity)
        list_push(&c->partial, s);
    if (s->inuse == 0) {
        list_remove(&c->partial, s);
        retire_slab(c, s);
    }
    /* SOLUTION END */
}

static slab *slab_of(const slab_cache *c, const void *p)
{
    return (slab *)((uintptr_t)p & ~(uintptr_t)(c->slab_size - 1));
}

/* Returns the oldest half of the magazine to the slabs. */
static void drain(slab_cache *c, uint32_t keep)
{
    uint32_t n = c->nmag - keep;
    for (uint32_t i = 0; i < n; i++)
        free_to_slab(c, slab_of(c, c->mag[i]), c->mag[i]);
    for (uint32_t i = 0; i < keep; i++)
        c->mag[i] = c->mag[n + i];
    c->nmag = keep;
}

void slab_free(slab_cache *c, void *p)
{
    if (p == NULL)
        return;
    slab *s = slab_of(c, p);
#if SLAB_DEBUG
    check_free(c, s, (uintptr_t)p);
#endif
    c->in_use--;
    if (c->mag_cap != 0) {
        if (c->nmag == c->mag_cap)
            drain(c, c->mag_cap / 2);
        MC_POISON(p, c->obj_size);
        c->mag[c->nmag++] = p;
        return;
    }
    free_to_slab(c, s, p);
}

void slab_set_magazine(slab_cache *c, bool on)
{
    if (!on)
        drain(c, 0);
    c->mag_cap = on ? SLAB_MAGAZINE : 0;
}

void slab_flush(slab_cache *c)
{
    drain(c, 0);
}

void slab_cache_destroy(slab_cache *c)
{
    slab *s = c->all;
    while (s != NULL) {
        slab *next = s->all_next;
        s->magic = 0;
        MC_UNPOISON(s, c->slab_size);
        c->src.free(c->src.ctx, s, c->slab_size);
        s = next;
    }
    c->partial = c->all = c->empty = NULL;
    c->slabs = c->in_use = 0;
    c->nmag = 0;
}

slab_stats slab_get_stats(const slab_cache *c)
{
    return (slab_stats){.slabs = c->slabs,
                        .in_use = c->in_use,
                        .capacity = c->slabs * c->capacity,
                        .obj_size = c->obj_size,
                        .slab_size = c->slab_size};
}

/* --- invariant checker ----------------------------------------------------------------- */

/* Checks one slab's counts and free list; adds its objects to *inuse. */
static const char *check_slab(const slab_cache *c, const slab *s, size_t *inuse)
{
    if (((uintptr_t)s & (c->slab_size - 1)) != 0)
        return "a slab is not aligned to slab_size";
    if (s->magic != SLAB_MAGIC || s->cache != c)
        return "a slab on this cache's lists belongs to another cache";
    if (s->fresh > c->capacity || s->inuse > s->fresh)
        return "a slab's counts exceed its capacity";
    if (s->inuse == 0 && s != c->empty)
        return "an empty slab is held that is not the kept one";
    size_t nfree = 0;
    for (const void *f = s->free; f != NULL; f = *(void *const *)f) {
        uintptr_t p = (uintptr_t)f, first = object_at(c, s, 0);
        uint64_t i = p < first ? UINT64_MAX : object_index(c, p - first);
        if (i >= s->fresh)
            return "a free-list entry is not an object of its slab";
        if (++nfree > s->fresh)
            return "a slab's free list is longer than its objects (a cycle?)";
#if SLAB_DEBUG
        if (s->live[i / 64] & ((uint64_t)1 << (i % 64)))
            return "an object is both on the free list and marked live";
#endif
    }
    if (nfree + s->inuse != s->fresh)
        return "a slab's free list plus its live objects do not add up to its used objects";
    *inuse += s->inuse;
    return NULL;
}

const char *slab_check(const slab_cache *c)
{
    size_t inuse = 0, slabs = 0, partial = 0;
    for (const slab *s = c->all; s != NULL; s = s->all_next) {
        const char *err = check_slab(c, s, &inuse);
        if (err != NULL)
            return err;
        if (s->all_next != NULL && s->all_next->all_prev != s)
            return "the all-slabs list's back links are broken";
        if (s->inuse > 0 && s->inuse < c->capacity)
            partial++;
        if (++slabs > c->slabs)
            return "more slabs on the all list than the cache counts";
    }
    if (slabs != c->slabs)
        return "the slab count does not match the all list";
    if (c->nmag > c->mag_cap)
        return "the magazine holds more objects than its capacity";
    for (uint32_t i = 0; i < c->nmag; i++) {
        const slab *m = slab_of(c, c->mag[i]);
        if (m->magic != SLAB_MAGIC || m->cache != c || m->inuse == 0)
            return "a magazine entry is not an allocated object of this cache";
#if SLAB_DEBUG
        uint64_t k = object_index(c, (uintptr_t)c->mag[i] - object_at(c, m, 0));
        if (k >= c->capacity || (m->live[k / 64] & ((uint64_t)1 << (k % 64))) != 0)
            return "a magazine entry is not a free object boundary";
#endif
    }
    /* Objects in the magazine are free for the cache but still counted by their slab. */
    if (inuse != c->in_use + c->nmag)
        return "the objects in use do not match the per-slab counts";
    size_t on_partial = 0;
    for (const slab *s = c->partial; s != NULL; s = s->next) {
        if (s->inuse == 0 || s->inuse >= c->capacity)
            return "a slab on the partial list is empty or full";
        if (s->next != NULL && s->next->prev != s)
            return "the partial list's back links are broken";
        if (++on_partial > partial)
            return "the partial list holds a slab twice (or a cycle)";
    }
    if (on_partial != partial)
        return "a partially used slab is missing from the partial list";
    if (c->empty != NULL && c->empty->inuse != 0)
        return "the kept empty slab is in use";
    return NULL;
}
