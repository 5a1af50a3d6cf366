/* test_disasm.c — the disassembler and the trace line.
 *
 * Mnemonics are checked for a sample of each block against the standard SM83
 * notation; lengths are checked for all 256 + 256 opcodes against the CPU itself: on
 * a flat bus, a non-jumping instruction advances PC by exactly its length.
 */
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "gb.h"
#include "gb_host.h"
#include "romgen.h"

static void expect(uint8_t a, uint8_t b, uint8_t c, const char *text, unsigned len)
{
    uint8_t bytes[3] = {a, b, c};
    char out[48];
    assert_int_equal(gbh_disasm(bytes, out, sizeof out), len);
    assert_string_equal(out, text);
}

static void test_mnemonics(void **state)
{
    (void)state;
    expect(0x00, 0, 0, "NOP", 1);
    expect(0x01, 0x34, 0x12, "LD BC,$1234", 3);
    expect(0x08, 0x00, 0xC0, "LD ($C000),SP", 3);
    expect(0x18, 0xFE, 0, "JR -2", 2);
    expect(0x20, 0x05, 0, "JR NZ,+5", 2);
    expect(0x22, 0, 0, "LD (HL+),A", 1);
    expect(0x36, 0x7F, 0, "LD (HL),$7F", 2);
    expect(0x76, 0, 0, "HALT", 1);
    expect(0x7E, 0, 0, "LD A,(HL)", 1);
    expect(0x9F, 0, 0, "SBC A,A", 1);
    expect(0xC4, 0x00, 0x40, "CALL NZ,$4000", 3);
    expect(0xE0, 0x44, 0, "LDH ($FF44),A", 2);
    expect(0xF1, 0, 0, "POP AF", 1);
    expect(0xF8, 0xFF, 0, "LD HL,SP-1", 2);
    expect(0xFF, 0, 0, "RST $38", 1);
    expect(0xCB, 0x37, 0, "SWAP A", 2);
    expect(0xCB, 0x7E, 0, "BIT 7,(HL)", 2);
    expect(0xCB, 0xC0, 0, "SET 0,B", 2);
    expect(0xD3, 0, 0, "DB $D3 (illegal)", 1);
}

/* Flat RAM bus for the length check. */
static uint8_t mem[0x10000];
static uint8_t rd(void *c, uint16_t a)
{
    (void)c;
    return mem[a];
}
static void wr(void *c, uint16_t a, uint8_t v)
{
    (void)c;
    mem[a] = v;
}
static void idle(void *c)
{
    (void)c;
}
static uint8_t pending(void *c)
{
    (void)c;
    return 0;
}
static void ack(void *c, uint8_t m)
{
    (void)c;
    (void)m;
}

static bool jumps(uint8_t op)
{
    /* JR/JP/CALL/RET/RST/RETI/JP HL (any of which may move PC), and HALT/STOP/illegal */
    static const uint8_t j[] = {0x18, 0x20, 0x28, 0x30, 0x38, 0xC0, 0xC2, 0xC3, 0xC4, 0xC7, 0xC8,
                                0xC9, 0xCA, 0xCC, 0xCD, 0xCF, 0xD0, 0xD2, 0xD4, 0xD7, 0xD8, 0xD9,
                                0xDA, 0xDC, 0xDF, 0xE7, 0xE9, 0xEF, 0xF7, 0xFF, 0x76, 0x10, 0xD3,
                                0xDB, 0xDD, 0xE3, 0xE4, 0xEB, 0xEC, 0xED, 0xF4, 0xFC, 0xFD};
    return memchr(j, op, sizeof j) != NULL;
}

static void test_lengths_match_the_cpu(void **state)
{
    (void)state;
    gb_bus bus = {NULL, rd, wr, idle, pending, ack};
    for (unsigned k = 0; k < 512; k++) {
        uint8_t op = k < 256 ? (uint8_t)k : 0xCB, arg = (uint8_t)(k & 0xFF);
        if (k < 256 && (jumps(op) || op == 0xCB))
            continue;
        memset(mem, 0, sizeof mem);
        mem[0x1000] = op;
        mem[0x1001] = k < 256 ? 0x01 : arg;
        gb_cpu cpu = {.pc = 0x1000, .sp = 0x8000};
        cpu.h = 0x90; /* (HL) away from the code */
        gb_cpu_step(&cpu, &bus);
        uint8_t bytes[3] = {op, k < 256 ? 0x01 : arg, 0};
        char text[48];
        unsigned len = gbh_disasm(bytes, text, sizeof text);
        if (cpu.pc - 0x1000u != len)
            fail_msg("opcode %s%02X (%s): CPU advanced %u, disassembler says %u",
                     k < 256 ? "" : "CB ", k & 0xFF, text, cpu.pc - 0x1000u, len);
    }
}

static void test_trace_line(void **state)
{
    (void)state;
    size_t size;
    uint8_t *rom = romgen(0x00, 0, 0, &size);
    gb *g = malloc(sizeof *g);
    gb_error err;
    assert_int_equal(gb_init(g, rom, size, NULL, 0, NULL, &err), 0);
    char line[128];
    gbh_trace_line(g, line, sizeof line);
    assert_string_equal(line, "A:01 F:B0 B:00 C:13 D:00 E:D8 H:01 L:4D SP:FFFE PC:0100 "
                              "PCMEM:00,C3,50,01");
    free(g);
    free(rom);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_mnemonics),
    cmocka_unit_test(test_lengths_match_the_cpu),
    cmocka_unit_test(test_trace_line),
};

CMN_TEST_MAIN(tests)
