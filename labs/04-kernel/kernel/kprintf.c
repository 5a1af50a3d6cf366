/* kprintf.c — kprintf, panic and the backtrace (see kprintf.h). */
#include "kprintf.h"

#include "arch.h"
#include "kfmt.h"
#include "ksyms.h"
#include "layout.h"
#include "qemu.h"
#include "serial.h"

static void serial_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    serial_write(s, n);
}

size_t kvprintf(const char *fmt, va_list ap)
{
    return kfmt_vformat(serial_sink, NULL, fmt, ap);
}

size_t kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

/* True if p could be a stack frame: mapped, aligned, in a kernel stack. */
static int plausible_frame(uint64_t p)
{
    if (p % 8)
        return 0;
    if (p >= (uint64_t)boot_stack_bottom && p < (uint64_t)boot_stack_top)
        return 1;
    return p >= KSTACK_BASE + 4096 && p < KSTACK_TOP;
}

static void print_frame(int depth, uint64_t pc)
{
    char sym[96];
    ksyms_describe(pc, sym, sizeof sym);
    kprintf("  #%d 0x%016llx %s\n", depth, (unsigned long long)pc, sym);
}

void backtrace_from(uint64_t pc, uint64_t rbp)
{
    kprintf("backtrace:\n");
    print_frame(0, pc);
    for (int depth = 1; depth < 16 && plausible_frame(rbp); depth++) {
        const uint64_t *frame = (const uint64_t *)rbp;
        uint64_t ret = frame[1];
        if (!ret)
            break;
        print_frame(depth, ret);
        if (frame[0] <= rbp)
            break; /* the chain must go up the stack */
        rbp = frame[0];
    }
}

_Noreturn void kpanic(const char *file, int line, const char *fmt, ...)
{
    cpu_cli();
    kprintf("\nPANIC at %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    backtrace_from((uint64_t)(uintptr_t)kpanic, (uint64_t)(uintptr_t)__builtin_frame_address(0));
    kprintf("system halted\n");
    qemu_exit(QEMU_EXIT_PANIC);
}

_Noreturn void qemu_exit(unsigned code)
{
    outl(0xf4, code);
    for (;;) {
        cpu_cli();
        cpu_hlt();
    }
}

/* The learner edition replaces unfinished code with calls to this (see
 * common/include/common/todo.h): in the kernel it is a panic naming the step. */
_Noreturn void course_todo(const char *hint, const char *file, int line);
_Noreturn void course_todo(const char *hint, const char *file, int line)
{
    kpanic(file, line, "TODO: %s", hint);
}
