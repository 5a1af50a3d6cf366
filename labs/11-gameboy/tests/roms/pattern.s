; pattern.s — a picture for `gb run --screenshot` (the demo): four vertical bands of
; the four shades in the background, a window with a checkerboard over the bottom
; rows, and one sprite. It prints "Passed" once the picture is set up.
        .include "lib.inc"

int_vblank:
int_stat:
int_timer:
int_serial:
int_joypad:
        reti

; fill: writes A to BC bytes at HL.
fill:
        ld (hl+), a
        ld d, a
        dec bc
        ld a, b
        or c
        ld a, d
        jr nz, fill
        ret

main:
        ; Wait for VBlank, then switch the LCD off to set up VRAM freely.
1$:     ldh a, (LY)
        cp #144
        jr nz, 1$
        xor a
        ldh (LCDC), a
        ; Tiles 0-3: solid colours 0-3 (low plane = bit 0, high plane = bit 1).
        ld hl, #0x8000
        ld e, #0
2$:     ld b, #8
3$:     ld a, e
        and #1
        jr z, 4$
        ld a, #0xFF
4$:     ld (hl+), a
        ld a, e
        and #2
        jr z, 5$
        ld a, #0xFF
5$:     ld (hl+), a
        dec b
        jr nz, 3$
        inc e
        ld a, e
        cp #4
        jr nz, 2$
        ; Tile 4: a checkerboard of colours 0 and 3.
        ld b, #4
6$:     ld a, #0xAA
        ld (hl+), a
        ld (hl+), a
        ld a, #0x55
        ld (hl+), a
        ld (hl+), a
        dec b
        jr nz, 6$
        ; BG map $9800: each row is 5 tiles of colour 0, 5 of 1, 5 of 2, 5 of 3, then 12 of 0.
        ld hl, #0x9800
        ld c, #32
7$:     ld e, #0
8$:     ld b, #5
9$:     ld a, e
        ld (hl+), a
        dec b
        jr nz, 9$
        inc e
        ld a, e
        cp #4
        jr nz, 8$
        ld b, #12
        xor a
10$:    ld (hl+), a
        dec b
        jr nz, 10$
        dec c
        jr nz, 7$
        ; Window map $9C00: all tile 4.
        ld hl, #0x9C00
        ld bc, #0x0400
        ld a, #4
        call fill
        ; OAM: clear, then one sprite (tile 3, colour 3) at screen (76, 60).
        ld hl, #0xFE00
        ld bc, #0x00A0
        xor a
        call fill
        ld hl, #0xFE00
        ld a, #60 + 16
        ld (hl+), a
        ld a, #76 + 8
        ld (hl+), a
        ld a, #3
        ld (hl+), a
        xor a
        ld (hl), a
        ; Palettes, window at (0, 128), LCD on: BG+window maps as set, sprites on.
        ld a, #0xE4
        ldh (0x47), a
        ldh (0x48), a
        ld a, #128
        ldh (0x4A), a
        ld a, #7
        ldh (0x4B), a
        ld a, #0xF3             ; LCD, window map $9C00, window, tiles $8000, sprites, BG
        ldh (LCDC), a
        jp pass
