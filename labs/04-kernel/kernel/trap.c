/* trap.c — what happens after isr.S: exceptions are reported, IRQs dispatched.
 *
 * A breakpoint (int3) is the one exception the kernel resumes from: it logs and
 * returns, which is how a debugger's software breakpoint works. Every other exception
 * is a kernel bug here (there is no user mode to blame), so it prints what the CPU
 * told us, symbolised, and panics. The page fault report decodes the error code bits
 * (Intel SDM Vol. 3A, 4.7) and CR2, the address that faulted. */
#include "arch.h"
#include "cpu.h"
#include "irq.h"
#include "kfmt.h"
#include "kprintf.h"
#include "ksyms.h"
#include "layout.h"

static volatile uint64_t breakpoints;

static const char *const names[32] = {"divide error",
                                      "debug",
                                      "NMI",
                                      "breakpoint",
                                      "overflow",
                                      "bound range exceeded",
                                      "invalid opcode",
                                      "device not available",
                                      "double fault",
                                      "coprocessor overrun",
                                      "invalid TSS",
                                      "segment not present",
                                      "stack-segment fault",
                                      "general protection",
                                      "page fault",
                                      "reserved",
                                      "x87 floating point",
                                      "alignment check",
                                      "machine check",
                                      "SIMD floating point",
                                      "virtualisation",
                                      "control protection",
                                      "reserved",
                                      "reserved",
                                      "reserved",
                                      "reserved",
                                      "reserved",
                                      "reserved",
                                      "hypervisor injection",
                                      "VMM communication",
                                      "security",
                                      "reserved"};

const char *trap_name(uint64_t vector)
{
    return vector < 32 ? names[vector] : "?";
}

uint64_t trap_breakpoints(void)
{
    return breakpoints;
}

void trap_decode_pf(uint64_t error, char *buf, unsigned cap)
{
    kfmt_snprintf(buf, cap, "%s %s %s %s%s", error & 1 ? "protection" : "not-present",
                  error & 2 ? "write" : "read", error & 4 ? "user" : "kernel",
                  error & 16 ? "instruction-fetch" : "data", error & 8 ? " reserved-bit" : "");
}

static void dump_frame(const trap_frame *f)
{
    char sym[96];
    ksyms_describe(f->rip, sym, sizeof sym);
    kprintf("  rip=0x%016llx %s\n", (unsigned long long)f->rip, sym);
    kprintf("  rsp=0x%016llx rbp=0x%016llx rflags=0x%llx cs=0x%llx\n", (unsigned long long)f->rsp,
            (unsigned long long)f->rbp, (unsigned long long)f->rflags, (unsigned long long)f->cs);
    kprintf("  rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rsi=0x%llx rdi=0x%llx\n",
            (unsigned long long)f->rax, (unsigned long long)f->rbx, (unsigned long long)f->rcx,
            (unsigned long long)f->rdx, (unsigned long long)f->rsi, (unsigned long long)f->rdi);
}

static _Noreturn void page_fault(const trap_frame *f)
{
    uint64_t cr2 = read_cr2();
    char why[96];
    trap_decode_pf(f->error, why, sizeof why);
    kprintf("\nPAGE FAULT at cr2=0x%016llx error=0x%llx (%s)\n", (unsigned long long)cr2,
            (unsigned long long)f->error, why);
    if (cr2 >= KSTACK_BASE && cr2 < KSTACK_BASE + 4096)
        kprintf("  the address is the kernel stack's guard page: stack overflow\n");
    dump_frame(f);
    backtrace_from(f->rip, f->rbp);
    PANIC("unhandled page fault at 0x%llx", (unsigned long long)cr2);
}

static _Noreturn void double_fault(const trap_frame *f)
{
    uint64_t cr2 = read_cr2();
    kprintf("\nDOUBLE FAULT (running on the IST%d stack) last cr2=0x%016llx\n", IST_DOUBLE_FAULT,
            (unsigned long long)cr2);
    if (cr2 >= KSTACK_BASE && cr2 < KSTACK_BASE + 4096)
        kprintf("  cr2 is in the kernel stack's guard page: kernel stack overflow\n");
    dump_frame(f);
    PANIC("double fault");
}

void trap_dispatch(trap_frame *f)
{
    if (f->vector >= IRQ_BASE_VECTOR && f->vector < IRQ_BASE_VECTOR + IRQ_COUNT) {
        irq_dispatch((unsigned)(f->vector - IRQ_BASE_VECTOR));
        return;
    }
    switch (f->vector) {
    case 3: {
        breakpoints++;
        char sym[96];
        ksyms_describe(f->rip - 1, sym, sizeof sym);
        kprintf("trap: breakpoint at 0x%llx %s, resuming\n", (unsigned long long)(f->rip - 1), sym);
        return;
    }
    case 8:
        double_fault(f);
    case 14:
        page_fault(f);
    default:
        kprintf("\nEXCEPTION %llu (%s) error=0x%llx\n", (unsigned long long)f->vector,
                trap_name(f->vector), (unsigned long long)f->error);
        dump_frame(f);
        PANIC("unhandled exception %llu (%s)", (unsigned long long)f->vector, trap_name(f->vector));
    }
}
