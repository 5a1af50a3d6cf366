; ppu_timing.s — the PPU's clock as the CPU sees it: a line is 114 M-cycles, a frame
; 154 lines; modes run 2 -> 3 -> 0 on visible lines and 1 in lines 144-153; the
; VBlank interrupt comes at LY = 144 and the LY=LYC STAT interrupt when LY reaches
; LYC (Pan Docs, "LCD Status Registers", "STAT Interrupt").
        .include "lib.inc"

int_stat:
        inc c
        reti
int_vblank:
        inc e
        reti
int_timer:
int_serial:
int_joypad:
        jp fail

; wait_ly: waits until LY == B (polls; returns within a few M-cycles of the change).
wait_ly:
        ldh a, (LY)
        cp b
        jr nz, wait_ly
        ret

main:
        TEST 1                  ; the LCD is on after boot and LY counts
        ld b, #10
        call wait_ly
        ld b, #11
        call wait_ly
        TEST 2                  ; 5 lines later, LY is 16 (reading mid-line)
        ld b, #140              ; 4*140+9 = 569 M-cycles: 4.99 lines
        call delay
        ld b, #1
        call delay              ; +13: 582 = 5.1 lines
        ldh a, (LY)
        EXPECT 16
        ; wait_ly's read lands 0-7 M-cycles into the line, so the STAT read below
        ; is 11-18 M-cycles in (mode 2 lasts 20).
        TEST 3                  ; a line starts in mode 2
        ld b, #20
        call wait_ly
        ldh a, (STAT)
        and #3
        EXPECT 2
        TEST 4                  ; then mode 3 (M-cycles 20-62 of the line) ...
        ld b, #2
        call delay              ; read at 46-53 M-cycles into the line
        ldh a, (STAT)
        and #3
        EXPECT 3
        TEST 5                  ; ... then mode 0 (M-cycles 63-113)
        ld b, #4
        call delay              ; read at 89-96 M-cycles into the line
        ldh a, (STAT)
        and #3
        EXPECT 0
        TEST 6                  ; lines 144-153 are mode 1
        ld b, #145
        call wait_ly
        ldh a, (STAT)
        and #3
        EXPECT 1
        TEST 7                  ; LY stops at 153 and wraps to 0
        ld b, #153
        call wait_ly
        ld b, #0
        call wait_ly
        TEST 8                  ; VBlank interrupt once per frame, LYC interrupt once
        ld c, #0
        ld e, #0
        ld a, #50
        ldh (LYC), a
        ld a, #0x40             ; STAT source: LY=LYC
        ldh (STAT), a
        xor a
        ldh (IF), a
        ld a, #0x03
        ldh (IE), a
        ld b, #1
        call wait_ly
        ei
        ld b, #0
        call wait_ly
        di
        ld a, c
        EXPECT 1
        ld a, e
        EXPECT 1
        TEST 9                  ; the coincidence flag follows LY
        ld b, #50
        call wait_ly
        ldh a, (STAT)
        and #0x04
        EXPECT 0x04
        ld b, #51
        call wait_ly
        ldh a, (STAT)
        and #0x04
        EXPECT 0
        TEST 10                 ; LCD off: LY reads 0 and stays
        ld b, #145
        call wait_ly
        xor a
        ldh (LCDC), a
        ld b, #200
        call delay
        ldh a, (LY)
        EXPECT 0
        jp pass
