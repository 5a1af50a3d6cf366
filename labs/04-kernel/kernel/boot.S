/* boot.S — from the Multiboot loader's 32-bit protected mode to C in long mode.
 *
 * The loader jumps to _start with paging off, EAX = 0x2BADB002 and EBX = the physical
 * address of the info block, and no usable stack. This file:
 *   1. keeps EAX/EBX, zeroes .bss, takes a stack;
 *   2. checks with CPUID that the CPU has long mode (else prints an error and halts);
 *   3. builds page tables identity-mapping the first 1 GiB with 2 MiB pages;
 *   4. enables PAE (CR4), long mode and no-execute (EFER MSR), then paging (CR0);
 *   5. loads a 64-bit GDT and far-jumps into a 64-bit code segment;
 *   6. calls kmain(magic, info) with a 16-byte aligned stack.
 * The long-mode switch (steps 3-5) is the part learners write: see README, step 2.
 * The GDT here is only for the jump; kernel/gdt.c installs the real one with a TSS. */

#define MB_FLAGS  0x3                 /* bit 0: align modules; bit 1: give memory info */
#define CR0_PG    (1 << 31)
#define CR0_WP    (1 << 16)
#define CR4_PAE   (1 << 5)
#define EFER_MSR  0xC0000080
#define EFER_LME  (1 << 8)
#define EFER_NXE  (1 << 11)
#define COM1      0x3F8

    .section .multiboot, "a"
    .balign 4
    .long 0x1BADB002                 /* magic */
    .long MB_FLAGS                   /* flags */
    .long -(0x1BADB002 + MB_FLAGS)   /* checksum: the three words sum to 0 */

    .section .bss
    .balign 4096
    .global boot_pml4
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

    /* SOLUTION BEGIN: identity-map 1 GiB (PML4[0] -> PDPT[0] -> PD of 2 MiB pages) */
    /* 3. PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] -> 2 MiB page i (present, writable, PS) */
    mov $boot_pdpt, %eax
    or $0x3, %eax
    mov %eax, boot_pml4
    mov $boot_pd, %eax
    or $0x3, %eax
    mov %eax, boot_pdpt
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax
    mov %eax, boot_pd(, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jne 1b
    /* SOLUTION END */

    /* SOLUTION BEGIN: CR3 = PML4; CR4.PAE; EFER.LME (+NXE if CPUID says so); CR0.PG|WP */
    /* 4. CR3, PAE, EFER.LME (+NXE when the CPU has NX), then paging on */
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $EFER_MSR, %ecx
    rdmsr
    or $EFER_LME, %eax
    test $(1 << 20), %ebx
    jz 2f
    or $EFER_NXE, %eax
2:  wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP), %eax
    mov %eax, %cr0
    /* SOLUTION END */

    /* 5. a 64-bit code segment, then a far jump reloads CS and leaves compatibility mode */
    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode_entry

no_long_mode:
    mov $no_lm_msg, %esi
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
5:  hlt
    jmp 5b

    .code64
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
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt
no_lm_msg:
    .asciz "boot: this CPU has no long mode (x86_64); halting\r\n"
