/* idt.c — the interrupt descriptor table (see cpu.h).
 *
 * Each of the 256 entries is a 16-byte gate: the handler address split in three
 * pieces, the code selector, an IST index and a type byte (0x8E: present, DPL 0,
 * 64-bit interrupt gate, which clears IF on entry). Vectors 48-255 stay not-present:
 * raising one is a general-protection fault, which is reported like any exception. */
#include "cpu.h"

struct __attribute__((packed)) gate {
    uint16_t off_lo;
    uint16_t sel;
    uint8_t ist;
    uint8_t type;
    uint16_t off_mid;
    uint32_t off_hi;
    uint32_t zero;
};

struct __attribute__((packed)) idt_ptr {
    uint16_t limit;
    uint64_t base;
};

extern const uint64_t isr_stubs[48];
static struct gate idt[256];

static void set_gate(unsigned vector, uint64_t handler, unsigned ist)
{
    /* SOLUTION BEGIN: split handler over off_lo/mid/hi; SEL_KCODE; type 0x8E; ist */
    struct gate *g = &idt[vector];
    g->off_lo = (uint16_t)handler;
    g->off_mid = (uint16_t)(handler >> 16);
    g->off_hi = (uint32_t)(handler >> 32);
    g->sel = SEL_KCODE;
    g->ist = (uint8_t)ist;
    g->type = 0x8E;
    g->zero = 0;
    /* SOLUTION END */
}

void idt_init(void)
{
    /* SOLUTION BEGIN: a gate per stub 0-47 (vector 8 on IST_DOUBLE_FAULT), then lidt */
    for (unsigned v = 0; v < 48; v++)
        set_gate(v, isr_stubs[v], v == 8 ? IST_DOUBLE_FAULT : 0);
    struct idt_ptr p = {sizeof idt - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" : : "m"(p) : "memory");
    /* SOLUTION END */
}

void idt_set_stub(unsigned vector, void (*stub)(void))
{
    if (vector < 256)
        set_gate(vector, (uint64_t)(uintptr_t)stub, 0);
}
