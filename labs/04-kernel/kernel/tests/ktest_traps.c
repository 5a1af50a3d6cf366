/* ktest_traps.c — exceptions: a breakpoint returns; the fault tests (run one per boot
 * by tools/qemu-run fault) must end in a report and a panic. */
#include "cpu.h"
#include "ksyms.h"
#include "ktest.h"

KTEST(breakpoint_returns)
{
    uint64_t before = trap_breakpoints();
    __asm__ volatile("int3");
    KT_EQ(trap_breakpoints(), before + 1);
    __asm__ volatile("int3");
    KT_EQ(trap_breakpoints(), before + 2);
}

KTEST(symbols_name_kernel_functions)
{
    uint64_t off = 99;
    const char *name = ksyms_lookup((uint64_t)trap_dispatch + 3, &off);
    KT_ASSERT(name != NULL);
    KT_EQ(ksyms_address(name), (uint64_t)trap_dispatch);
    KT_EQ(off, 3);
    KT_ASSERT(ksyms_lookup(0x1000, &off) == NULL);
}

KTEST(page_fault_error_code_is_decoded)
{
    char buf[96];
    trap_decode_pf(0x2, buf, sizeof buf);
    KT_ASSERT(buf[0] == 'n'); /* "not-present write kernel data" */
    trap_decode_pf(0x15, buf, sizeof buf);
    KT_ASSERT(buf[0] == 'p'); /* "protection read user instruction-fetch" */
}

KTEST_FAULT(page_fault_is_reported)
{
    *(volatile uint64_t *)0xdead0000ull = 1; /* above the 1 GiB identity map */
}

static unsigned long long recurse(unsigned long long depth)
{
    volatile char pad[512];
    pad[depth % sizeof pad] = (char)depth;
    if (depth > 1000000) /* never reached: the 32 KiB stack ends long before */
        return depth;
    return recurse(depth + 1) + (unsigned long long)pad[depth % sizeof pad];
}

KTEST_FAULT(stack_overflow_hits_guard_page)
{
    (void)recurse(0);
}

KTEST_FAULT(invalid_opcode_is_reported)
{
    __asm__ volatile("ud2");
}

/* The next two pin the test runner rather than the kernel: a triple fault and a hang
 * must be reported as such (QEMU status 0 under -no-reboot; timeout's 124). */
KTEST_FAULT(triple_fault_is_detected)
{
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } empty = {0, 0};
    __asm__ volatile("lidt %0\n\tint3" : : "m"(empty) : "memory");
}

KTEST_FAULT(hang_is_detected)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}
