/* roms.S — the lab's own test ROMs, embedded in the firmware (assembled with -I to
 * the folder make built them in). */
    .section .rodata
    .balign 4
    .global rom_timer, rom_timer_end, rom_interrupts, rom_interrupts_end, rom_mbc1, rom_mbc1_end
rom_timer:      .incbin "timer.gb"
rom_timer_end:
    .balign 4
rom_interrupts: .incbin "interrupts.gb"
rom_interrupts_end:
    .balign 4
rom_mbc1:       .incbin "mbc1.gb"
rom_mbc1_end:
