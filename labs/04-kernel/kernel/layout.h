/* layout.h — the kernel's own image and its virtual-address plan.
 *
 * The linker script (kernel.ld) defines the __*_start/__*_end symbols; they have no
 * storage, only an address, hence the char-array declarations. The low 1 GiB is
 * identity-mapped with 2 MiB pages by boot.S; everything the kernel maps later with
 * 4 KiB pages lives in the upper (negative) half, in the windows below. */
#ifndef LAYOUT_H
#define LAYOUT_H

#include <stdint.h>

extern char __kernel_start[], __kernel_end[], __text_end[];
extern char __bss_start[], __bss_end[];
extern char boot_stack_bottom[], boot_stack_top[];

#define IDENTITY_LIMIT (1ull << 30)       /* boot.S maps [0, 1 GiB) */
#define KSTACK_BASE 0xffff800000000000ull /* guard page, then the stack */
#define KSTACK_PAGES 8                    /* 32 KiB kernel stack */
#define KSTACK_TOP (KSTACK_BASE + (1 + KSTACK_PAGES) * 4096ull)
#define HEAP_BASE 0xffff900000000000ull /* kernel heap windows: */
#define HEAP_WINDOW_SHIFT 36            /* 64 GiB each */
#define HEAP_WINDOW(i) (HEAP_BASE + ((uint64_t)(i) << HEAP_WINDOW_SHIFT))
#define HEAP_WINDOWS 16                    /* 0: large blocks, then per backend */
#define SCRATCH_BASE 0xffffa00000000000ull /* tests map and unmap here */
#define MMIO_BASE 0xffffb00000000000ull    /* device registers, mapped uncached */

#endif
