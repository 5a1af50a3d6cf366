; dma.s — OAM DMA: writing $XX to $FF46 copies $XX00-$XX9F to OAM, one byte per
; M-cycle (160 M-cycles); meanwhile the CPU runs from HRAM and sees $FF in OAM
; (Pan Docs, "OAM DMA Transfer").
        .include "lib.inc"

int_vblank:
int_stat:
int_timer:
int_serial:
int_joypad:
        jp fail

hram_code = 0xFF80

; Copied to HRAM: start the DMA, read OAM at once, wait 160 M-cycles, return.
dma_routine:
        ldh (DMA), a            ; 3
        ld a, (0xFE10)          ; read during the transfer
        ld d, a
        ld a, #40               ; 2
1$:     dec a                   ; 40 * 4 - 1 = 159
        jr nz, 1$
        ret
dma_routine_end:

main:
        ; The LCD must be off (or in VBlank) for the CPU to see OAM at all.
        xor a
        ldh (LCDC), a
        ; Source: C100-C19F = 0, 1, 2, ... 159 XOR $A5.
        ld hl, #0xC100
        ld b, #0
1$:     ld a, b
        xor #0xA5
        ld (hl+), a
        inc b
        ld a, b
        cp #160
        jr nz, 1$
        ; Copy the routine to HRAM.
        ld hl, #dma_routine
        ld de, #hram_code
        ld b, #(dma_routine_end - dma_routine)
2$:     ld a, (hl+)
        ld (de), a
        inc de
        dec b
        jr nz, 2$
        TEST 1                  ; OAM reads $FF while the DMA runs
        ld a, #0xC1
        call hram_code
        ld a, d
        EXPECT 0xFF
        TEST 2                  ; every byte arrived
        ld hl, #0xFE00
        ld b, #0
3$:     ld a, b
        xor #0xA5
        ld c, a
        ld a, (hl+)
        cp c
        call nz, fail
        inc b
        ld a, b
        cp #160
        jr nz, 3$
        TEST 3                  ; after the transfer, OAM is the CPU's again
        ld a, #0x77
        ld (0xFE05), a
        ld a, (0xFE05)
        EXPECT 0x77
        jp pass
