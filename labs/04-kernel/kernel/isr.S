/* isr.S — the 48 interrupt entry stubs and the common save/restore path.
 *
 * The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for some exceptions, an error code.
 * Each stub pushes a 0 where the CPU pushes no error code, so every frame has the same
 * shape, then its vector number, and jumps to isr_common, which saves the fifteen
 * general registers, passes the frame to trap_dispatch(frame) and undoes it all with
 * iretq. 5 + 2 + 15 quadwords = 176 bytes keeps the stack 16-byte aligned for C. */

.macro ISR n
isr\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushq $0
    .endif
    pushq $\n
    jmp isr_common
.endm

    .text
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    ISR \n
    .endr

isr_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    cld
    call trap_dispatch
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp                    /* vector and error code */
    iretq

/* The local APIC's spurious-interrupt vector: no EOI, nothing to do (Intel SDM Vol. 3A,
 * 11.9). It touches no register, so it needs no save/restore. */
    .global isr_apic_spurious
isr_apic_spurious:
    iretq

    .section .rodata
    .balign 8
    .global isr_stubs
isr_stubs:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    .quad isr\n
    .endr

    .section .note.GNU-stack, "", @progbits
