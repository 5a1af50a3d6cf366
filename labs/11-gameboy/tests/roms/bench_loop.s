; bench_loop.s — a CPU-heavy workload for the benchmark (not a test): it mixes bytes
; of WRAM in a loop forever with the LCD on and a VBlank handler counting frames, as a
; busy game would. It never reports.
        .include "lib.inc"

frames = 0xC002

int_vblank:
        push hl
        ld hl, #frames
        inc (hl)
        pop hl
        reti
int_stat:
int_timer:
int_serial:
int_joypad:
        reti

main:
        ld a, #0x01
        ldh (IE), a
        ei
        ld de, #0x1234
loop:
        ld hl, #0xC100
        ld bc, #0x1000
1$:     ld a, (hl)
        add a, e
        rlca
        xor d
        ld (hl+), a
        ld e, a
        inc d
        dec bc
        ld a, b
        or c
        jr nz, 1$
        jr loop
