/* test_machine.c — the machine around the CPU, driven cycle by cycle through its bus.
 *
 * bus.idle/read/write are exactly the M-cycles the CPU would spend, so these tests
 * place register writes at chosen cycles: the timer's falling-edge cases (DIV and
 * TAC writes, the overflow and reload cycles), the joypad, STOP, the boot state, and
 * the host callbacks (serial bytes, frames).
 */
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "gb.h"
#include "romgen.h"

typedef struct host_log {
    uint8_t serial[64];
    unsigned nserial, frames;
} host_log;

static void on_serial(void *ctx, uint8_t b)
{
    host_log *h = ctx;
    if (h->nserial < sizeof h->serial)
        h->serial[h->nserial++] = b;
}

static void on_frame(void *ctx, const uint8_t *px)
{
    host_log *h = ctx;
    (void)px;
    h->frames++;
}

static gb *boot(host_log *log, const uint8_t *program, size_t len, uint8_t **rom_out)
{
    size_t size;
    uint8_t *rom = romgen(0x00, 0, 0, &size);
    if (program)
        memcpy(rom + 0x150, program, len);
    gb *g = malloc(sizeof *g);
    gb_host host = {.ctx = log, .serial_out = on_serial, .frame = on_frame};
    gb_error err;
    assert_int_equal(gb_init(g, rom, size, NULL, 0, &host, &err), 0);
    *rom_out = rom;
    return g;
}

static void idle(gb *g, unsigned n)
{
    while (n--)
        g->bus.idle(g);
}

static void wr(gb *g, uint16_t a, uint8_t v)
{
    g->bus.write(g, a, v);
}

static uint8_t rd(gb *g, uint16_t a)
{
    return g->bus.read(g, a);
}

static void test_boot_state(void **state)
{
    (void)state;
    host_log log = {0};
    uint8_t *rom;
    gb *g = boot(&log, NULL, 0, &rom);
    assert_int_equal(g->cpu.pc, 0x0100);
    assert_int_equal(g->cpu.sp, 0xFFFE);
    assert_int_equal(g->cpu.a, 0x01);
    assert_int_equal(g->cpu.f, 0xB0);
    assert_int_equal(gb_peek(g, 0xFF40), 0x91); /* LCDC */
    assert_int_equal(gb_peek(g, 0xFF47), 0xFC); /* BGP */
    assert_int_equal(gb_peek(g, 0xFF07), 0xF8); /* TAC */
    assert_int_equal(gb_peek(g, 0xFF00), 0xCF); /* P1, nothing selected */
    assert_int_equal(gb_peek(g, 0xFF44), 0x00); /* LY */
    g->doctor = true;                           /* the Gameboy Doctor convention */
    assert_int_equal(gb_peek(g, 0xFF44), 0x90);
    free(g);
    free(rom);
}

static void test_tac_change_is_an_edge(void **state)
{
    (void)state;
    host_log log = {0};
    uint8_t *rom;
    gb *g = boot(&log, NULL, 0, &rom);
    wr(g, 0xFF07, 0x05); /* bit 3 */
    wr(g, 0xFF04, 0);    /* counter 0 */
    wr(g, 0xFF05, 0);    /* counter 4 */
    idle(g, 1);          /* 8: bit 3 is 1 */
    wr(g, 0xFF07, 0x04); /* 12: switch to bit 9 (0): the AND falls, TIMA steps */
    assert_int_equal(rd(g, 0xFF05), 1);
    wr(g, 0xFF07, 0x05);                /* 20: back to bit 3, which is 0: no step */
    assert_int_equal(rd(g, 0xFF05), 1); /* 24 */
    wr(g, 0xFF07, 0x01);                /* 28: disabling while bit 3 is 1 is a falling edge too */
    assert_int_equal(rd(g, 0xFF05), 2);
    free(g);
    free(rom);
}

/* Sets up an overflow: TIMA = FF, TAC = 05, counter 0 after the DIV write; the step
 * to 00 happens in the 4th M-cycle after it. */
static gb *at_overflow(host_log *log, uint8_t **rom)
{
    gb *g = boot(log, NULL, 0, rom);
    wr(g, 0xFF07, 0x00);
    wr(g, 0xFF05, 0xFF);
    wr(g, 0xFF06, 0x80);
    wr(g, 0xFF0F, 0x00);
    wr(g, 0xFF04, 0);
    wr(g, 0xFF07, 0x05); /* +1: counter 4, bit 3 clear: no edge */
    idle(g, 2);          /* +3 */
    return g;
}

static void test_tima_overflow_sequence(void **state)
{
    (void)state;
    host_log log = {0};
    uint8_t *rom;
    gb *g = at_overflow(&log, &rom);
    assert_int_equal(rd(g, 0xFF05), 0x00); /* +4: overflowed, reads 0 */
    assert_int_equal(gb_peek(g, 0xFF0F) & 4, 0);
    assert_int_equal(rd(g, 0xFF05), 0x80); /* +5: reloaded, interrupt requested */
    assert_int_equal(gb_peek(g, 0xFF0F) & 4, 4);
    free(g);
    free(rom);
}

static void test_tima_write_in_overflow_cycle_cancels(void **state)
{
    (void)state;
    host_log log = {0};
    uint8_t *rom;
    gb *g = at_overflow(&log, &rom);
    wr(g, 0xFF05, 0x33); /* +4: the overflow cycle */
    assert_int_equal(rd(g, 0xFF05), 0x33);
    assert_int_equal(rd(g, 0xFF0F) & 4, 0); /* no reload, no interrupt */
    free(g);
    free(rom);
}

static void test_reload_cycle_writes(void **state)
{
    (void)state;
    host_log log = {0};
    uint8_t *rom;
    gb *g = at_overflow(&log, &rom);
    idle(g, 1);          /* +4 overflow */
    wr(g, 0xFF05, 0x11); /* +5 reload cycle: a TIMA write is ignored */
    assert_int_equal(rd(g, 0xFF05), 0x80);
    free(g);
    free(rom);
    g = at_overflow(&log, &rom);
    idle(g, 1);
    wr(g, 0xFF06, 0x44); /* +5: a TMA write goes through to TIMA too */
    assert_int_equal(rd(g, 0xFF05), 0x44);
    free(g);
    free(rom);
}

static void test_oam_dma_takes_161_cycles(void **state)
{
    (void)state;
    host_log log = {0};
    uint8_t *rom;
    gb *g = boot(&log, NULL, 0, &rom);
    wr(g, 0xFF40, 0x00); /* LCD off: OAM belongs to the CPU except during DMA */
    for (uint16_t i = 0; i < 0xA0; i++)
        wr(g, (uint16_t)(0xC000 + i), (uint8_t)(i ^ 0x5A));
    wr(g, 0xFF46, 0xC0); /* one start-up M-cycle, then 160 copying */
    idle(g, 159);
    assert_int_equal(rd(g, 0xFE00), 0xFF);        /* cycle 160: the last byte is not there yet */
    assert_int_equal(rd(g, 0xFE9F), 0x9F ^ 0x5A); /* cycle 161: done */
    assert_int_equal(rd(g, 0xFE00), 0x5A);
    free(g);
    free(rom);
}

static void test_first_line_after_lcd_on(void **state)
{
    (void)state;
    host_log log = {0};
    uint8_t *rom;
    gb *g = boot(&log, NULL, 0, &rom);
    for (unsigned wait = 111; wait <= 112; wait++) {
        wr(g, 0xFF40, 0x00);
        wr(g, 0xFF40, 0x81); /* on: line 0 starts one M-cycle in, without mode 2 */
        assert_int_equal(gb_peek(g, 0xFF41) & 3, 0);
        idle(g, wait);
        /* read in M-cycle 112 after the write: still line 0; in 113: line 1 */
        assert_int_equal(rd(g, 0xFF44), wait - 111);
    }
    free(g);
    free(rom);
}

/* The OAM corruption bug (Pan Docs): INC DE with DE = $FE00 in the M-cycle the PPU
 * scans OAM row 6 rewrites row 6 from row 5: word 0 = ((a ^ c) & (b ^ c)) ^ c, words
 * 1-3 copied, the rest untouched. In mode 3 nothing happens. */
static void test_oam_corruption(void **state)
{
    (void)state;
    static const uint8_t inc_de[] = {0x13};
    host_log log = {0};
    uint8_t *rom;
    gb *g = boot(&log, inc_de, sizeof inc_de, &rom);
    wr(g, 0xFF40, 0x00);
    for (unsigned i = 0; i < 0xA0; i++)
        wr(g, (uint16_t)(0xFE00 + i), (uint8_t)(i * 37 + 11));
    uint8_t before[0xA0];
    memcpy(before, g->oam, sizeof before);
    wr(g, 0xFF40, 0x81);
    while (g->ppu.ly != 1) /* a normal line start */
        idle(g, 1);
    while (g->ppu.dot != 16)
        idle(g, 1);
    g->cpu.pc = 0x150;
    g->cpu.d = 0xFE;
    g->cpu.e = 0x00;
    gb_step(g); /* the fetch ticks to dot 20, INC DE's idle M-cycle to dot 24: row 6 */
    const unsigned row = 6;
    unsigned a = (unsigned)(before[row * 8] | before[row * 8 + 1] << 8);
    unsigned b = (unsigned)(before[(row - 1) * 8] | before[(row - 1) * 8 + 1] << 8);
    unsigned c = (unsigned)(before[(row - 1) * 8 + 4] | before[(row - 1) * 8 + 5] << 8);
    unsigned want = ((a ^ c) & (b ^ c)) ^ c;
    assert_int_equal(g->oam[row * 8] | g->oam[row * 8 + 1] << 8, want);
    assert_memory_equal(&g->oam[row * 8 + 2], &before[(row - 1) * 8 + 2], 6);
    for (unsigned i = 0; i < 0xA0; i++)
        if (i / 8 != row)
            assert_int_equal(g->oam[i], before[i]);
    /* Outside mode 2 nothing changes. */
    memcpy(before, g->oam, sizeof before);
    while (g->ppu.mode != 3)
        idle(g, 1);
    g->cpu.pc = 0x150;
    g->cpu.e = 0x00;
    gb_step(g);
    assert_memory_equal(g->oam, before, sizeof before);
    free(g);
    free(rom);
}

static void test_joypad(void **state)
{
    (void)state;
    host_log log = {0};
    uint8_t *rom;
    gb *g = boot(&log, NULL, 0, &rom);
    wr(g, 0xFF0F, 0);
    wr(g, 0xFF00, 0x20); /* select directions (bit 4 low) */
    gb_set_buttons(g, GB_BTN_LEFT | GB_BTN_A);
    assert_int_equal(rd(g, 0xFF00), 0xC0 | 0x20 | 0x0D); /* Left low, A not selected */
    assert_int_equal(rd(g, 0xFF0F) & GB_IRQ_JOYPAD, GB_IRQ_JOYPAD);
    wr(g, 0xFF0F, 0);
    wr(g, 0xFF00, 0x10); /* select buttons */
    assert_int_equal(rd(g, 0xFF00), 0xC0 | 0x10 | 0x0E);
    gb_set_buttons(g, GB_BTN_A); /* releasing Left: no new low line, no interrupt */
    assert_int_equal(rd(g, 0xFF0F) & GB_IRQ_JOYPAD, 0);
    free(g);
    free(rom);
}

static void test_stop_resets_div_and_waits_for_a_button(void **state)
{
    (void)state;
    host_log log = {0};
    static const uint8_t prog[] = {0x10, 0x00, 0x3C, 0x18, 0xFE}; /* STOP; INC A; JR -2 */
    uint8_t *rom;
    gb *g = boot(&log, prog, sizeof prog, &rom);
    g->cpu.pc = 0x150;
    g->cpu.a = 0;
    gb_step(g);
    assert_true(g->cpu.stopped);
    assert_int_equal(gb_peek(g, 0xFF04), 0);
    for (int i = 0; i < 1000; i++)
        gb_step(g);
    assert_int_equal(g->cpu.a, 0);
    gb_set_buttons(g, GB_BTN_START);
    gb_step(g); /* the byte after STOP ($00, NOP) */
    gb_step(g);
    assert_int_equal(g->cpu.a, 1);
    free(g);
    free(rom);
}

static void test_ld_b_b_event(void **state)
{
    (void)state;
    host_log log = {0};
    static const uint8_t prog[] = {0x00, 0x00, 0x40, 0x18, 0xFE}; /* NOP NOP LD B,B */
    uint8_t *rom;
    gb *g = boot(&log, prog, sizeof prog, &rom);
    g->cpu.pc = 0x150;
    unsigned ev = gb_run(g, 1000, GB_EV_LD_B_B);
    assert_int_equal(ev, GB_EV_LD_B_B);
    assert_int_equal(g->cpu.pc, 0x153);
    free(g);
    free(rom);
}

static void test_serial_bytes_reach_the_host(void **state)
{
    (void)state;
    host_log log = {0};
    uint8_t *rom;
    gb *g = boot(&log, NULL, 0, &rom);
    wr(g, 0xFF01, 'O');
    wr(g, 0xFF02, 0x81);
    wr(g, 0xFF01, 'K');
    wr(g, 0xFF02, 0x80); /* external clock: not sent by us */
    assert_int_equal(log.nserial, 1);
    assert_int_equal(log.serial[0], 'O');
    free(g);
    free(rom);
}

static void test_frame_rate(void **state)
{
    (void)state;
    host_log log = {0};
    uint8_t *rom;
    gb *g = boot(&log, NULL, 0, &rom);
    gb_run(g, (uint64_t)GB_MCYCLES_PER_FRAME * 10 + 100, 0);
    assert_int_equal(log.frames, 10);
    assert_int_equal(g->ppu.frames, 10);
    unsigned ev = gb_run(g, GB_MCYCLES_PER_FRAME * 2, GB_EV_FRAME);
    assert_int_equal(ev, GB_EV_FRAME);
    assert_int_equal(gb_peek(g, 0xFF44), 144);
    free(g);
    free(rom);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_boot_state),
    cmocka_unit_test(test_tac_change_is_an_edge),
    cmocka_unit_test(test_tima_overflow_sequence),
    cmocka_unit_test(test_tima_write_in_overflow_cycle_cancels),
    cmocka_unit_test(test_reload_cycle_writes),
    cmocka_unit_test(test_oam_dma_takes_161_cycles),
    cmocka_unit_test(test_first_line_after_lcd_on),
    cmocka_unit_test(test_oam_corruption),
    cmocka_unit_test(test_joypad),
    cmocka_unit_test(test_stop_resets_div_and_waits_for_a_button),
    cmocka_unit_test(test_ld_b_b_event),
    cmocka_unit_test(test_serial_bytes_reach_the_host),
    cmocka_unit_test(test_frame_rate),
};

CMN_TEST_MAIN(tests)
