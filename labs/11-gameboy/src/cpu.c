/* cpu.c — the SM83 interpreter: fetch, decode and execute, one bus call per M-cycle.
 *
 * gb_cpu_step runs one whole instruction, but every memory access (and every
 * internal cycle) goes through the bus as its own call, in the order the hardware
 * makes them, so the machine behind the bus sees the timer, DMA and PPU advance
 * between the accesses of one instruction. The opcode fetch is the first M-cycle of
 * an instruction, as in the SM83 test vectors. The decoder is one switch: the regular
 * blocks (LD r,r' at $40-$7F, ALU at $80-$BF, the CB page) are decoded from the
 * opcode's bit fields, the rest case by case.
 */
#include "gb.h"

#include "cpu_internal.h"

/* ---- bus helpers: each call is exactly one M-cycle ---------------------------- */
static inline uint8_t rd(gb_cpu *cpu, const gb_bus *bus, uint16_t addr)
{
    cpu->mcycles++;
    return bus->read(bus->ctx, addr);
}

static inline void wr(gb_cpu *cpu, const gb_bus *bus, uint16_t addr, uint8_t v)
{
    cpu->mcycles++;
    bus->write(bus->ctx, addr, v);
}

static inline void idle(gb_cpu *cpu, const gb_bus *bus)
{
    cpu->mcycles++;
    bus->idle(bus->ctx);
}

static inline uint8_t imm8(gb_cpu *cpu, const gb_bus *bus)
{
    return rd(cpu, bus, cpu->pc++);
}

static inline uint16_t imm16(gb_cpu *cpu, const gb_bus *bus)
{
    uint8_t lo = imm8(cpu, bus);
    uint8_t hi = imm8(cpu, bus);
    return (uint16_t)(lo | hi << 8);
}

static inline uint16_t pair(uint8_t hi, uint8_t lo)
{
    return (uint16_t)(hi << 8 | lo);
}

static inline uint16_t get_hl(const gb_cpu *cpu)
{
    return pair(cpu->h, cpu->l);
}

static inline void set_hl(gb_cpu *cpu, uint16_t v)
{
    cpu->h = (uint8_t)(v >> 8);
    cpu->l = (uint8_t)v;
}

/* Register pairs by the 2-bit field of $01/$11/$21/$31-style opcodes (3 = SP). */
static uint16_t get_rr(const gb_cpu *cpu, unsigned idx)
{
    switch (idx & 3) {
    case 0:
        return pair(cpu->b, cpu->c);
    case 1:
        return pair(cpu->d, cpu->e);
    case 2:
        return get_hl(cpu);
    default:
        return cpu->sp;
    }
}

static void set_rr(gb_cpu *cpu, unsigned idx, uint16_t v)
{
    uint8_t hi = (uint8_t)(v >> 8), lo = (uint8_t)v;
    switch (idx & 3) {
    case 0:
        cpu->b = hi;
        cpu->c = lo;
        break;
    case 1:
        cpu->d = hi;
        cpu->e = lo;
        break;
    case 2:
        cpu->h = hi;
        cpu->l = lo;
        break;
    default:
        cpu->sp = v;
        break;
    }
}

/* 8-bit registers by the 3-bit field: B C D E H L (HL) A. Index 6 is memory and is
 * handled by the callers, which know which M-cycle the access belongs to. */
static uint8_t *reg8(gb_cpu *cpu, unsigned idx)
{
    switch (idx & 7) {
    case 0:
        return &cpu->b;
    case 1:
        return &cpu->c;
    case 2:
        return &cpu->d;
    case 3:
        return &cpu->e;
    case 4:
        return &cpu->h;
    case 5:
        return &cpu->l;
    default:
        return &cpu->a;
    }
}

static uint8_t get_r(gb_cpu *cpu, const gb_bus *bus, unsigned idx)
{
    return (idx & 7) == 6 ? rd(cpu, bus, get_hl(cpu)) : *reg8(cpu, idx);
}

static void set_r(gb_cpu *cpu, const gb_bus *bus, unsigned idx, uint8_t v)
{
    if ((idx & 7) == 6)
        wr(cpu, bus, get_hl(cpu), v);
    else
        *reg8(cpu, idx) = v;
}

static inline uint8_t flags(bool z, bool n, bool h, bool c)
{
    return (uint8_t)((z ? GB_FLAG_Z : 0) | (n ? GB_FLAG_N : 0) | (h ? GB_FLAG_H : 0) |
                     (c ? GB_FLAG_C : 0));
}

/* ---- the ALU ------------------------------------------------------------------ */

/* The eight accumulator operations of $80-$BF and $C6-$FE: op = ADD ADC SUB SBC AND
 * XOR OR CP. Sets A (except CP) and all four flags. */
void gb_alu(gb_cpu *cpu, unsigned op, uint8_t v)
{
    /* SOLUTION BEGIN: compute the result in a wider type; H is the carry out of bit 3 */
    unsigned a = cpu->a, carry = (cpu->f & GB_FLAG_C) ? 1u : 0u, r;
    op &= 7;
    switch (op) {
    case 0: /* ADD */
    case 1: /* ADC */
        if (op == 0)
            carry = 0;
        r = a + v + carry;
        cpu->f = flags((r & 0xFF) == 0, false, ((a & 0xF) + (v & 0xF) + carry) > 0xF, r > 0xFF);
        cpu->a = (uint8_t)r;
        break;
    case 2: /* SUB */
    case 3: /* SBC */
    case 7: /* CP */
        if (op != 3)
            carry = 0;
        r = a - v - carry;
        cpu->f = flags((r & 0xFF) == 0, true, (a & 0xF) < (v & 0xF) + carry, a < v + carry);
        if (op != 7)
            cpu->a = (uint8_t)r;
        break;
    case 4:
        cpu->a = (uint8_t)(a & v);
        cpu->f = flags(cpu->a == 0, false, true, false);
        break;
    case 5:
        cpu->a = (uint8_t)(a ^ v);
        cpu->f = flags(cpu->a == 0, false, false, false);
        break;
    default:
        cpu->a = (uint8_t)(a | v);
        cpu->f = flags(cpu->a == 0, false, false, false);
        break;
    }
    /* SOLUTION END */
}

/* DAA: turns A back into two BCD digits after an ADD/ADC (N=0) or SUB/SBC (N=1),
 * using the H and C flags the arithmetic left behind. */
void gb_daa(gb_cpu *cpu)
{
    /* SOLUTION BEGIN: after an add, fix up when a digit overflowed (flag) or is > 9; after a subtract only the flags tell */
    unsigned a = cpu->a;
    bool c = (cpu->f & GB_FLAG_C) != 0;
    if (!(cpu->f & GB_FLAG_N)) {
        if (c || a > 0x99) {
            a += 0x60;
            c = true;
        }
        if ((cpu->f & GB_FLAG_H) || (a & 0xF) > 9)
            a += 0x06;
    } else {
        if (c)
            a -= 0x60;
        if (cpu->f & GB_FLAG_H)
            a -= 0x06;
    }
    cpu->a = (uint8_t)a;
    cpu->f = (uint8_t)(flags(cpu->a == 0, false, false, c) | (cpu->f & GB_FLAG_N));
    /* SOLUTION END */
}

/* The CB page's shifts and rotates (op = RLC RRC RL RR SLA SRA SWAP SRL); sets F. */
uint8_t gb_shift(gb_cpu *cpu, unsigned op, uint8_t v)
{
    /* SOLUTION BEGIN: compute the result and the bit shifted out; Z from the result, C from that bit */
    unsigned r, out;
    unsigned cin = (cpu->f & GB_FLAG_C) ? 1u : 0u;
    switch (op & 7) {
    case 0:
        out = v >> 7;
        r = (unsigned)(v << 1) | out;
        break; /* RLC */
    case 1:
        out = v & 1u;
        r = (unsigned)(v >> 1) | (out << 7);
        break; /* RRC */
    case 2:
        out = v >> 7;
        r = (unsigned)(v << 1) | cin;
        break; /* RL */
    case 3:
        out = v & 1u;
        r = (unsigned)(v >> 1) | (cin << 7);
        break; /* RR */
    case 4:
        out = v >> 7;
        r = (unsigned)(v << 1);
        break; /* SLA */
    case 5:
        out = v & 1u;
        r = (unsigned)(v >> 1) | (v & 0x80u);
        break; /* SRA */
    case 6:
        out = 0;
        r = (unsigned)(v >> 4) | (unsigned)(v << 4);
        break; /* SWAP */
    default:
        out = v & 1u;
        r = (unsigned)(v >> 1);
        break; /* SRL */
    }
    cpu->f = flags((r & 0xFF) == 0, false, false, out != 0);
    return (uint8_t)r;
    /* SOLUTION END */
}

static uint8_t inc8(gb_cpu *cpu, uint8_t v)
{
    uint8_t r = (uint8_t)(v + 1);
    cpu->f = (uint8_t)(flags(r == 0, false, (v & 0xF) == 0xF, false) | (cpu->f & GB_FLAG_C));
    return r;
}

static uint8_t dec8(gb_cpu *cpu, uint8_t v)
{
    uint8_t r = (uint8_t)(v - 1);
    cpu->f = (uint8_t)(flags(r == 0, true, (v & 0xF) == 0, false) | (cpu->f & GB_FLAG_C));
    return r;
}

static void add_hl(gb_cpu *cpu, uint16_t v)
{
    unsigned hl = get_hl(cpu), r = hl + v;
    cpu->f = (uint8_t)((cpu->f & GB_FLAG_Z) |
                       flags(false, false, ((hl & 0xFFF) + (v & 0xFFF)) > 0xFFF, r > 0xFFFF));
    set_hl(cpu, (uint16_t)r);
}

/* SP + signed 8-bit: flags come from the unsigned add of the low bytes. */
static uint16_t sp_plus(gb_cpu *cpu, uint8_t e)
{
    unsigned sp = cpu->sp;
    cpu->f = flags(false, false, ((sp & 0xF) + (e & 0xFu)) > 0xF, ((sp & 0xFF) + e) > 0xFF);
    return (uint16_t)(sp + (uint16_t)(int8_t)e);
}

/* ---- stack and control flow --------------------------------------------------- */
/* A bus call during which the increment/decrement unit drives addr (see gb.h). */
static inline void idu_idle(gb_cpu *cpu, const gb_bus *bus, uint16_t addr)
{
    cpu->idu = true;
    cpu->idu_addr = addr;
    idle(cpu, bus);
    cpu->idu = false;
}

static inline uint8_t idu_rd(gb_cpu *cpu, const gb_bus *bus, uint16_t addr)
{
    cpu->idu = true;
    cpu->idu_addr = addr;
    uint8_t v = rd(cpu, bus, addr);
    cpu->idu = false;
    return v;
}

static void push16(gb_cpu *cpu, const gb_bus *bus, uint16_t v)
{
    idu_idle(cpu, bus, cpu->sp); /* SP is decremented before the first write */
    wr(cpu, bus, --cpu->sp, (uint8_t)(v >> 8));
    wr(cpu, bus, --cpu->sp, (uint8_t)v);
}

static uint16_t pop16(gb_cpu *cpu, const gb_bus *bus)
{
    uint8_t lo = idu_rd(cpu, bus, cpu->sp++);
    uint8_t hi = idu_rd(cpu, bus, cpu->sp++);
    return pair(hi, lo);
}

/* Condition field of JR/JP/CALL/RET cc: NZ Z NC C. */
static bool cond(const gb_cpu *cpu, unsigned cc)
{
    switch (cc & 3) {
    case 0:
        return !(cpu->f & GB_FLAG_Z);
    case 1:
        return (cpu->f & GB_FLAG_Z) != 0;
    case 2:
        return !(cpu->f & GB_FLAG_C);
    default:
        return (cpu->f & GB_FLAG_C) != 0;
    }
}

static void jr(gb_cpu *cpu, const gb_bus *bus, bool taken)
{
    int8_t e = (int8_t)imm8(cpu, bus);
    if (taken) {
        idle(cpu, bus);
        cpu->pc = (uint16_t)(cpu->pc + e);
    }
}

static void jp(gb_cpu *cpu, const gb_bus *bus, bool taken)
{
    uint16_t nn = imm16(cpu, bus);
    if (taken) {
        idle(cpu, bus);
        cpu->pc = nn;
    }
}

static void call(gb_cpu *cpu, const gb_bus *bus, bool taken)
{
    uint16_t nn = imm16(cpu, bus);
    if (taken) {
        push16(cpu, bus, cpu->pc);
        cpu->pc = nn;
    }
}

static void ret(gb_cpu *cpu, const gb_bus *bus)
{
    cpu->pc = pop16(cpu, bus);
    idle(cpu, bus);
}

/* ---- interrupts --------------------------------------------------------------- */

/* The dispatch: two internal cycles, PC pushed high byte first, then the jump. The
 * vector is chosen after the high byte is pushed: if that push overwrote IE (SP was
 * $0000) and cancelled the request, the CPU jumps to $0000 instead. 5 M-cycles. */
static void dispatch(gb_cpu *cpu, const gb_bus *bus)
{
    /* SOLUTION BEGIN: 2 idle cycles, push PC (high byte first), pick the lowest pending bit AFTER the first push, ack it, jump to $40 + 8*bit */
    cpu->ime = false;
    idle(cpu, bus);
    idle(cpu, bus);
    wr(cpu, bus, --cpu->sp, (uint8_t)(cpu->pc >> 8));
    uint8_t pending = bus->pending(bus->ctx);
    wr(cpu, bus, --cpu->sp, (uint8_t)cpu->pc);
    cpu->pc = 0;
    for (unsigned bit = 0; bit < 5; bit++) {
        if (pending & (1u << bit)) {
            bus->ack(bus->ctx, (uint8_t)(1u << bit));
            cpu->pc = (uint16_t)(0x40 + 8 * bit);
            break;
        }
    }
    idle(cpu, bus);
    /* SOLUTION END */
}

/* ---- the CB page -------------------------------------------------------------- */
static void exec_cb(gb_cpu *cpu, const gb_bus *bus)
{
    uint8_t op = imm8(cpu, bus);
    unsigned r = op & 7, n = (op >> 3) & 7;
    uint8_t v = get_r(cpu, bus, r);
    switch (op >> 6) {
    case 0:
        set_r(cpu, bus, r, gb_shift(cpu, n, v));
        break;
    case 1: /* BIT n: Z from the bit, C kept; (HL) is read but never written */
        cpu->f = (uint8_t)(flags(!(v & (1u << n)), false, true, false) | (cpu->f & GB_FLAG_C));
        break;
    case 2:
        set_r(cpu, bus, r, (uint8_t)(v & ~(1u << n)));
        break;
    default:
        set_r(cpu, bus, r, (uint8_t)(v | (1u << n)));
        break;
    }
}

/* ---- the main decoder --------------------------------------------------------- */

/* $00-$3F: loads, 16-bit arithmetic, INC/DEC, rotates of A, JR, and the odd ones. */
static void exec_block0(gb_cpu *cpu, const gb_bus *bus, uint8_t op)
{
    unsigned y = (op >> 3) & 7, p = (op >> 4) & 3;
    switch (op & 7) {
    case 0:
        switch (y) {
        case 0:
            break; /* NOP */
        case 1: {  /* LD (nn),SP */
            uint16_t nn = imm16(cpu, bus);
            wr(cpu, bus, nn, (uint8_t)cpu->sp);
            wr(cpu, bus, (uint16_t)(nn + 1), (uint8_t)(cpu->sp >> 8));
            break;
        }
        case 2: /* STOP: DIV is reset by the machine; wakes on a joypad line */
            cpu->stopped = true;
            break;
        case 3:
            jr(cpu, bus, true);
            break;
        default:
            jr(cpu, bus, cond(cpu, y - 4));
            break;
        }
        break;
    case 1:
        if (y & 1) { /* ADD HL,rr */
            add_hl(cpu, get_rr(cpu, p));
            idle(cpu, bus);
        } else { /* LD rr,nn */
            set_rr(cpu, p, imm16(cpu, bus));
        }
        break;
    case 2: { /* LD (BC)/(DE)/(HL+)/(HL-),A and the reverse */
        uint16_t addr = p < 2 ? get_rr(cpu, p) : get_hl(cpu);
        if (p == 2)
            set_hl(cpu, (uint16_t)(addr + 1));
        else if (p == 3)
            set_hl(cpu, (uint16_t)(addr - 1));
        if (y & 1)
            cpu->a = p < 2 ? rd(cpu, bus, addr) : idu_rd(cpu, bus, addr);
        else
            wr(cpu, bus, addr, cpu->a);
        break;
    }
    case 3: { /* INC rr / DEC rr: one internal cycle, no flags */
        uint16_t old = get_rr(cpu, p);
        set_rr(cpu, p, (uint16_t)(old + ((y & 1) ? 0xFFFF : 1)));
        idu_idle(cpu, bus, old);
        break;
    }
    case 4:
        set_r(cpu, bus, y, inc8(cpu, get_r(cpu, bus, y)));
        break;
    case 5:
        set_r(cpu, bus, y, dec8(cpu, get_r(cpu, bus, y)));
        break;
    case 6: { /* LD r,n */
        uint8_t n = imm8(cpu, bus);
        set_r(cpu, bus, y, n);
        break;
    }
    default:
        switch (y) {
        case 0:
        case 1:
        case 2:
        case 3: /* RLCA RRCA RLA RRA: like CB but Z=0 */
            cpu->a = gb_shift(cpu, y, cpu->a);
            cpu->f &= (uint8_t)~GB_FLAG_Z;
            break;
        case 4:
            gb_daa(cpu);
            break;
        case 5: /* CPL */
            cpu->a = (uint8_t)~cpu->a;
            cpu->f |= GB_FLAG_N | GB_FLAG_H;
            break;
        case 6: /* SCF */
            cpu->f = (uint8_t)((cpu->f & GB_FLAG_Z) | GB_FLAG_C);
            break;
        default: /* CCF */
            cpu->f = (uint8_t)((cpu->f & (GB_FLAG_Z | GB_FLAG_C)) ^ GB_FLAG_C);
            break;
        }
        break;
    }
}

/* $C0-$FF: control flow, stack, I/O loads, immediate ALU, and the rest. */
static void exec_block3(gb_cpu *cpu, const gb_bus *bus, uint8_t op)
{
    unsigned y = (op >> 3) & 7, p = (op >> 4) & 3;
    switch (op) {
    case 0xC0:
    case 0xC8:
    case 0xD0:
    case 0xD8: /* RET cc: one cycle to test */
        idle(cpu, bus);
        if (cond(cpu, y))
            ret(cpu, bus);
        return;
    case 0xC9:
        ret(cpu, bus);
        return;
    case 0xD9:
        ret(cpu, bus);
        cpu->ime = true;
        return; /* RETI: no delay */
    case 0xC1:
    case 0xD1:
    case 0xE1:
        set_rr(cpu, p, pop16(cpu, bus));
        return;
    case 0xF1: { /* POP AF: the low nibble of F does not exist */
        uint16_t v = pop16(cpu, bus);
        cpu->a = (uint8_t)(v >> 8);
        cpu->f = (uint8_t)(v & 0xF0);
        return;
    }
    case 0xC5:
    case 0xD5:
    case 0xE5:
        push16(cpu, bus, get_rr(cpu, p));
        return;
    case 0xF5:
        push16(cpu, bus, pair(cpu->a, cpu->f));
        return;
    case 0xC2:
    case 0xCA:
    case 0xD2:
    case 0xDA:
        jp(cpu, bus, cond(cpu, y));
        return;
    case 0xC3:
        jp(cpu, bus, true);
        return;
    case 0xE9:
        cpu->pc = get_hl(cpu);
        return; /* JP HL: no extra cycle */
    case 0xC4:
    case 0xCC:
    case 0xD4:
    case 0xDC:
        call(cpu, bus, cond(cpu, y));
        return;
    case 0xCD:
        call(cpu, bus, true);
        return;
    case 0xC7:
    case 0xCF:
    case 0xD7:
    case 0xDF:
    case 0xE7:
    case 0xEF:
    case 0xF7:
    case 0xFF: /* RST */
        push16(cpu, bus, cpu->pc);
        cpu->pc = (uint16_t)(op & 0x38);
        return;
    case 0xCB:
        exec_cb(cpu, bus);
        return;
    case 0xE0:
        wr(cpu, bus, (uint16_t)(0xFF00 | imm8(cpu, bus)), cpu->a);
        return;
    case 0xF0:
        cpu->a = rd(cpu, bus, (uint16_t)(0xFF00 | imm8(cpu, bus)));
        return;
    case 0xE2:
        wr(cpu, bus, (uint16_t)(0xFF00 | cpu->c), cpu->a);
        return;
    case 0xF2:
        cpu->a = rd(cpu, bus, (uint16_t)(0xFF00 | cpu->c));
        return;
    case 0xEA:
        wr(cpu, bus, imm16(cpu, bus), cpu->a);
        return;
    case 0xFA:
        cpu->a = rd(cpu, bus, imm16(cpu, bus));
        return;
    case 0xE8: { /* ADD SP,e: two internal cycles */
        uint16_t r = sp_plus(cpu, imm8(cpu, bus));
        idle(cpu, bus);
        idle(cpu, bus);
        cpu->sp = r;
        return;
    }
    case 0xF8: /* LD HL,SP+e */
        set_hl(cpu, sp_plus(cpu, imm8(cpu, bus)));
        idle(cpu, bus);
        return;
    case 0xF9:
        cpu->sp = get_hl(cpu);
        idle(cpu, bus);
        return;
    case 0xF3:
        cpu->ime = false;
        cpu->ei_pending = false;
        return; /* DI */
    case 0xFB:
        cpu->ei_pending = true;
        return; /* EI */
    case 0xC6:
    case 0xCE:
    case 0xD6:
    case 0xDE:
    case 0xE6:
    case 0xEE:
    case 0xF6:
    case 0xFE:
        gb_alu(cpu, y, imm8(cpu, bus));
        return;
    default: /* D3 DB DD E3 E4 EB EC ED F4 FC FD: the CPU locks up */
        cpu->locked = true;
        return;
    }
}

static void execute(gb_cpu *cpu, const gb_bus *bus, uint8_t op)
{
    switch (op >> 6) {
    case 0:
        exec_block0(cpu, bus, op);
        break;
    case 1:
        if (op == 0x76) { /* HALT */
            if (!cpu->ime && bus->pending(bus->ctx))
                cpu->halt_bug = true; /* no halt, and the next fetch repeats */
            else
                cpu->halted = true;
        } else {
            set_r(cpu, bus, op >> 3, get_r(cpu, bus, op));
            cpu->ld_b_b = op == 0x40;
        }
        break;
    case 2:
        gb_alu(cpu, op >> 3, get_r(cpu, bus, op));
        break;
    default:
        exec_block3(cpu, bus, op);
        break;
    }
}

void gb_cpu_reset(gb_cpu *cpu)
{
    *cpu = (gb_cpu){.a = 0x01,
                    .f = 0xB0,
                    .b = 0x00,
                    .c = 0x13,
                    .d = 0x00,
                    .e = 0xD8,
                    .h = 0x01,
                    .l = 0x4D,
                    .sp = 0xFFFE,
                    .pc = 0x0100};
}

unsigned gb_cpu_step(gb_cpu *cpu, const gb_bus *bus)
{
    uint64_t start = cpu->mcycles;
    cpu->ld_b_b = false;
    if (cpu->halted || cpu->stopped || cpu->locked) {
        /* SOLUTION BEGIN: a halted CPU idles one M-cycle at a time until IE & IF != 0; STOP and a lock-up wait for others */
        if (cpu->stopped || cpu->locked || !bus->pending(bus->ctx)) {
            idle(cpu, bus);
            return (unsigned)(cpu->mcycles - start);
        }
        cpu->halted = false;
        /* SOLUTION END */
    }
    if (cpu->ime && bus->pending(bus->ctx)) {
        dispatch(cpu, bus);
        return (unsigned)(cpu->mcycles - start);
    }
    /* EI takes effect after the instruction that follows it has been fetched. */
    if (cpu->ei_pending) {
        cpu->ei_pending = false;
        cpu->ime = true;
    }
    uint8_t op = rd(cpu, bus, cpu->pc);
    if (cpu->halt_bug)
        cpu->halt_bug = false;
    else
        cpu->pc++;
    execute(cpu, bus, op);
    return (unsigned)(cpu->mcycles - start);
}
