/* bench_gb.c — headless emulation speed: this core against mGBA's Game Boy core.
 *
 * One iteration is one emulated frame (70224 clocks); items/s is frames per second
 * and the "x_realtime" counter divides that by the DMG's 59.7275 frames/s. Both run the
 * same ROM from power-on without a boot ROM: the lab's own CPU-heavy bench_loop.gb, and
 * Blargg's cpu_instrs.gb when $GB_TEST_ROMS points at a copy. mGBA is driven through
 * its public mCore API (libmgba-dev), video into a buffer, audio buffer left to fill.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <mgba/core/core.h>
#include <mgba/core/log.h>
#include <mgba/gb/core.h>
#include <mgba-util/vfs.h>

#include "bench.h"
#include "gb.h"
#include "gb_host.h"

#ifndef GB_ROM_DIR
#define GB_ROM_DIR "build/roms"
#endif

typedef struct rom {
    uint8_t *data;
    size_t size;
} rom;

static const double DMG_FPS = 4194304.0 / 70224.0;

static void bm_ours(bench_state *st, void *ctx)
{
    const rom *r = ctx;
    gb *g = malloc(sizeof *g);
    static uint8_t ram[0x20000];
    gb_error err;
    if (!g || gb_init(g, r->data, r->size, ram, sizeof ram, NULL, &err)) {
        bench_skip(st, "gb_init failed");
        free(g);
        return;
    }
    int64_t frames = 0;
    while (bench_keep_running(st)) {
        gb_run(g, GB_MCYCLES_PER_FRAME, GB_EV_FRAME);
        frames++;
    }
    BENCH_DO_NOT_OPTIMIZE(g->ppu.fb[72][80]);
    bench_set_items(st, frames);
    bench_counter(st, "x_realtime", (double)frames / DMG_FPS, BENCH_COUNTER_RATE);
    free(g);
}

static void quiet_log(struct mLogger *l, int cat, enum mLogLevel lvl, const char *fmt, va_list ap)
{
    (void)l, (void)cat, (void)lvl, (void)fmt, (void)ap;
}

static struct mLogger quiet = {.log = quiet_log};

static void bm_mgba(bench_state *st, void *ctx)
{
    const rom *r = ctx;
    mLogSetDefaultLogger(&quiet);
    struct mCore *core = GBCoreCreate();
    if (!core || !core->init(core)) {
        bench_skip(st, "mGBA core did not start");
        return;
    }
    mCoreInitConfig(core, NULL);
    static color_t video[256 * 256];
    core->setVideoBuffer(core, video, 256);
    core->setAudioBufferSize(core, 2048);
    struct VFile *vf = VFileMemChunk(r->data, r->size);
    if (!core->loadROM(core, vf)) {
        bench_skip(st, "mGBA refused the ROM");
        core->deinit(core);
        return;
    }
    core->reset(core);
    int64_t frames = 0;
    while (bench_keep_running(st)) {
        core->runFrame(core);
        frames++;
    }
    BENCH_DO_NOT_OPTIMIZE(video[72 * 256 + 80]);
    bench_set_items(st, frames);
    bench_counter(st, "x_realtime", (double)frames / DMG_FPS, BENCH_COUNTER_RATE);
    mCoreConfigDeinit(&core->config);
    core->deinit(core);
}

static rom roms[2];

static void add(const char *name, const char *path, rom *r)
{
    if (gbh_read_file(path, &r->data, &r->size)) {
        fprintf(stderr, "bench: %s not found (%s): its group is left out\n", name, path);
        return;
    }
    char buf[96];
    snprintf(buf, sizeof buf, "frames_%s/mgba", name);
    bench_min_time(bench_register(buf, bm_mgba, r), 1.0);
    snprintf(buf, sizeof buf, "frames_%s/ours", name);
    bench_min_time(bench_register(buf, bm_ours, r), 1.0);
}

static void setup(void)
{
    add("bench_loop", GB_ROM_DIR "/bench_loop.gb", &roms[0]);
    const char *dir = getenv("GB_TEST_ROMS");
    char path[4096];
    snprintf(path, sizeof path, "%s/cpu_instrs/cpu_instrs.gb", dir ? dir : "");
    if (dir && *dir)
        add("cpu_instrs", path, &roms[1]);
    else
        fprintf(stderr, "bench: GB_TEST_ROMS not set: the cpu_instrs group is left out\n");
}
BENCH_SETUP(setup)
