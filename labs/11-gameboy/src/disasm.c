/* disasm.c — SM83 disassembly and the Gameboy Doctor trace line (hosted helpers).
 *
 * The decoder mirrors the CPU's: the regular blocks come from the opcode's bit fields
 * (r = B C D E H L (HL) A, rr = BC DE HL SP, cc = NZ Z NC C), the rest from a table.
 */
#include <stdio.h>
#include <string.h>

#include "gb_host.h"

static const char *const R8[8] = {"B", "C", "D", "E", "H", "L", "(HL)", "A"};
static const char *const RR[4] = {"BC", "DE", "HL", "SP"};
static const char *const RR_STACK[4] = {"BC", "DE", "HL", "AF"};
static const char *const CC[4] = {"NZ", "Z", "NC", "C"};
static const char *const ALU[8] = {"ADD A,", "ADC A,", "SUB ", "SBC A,",
                                   "AND ",   "XOR ",   "OR ",  "CP "};
static const char *const SHIFT[8] = {"RLC", "RRC", "RL", "RR", "SLA", "SRA", "SWAP", "SRL"};

static unsigned block0(const uint8_t *b, char *o, size_t cap)
{
    uint8_t op = b[0];
    unsigned y = (op >> 3) & 7, p = (op >> 4) & 3;
    uint16_t nn = (uint16_t)(b[1] | b[2] << 8);
    int8_t e = (int8_t)b[1];
    static const char *const ind[4] = {"(BC)", "(DE)", "(HL+)", "(HL-)"};
    static const char *const misc[8] = {"RLCA", "RRCA", "RLA", "RRA", "DAA", "CPL", "SCF", "CCF"};
    switch (op & 7) {
    case 0:
        if (y == 0) {
            snprintf(o, cap, "NOP");
            return 1;
        }
        if (y == 1) {
            snprintf(o, cap, "LD ($%04X),SP", nn);
            return 3;
        }
        if (y == 2) {
            snprintf(o, cap, "STOP");
            return 1;
        }
        if (y == 3) {
            snprintf(o, cap, "JR %+d", e);
            return 2;
        }
        snprintf(o, cap, "JR %s,%+d", CC[y - 4], e);
        return 2;
    case 1:
        if (y & 1) {
            snprintf(o, cap, "ADD HL,%s", RR[p]);
            return 1;
        }
        snprintf(o, cap, "LD %s,$%04X", RR[p], nn);
        return 3;
    case 2:
        if (y & 1)
            snprintf(o, cap, "LD A,%s", ind[p]);
        else
            snprintf(o, cap, "LD %s,A", ind[p]);
        return 1;
    case 3:
        snprintf(o, cap, "%s %s", (y & 1) ? "DEC" : "INC", RR[p]);
        return 1;
    case 4:
        snprintf(o, cap, "INC %s", R8[y]);
        return 1;
    case 5:
        snprintf(o, cap, "DEC %s", R8[y]);
        return 1;
    case 6:
        snprintf(o, cap, "LD %s,$%02X", R8[y], b[1]);
        return 2;
    default:
        snprintf(o, cap, "%s", misc[y]);
        return 1;
    }
}

static unsigned block3(const uint8_t *b, char *o, size_t cap)
{
    uint8_t op = b[0];
    unsigned y = (op >> 3) & 7, p = (op >> 4) & 3;
    uint16_t nn = (uint16_t)(b[1] | b[2] << 8);
    switch (op) {
    case 0xC9:
        snprintf(o, cap, "RET");
        return 1;
    case 0xD9:
        snprintf(o, cap, "RETI");
        return 1;
    case 0xC3:
        snprintf(o, cap, "JP $%04X", nn);
        return 3;
    case 0xE9:
        snprintf(o, cap, "JP HL");
        return 1;
    case 0xCD:
        snprintf(o, cap, "CALL $%04X", nn);
        return 3;
    case 0xE0:
        snprintf(o, cap, "LDH ($FF%02X),A", b[1]);
        return 2;
    case 0xF0:
        snprintf(o, cap, "LDH A,($FF%02X)", b[1]);
        return 2;
    case 0xE2:
        snprintf(o, cap, "LD ($FF00+C),A");
        return 1;
    case 0xF2:
        snprintf(o, cap, "LD A,($FF00+C)");
        return 1;
    case 0xEA:
        snprintf(o, cap, "LD ($%04X),A", nn);
        return 3;
    case 0xFA:
        snprintf(o, cap, "LD A,($%04X)", nn);
        return 3;
    case 0xE8:
        snprintf(o, cap, "ADD SP,%+d", (int8_t)b[1]);
        return 2;
    case 0xF8:
        snprintf(o, cap, "LD HL,SP%+d", (int8_t)b[1]);
        return 2;
    case 0xF9:
        snprintf(o, cap, "LD SP,HL");
        return 1;
    case 0xF3:
        snprintf(o, cap, "DI");
        return 1;
    case 0xFB:
        snprintf(o, cap, "EI");
        return 1;
    case 0xCB: {
        uint8_t cb = b[1];
        unsigned r = cb & 7, n = (cb >> 3) & 7;
        static const char *const bit_ops[4] = {NULL, "BIT", "RES", "SET"};
        if (cb < 0x40)
            snprintf(o, cap, "%s %s", SHIFT[n], R8[r]);
        else
            snprintf(o, cap, "%s %u,%s", bit_ops[cb >> 6], n, R8[r]);
        return 2;
    }
    default:
        break;
    }
    switch (op & 7) {
    case 0:
        if (y < 4) {
            snprintf(o, cap, "RET %s", CC[y]);
            return 1;
        }
        break;
    case 1:
        snprintf(o, cap, "POP %s", RR_STACK[p]);
        return 1;
    case 2:
        if (y < 4) {
            snprintf(o, cap, "JP %s,$%04X", CC[y], nn);
            return 3;
        }
        break;
    case 4:
        if (y < 4) {
            snprintf(o, cap, "CALL %s,$%04X", CC[y], nn);
            return 3;
        }
        break;
    case 5:
        snprintf(o, cap, "PUSH %s", RR_STACK[p]);
        return 1;
    case 6:
        snprintf(o, cap, "%s$%02X", ALU[y], b[1]);
        return 2;
    case 7:
        snprintf(o, cap, "RST $%02X", op & 0x38);
        return 1;
    default:
        break;
    }
    snprintf(o, cap, "DB $%02X (illegal)", op);
    return 1;
}

unsigned gbh_disasm(const uint8_t bytes[3], char *out, size_t cap)
{
    uint8_t op = bytes[0];
    if (op == 0x76) {
        snprintf(out, cap, "HALT");
        return 1;
    }
    switch (op >> 6) {
    case 0:
        return block0(bytes, out, cap);
    case 1:
        snprintf(out, cap, "LD %s,%s", R8[(op >> 3) & 7], R8[op & 7]);
        return 1;
    case 2:
        snprintf(out, cap, "%s%s", ALU[(op >> 3) & 7], R8[op & 7]);
        return 1;
    default:
        return block3(bytes, out, cap);
    }
}

void gbh_trace_line(const gb *g, char *out, size_t cap)
{
    const gb_cpu *c = &g->cpu;
    snprintf(out, cap,
             "A:%02X F:%02X B:%02X C:%02X D:%02X E:%02X H:%02X L:%02X SP:%04X PC:%04X "
             "PCMEM:%02X,%02X,%02X,%02X",
             c->a, c->f, c->b, c->c, c->d, c->e, c->h, c->l, c->sp, c->pc, gb_peek(g, c->pc),
             gb_peek(g, (uint16_t)(c->pc + 1)), gb_peek(g, (uint16_t)(c->pc + 2)),
             gb_peek(g, (uint16_t)(c->pc + 3)));
}
