; ppu_mode3.s — mode 3's length moves the start of HBlank (Pan Docs, "Rendering:
; Mode 3 length" and "OBJ penalty algorithm"). Mode 3 lasts 172 dots plus SCX % 8,
; plus 6 when the window starts on the line, plus 6 per object and, for the first
; object in a tile, max(0, pixels of the tile right of its leftmost one - 2); an
; object at OAM X = 0 costs 11 whatever SCX is, one the PPU never reaches (X >= 168)
; nothing. Mode 3 starts at dot 80, so the CPU first reads mode 0 in the M-cycle
; ceil((80 + length) / 4) of the line: 63 for a bare line.
;
; `measure` finds that M-cycle relative to the line start by waking from HALT on the
; mode 2 STAT interrupt and reading STAT after a NOP slide of 40, 41, ... M-cycles,
; one delay every other line. Each check compares a setup with the bare line, so the fixed
; costs (the wake-up, the read's own M-cycles) cancel out.
        .include "lib.inc"

SCX  = 0x43
WY   = 0x4A
WX   = 0x4B
base = 0xC010

int_stat:
int_vblank:
int_timer:
int_serial:
int_joypad:
        jp fail

; wait_ly: waits until LY == B.
wait_ly:
        ldh a, (LY)
        cp b
        jr nz, wait_ly
        ret

; setup: HL -> LCDC, SCX, WY, WX, object count, the objects' X. With the LCD off
; (switched off in VBlank), clears OAM, places the objects as 8x16 ones on lines
; 0-15, sets the registers and switches the LCD on with the given LCDC.
setup:
        ld b, #144
        call wait_ly
        xor a
        ldh (LCDC), a
        push hl
        ld hl, #0xFE00
        ld b, #0xA0
1$:     ld (hl+), a
        dec b
        jr nz, 1$
        pop hl
        ld a, (hl+)
        push af                 ; LCDC, for the end
        ld a, (hl+)
        ldh (SCX), a
        ld a, (hl+)
        ldh (WY), a
        ld a, (hl+)
        ldh (WX), a
        ld a, (hl+)
        or a
        jr z, 3$
        ld b, a
        ld de, #0xFE00
2$:     ld a, #16               ; Y = 16: lines 0-15 (8x16)
        ld (de), a
        inc de
        ld a, (hl+)
        ld (de), a
        inc de
        inc de
        inc de
        dec b
        jr nz, 2$
3$:     pop af
        ldh (LCDC), a
        ret

; measure: returns in A the first NOP-slide length after which STAT reads mode 0.
measure:
        ld a, #0x20             ; STAT interrupt on mode 2, IME off: HALT just wakes
        ldh (STAT), a
        ld a, #0x02
        ldh (IE), a
        ld c, #40
m_next: ld hl, #slide_end
        ld a, l
        sub a, c
        ld l, a
        ld a, h
        sbc a, #0
        ld h, a
        ; Arm the wake-up well inside a line: clearing IF near a line's end could
        ; race the next mode 2 interrupt (and HALT with one pending is the HALT bug).
m_sync: ldh a, (STAT)
        and #3
        cp #2
        jr nz, m_sync
m_out:  ldh a, (STAT)
        and #3
        cp #2
        jr z, m_out
m_wait: xor a
        ldh (IF), a
        halt
        ldh a, (LY)
        cp #15                  ; only lines 0-14 carry the objects
        jr nc, m_wait
        jp (hl)
slide:
        .rept 120
        nop
        .endm
slide_end:
        ldh a, (STAT)
        and #3
        jr z, m_done
        inc c
        jp m_next
m_done: ld a, c
        ret

; check: HL -> a setup; A after = measured - bare line's.
check:
        call setup
        call measure
        ld hl, #base
        sub a, (hl)
        ret

        .macro CASE n, table, delta
        TEST n
        ld hl, #table
        call check
        EXPECT delta
        .endm

main:
        TEST 1                  ; the bare line: mode 0 in M-cycle 63, after 40+ NOPs
        ld hl, #bare
        call setup
        call measure
        ld (base), a
        cp #41                  ; 40 would mean mode 0 came before the first read
        call c, fail
        ; expected: ceil((80 + length) / 4) - 63 M-cycles later than the bare line
        CASE 2, same, 0          ; the bare line again: the method is stable
        CASE 3, scx3, 1          ; 175 dots
        CASE 4, scx5, 2          ; 177 dots
        CASE 5, scx8, 0          ; SCX = 8: SCX % 8 = 0
        CASE 6, window, 2        ; 178 dots: the window's 6
        CASE 7, obj8, 3          ; 183: tile pixel 0, 5 + 6
        CASE 8, obj13, 2         ; 178: tile pixel 5, 0 + 6
        CASE 9, two_tiles, 6     ; 194: 11 + 11
        CASE 10, one_tile, 5     ; 189: 11 + 6
        CASE 11, zero_scx5, 4    ; 188: SCX % 8 = 5 and X = 0's 11
        CASE 12, far_right, 0    ; X = 168 and 200: never reached
        CASE 13, objs_off, 0     ; LCDC bit 1 clear: no object fetches
        CASE 14, ten, 28         ; 282: ten tiles at pixel 0, 10 x 11
        jp pass

;              LCDC   SCX  WY  WX   n  objects' X
bare:      .db 0x91,  0,   0,  0,   0
same:      .db 0x95,  0,   0,  0,   0
scx3:      .db 0x91,  3,   0,  0,   0
scx5:      .db 0x91,  5,   0,  0,   0
scx8:      .db 0x91,  8,   0,  0,   0
window:    .db 0xB1,  0,   0,  87,  0
obj8:      .db 0x97,  0,   0,  0,   1,  8
obj13:     .db 0x97,  0,   0,  0,   1,  13
two_tiles: .db 0x97,  0,   0,  0,   2,  8, 24
one_tile:  .db 0x97,  0,   0,  0,   2,  8, 9
zero_scx5: .db 0x97,  5,   0,  0,   1,  0
far_right: .db 0x97,  0,   0,  0,   2,  168, 200
objs_off:  .db 0x95,  0,   0,  0,   1,  8
ten:       .db 0x97,  0,   0,  0,  10,  8, 16, 24, 32, 40, 48, 56, 64, 72, 80
