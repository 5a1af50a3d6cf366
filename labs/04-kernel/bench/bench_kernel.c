/* bench_kernel.c — the kernel core's pure parts against what a hosted C programmer
 * would use instead: kfmt against glibc's snprintf for log-line formatting, kheap
 * against glibc's malloc for small short-lived blocks, and the bitmap frame allocator
 * against a free list of frames (xv6's kalloc design, written here from the idea). The
 * kernel runs the same object code, so these ratios carry over; QEMU timings would
 * not. */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "frame.h"
#include "kfmt.h"
#include "kheap.h"

/* --- format: one typical kernel log line ----------------------------------------------- */

static void bm_format_snprintf(bench_state *st, void *ctx)
{
    (void)ctx;
    char buf[128];
    uint64_t x = 0x1234;
    while (bench_keep_running(st)) {
        int n = snprintf(buf, sizeof buf, "task %s: wake-up %u/%u at tick %llu rip=0x%016llx",
                         "ticker", 3u, 5u, (unsigned long long)x, (unsigned long long)(x * 977));
        BENCH_DO_NOT_OPTIMIZE(n);
        BENCH_DO_NOT_OPTIMIZE(buf);
        x++;
    }
    bench_set_items(st, bench_state_iterations(st));
}

static void bm_format_kfmt(bench_state *st, void *ctx)
{
    (void)ctx;
    char buf[128];
    uint64_t x = 0x1234;
    while (bench_keep_running(st)) {
        size_t n =
            kfmt_snprintf(buf, sizeof buf, "task %s: wake-up %u/%u at tick %llu rip=0x%016llx",
                          "ticker", 3u, 5u, (unsigned long long)x, (unsigned long long)(x * 977));
        BENCH_DO_NOT_OPTIMIZE(n);
        BENCH_DO_NOT_OPTIMIZE(buf);
        x++;
    }
    bench_set_items(st, bench_state_iterations(st));
}

/* --- smallalloc: 64 live blocks of 16..1024 bytes, freed and reallocated -------------- */

enum { LIVE = 64 };

static size_t sizes[LIVE];

static void init_sizes(void)
{
    uint64_t s = 12345;
    for (int i = 0; i < LIVE; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        sizes[i] = 16 + (size_t)(s >> 33) % 1009;
    }
}

static void bm_smallalloc_malloc(bench_state *st, void *ctx)
{
    (void)ctx;
    void *live[LIVE];
    for (int i = 0; i < LIVE; i++)
        live[i] = malloc(sizes[i]);
    unsigned k = 0;
    while (bench_keep_running(st)) {
        unsigned i = k++ % LIVE;
        free(live[i]);
        live[i] = malloc(sizes[i]);
        BENCH_DO_NOT_OPTIMIZE(live[i]);
    }
    for (int i = 0; i < LIVE; i++)
        free(live[i]);
    bench_set_items(st, bench_state_iterations(st));
}

static void *pages_get(void *ctx, size_t n)
{
    (void)ctx;
    return aligned_alloc(KHEAP_PAGE, n * KHEAP_PAGE);
}

static void pages_put(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    free(p);
}

static void bm_smallalloc_kheap(bench_state *st, void *ctx)
{
    (void)ctx;
    kheap h;
    kheap_init(&h, (kheap_pages){pages_get, pages_put, NULL});
    void *live[LIVE];
    for (int i = 0; i < LIVE; i++)
        live[i] = kheap_alloc(&h, sizes[i]);
    unsigned k = 0;
    while (bench_keep_running(st)) {
        unsigned i = k++ % LIVE;
        if (kheap_free(&h, live[i]) != 0) {
            bench_skip(st, "kheap_free refused a block it gave out");
            return;
        }
        live[i] = kheap_alloc(&h, sizes[i]);
        BENCH_DO_NOT_OPTIMIZE(live[i]);
    }
    for (int i = 0; i < LIVE; i++)
        kheap_free(&h, live[i]);
    bench_set_items(st, bench_state_iterations(st));
    /* the small-class pages stay with the heap: a benchmark-sized leak, by design */
}

/* --- frames: take and return frames from 128 MiB, half of them held --------------------- */

enum { NFRAMES = 32768, HELD = NFRAMES / 2 };

/* The classic alternative: free frames linked through their first word (xv6 kalloc). A
 * frame here is an index into an array standing in for memory. */
struct freelist {
    uint32_t *next; /* next[i]: frame after i on the list */
    uint32_t head;
};

static void bm_frames_freelist(bench_state *st, void *ctx)
{
    (void)ctx;
    static uint32_t next[NFRAMES], held[HELD];
    struct freelist fl = {next, 0};
    for (uint32_t i = 0; i < NFRAMES; i++)
        next[i] = i + 1 < NFRAMES ? i + 1 : UINT32_MAX;
    for (int i = 0; i < HELD; i++) {
        held[i] = fl.head;
        fl.head = next[fl.head];
    }
    unsigned k = 0;
    while (bench_keep_running(st)) {
        unsigned i = k++ % HELD;
        next[held[i]] = fl.head; /* put */
        fl.head = held[i];
        held[(i * 7919u) % HELD] ^= 0; /* same access pattern cost as below */
        held[i] = fl.head;             /* get */
        fl.head = next[fl.head];
        BENCH_DO_NOT_OPTIMIZE(held[i]);
    }
    bench_set_items(st, bench_state_iterations(st));
}

static void bm_frames_bitmap(bench_state *st, void *ctx)
{
    (void)ctx;
    static uint64_t bits[NFRAMES / 64];
    static uint64_t held[HELD];
    frame_alloc fa;
    frame_init(&fa, bits, NFRAMES / 64, 0, (uint64_t)NFRAMES * FRAME_SIZE);
    frame_add(&fa, 0, (uint64_t)NFRAMES * FRAME_SIZE);
    for (int i = 0; i < HELD; i++)
        frame_get(&fa, &held[i]);
    unsigned k = 0;
    while (bench_keep_running(st)) {
        unsigned i = k++ % HELD;
        frame_put(&fa, held[i]);
        held[(i * 7919u) % HELD] ^= 0;
        if (frame_get(&fa, &held[i]) != 0) {
            bench_skip(st, "frame_get failed with free frames left");
            return;
        }
        BENCH_DO_NOT_OPTIMIZE(held[i]);
    }
    bench_set_items(st, bench_state_iterations(st));
}

static void setup(void)
{
    init_sizes();
    bench_register("format/snprintf", bm_format_snprintf, NULL);
    bench_register("format/kfmt", bm_format_kfmt, NULL);
    bench_register("smallalloc/malloc", bm_smallalloc_malloc, NULL);
    bench_register("smallalloc/kheap", bm_smallalloc_kheap, NULL);
    bench_register("frames/freelist", bm_frames_freelist, NULL);
    bench_register("frames/bitmap", bm_frames_bitmap, NULL);
}
BENCH_SETUP(setup)
