; interrupts.s — dispatch, priority, EI's delay, RETI, HALT and the HALT bug.
;
; Facts checked (Pan Docs, "Interrupts" and "halt"): EI enables interrupts after the
; instruction that follows it; DI right after EI wins; RETI enables them at once; the
; lowest pending bit is served first and its IF bit cleared; HALT with IME=0 wakes
; without dispatching when IE & IF becomes non-zero; HALT with IME=0 and an interrupt
; already pending does not halt, and the next byte is read twice (the HALT bug).
        .include "lib.inc"

order = 0xC010          ; where the handlers log their vectors
log_ptr = 0xC020

; Each handler appends its vector's low byte to the log and counts in C.
        .macro HANDLER v
        push af
        push hl
        ld a, (log_ptr)
        ld l, a
        ld h, #0xC0
        ld (hl), #v
        inc a
        ld (log_ptr), a
        inc c
        pop hl
        pop af
        reti
        .endm

int_vblank:     HANDLER 0x40
int_stat:       HANDLER 0x48
int_timer:      HANDLER 0x50
int_serial:     HANDLER 0x58
int_joypad:     HANDLER 0x60

reset_log:
        ld a, #0x10
        ld (log_ptr), a
        ld c, #0
        ret

main:
        ; Keep the PPU and serial out of the way: only bits we set matter.
        xor a
        ldh (LCDC), a

        TEST 1                  ; EI: the next instruction runs before the dispatch
        call reset_log
        ld a, #0x04
        ldh (IE), a
        ldh (IF), a             ; timer request pending, IME = 0
        ei
        ld a, c                 ; runs first: the handler has not run yet
        nop                     ; the dispatch happens before this
        EXPECT 0
        TEST 2                  ; ...and then the interrupt was taken once
        ld a, c
        EXPECT 1
        ld a, (order)
        EXPECT 0x50
        TEST 3                  ; EI then DI: never enabled
        di
        ld c, #0
        ld a, #0x04
        ldh (IF), a
        ei
        di
        nop
        nop
        ld a, c
        EXPECT 0
        ldh a, (IF)             ; still requested
        and #0x1F
        EXPECT 0x04

        TEST 4                  ; priority: all five pending, served 40 48 50 58 60
        call reset_log
        ld a, #0x1F
        ldh (IE), a
        ldh (IF), a
        ei
        nop
        di
        ld a, c
        EXPECT 5
        ld hl, #order
        ld a, (hl+)
        EXPECT 0x40
        ld a, (hl+)
        EXPECT 0x48
        ld a, (hl+)
        EXPECT 0x50
        ld a, (hl+)
        EXPECT 0x58
        ld a, (hl+)
        EXPECT 0x60
        ldh a, (IF)             ; each dispatch cleared its own bit
        and #0x1F
        EXPECT 0
        TEST 5                  ; IE masks: only enabled bits are served
        call reset_log
        ld a, #0x04
        ldh (IE), a
        ld a, #0x1F
        ldh (IF), a
        ei
        nop
        di
        ld a, c
        EXPECT 1
        ldh a, (IF)
        and #0x1F
        EXPECT 0x1B

        TEST 6                  ; HALT bug: IME=0, interrupt pending: INC A runs twice
        ld a, #0x04
        ldh (IE), a
        ldh (IF), a
        xor a
        halt
        inc a
        EXPECT 2
        TEST 7                  ; HALT with IME=0 wakes on the timer, no dispatch
        xor a
        ldh (IF), a
        ld c, #0
        ld a, #0x05
        ldh (TAC), a
        ld a, #0xF0
        ldh (TIMA), a           ; overflows after about 64 M-cycles
        halt
        nop
        ld a, c
        EXPECT 0                ; no handler ran
        ldh a, (IF)
        and #0x04
        EXPECT 0x04
        TEST 8                  ; HALT with IME=1: the handler runs, then the code after
        xor a
        ldh (IF), a
        ld c, #0
        ld a, #0xF0
        ldh (TIMA), a
        ei
        halt
        nop
        di
        ld a, c
        EXPECT 1
        TEST 9                  ; dispatch pushes the address of the next instruction
        xor a
        ldh (TAC), a
        ldh (IF), a
        ld a, #0x01
        ldh (IE), a
        ld hl, #after
        push hl
        pop hl                  ; (HL = the label, to compare with the pushed PC)
        ld sp, #0xDFF0
        ld a, #0x01
        ldh (IF), a
        ld c, #0
        ei
        nop
after:  di                      ; the vblank handler returned here
        ld a, (0xDFEE)          ; the pushed PC, low byte (written at SP-2)
        cp l
        call nz, fail
        ld a, (0xDFEF)
        cp h
        call nz, fail
        ld sp, #0xDFFE
        jp pass
