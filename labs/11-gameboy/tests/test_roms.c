/* test_roms.c — the lab's own SM83 test ROMs (tests/roms/NAME.s, built with SDCC).
 *
 * Each ROM checks one area against the documented hardware behaviour and reports
 * "Passed" or "Failed #N got XX" over the serial port; the runner (gbh_run_test) is
 * the one `gb test` uses. A failing ROM's text names the check that failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "gb_host.h"

#ifndef GB_ROM_DIR
#define GB_ROM_DIR "build/roms"
#endif

static void run_rom(const char *name, gbh_test_result *res)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.gb", GB_ROM_DIR, name);
    uint8_t *rom;
    size_t size;
    int rc = gbh_read_file(path, &rom, &size);
    if (rc)
        fail_msg("%s: %s (the ROMs are built by make)", path, strerror(-rc));
    gbh_test_opts opts = {.seconds = 5, .echo = NULL};
    gbh_run_test(rom, size, &opts, res);
    free(rom);
    if (res->verdict != GBH_PASSED)
        print_message("%s: verdict %d via %s: %s\n", name, res->verdict, res->protocol, res->text);
}

static void check_rom(const char *name)
{
    gbh_test_result *res = malloc(sizeof *res);
    run_rom(name, res);
    assert_int_equal(res->verdict, GBH_PASSED);
    assert_string_equal(res->protocol, "serial");
    free(res);
}

static void test_timer(void **state)
{
    (void)state;
    check_rom("timer");
}
static void test_interrupts(void **state)
{
    (void)state;
    check_rom("interrupts");
}
static void test_serial(void **state)
{
    (void)state;
    check_rom("serial");
}
static void test_dma(void **state)
{
    (void)state;
    check_rom("dma");
}
static void test_mbc1(void **state)
{
    (void)state;
    check_rom("mbc1");
}
static void test_ppu_timing(void **state)
{
    (void)state;
    check_rom("ppu_timing");
}

static void test_ppu_mode3(void **state)
{
    (void)state;
    check_rom("ppu_mode3");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_timer),     cmocka_unit_test(test_interrupts),
    cmocka_unit_test(test_serial),    cmocka_unit_test(test_dma),
    cmocka_unit_test(test_mbc1),      cmocka_unit_test(test_ppu_timing),
    cmocka_unit_test(test_ppu_mode3),
};

CMN_TEST_MAIN(tests)
