/* bench_slab_buddy.c — one object size through a slab cache vs the general-purpose
 * allocators, and buddy page blocks vs the same allocators.
 *
 * "objects" group: 64-byte objects, a working set of 4096 live ones, each step frees a
 * random live object and allocates a replacement (the steady state of a cache of
 * nodes or connections). Items = alloc+free pairs.
 * "blocks" group: blocks of 4 KiB to 64 KiB (powers of two), 256 live, same replace-random
 * pattern (what a kernel's page allocator sees). Items = alloc+free pairs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena_hosted.h"
#include "bench.h"
#include "buddy.h"
#include "peers.h"
#include "slab.h"

enum { OBJ_SIZE = 64, OBJ_LIVE = 4096, BLK_LIVE = 256, STEPS = 4096 };

static uint32_t victims[STEPS]; /* which live slot each step replaces */
static uint8_t orders[STEPS];   /* blocks: log2(size) - 12 of each step's new block */

static void make_pattern(void)
{
    uint64_t x = 0x2545f4914f6cdd1du;
    for (int i = 0; i < STEPS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        victims[i] = (uint32_t)(x >> 32);
        orders[i] = (uint8_t)(x % 5);
    }
}

/* --- objects ---------------------------------------------------------------------------- */

static void bm_objects_peer(bench_state *st, void *arg)
{
    const peer *pk = arg;
    void **live = malloc(OBJ_LIVE * sizeof *live);
    for (int i = 0; i < OBJ_LIVE; i++)
        live[i] = pk->alloc(NULL, OBJ_SIZE);
    while (bench_keep_running_batch(st, STEPS))
        for (int i = 0; i < STEPS; i++) {
            uint32_t k = victims[i] % OBJ_LIVE;
            pk->free(NULL, live[k], OBJ_SIZE);
            live[k] = pk->alloc(NULL, OBJ_SIZE);
            *(char *)live[k] = 1;
        }
    for (int i = 0; i < OBJ_LIVE; i++)
        pk->free(NULL, live[i], OBJ_SIZE);
    free(live);
    bench_set_items(st, bench_state_iterations(st));
}

static void bm_objects_slab(bench_state *st, void *arg)
{
    arena_source src = arena_heap_source();
    slab_cache c;
    slab_cache_init(&c, "bench", OBJ_SIZE, 0, 4096, &src, slab_report_abort);
    slab_set_magazine(&c, arg != NULL);
    void **live = malloc(OBJ_LIVE * sizeof *live);
    for (int i = 0; i < OBJ_LIVE; i++)
        live[i] = slab_alloc(&c);
    while (bench_keep_running_batch(st, STEPS))
        for (int i = 0; i < STEPS; i++) {
            uint32_t k = victims[i] % OBJ_LIVE;
            slab_free(&c, live[k]);
            live[k] = slab_alloc(&c);
            *(char *)live[k] = 1;
        }
    slab_cache_destroy(&c);
    free(live);
    bench_set_items(st, bench_state_iterations(st));
}

/* --- blocks ------------------------------------------------------------------------------ */

static void bm_blocks_peer(bench_state *st, void *arg)
{
    const peer *pk = arg;
    void *live[BLK_LIVE];
    size_t size[BLK_LIVE];
    for (int i = 0; i < BLK_LIVE; i++) {
        size[i] = (size_t)4096 << (i % 5);
        live[i] = pk->alloc(NULL, size[i]);
    }
    while (bench_keep_running_batch(st, STEPS))
        for (int i = 0; i < STEPS; i++) {
            uint32_t k = victims[i] % BLK_LIVE;
            pk->free(NULL, live[k], size[k]);
            size[k] = (size_t)4096 << orders[i];
            live[k] = pk->alloc(NULL, size[k]);
            *(char *)live[k] = 1;
        }
    for (int i = 0; i < BLK_LIVE; i++)
        pk->free(NULL, live[i], size[i]);
    bench_set_items(st, bench_state_iterations(st));
}

static void bm_blocks_buddy(bench_state *st, void *arg)
{
    (void)arg;
    size_t len = (size_t)64 << 20; /* 256 live blocks of <= 64 KiB need <= 16 MiB */
    void *region = aligned_alloc(4096, len);
    buddy b;
    buddy_init(&b, region, len, 4096);
    void *live[BLK_LIVE];
    for (int i = 0; i < BLK_LIVE; i++)
        live[i] = buddy_alloc(&b, (size_t)4096 << (i % 5));
    while (bench_keep_running_batch(st, STEPS))
        for (int i = 0; i < STEPS; i++) {
            uint32_t k = victims[i] % BLK_LIVE;
            buddy_free(&b, live[k]);
            live[k] = buddy_alloc(&b, (size_t)4096 << orders[i]);
            *(char *)live[k] = 1;
        }
    free(region);
    bench_set_items(st, bench_state_iterations(st));
}

static void setup(void)
{
    make_pattern();
    char name[64];
    for (size_t i = 0; i < bench_npeers; i++) {
        if (bench_peers[i].free == NULL)
            continue; /* arenas cannot free one object */
        snprintf(name, sizeof name, "objects/%s", bench_peers[i].name);
        bench_min_time(bench_register(name, bm_objects_peer, (void *)&bench_peers[i]), 0.2);
    }
    bench_min_time(bench_register("objects/slab", bm_objects_slab, NULL), 0.2);
    static int with_magazine = 1;
    bench_min_time(bench_register("objects/slab_mag", bm_objects_slab, &with_magazine), 0.2);
    for (size_t i = 0; i < bench_npeers; i++) {
        if (bench_peers[i].free == NULL)
            continue;
        snprintf(name, sizeof name, "blocks/%s", bench_peers[i].name);
        bench_min_time(bench_register(name, bm_blocks_peer, (void *)&bench_peers[i]), 0.2);
    }
    bench_min_time(bench_register("blocks/buddy", bm_blocks_buddy, NULL), 0.2);
}
BENCH_SETUP(setup)
