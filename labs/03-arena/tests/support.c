/* support.c — the counting source and the overlap shadow map (see support.h). */
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "support.h"

static void *ts_alloc(void *ctx, size_t size, size_t align)
{
    test_source *ts = ctx;
    ts->last_size = size;
    if (size > ts->limit || ts->out_bytes > ts->limit - size)
        return NULL;
    void *p = aligned_alloc(align, (size + align - 1) & ~(align - 1));
    if (p == NULL)
        return NULL;
    ts->out_bytes += size;
    ts->out_blocks++;
    ts->allocs++;
    return p;
}

static void ts_free(void *ctx, void *p, size_t size)
{
    test_source *ts = ctx;
    if (size > ts->out_bytes)
        ts->bad_frees++;
    else
        ts->out_bytes -= size;
    ts->out_blocks--;
    ts->frees++;
    free(p);
}

arena_source test_source_make(test_source *ts, size_t limit)
{
    *ts = (test_source){.limit = limit};
    return (arena_source){.alloc = ts_alloc, .free = ts_free, .ctx = ts};
}

typedef struct range {
    uintptr_t p;
    size_t n;
    uint8_t fill;
} range;

struct shadow {
    range *r;
    size_t len, cap;
};

shadow *shadow_new(void)
{
    shadow *s = calloc(1, sizeof *s);
    assert_non_null(s);
    return s;
}

void shadow_free(shadow *s)
{
    free(s->r);
    free(s);
}

void shadow_add(shadow *s, void *p, size_t n, uint8_t fill)
{
    uintptr_t a = (uintptr_t)p;
    /* Zero-sized ranges occupy nothing; give them one byte of width only if n > 0. */
    for (size_t i = 0; i < s->len; i++) {
        const range *o = &s->r[i];
        if (n != 0 && o->n != 0 && a < o->p + o->n && o->p < a + n)
            fail_msg("allocation [%p, +%zu) overlaps live [%p, +%zu)", p, n, (void *)o->p, o->n);
    }
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        range *r = realloc(s->r, s->cap * sizeof *s->r);
        assert_non_null(r);
        s->r = r;
    }
    s->r[s->len++] = (range){a, n, fill};
    memset(p, fill, n);
}

void shadow_remove(shadow *s, void *p)
{
    for (size_t i = 0; i < s->len; i++)
        if (s->r[i].p == (uintptr_t)p) {
            s->r[i] = s->r[--s->len];
            return;
        }
    fail_msg("shadow_remove: %p is not live", p);
}

void shadow_verify(const shadow *s)
{
    for (size_t i = 0; i < s->len; i++) {
        const uint8_t *b = (const uint8_t *)s->r[i].p;
        for (size_t j = 0; j < s->r[i].n; j++)
            if (b[j] != s->r[i].fill)
                fail_msg("byte %zu of [%p, +%zu) was overwritten", j, (const void *)b, s->r[i].n);
    }
}

void shadow_clear(shadow *s)
{
    s->len = 0;
}

size_t shadow_count(const shadow *s)
{
    return s->len;
}
