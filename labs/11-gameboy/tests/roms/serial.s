; serial.s — a transfer with the internal clock: 8 bits at 8192 Hz = 1024 M-cycles;
; SC bit 7 stays set until the end, then IF bit 3 is raised; with nothing connected
; the received byte is $FF (Pan Docs, "Serial Data Transfer (Link Cable)").
        .include "lib.inc"

int_vblank:
int_stat:
int_timer:
int_serial:
int_joypad:
        jp fail

main:
        TEST 1                  ; still busy well inside the transfer
        xor a
        ldh (IF), a
        ld a, #0x20              ; a space: the runner sees the byte too
        ldh (SB), a
        ld a, #0x81
        ldh (SC), a             ; start
        ld b, #200
        call delay              ; 809 M-cycles
        ldh a, (SC)
        and #0x80
        EXPECT 0x80
        TEST 2                  ; no interrupt yet
        ldh a, (IF)
        and #0x08
        EXPECT 0
        TEST 3                  ; done after 1024 M-cycles (+ one bit of slack)
        ld b, #80
        call delay              ; 329 more: 1138 in all
        ldh a, (SC)
        and #0x80
        EXPECT 0
        TEST 4
        ldh a, (IF)
        and #0x08
        EXPECT 0x08
        TEST 5                  ; nobody answered: eight 1 bits came in
        ldh a, (SB)
        EXPECT 0xFF
        TEST 6                  ; an external-clock transfer never finishes by itself
        ld a, #0x80
        ldh (SC), a
        ld b, #255
        call delay
        ldh a, (SC)
        and #0x80
        EXPECT 0x80
        xor a
        ldh (SC), a
        jp pass
