/* gdt.c — the kernel's GDT and TSS (see cpu.h).
 *
 * A 64-bit TSS descriptor takes two GDT slots (the base is 64 bits wide). After lgdt
 * the old selectors still hold cached descriptors, so CS is reloaded with a far
 * return and the data segments with plain moves. */
#include <stddef.h>

#include "cpu.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

static struct tss tss;
static uint64_t gdt[5];
static uint8_t df_stack[16384] __attribute__((aligned(16)));

struct __attribute__((packed)) table_ptr {
    uint16_t limit;
    uint64_t base;
};

/* Encodes the 16-byte system descriptor of a 64-bit TSS (Intel SDM Vol. 3A, 8.2.3):
 * limit 15..0, base 23..0, type 0x9 with the present bit, limit 19..16, base 31..24,
 * then base 63..32 in the second quadword. */
static void tss_descriptor(uint64_t base, uint64_t limit, uint64_t out[2])
{
    /* SOLUTION BEGIN: spread base and limit over the two quadwords; access byte 0x89 */
    out[0] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | 0x89ull << 40 |
             ((limit >> 16) & 0xF) << 48 | ((base >> 24) & 0xFF) << 56;
    out[1] = base >> 32;
    /* SOLUTION END */
}

void gdt_init(void)
{
    tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(df_stack + sizeof df_stack);
    tss.iomap_base = sizeof tss; /* no I/O permission bitmap */
    uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
    gdt[0] = 0;
    gdt[1] = 0x00AF9A000000FFFFull;       /* kernel code: present, DPL 0, L=1 */
    gdt[2] = 0x00CF92000000FFFFull;       /* kernel data */
    tss_descriptor(base, limit, &gdt[3]); /* two slots: 0x18 and 0x20 */
    struct table_ptr p = {sizeof gdt - 1, (uint64_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w2, %%ds\n\t"
                     "movw %w2, %%es\n\t"
                     "movw %w2, %%ss\n\t"
                     "ltr %w3"
                     :
                     : "m"(p), "i"(SEL_KCODE), "r"(SEL_KDATA), "r"(SEL_TSS)
                     : "rax", "memory");
}
