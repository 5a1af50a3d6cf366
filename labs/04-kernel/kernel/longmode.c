/* longmode.c — the switch from 32-bit protected mode to 64-bit long mode.
 *
 * This is assembly, kept in a C file for one reason: `make handout` stubs solution
 * regions in C files, and this is the step learners write. The function below is never
 * called; its body only carries the asm, which .pushsection moves into .text.boot as
 * 32-bit code at the global label enter_long_mode32, where boot.S jumps. In the learner
 * edition the region is gone, so boot.S's weak enter_long_mode32 prints a TODO and
 * stops QEMU instead.
 *
 * On entry (from boot.S): 32-bit protected mode, paging off, a stack, .bss zeroed (so
 * the three tables boot_pml4/boot_pdpt/boot_pd are zero and 4 KiB aligned), EBX = the
 * CPUID 0x80000001 EDX bits (bit 20: NX), ESI = Multiboot magic, EBP = info address
 * (both must survive). The steps (Intel SDM Vol. 3A, 9.8.5):
 *   1. identity-map 1 GiB: PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = (i << 21) | 0x83
 *      (present, writable, PS = 2 MiB page);
 *   2. CR3 = PML4; CR4.PAE (bit 5); EFER.LME (bit 8 of MSR 0xC0000080), and EFER.NXE
 *      (bit 11) if the CPU has NX; then CR0.PG (bit 31) with CR0.WP (bit 16);
 *   3. lgdt boot_gdt_ptr (a 64-bit code segment at selector 0x08) and a far jump to
 *      0x08:long_mode_entry, which leaves compatibility mode. */

void longmode_carrier(void);

void longmode_carrier(void)
{
    /* SOLUTION BEGIN: in asm: map 1 GiB with 2 MiB pages, CR3, PAE, EFER.LME(+NXE), PG */
    __asm__(".pushsection .text.boot, \"ax\"\n"
            ".code32\n"
            ".global enter_long_mode32\n"
            "enter_long_mode32:\n"
            /* 1. the tables */
            "    mov $boot_pdpt, %eax\n"
            "    or $0x3, %eax\n"
            "    mov %eax, boot_pml4\n"
            "    mov $boot_pd, %eax\n"
            "    or $0x3, %eax\n"
            "    mov %eax, boot_pdpt\n"
            "    xor %ecx, %ecx\n"
            "1:  mov %ecx, %eax\n"
            "    shl $21, %eax\n"
            "    or $0x83, %eax\n"
            "    mov %eax, boot_pd(, %ecx, 8)\n"
            "    inc %ecx\n"
            "    cmp $512, %ecx\n"
            "    jne 1b\n"
            /* 2. CR3, PAE, EFER, paging */
            "    mov $boot_pml4, %eax\n"
            "    mov %eax, %cr3\n"
            "    mov %cr4, %eax\n"
            "    or $(1 << 5), %eax\n"
            "    mov %eax, %cr4\n"
            "    mov $0xC0000080, %ecx\n"
            "    rdmsr\n"
            "    or $(1 << 8), %eax\n"
            "    test $(1 << 20), %ebx\n"
            "    jz 2f\n"
            "    or $(1 << 11), %eax\n"
            "2:  wrmsr\n"
            "    mov %cr0, %eax\n"
            "    or $((1 << 31) | (1 << 16)), %eax\n"
            "    mov %eax, %cr0\n"
            /* 3. a 64-bit code segment */
            "    lgdt boot_gdt_ptr\n"
            "    ljmp $0x08, $long_mode_entry\n"
            ".code64\n"
            ".popsection\n");
    /* SOLUTION END */
}
