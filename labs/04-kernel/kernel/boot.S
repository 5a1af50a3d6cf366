/* boot.S — from the Multiboot loader's 32-bit protected mode to C in long mode.
 *
 * The loader jumps to _start with paging off, EAX = 0x2BADB002 and EBX = the physical
 * address of the info block, and no usable stack. This file:
 *   1. keeps EAX/EBX, zeroes .bss, takes a stack;
 *   2. checks with CPUID that the CPU has long mode (else prints an error and halts);
 *   3-5. jumps to enter_long_mode32 (kernel/longmode.c): page tables, PAE, long
 *        mode, paging, a 64-bit GDT and the far jump back to long_mode_entry here;
 *   6. calls kmain(magic, info) with a 16-byte aligned stack.
 * The long-mode switch (steps 3-5) is the part learners write: see README, step 2.
 * The GDT here is only for the jump; kernel/gdt.c installs the real one with a TSS. */

#define MB_FLAGS  0x3                 /* bit 0: align modules; bit 1: give memory info */
#define COM1      0x3F8

    .section .multiboot, "a"
    .balign 4
    .long 0x1BADB002                 /* magic */
    .long MB_FLAGS                   /* flags */
    .long -(0x1BADB002 + MB_FLAGS)   /* checksum: the three words sum to 0 */

    .section .bss
    .balign 4096
    .global boot_pml4, boot_pdpt, boot_pd
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4096
    .global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    .skip 16384
boot_stack_top:

    .section .text.boot, "ax"
    .code32
    .global _start
_start:
    cli
    cld
    mov %eax, %esi                   /* Multiboot magic: zeroing .bss clobbers EAX */
    mov %ebx, %ebp                   /* info block address */

    /* 1. zero .bss (the loader may not, and our page tables live there) */
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    shr $2, %ecx
    xor %eax, %eax
    rep stosl
    mov $boot_stack_top, %esp

    /* 2. long mode present? CPUID 0x80000001 EDX bit 29 */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz no_long_mode
    mov %edx, %ebx                   /* keep the feature bits: NX is bit 20 */

    /* 3-5. the long-mode switch: enter_long_mode32 in kernel/longmode.c (a C file so
     * that `make handout` can stub it), entered with EBX = the CPUID feature bits and
     * leaving through long_mode_entry below. EBP and ESI must survive it. */
    jmp enter_long_mode32

/* The learner edition's stand-in: when longmode.c's region is still a TODO there is
 * no strong enter_long_mode32, and this weak one says so on the serial port and ends
 * QEMU with the panic status (the same debug-exit port works in 32-bit mode). */
    .weak enter_long_mode32
enter_long_mode32:
    mov $todo_lm_msg, %esi
    call print32
    mov $0xf4, %dx
    mov $0x12, %eax
    out %eax, %dx
    jmp halt32

no_long_mode:
    mov $no_lm_msg, %esi
    call print32
halt32:
    hlt
    jmp halt32

/* print32: writes the NUL-terminated string at ESI to COM1, polling the transmitter. */
print32:
3:  lodsb
    test %al, %al
    jz 5f
    mov %al, %ah
    mov $(COM1 + 5), %dx             /* wait for the transmitter to be empty */
4:  in %dx, %al
    test $0x20, %al
    jz 4b
    mov $COM1, %dx
    mov %ah, %al
    out %al, %dx
    jmp 3b
5:  ret

    .code64
    .global long_mode_entry
long_mode_entry:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    mov $boot_stack_top, %rsp
    mov %esi, %edi                   /* kmain(magic, info): SysV passes them in RDI, RSI */
    mov %ebp, %esi
    xor %ebp, %ebp                   /* ends the frame-pointer chain for backtraces */
    call kmain
6:  cli
    hlt
    jmp 6b

    .section .rodata
    .balign 8
boot_gdt:
    .quad 0                          /* null */
    .quad 0x00AF9A000000FFFF         /* 0x08: 64-bit code, DPL 0 (L=1, D=0) */
    .quad 0x00CF92000000FFFF         /* 0x10: data */
    .global boot_gdt_ptr
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt
no_lm_msg:
    .asciz "boot: this CPU has no long mode (x86_64); halting\r\n"
todo_lm_msg:
    .asciz "PANIC at kernel/longmode.c: TODO: the long-mode switch is not written yet\r\n"
