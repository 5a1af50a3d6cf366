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

/* ---- mode 3's length (Pan Docs, "Rendering: Mode 3 length", "OBJ penalty algorithm")
 * 172 dots, plus SCX % 8, plus 6 when the window starts on the line, plus per object
 * 6 and, for the first object in a BG/window tile, max(0, pixels right of its
 * leftmost one - 2); OAM X = 0 costs 11 whatever SCX is. The CPU sees mode 3 in
 * ceil(dots / 4) M-cycles: it starts at dot 80 and ends at the first M-cycle
 * boundary at or after dot 80 + length. */

typedef struct mode3_setup {
    uint8_t lcdc, scx, wy, wx;
    uint8_t nobj, obj_x[10];
} mode3_setup;

/* Sets the registers and objects (all on lines 0-7) with the LCD off, switches it on
 * and counts, on line 2, the M-cycles a STAT read shows mode 3. Returns them and
 * stores the PPU's figure in dots. */
static unsigned mode3_cycles(const mode3_setup *m, unsigned *dots)
{
    host_log log = {0};
    uint8_t *rom;
    gb *g = boot(&log, NULL, 0, &rom);
    wr(g, 0xFF40, 0x00);
    for (unsigned i = 0; i < 0xA0; i++)
        wr(g, (uint16_t)(0xFE00 + i), 0); /* Y = 0: no object on any line */
    for (unsigned k = 0; k < m->nobj; k++) {
        wr(g, (uint16_t)(0xFE00 + k * 4), 16); /* lines 0-7 */
        wr(g, (uint16_t)(0xFE00 + k * 4 + 1), m->obj_x[k]);
    }
    wr(g, 0xFF43, m->scx);
    wr(g, 0xFF4A, m->wy);
    wr(g, 0xFF4B, m->wx);
    wr(g, 0xFF40, m->lcdc);
    while (!(g->ppu.ly == 2 && g->ppu.mode == 2))
        idle(g, 1);
    unsigned n = 0;
    while ((rd(g, 0xFF41) & 3) != 3)
        ;
    for (n = 1; (rd(g, 0xFF41) & 3) == 3; n++)
        assert_true(n < 100);
    assert_int_equal(g->ppu.ly, 2);
    *dots = g->ppu.draw_dots;
    free(g);
    free(rom);
    return n;
}

static void expect_mode3(const mode3_setup *m, unsigned want_dots)
{
    unsigned dots, cycles = mode3_cycles(m, &dots);
    assert_int_equal(dots, want_dots);
    assert_int_equal(cycles, (want_dots + 3) / 4);
}

static void test_mode3_scx_penalty(void **state)
{
    (void)state;
    for (unsigned scx = 0; scx < 16; scx++) { /* SCX % 8 dots: 172-179 */
        mode3_setup m = {.lcdc = 0x91, .scx = (uint8_t)scx};
        expect_mode3(&m, 172 + scx % 8);
    }
}

static void test_mode3_window_penalty(void **state)
{
    (void)state;
    mode3_setup on = {.lcdc = 0xB1, .wy = 0, .wx = 87}; /* from x = 80 */
    expect_mode3(&on, 172 + 6);
    mode3_setup below = {.lcdc = 0xB1, .wy = 3, .wx = 87}; /* WY > LY: not yet */
    expect_mode3(&below, 172);
    mode3_setup right = {.lcdc = 0xB1, .wy = 0, .wx = 167}; /* WX > 166: never */
    expect_mode3(&right, 172);
    mode3_setup off = {.lcdc = 0x91, .wy = 0, .wx = 87}; /* LCDC bit 5 clear */
    expect_mode3(&off, 172);
    mode3_setup scx = {.lcdc = 0xB1, .scx = 5, .wy = 0, .wx = 87};
    expect_mode3(&scx, 172 + 5 + 6);
}

static void test_mode3_object_penalty(void **state)
{
    (void)state;
    /* The Pixel at tile pixel 0: 7 to its right, 7 - 2 = 5, plus 6. */
    mode3_setup one = {.lcdc = 0x93, .nobj = 1, .obj_x = {8}};
    expect_mode3(&one, 172 + 11);
    /* Tile pixels 5, 6, 7: at most 2 to the right, so the flat 6 only. */
    for (uint8_t x = 13; x <= 15; x++) {
        mode3_setup late = {.lcdc = 0x93, .nobj = 1, .obj_x = {x}};
        expect_mode3(&late, 172 + 6);
    }
    /* Tile pixel 2: 5 to the right, 3 + 6. */
    mode3_setup mid = {.lcdc = 0x93, .nobj = 1, .obj_x = {10}};
    expect_mode3(&mid, 172 + 9);
    /* Two objects in one tile: the second pays the flat 6 only. */
    mode3_setup same = {.lcdc = 0x93, .nobj = 2, .obj_x = {8, 9}};
    expect_mode3(&same, 172 + 11 + 6);
    /* Two tiles: both wait. */
    mode3_setup two = {.lcdc = 0x93, .nobj = 2, .obj_x = {24, 8}};
    expect_mode3(&two, 172 + 11 + 11);
    /* SCX moves the tile boundaries: with SCX = 3, X = 8 is tile pixel 3. */
    mode3_setup scx = {.lcdc = 0x93, .scx = 3, .nobj = 1, .obj_x = {8}};
    expect_mode3(&scx, 172 + 3 + 2 + 6);
    /* OAM X = 0 costs 11 whatever SCX is. */
    for (uint8_t s = 0; s < 8; s++) {
        mode3_setup zero = {.lcdc = 0x93, .scx = s, .nobj = 1, .obj_x = {0}};
        expect_mode3(&zero, 172u + s + 11);
    }
    /* Objects the PPU never reaches (X >= 168) or does not draw (LCDC bit 1 clear)
     * cost nothing. */
    mode3_setup off_right = {.lcdc = 0x93, .nobj = 2, .obj_x = {168, 255}};
    expect_mode3(&off_right, 172);
    mode3_setup disabled = {.lcdc = 0x91, .nobj = 1, .obj_x = {8}};
    expect_mode3(&disabled, 172);
    /* In the window the tiles count from WX - 7: window from x = 4 (WX = 11), an
     * object at X = 12 (screen x 4) is pixel 0 of the first window tile. */
    mode3_setup win = {.lcdc = 0xB3, .wy = 0, .wx = 11, .nobj = 1, .obj_x = {12}};
    expect_mode3(&win, 172 + 6 + 11);
    /* Ten objects in ten tiles, each at pixel 0: the longest case, 172 + 110. */
    mode3_setup ten = {.lcdc = 0x93, .nobj = 10, .obj_x = {8, 16, 24, 32, 40, 48, 56, 64, 72, 80}};
    expect_mode3(&ten, 172 + 110);
}

/* HBlank starts when mode 3 ends, so a longer mode 3 moves the mode 0 STAT interrupt
 * later by the same M-cycles (Pan Docs: mode 0 lasts 376 - mode 3's length). */
static void test_hblank_interrupt_moves_with_mode3(void **state)
{
    (void)state;
    unsigned at[2];
    for (unsigned k = 0; k < 2; k++) {
        host_log log = {0};
        uint8_t *rom;
        gb *g = boot(&log, NULL, 0, &rom);
        wr(g, 0xFF40, 0x00);
        wr(g, 0xFF43, k ? 7 : 0);
        wr(g, 0xFF41, 0x08); /* STAT interrupt on mode 0 */
        wr(g, 0xFF40, 0x91);
        while (!(g->ppu.ly == 2 && g->ppu.mode == 2))
            idle(g, 1);
        g->iflag = 0;
        unsigned n = 0;
        while (!(g->iflag & GB_IRQ_STAT)) {
            idle(g, 1);
            n++;
        }
        at[k] = n;
        free(g);
        free(rom);
    }
    /* (80 + 172) / 4 = 63 M-cycles after line start; SCX = 7 adds 7 dots = 2 M-cycles */
    assert_int_equal(at[1], at[0] + 2);
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
    cmocka_unit_test(test_mode3_scx_penalty),
    cmocka_unit_test(test_mode3_window_penalty),
    cmocka_unit_test(test_mode3_object_penalty),
    cmocka_unit_test(test_hblank_interrupt_moves_with_mode3),
};

CMN_TEST_MAIN(tests)
