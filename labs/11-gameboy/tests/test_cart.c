/* test_cart.c — cartridge headers (every error, with where) and the bank controllers.
 *
 * The MBC tests drive the machine's bus as the CPU would (bus.write / gb_peek) on
 * generated ROMs whose banks carry their own number, so a wrong mapping shows as the
 * wrong number. The robustness test feeds mutated and truncated headers to the parser
 * and, when one is accepted, runs it: ASan/UBSan builds turn any stray access into a
 * failure.
 */
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "gb.h"
#include "romgen.h"

/* ---- header parsing ----------------------------------------------------------- */
static void expect_error(const uint8_t *rom, size_t size, int code, uint32_t offset)
{
    gb_cart_info info;
    gb_error err = {0};
    assert_int_equal(gb_cart_parse(rom, size, &info, &err), code);
    assert_int_equal(err.code, code);
    assert_int_equal(err.offset, offset);
    assert_non_null(err.what);
}

static void test_valid_header(void **state)
{
    (void)state;
    size_t size;
    uint8_t *rom = romgen(0x13, 2, 3, &size);
    gb_cart_info info;
    gb_error err;
    assert_int_equal(gb_cart_parse(rom, size, &info, &err), 0);
    assert_string_equal(info.title, "ROMGEN");
    assert_int_equal(info.mbc, GB_MBC3);
    assert_true(info.has_ram && info.has_battery && !info.has_rtc);
    assert_int_equal(info.rom_size, 128 * 1024);
    assert_int_equal(info.ram_size, 32 * 1024);
    free(rom);
}

static void test_truncated(void **state)
{
    (void)state;
    size_t size;
    uint8_t *rom = romgen(0x00, 0, 0, &size);
    expect_error(rom, 0x14F, GB_ETRUNCATED, 0x14F);
    expect_error(rom, 0, GB_ETRUNCATED, 0);
    /* a full header but less than the 32 KiB it declares */
    gb_error err;
    gb_cart_info info;
    assert_int_equal(gb_cart_parse(rom, 0x4000, &info, &err), GB_ETRUNCATED);
    assert_int_equal(err.value, 0x4000);
    assert_int_equal(err.expected, 0x8000);
    free(rom);
}

static void test_bad_codes(void **state)
{
    (void)state;
    size_t size;
    uint8_t *rom = romgen(0x00, 0, 0, &size);
    rom[0x147] = 0x42;
    romgen_fix_checksum(rom);
    expect_error(rom, size, GB_ECARTTYPE, 0x147);
    rom[0x147] = 0x00;
    rom[0x148] = 9;
    romgen_fix_checksum(rom);
    expect_error(rom, size, GB_EROMSIZE, 0x148);
    rom[0x148] = 0;
    rom[0x149] = 6;
    romgen_fix_checksum(rom);
    expect_error(rom, size, GB_ERAMSIZE, 0x149);
    free(rom);
    rom = romgen(0x05, 0, 2, &size); /* MBC2 declaring external RAM */
    expect_error(rom, size, GB_ERAMSIZE, 0x149);
    free(rom);
}

static void test_checksum(void **state)
{
    (void)state;
    size_t size;
    uint8_t *rom = romgen(0x00, 0, 0, &size);
    uint8_t good = rom[0x14D];
    rom[0x14D] ^= 0x5A;
    gb_cart_info info;
    gb_error err;
    assert_int_equal(gb_cart_parse(rom, size, &info, &err), GB_ECHECKSUM);
    assert_int_equal(err.offset, 0x14D);
    assert_int_equal(err.expected, good);
    assert_int_equal(err.value, (uint8_t)(good ^ 0x5A));
    free(rom);
}

static void test_ram_buffer_too_small(void **state)
{
    (void)state;
    size_t size;
    uint8_t *rom = romgen(0x03, 0, 3, &size); /* MBC1+RAM+BATTERY, 32 KiB RAM */
    uint8_t ram[0x2000];
    gb *g = malloc(sizeof *g);
    gb_error err;
    assert_int_equal(gb_init(g, rom, size, ram, sizeof ram, NULL, &err), GB_ERAMBUF);
    assert_int_equal(err.expected, 0x8000);
    free(g);
    free(rom);
}

/* ---- the bank controllers ------------------------------------------------------ */
typedef struct fixture {
    gb *g;
    uint8_t *rom, *ram;
    size_t ram_size;
} fixture;

static void boot(fixture *f, uint8_t type, uint8_t size_code, uint8_t ram_code, size_t ram_size)
{
    size_t size;
    f->rom = romgen(type, size_code, ram_code, &size);
    f->ram = ram_size ? calloc(1, ram_size) : NULL;
    f->ram_size = ram_size;
    f->g = malloc(sizeof *f->g);
    gb_error err;
    assert_int_equal(gb_init(f->g, f->rom, size, f->ram, ram_size, NULL, &err), 0);
}

static void done(fixture *f)
{
    free(f->g);
    free(f->rom);
    free(f->ram);
}

static void poke(fixture *f, uint16_t addr, uint8_t v)
{
    f->g->bus.write(f->g, addr, v);
}

static void test_rom_only(void **state)
{
    (void)state;
    fixture f;
    boot(&f, 0x00, 0, 0, 0);
    assert_int_equal(gb_peek(f.g, 0x4000), 1);
    poke(&f, 0x2000, 0x00); /* no MBC: ignored */
    poke(&f, 0x2000, 0x05);
    assert_int_equal(gb_peek(f.g, 0x4000), 1);
    assert_int_equal(gb_peek(f.g, 0xA000), 0xFF); /* no RAM */
    done(&f);
}

static void test_mbc1_large_rom(void **state)
{
    (void)state;
    fixture f;
    boot(&f, 0x01, 6, 0, 0); /* 2 MiB: 128 banks, needs the 2-bit upper register */
    poke(&f, 0x2000, 0x05);
    assert_int_equal(gb_peek(f.g, 0x4000), 0x05);
    poke(&f, 0x4000, 0x01); /* upper bits: bank $25 */
    assert_int_equal(gb_peek(f.g, 0x4000), 0x25);
    poke(&f, 0x2000, 0x00); /* low 5 bits 0 -> 1: $21, never $20 */
    assert_int_equal(gb_peek(f.g, 0x4000), 0x21);
    assert_int_equal(gb_peek(f.g, 0x0000), 0x00); /* mode 0: $0000 is bank 0 */
    poke(&f, 0x6000, 0x01);                       /* mode 1: $0000 is bank $20 */
    assert_int_equal(gb_peek(f.g, 0x0000), 0x20);
    assert_int_equal(gb_peek(f.g, 0x1000), 0x20);
    poke(&f, 0x4000, 0x03);
    assert_int_equal(gb_peek(f.g, 0x0000), 0x60);
    assert_int_equal(gb_peek(f.g, 0x4000), 0x61);
    done(&f);
}

static void test_mbc1_small_rom_masks(void **state)
{
    (void)state;
    fixture f;
    boot(&f, 0x01, 2, 0, 0); /* 8 banks: bank numbers wrap at 8 */
    poke(&f, 0x2000, 0x0B);
    assert_int_equal(gb_peek(f.g, 0x4000), 3);
    done(&f);
}

static void test_mbc1_ram_banking(void **state)
{
    (void)state;
    fixture f;
    boot(&f, 0x03, 2, 3, 0x8000);
    assert_int_equal(gb_peek(f.g, 0xA000), 0xFF); /* disabled at power-on */
    poke(&f, 0x0000, 0x0A);
    for (uint8_t b = 0; b < 4; b++) {
        poke(&f, 0x6000, 1);
        poke(&f, 0x4000, b);
        poke(&f, 0xA123, (uint8_t)(0x10 + b));
    }
    for (uint8_t b = 0; b < 4; b++)
        assert_int_equal(f.ram[b * 0x2000 + 0x123], 0x10 + b);
    poke(&f, 0x6000, 0); /* mode 0: always bank 0 */
    assert_int_equal(gb_peek(f.g, 0xA123), 0x10);
    assert_true(f.g->cart.ram_dirty);
    poke(&f, 0x0000, 0x00);
    assert_int_equal(gb_peek(f.g, 0xA123), 0xFF);
    done(&f);
}

static void test_mbc2(void **state)
{
    (void)state;
    fixture f;
    boot(&f, 0x06, 3, 0, 512);
    poke(&f, 0x2100, 0x07); /* bit 8 set: ROM bank */
    assert_int_equal(gb_peek(f.g, 0x4000), 7);
    poke(&f, 0x2100, 0x00);
    assert_int_equal(gb_peek(f.g, 0x4000), 1);
    poke(&f, 0x0000, 0x0A); /* bit 8 clear: RAM enable */
    poke(&f, 0xA005, 0x3C);
    assert_int_equal(gb_peek(f.g, 0xA005), 0xFC); /* 4-bit cells, upper nibble reads 1s */
    assert_int_equal(gb_peek(f.g, 0xA205), 0xFC); /* 512 cells repeat through $BFFF */
    assert_int_equal(gb_peek(f.g, 0xBE05), 0xFC);
    done(&f);
}

static void test_mbc3_banks(void **state)
{
    (void)state;
    fixture f;
    boot(&f, 0x13, 6, 3, 0x8000);
    poke(&f, 0x2000, 0x45);
    assert_int_equal(gb_peek(f.g, 0x4000), 0x45);
    poke(&f, 0x2000, 0x00);
    assert_int_equal(gb_peek(f.g, 0x4000), 0x01);
    poke(&f, 0x0000, 0x0A);
    poke(&f, 0x4000, 0x02);
    poke(&f, 0xA000, 0x99);
    assert_int_equal(f.ram[0x4000], 0x99);
    done(&f);
}

static void run_seconds(fixture *f, unsigned s)
{
    gb_run(f->g, (uint64_t)s * GB_MCYCLES_PER_SECOND, 0);
}

static uint8_t rtc_reg(fixture *f, uint8_t reg)
{
    poke(f, 0x4000, reg);
    return gb_peek(f->g, 0xA000);
}

static void test_mbc3_rtc(void **state)
{
    (void)state;
    fixture f;
    boot(&f, 0x10, 0, 3, 0x8000);
    poke(&f, 0x0000, 0x0A);
    poke(&f, 0x4000, 0x0A); /* hours = 23, minutes = 59, seconds = 58 */
    poke(&f, 0xA000, 23);
    poke(&f, 0x4000, 0x09);
    poke(&f, 0xA000, 59);
    poke(&f, 0x4000, 0x08);
    poke(&f, 0xA000, 58);
    run_seconds(&f, 3);
    assert_int_equal(rtc_reg(&f, 0x08) & 0x3F, 58); /* latched values hold still */
    poke(&f, 0x6000, 0);
    poke(&f, 0x6000, 1); /* latch */
    assert_int_equal(rtc_reg(&f, 0x08) & 0x3F, 1);
    assert_int_equal(rtc_reg(&f, 0x09) & 0x3F, 0);
    assert_int_equal(rtc_reg(&f, 0x0A) & 0x1F, 0);
    assert_int_equal(rtc_reg(&f, 0x0B), 1); /* a day passed */
    poke(&f, 0x4000, 0x0C);                 /* halt */
    poke(&f, 0xA000, 0x40);
    run_seconds(&f, 2);
    poke(&f, 0x6000, 0);
    poke(&f, 0x6000, 1);
    assert_int_equal(rtc_reg(&f, 0x08) & 0x3F, 1);
    assert_int_equal(rtc_reg(&f, 0x0C) & 0x40, 0x40);
    done(&f);
}

static void test_mbc3_rtc_day_carry(void **state)
{
    (void)state;
    fixture f;
    boot(&f, 0x10, 0, 3, 0x8000);
    poke(&f, 0x0000, 0x0A);
    poke(&f, 0x4000, 0x0B);
    poke(&f, 0xA000, 0xFF);
    poke(&f, 0x4000, 0x0C);
    poke(&f, 0xA000, 0x01); /* day 511 */
    poke(&f, 0x4000, 0x0A);
    poke(&f, 0xA000, 23);
    poke(&f, 0x4000, 0x09);
    poke(&f, 0xA000, 59);
    poke(&f, 0x4000, 0x08);
    poke(&f, 0xA000, 59);
    run_seconds(&f, 1);
    poke(&f, 0x6000, 0);
    poke(&f, 0x6000, 1);
    assert_int_equal(rtc_reg(&f, 0x0B), 0);
    assert_int_equal(rtc_reg(&f, 0x0C) & 0x81, 0x80); /* day bit 8 clear, carry set */
    done(&f);
}

static void test_rtc_advance(void **state)
{
    (void)state;
    gb_rtc r = {.s = 50, .m = 59, .h = 23, .days = 510};
    gb_rtc_advance(&r, 10 + 86400); /* to 00:00:00 of day 512 = day 0 with carry */
    assert_int_equal(r.s, 0);
    assert_int_equal(r.m, 0);
    assert_int_equal(r.h, 0);
    assert_int_equal(r.days, 0);
    assert_true(r.carry);
    gb_rtc odd = {.s = 62}; /* out of range: 62, 63, then wraps to 0 with no carry */
    gb_rtc_advance(&odd, 3);
    assert_int_equal(odd.s, 1);
    assert_int_equal(odd.m, 0);
    gb_rtc halted = {.s = 7, .halt = true};
    gb_rtc_advance(&halted, 1000);
    assert_int_equal(halted.s, 7);
}

static void test_mbc5(void **state)
{
    (void)state;
    fixture f;
    boot(&f, 0x1B, 8, 4, 0x20000); /* 8 MiB, 512 banks; 128 KiB RAM */
    poke(&f, 0x2000, 0x00);
    assert_int_equal(gb_peek(f.g, 0x4000), 0x00); /* bank 0 is allowed at $4000 */
    poke(&f, 0x2000, 0x34);
    poke(&f, 0x3000, 0x01);
    assert_int_equal(gb_peek(f.g, 0x4000), 0x34); /* bank $134: low byte stored */
    assert_int_equal(f.g->cart.romx_off, 0x134u * 0x4000);
    poke(&f, 0x0000, 0x0A);
    poke(&f, 0x4000, 0x0F);
    poke(&f, 0xA001, 0x77);
    assert_int_equal(f.ram[15 * 0x2000 + 1], 0x77);
    poke(&f, 0x0000, 0x1A); /* MBC5 wants exactly $0A */
    assert_int_equal(gb_peek(f.g, 0xA001), 0xFF);
    done(&f);
}

/* ---- robustness ---------------------------------------------------------------- */
static void test_mutated_headers_never_crash(void **state)
{
    (void)state;
    cmn_rng rng;
    cmn_test_rng(&rng);
    size_t size;
    uint8_t *base = romgen(0x01, 1, 0, &size);
    uint8_t *rom = malloc(size);
    gb *g = malloc(sizeof *g);
    uint8_t *ram = malloc(0x20000);
    unsigned accepted = 0;
    for (int i = 0; i < 3000; i++) {
        memcpy(rom, base, size);
        for (int k = 0; k < 4; k++)
            rom[0x134 + cmn_rng_below(&rng, 0x1C)] = (uint8_t)cmn_rng_next(&rng);
        if (cmn_rng_below(&rng, 2))
            romgen_fix_checksum(rom);
        size_t n = cmn_rng_below(&rng, 4) ? size : cmn_rng_below(&rng, (uint32_t)size + 1);
        gb_cart_info info;
        gb_error err;
        if (gb_cart_parse(rom, n, &info, &err)) {
            assert_true(err.code < 0 && err.what != NULL);
            continue;
        }
        assert_true(info.rom_size <= n);
        assert_int_equal(gb_init(g, rom, n, ram, 0x20000, NULL, &err), 0);
        for (int w = 0; w < 64; w++) /* random MBC register writes and reads */
            g->bus.write(g, (uint16_t)cmn_rng_below(&rng, 0x8000), (uint8_t)cmn_rng_next(&rng));
        for (uint32_t a = 0; a < 0x10000; a += 0x1F)
            (void)gb_peek(g, (uint16_t)a);
        accepted++;
    }
    assert_true(accepted > 100); /* the test reached the machine often enough */
    free(ram);
    free(g);
    free(rom);
    free(base);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_valid_header),
    cmocka_unit_test(test_truncated),
    cmocka_unit_test(test_bad_codes),
    cmocka_unit_test(test_checksum),
    cmocka_unit_test(test_ram_buffer_too_small),
    cmocka_unit_test(test_rom_only),
    cmocka_unit_test(test_mbc1_large_rom),
    cmocka_unit_test(test_mbc1_small_rom_masks),
    cmocka_unit_test(test_mbc1_ram_banking),
    cmocka_unit_test(test_mbc2),
    cmocka_unit_test(test_mbc3_banks),
    cmocka_unit_test(test_mbc3_rtc),
    cmocka_unit_test(test_mbc3_rtc_day_carry),
    cmocka_unit_test(test_rtc_advance),
    cmocka_unit_test(test_mbc5),
    cmocka_unit_test(test_mutated_headers_never_crash),
};

CMN_TEST_MAIN(tests)
