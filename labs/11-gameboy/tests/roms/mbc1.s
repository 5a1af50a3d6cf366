; mbc1.s — MBC1 banking through the CPU, on a 128 KiB cart with 32 KiB of RAM.
; makebin: -yo 8 -ya 4 -yt 3
; link: -b _BANK1=0x14000 -b _BANK2=0x24000 -b _BANK3=0x34000 -b _BANK4=0x44000 -b _BANK5=0x54000 -b _BANK6=0x64000 -b _BANK7=0x74000
;
; Each bank N holds N at $4000. A bank number of 0 selects 1; RAM is enabled by $xA in
; $0000-$1FFF and reads $FF while disabled; mode 1 lets $4000-$5FFF bank the RAM
; (Pan Docs, "MBC1").
        .include "lib.inc"

int_vblank:
int_stat:
int_timer:
int_serial:
int_joypad:
        jp fail

        .macro BANK n
        .area _BANK'n (REL,CON)
        .db n
        .endm

main:
        TEST 1                  ; power-on: bank 1 at $4000
        ld a, (0x4000)
        EXPECT 1
        TEST 2                  ; every bank reachable through $2000
        ld b, #1
1$:     ld a, b
        ld (0x2000), a
        ld a, (0x4000)
        cp b
        call nz, fail
        inc b
        ld a, b
        cp #8
        jr nz, 1$
        TEST 3                  ; 0 selects 1
        xor a
        ld (0x2000), a
        ld a, (0x4000)
        EXPECT 1
        TEST 4                  ; the register is 5 bits: $23 -> 3 (the cart has 8 banks)
        ld a, #0x23
        ld (0x2000), a
        ld a, (0x4000)
        EXPECT 3
        TEST 5                  ; RAM disabled at power-on: reads $FF
        ld a, (0xA000)
        EXPECT 0xFF
        TEST 6                  ; enabled by $0A: write and read back
        ld a, #0x0A
        ld (0x0000), a
        ld a, #0x5C
        ld (0xA000), a
        ld a, (0xA000)
        EXPECT 0x5C
        TEST 7                  ; mode 1: RAM bank 2 is a different 8 KiB
        ld a, #1
        ld (0x6000), a
        ld a, #2
        ld (0x4000), a
        ld a, #0xC3
        ld (0xA000), a
        xor a
        ld (0x4000), a
        ld a, (0xA000)
        EXPECT 0x5C
        ld a, #2
        ld (0x4000), a
        ld a, (0xA000)
        EXPECT 0xC3
        TEST 8                  ; disabled again: $FF, and writes are dropped
        xor a
        ld (0x0000), a
        ld a, #0x11
        ld (0xA000), a
        ld a, (0xA000)
        EXPECT 0xFF
        ld a, #0x0A
        ld (0x0000), a
        ld a, (0xA000)
        EXPECT 0xC3
        jp pass

        BANK 1
        BANK 2
        BANK 3
        BANK 4
        BANK 5
        BANK 6
        BANK 7
