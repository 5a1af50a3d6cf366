/* cpu.h — the CPU's descriptor tables: GDT with a TSS, and the IDT.
 *
 * Long mode ignores segment bases and limits, but still needs a GDT for the code
 * segment's L bit and for the TSS, whose only job here is the Interrupt Stack Table:
 * IST1 is a separate stack for the double fault, so a kernel stack overflow (which
 * faults again when the CPU tries to push the page-fault frame) still gets a clean
 * report instead of a triple fault and a reset. */
#ifndef CPU_H
#define CPU_H

#include <stdint.h>

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS 0x18
#define IST_DOUBLE_FAULT 1

/* Installs the GDT (code, data, TSS), reloads the segment registers and the task
 * register. */
void gdt_init(void);

/* Fills the IDT with the 48 stubs of isr.S (exceptions and IRQs) and loads it. */
void idt_init(void);

/* Points vector at an entry stub of isr.S outside the 48 standard ones. */
void idt_set_stub(unsigned vector, void (*stub)(void));

/* The register state isr.S saves, in memory order (r15 at the lowest address). */
typedef struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
} trap_frame;

/* Called by isr.S for every vector. */
void trap_dispatch(trap_frame *f);

/* Breakpoint (#BP) exceptions handled so far; the handler returns to the code. */
uint64_t trap_breakpoints(void);

/* Exception names ("page fault"); "?" beyond 31. */
const char *trap_name(uint64_t vector);

/* Decodes a page-fault error code into buf: "not-present write kernel data". */
void trap_decode_pf(uint64_t error, char *buf, unsigned cap);

#endif
