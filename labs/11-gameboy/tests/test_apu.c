/* test_apu.c — the sound unit: registers as the CPU sees them, the frame sequencer's
 * counters, and the waveforms the host receives.
 *
 * Facts from Pan Docs ("Audio Registers", "Audio Details", "Obscure Behavior"): the
 * read masks, NR52's status bits, power off clearing the registers, 64 length steps
 * at 256 Hz, sweep overflow at trigger; square frequency 131072/(2048-f) Hz, wave
 * 65536/(2048-f) Hz. The audio tests count rising edges in the host's samples.
 */
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "gb.h"
#include "romgen.h"

typedef struct capture {
    int16_t *left;
    size_t n, cap;
} capture;

static void on_audio(void *ctx, const int16_t *frames, size_t n)
{
    capture *c = ctx;
    for (size_t i = 0; i < n && c->n < c->cap; i++)
        c->left[c->n++] = frames[2 * i];
}

typedef struct rig {
    gb *g;
    uint8_t *rom;
    capture cap;
} rig;

static rig *rig_new(bool audio)
{
    rig *r = calloc(1, sizeof *r);
    size_t size;
    r->rom = romgen(0x00, 0, 0, &size);
    r->g = malloc(sizeof *r->g);
    r->cap.cap = 48000 * 2;
    r->cap.left = calloc(r->cap.cap, sizeof(int16_t));
    gb_host host = {.ctx = &r->cap, .audio = audio ? on_audio : NULL, .audio_rate = 48000};
    gb_error err;
    assert_int_equal(gb_init(r->g, r->rom, size, NULL, 0, &host, &err), 0);
    r->g->cpu.pc = 0x150; /* JR -2 */
    return r;
}

static void rig_free(rig *r)
{
    free(r->cap.left);
    free(r->g);
    free(r->rom);
    free(r);
}

static void wr(rig *r, uint16_t a, uint8_t v)
{
    r->g->bus.write(r->g, a, v);
}

static uint8_t rd(rig *r, uint16_t a)
{
    return r->g->bus.read(r->g, a);
}

static void run_ms(rig *r, unsigned ms)
{
    gb_run(r->g, (uint64_t)GB_MCYCLES_PER_SECOND * ms / 1000, 0);
}

static void test_read_masks(void **state)
{
    (void)state;
    static const uint8_t mask[0x17] = {0x80, 0x3F, 0x00, 0xFF, 0xBF, 0xFF, 0x3F, 0x00,
                                       0xFF, 0xBF, 0x7F, 0xFF, 0x9F, 0xFF, 0xBF, 0xFF,
                                       0xFF, 0x00, 0x00, 0xBF, 0x00, 0x00, 0x70};
    rig *r = rig_new(false);
    wr(r, 0xFF26, 0x00); /* power off clears everything */
    wr(r, 0xFF26, 0x80);
    for (unsigned i = 0; i < 0x16; i++)
        if (rd(r, (uint16_t)(0xFF10 + i)) != mask[i])
            fail_msg("$FF%02X reads $%02X after power-on, want $%02X", 0x10 + i,
                     rd(r, (uint16_t)(0xFF10 + i)), mask[i]);
    assert_int_equal(rd(r, 0xFF26), 0xF0);
    for (uint16_t a = 0xFF27; a < 0xFF30; a++)
        assert_int_equal(rd(r, a), 0xFF); /* unused */
    wr(r, 0xFF24, 0x5A);                  /* fully readable registers */
    assert_int_equal(rd(r, 0xFF24), 0x5A);
    wr(r, 0xFF30, 0x12); /* wave RAM */
    assert_int_equal(rd(r, 0xFF30), 0x12);
    rig_free(r);
}

static void test_power_off_ignores_writes(void **state)
{
    (void)state;
    rig *r = rig_new(false);
    wr(r, 0xFF26, 0x00);
    wr(r, 0xFF24, 0x77);
    assert_int_equal(rd(r, 0xFF24), 0x00);
    assert_int_equal(rd(r, 0xFF26), 0x70);
    wr(r, 0xFF3F, 0x34); /* wave RAM stays writable */
    assert_int_equal(rd(r, 0xFF3F), 0x34);
    rig_free(r);
}

static void test_status_and_dac(void **state)
{
    (void)state;
    rig *r = rig_new(false);
    wr(r, 0xFF26, 0x00);
    wr(r, 0xFF26, 0x80);
    wr(r, 0xFF17, 0xF0); /* channel 2: volume 15, DAC on */
    wr(r, 0xFF19, 0x80); /* trigger */
    assert_int_equal(rd(r, 0xFF26) & 0x0F, 0x02);
    wr(r, 0xFF17, 0x00); /* DAC off: the channel stops */
    assert_int_equal(rd(r, 0xFF26) & 0x0F, 0x00);
    wr(r, 0xFF19, 0x80); /* triggering with the DAC off does not start it */
    assert_int_equal(rd(r, 0xFF26) & 0x0F, 0x00);
    rig_free(r);
}

static void test_length_counter(void **state)
{
    (void)state;
    rig *r = rig_new(false);
    wr(r, 0xFF26, 0x00);
    wr(r, 0xFF26, 0x80);
    wr(r, 0xFF21, 0xF0); /* noise, volume 15 */
    wr(r, 0xFF20, 0x00); /* length 64 steps */
    wr(r, 0xFF23, 0xC0); /* trigger, length enabled */
    run_ms(r, 240);      /* 64 steps at 256 Hz = 250 ms */
    assert_int_equal(rd(r, 0xFF26) & 0x08, 0x08);
    run_ms(r, 20);
    assert_int_equal(rd(r, 0xFF26) & 0x08, 0x00);
    rig_free(r);
}

/* Noise with one length step left: it stops at the sequencer's next length clock. */
static void arm_one_step(rig *r)
{
    wr(r, 0xFF26, 0x00);
    wr(r, 0xFF26, 0x80);
    wr(r, 0xFF21, 0xF0);
    wr(r, 0xFF20, 0x3F); /* length 1 */
    wr(r, 0xFF23, 0xC0);
}

static void idle(rig *r, unsigned n)
{
    while (n--)
        r->g->bus.idle(r->g);
}

static void test_frame_sequencer_follows_div(void **state)
{
    (void)state;
    rig *r = rig_new(false);
    /* DIV written every 1000 M-cycles: bit 4 of DIV (counter bit 12, 1024 M-cycles)
     * never gets set, so the sequencer never steps and length never runs out. */
    wr(r, 0xFF04, 0);
    arm_one_step(r);
    for (int i = 0; i < 300; i++) {
        idle(r, 1000);
        wr(r, 0xFF04, 0);
    }
    assert_int_equal(rd(r, 0xFF26) & 0x08, 0x08);
    /* Every 1500 M-cycles: bit 12 is set at each write, so each write is a falling
     * edge and steps the sequencer; two steps include a length clock. */
    for (int i = 0; i < 2; i++) {
        idle(r, 1500);
        wr(r, 0xFF04, 0);
    }
    assert_int_equal(rd(r, 0xFF26) & 0x08, 0x00);
    rig_free(r);
}

/* Pan Docs, "Obscure Behavior": enabling length in NRx4 when the sequencer's next step
 * does not clock length clocks it once right away. */
static void test_extra_length_clock(void **state)
{
    (void)state;
    for (int odd = 0; odd <= 1; odd++) {
        rig *r = rig_new(false);
        wr(r, 0xFF04, 0); /* counter 0: bit 12 is far */
        wr(r, 0xFF26, 0x00);
        wr(r, 0xFF26, 0x80); /* the next step is 0 (a length step) */
        wr(r, 0xFF21, 0xF0);
        wr(r, 0xFF20, 0x3F); /* length 1 */
        wr(r, 0xFF23, 0x80); /* trigger, length not enabled */
        if (odd) {
            idle(r, 1500);
            wr(r, 0xFF04, 0); /* step 0 runs (length is off: nothing); next is 1 */
        }
        wr(r, 0xFF23, 0x40); /* enable length, no trigger */
        assert_int_equal(rd(r, 0xFF26) & 0x08, odd ? 0x00 : 0x08);
        rig_free(r);
    }
}

static void test_sweep_overflow_at_trigger(void **state)
{
    (void)state;
    rig *r = rig_new(false);
    wr(r, 0xFF26, 0x00);
    wr(r, 0xFF26, 0x80);
    wr(r, 0xFF12, 0xF0);
    wr(r, 0xFF10, 0x11); /* period 1, add, shift 1 */
    wr(r, 0xFF13, 0xFF);
    wr(r, 0xFF14, 0x87); /* f = 2047: 2047 + 1023 overflows at once */
    assert_int_equal(rd(r, 0xFF26) & 0x01, 0x00);
    wr(r, 0xFF13, 0x00);
    wr(r, 0xFF14, 0x84); /* f = 1024: the first calculation is in range */
    assert_int_equal(rd(r, 0xFF26) & 0x01, 0x01);
    run_ms(r, 20); /* two sweeps at 128 Hz: 1024 -> 1536 -> 2304: off */
    assert_int_equal(rd(r, 0xFF26) & 0x01, 0x00);
    rig_free(r);
}

/* Rising edges (through zero) in the captured left channel. */
static unsigned edges(const capture *c)
{
    unsigned n = 0;
    for (size_t i = 1; i < c->n; i++)
        n += c->left[i - 1] <= 0 && c->left[i] > 0;
    return n;
}

static void test_square_frequency(void **state)
{
    (void)state;
    rig *r = rig_new(true);
    wr(r, 0xFF26, 0x80);
    wr(r, 0xFF25, 0x22); /* channel 2 to both sides */
    wr(r, 0xFF24, 0x77);
    wr(r, 0xFF16, 0x80); /* 50 % duty */
    wr(r, 0xFF17, 0xF0);
    wr(r, 0xFF18, 0x06); /* f = 1798 = $706: 131072 / 250 = 524.288 Hz */
    wr(r, 0xFF19, 0x87);
    r->cap.n = 0;
    uint64_t before = r->g->samples;
    run_ms(r, 1000);
    assert_true(r->g->samples - before >= 47999 && r->g->samples - before <= 48001);
    unsigned e = edges(&r->cap);
    if (e < 522 || e > 526)
        fail_msg("%u rising edges in 1 s, want 524", e);
    rig_free(r);
}

static void test_wave_channel_plays_wave_ram(void **state)
{
    (void)state;
    rig *r = rig_new(true);
    wr(r, 0xFF26, 0x80);
    wr(r, 0xFF25, 0x44);
    wr(r, 0xFF24, 0x77);
    for (uint16_t i = 0; i < 16; i++)
        wr(r, (uint16_t)(0xFF30 + i), i < 8 ? 0xFF : 0x00); /* half high, half low */
    wr(r, 0xFF1A, 0x80);                                    /* DAC on */
    wr(r, 0xFF1C, 0x20);                                    /* volume 100 % */
    wr(r, 0xFF1D, 0x00);
    wr(r, 0xFF1E, 0x86); /* f = $600 = 1536: 65536 / 512 = 128 Hz */
    r->cap.n = 0;
    run_ms(r, 1000);
    unsigned e = edges(&r->cap);
    if (e < 127 || e > 129)
        fail_msg("%u rising edges in 1 s, want 128", e);
    rig_free(r);
}

static void test_wave_ram_locked_while_playing(void **state)
{
    (void)state;
    rig *r = rig_new(false);
    wr(r, 0xFF26, 0x80);
    for (uint16_t i = 0; i < 16; i++)
        wr(r, (uint16_t)(0xFF30 + i), (uint8_t)(0x10 + i));
    wr(r, 0xFF1A, 0x80);
    wr(r, 0xFF1D, 0x00);
    wr(r, 0xFF1E, 0x80); /* f = 0: a fetch every 4096 clocks */
    /* Between fetches the DMG's CPU cannot reach wave RAM: reads give $FF. */
    assert_int_equal(rd(r, 0xFF35), 0xFF);
    wr(r, 0xFF35, 0x99); /* and writes are lost */
    wr(r, 0xFF1A, 0x00); /* DAC off: the channel stops, wave RAM is open again */
    assert_int_equal(rd(r, 0xFF35), 0x15);
    rig_free(r);
}

/* DMG: retriggering channel 3 while it fetches a wave RAM byte rewrites the first
 * bytes (Pan Docs, "Audio Details: Obscure Behavior"): byte 0 with the byte being
 * read if that is one of bytes 0-3, else bytes 0-3 with the aligned four it is in.
 * "While it fetches" is, in this core's clock, 2 clocks before the fetch (what
 * Blargg's dmg_sound 10 confirms). With f = 2040 the period is 2 x 8 = 16 clocks and
 * fetch k (of sample k, byte k / 2) comes 22 + 16 (k - 1) clocks after the trigger;
 * a retrigger after n idle M-cycles is 4 (n + 1) clocks after it, so n = 4k corrupts
 * with byte (k mod 32) / 2 and every other n leaves wave RAM alone. */
static void test_wave_retrigger_corrupts_wave_ram(void **state)
{
    (void)state;
    for (unsigned n = 0; n <= 132; n++) {
        rig *r = rig_new(false);
        wr(r, 0xFF26, 0x80);
        uint8_t want[16];
        for (uint16_t i = 0; i < 16; i++) {
            want[i] = (uint8_t)(0x10 + i);
            wr(r, (uint16_t)(0xFF30 + i), want[i]);
        }
        wr(r, 0xFF1A, 0x80);
        wr(r, 0xFF1D, 0xF8); /* f = 2040 */
        wr(r, 0xFF1E, 0x87);
        idle(r, n);
        wr(r, 0xFF1E, 0x87); /* retrigger while on */
        wr(r, 0xFF1A, 0x00); /* stop: wave RAM is open again */
        if (n % 4 == 0 && n > 0) {
            unsigned b = (n / 4 % 32) / 2;
            if (b < 4)
                want[0] = want[b];
            else
                for (unsigned i = 0; i < 4; i++)
                    want[i] = want[(b & ~3u) + i];
        }
        for (uint16_t i = 0; i < 16; i++)
            if (rd(r, (uint16_t)(0xFF30 + i)) != want[i])
                fail_msg("retrigger after %u M-cycles: byte %u is $%02X, want $%02X", n, i,
                         rd(r, (uint16_t)(0xFF30 + i)), want[i]);
        rig_free(r);
    }
    /* A trigger with the channel off never corrupts, at any offset. */
    rig *r = rig_new(false);
    wr(r, 0xFF26, 0x80);
    for (uint16_t i = 0; i < 16; i++)
        wr(r, (uint16_t)(0xFF30 + i), (uint8_t)(0x10 + i));
    wr(r, 0xFF1A, 0x80);
    wr(r, 0xFF1D, 0xF8);
    for (unsigned n = 0; n < 8; n++) {
        wr(r, 0xFF1A, 0x00); /* DAC off stops the channel */
        wr(r, 0xFF1A, 0x80);
        idle(r, n);
        wr(r, 0xFF1E, 0x87);
    }
    wr(r, 0xFF1A, 0x00);
    for (uint16_t i = 0; i < 16; i++)
        assert_int_equal(rd(r, (uint16_t)(0xFF30 + i)), 0x10 + i);
    rig_free(r);
}

static void test_silent_without_channels(void **state)
{
    (void)state;
    rig *r = rig_new(true);
    wr(r, 0xFF26, 0x00); /* power off: every DAC off, output 0 */
    run_ms(r, 10);
    r->cap.n = 0;
    run_ms(r, 100);
    assert_true(r->cap.n > 4500); /* whole 256-frame buffers only */
    for (size_t i = 0; i < r->cap.n; i++)
        assert_int_equal(r->cap.left[i], 0);
    rig_free(r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_read_masks),
    cmocka_unit_test(test_power_off_ignores_writes),
    cmocka_unit_test(test_status_and_dac),
    cmocka_unit_test(test_length_counter),
    cmocka_unit_test(test_frame_sequencer_follows_div),
    cmocka_unit_test(test_extra_length_clock),
    cmocka_unit_test(test_sweep_overflow_at_trigger),
    cmocka_unit_test(test_square_frequency),
    cmocka_unit_test(test_wave_channel_plays_wave_ram),
    cmocka_unit_test(test_wave_ram_locked_while_playing),
    cmocka_unit_test(test_wave_retrigger_corrupts_wave_ram),
    cmocka_unit_test(test_silent_without_channels),
};

CMN_TEST_MAIN(tests)
