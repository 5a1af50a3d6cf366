; timer.s — TIMA counts falling edges of one bit of the 16-bit system counter.
;
; Cycle counts are M-cycles after the M-cycle in which DIV was written (the counter is
; then 0 and gains 4 per M-cycle). TAC 05/06/07/04 select counter bits 3/5/7/9, so
; TIMA steps every 4/16/64/256 M-cycles (Pan Docs, "Timer and Divider Registers";
; "Timer obscure behaviour"). Reads are placed away from the edges where possible.
        .include "lib.inc"

int_vblank:
int_stat:
int_timer:
int_serial:
int_joypad:
        jp fail

; rate: TAC = A; after the DIV write, reads TIMA at M-cycle 4*B + 18.
rate:
        ldh (TAC), a
        xor a
        ldh (DIV), a            ; T0
        ldh (TIMA), a           ; write at +3: TIMA = 0
        nop                     ; +4
        call delay              ; +5 .. +4B+13
        nop
        nop                     ; +4B+15
        ldh a, (TIMA)           ; read at +4B+18 (= 2 mod 4: between two steps)
        ret

; ARM_OVERFLOW: timer off, TIMA = FE, IF = 0, then DIV reset (T0) and TAC = 05
; written at T0+3 (counter 12: the signal rises, which is not an edge).
        .macro ARM_OVERFLOW
        xor a
        ldh (TAC), a
        ld a, #0xFE
        ldh (TIMA), a
        xor a
        ldh (IF), a
        ld a, #0x05
        ldh (DIV), a            ; T0
        ldh (TAC), a            ; +3
        .endm

main:
        TEST 1                  ; 262144 Hz: B=10, read at +4*10+18 = 58 -> 14 steps
        ld b, #10
        ld a, #0x05
        call rate
        EXPECT 14
        TEST 2                  ; 65536 Hz: B=30, read at 138 -> 8 steps of 16
        ld b, #30
        ld a, #0x06
        call rate
        EXPECT 8
        TEST 3                  ; 16384 Hz: B=100, read at 418 -> 6 steps of 64
        ld b, #100
        ld a, #0x07
        call rate
        EXPECT 6
        TEST 4                  ; 4096 Hz: B=200, read at 818 -> 3 steps of 256
        ld b, #200
        ld a, #0x04
        call rate
        EXPECT 3
        TEST 5                  ; TAC bit 2 clear: the timer is stopped
        ld b, #200
        ld a, #0x01
        call rate
        EXPECT 0

        ; A write to DIV while the selected bit is 1 is a falling edge: TIMA steps.
        TEST 6                  ; bit 5 is 1 for counter 32..63 = M-cycles 8..15
        ld a, #0x06
        ldh (TAC), a
        ld hl, #0xFF04
        ld (hl), a              ; T0
        xor a                   ; +1
        ldh (TIMA), a           ; +4: TIMA = 0
        nop
        nop
        nop
        nop                     ; +8
        ld (hl), a              ; write at +10: bit 5 set -> step 1, counter 0
        .rept 3
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        ld (hl), a              ; again at +10: steps 2, 3, 4
        .endm
        ldh a, (TIMA)           ; read at +3
        EXPECT 4
        TEST 7                  ; writes every 4 M-cycles: bit 5 never set, no steps
        ld (hl), a              ; T0
        xor a
        ldh (TIMA), a           ; +4: TIMA = 0
        ld (hl), a              ; +6: counter 24, bit 5 clear
        .rept 6
        nop
        nop
        ld (hl), a
        .endm
        ldh a, (TIMA)
        EXPECT 0

        ; Overflow: TIMA reads 00 for one M-cycle, then TMA is loaded and IF bit 2 set.
        TEST 8                  ; TIMA = FE is set with the timer off, so it waits
        ld a, #0xAB
        ldh (TMA), a
        ARM_OVERFLOW       ; T0 = the DIV write; steps at +4 (FF) and +8 (00)
        nop
        nop                     ; +5
        ldh a, (TIMA)           ; read at +8: the overflow cycle
        EXPECT 0x00
        TEST 9
        ARM_OVERFLOW
        nop
        nop
        nop
        nop                     ; +7
        ldh a, (TIMA)           ; read at +10: reloaded from TMA
        EXPECT 0xAB
        TEST 10
        ldh a, (IF)
        and #0x04
        EXPECT 0x04
        TEST 11                 ; DIV is the counter's top byte: 64 M-cycles a step
        xor a
        ldh (DIV), a            ; T0
        ld b, #40
        call delay              ; +2 .. +2+169 = +171
        ldh a, (DIV)            ; read at +174: 174*4 = 696 -> 696 >> 8 = 2
        EXPECT 2
        jp pass
