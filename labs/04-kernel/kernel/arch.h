/* arch.h — the x86_64 instructions C cannot express, as tiny inline functions.
 *
 * Port I/O, control registers, MSRs, interrupt flag and TLB control. Every asm
 * statement that orders memory accesses has a "memory" clobber so the compiler does
 * not move loads and stores across it (the asm equivalent of a compiler barrier). */
#ifndef ARCH_H
#define ARCH_H

#include <stdbool.h>
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void cpu_cli(void)
{
    __asm__ volatile("cli" ::: "memory");
}
static inline void cpu_sti(void)
{
    __asm__ volatile("sti" ::: "memory");
}
static inline void cpu_hlt(void)
{
    __asm__ volatile("hlt" ::: "memory");
}

/* "sti; hlt" back to back: sti only takes effect after the next instruction, so an
 * interrupt that arrives now wakes the hlt instead of being handled before it. */
static inline void cpu_sti_hlt(void)
{
    __asm__ volatile("sti; hlt" ::: "memory");
}

static inline uint64_t cpu_flags(void)
{
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
    return f;
}

/* Disables interrupts and returns whether they were on (for irq_restore). */
static inline bool irq_save(void)
{
    bool on = (cpu_flags() & (1u << 9)) != 0;
    cpu_cli();
    return on;
}

static inline void irq_restore(bool on)
{
    if (on)
        cpu_sti();
}

static inline uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

static inline void invlpg(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

#define MSR_EFER 0xC0000080u
#define EFER_NXE (1u << 11)

#endif
