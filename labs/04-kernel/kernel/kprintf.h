/* kprintf.h — formatted output to the serial console, and panic.
 *
 * kprintf takes kfmt's formats (see include/kfmt.h). PANIC prints the file and line
 * of the caller, the message and a frame-pointer backtrace with symbol names, then
 * stops the machine: in QEMU through the debug-exit device with QEMU_EXIT_PANIC, on
 * hardware by halting with interrupts off. */
#ifndef KPRINTF_H
#define KPRINTF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

size_t kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t kvprintf(const char *fmt, va_list ap);

_Noreturn void kpanic(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define PANIC(...) kpanic(__FILE__, __LINE__, __VA_ARGS__)

/* Breaks into a panic when an invariant does not hold. */
#define KASSERT(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            PANIC("assertion failed: %s", #cond);                                                  \
    } while (0)

/* Prints pc as frame #0, then the return addresses up the frame-pointer chain
 * starting at rbp. A leaf function that keeps no frame of its own is skipped by the
 * chain, which is why the faulting pc is printed first. */
void backtrace_from(uint64_t pc, uint64_t rbp);

#endif
