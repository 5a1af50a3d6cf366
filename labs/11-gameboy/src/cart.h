/* cart.h — the cartridge's interface to the memory map (internal to the core).
 *
 * The machine reads ROM through the cached window offsets directly (the hot path);
 * everything with side effects (MBC registers, save RAM, the RTC) goes through here.
 */
#ifndef GB_CART_H
#define GB_CART_H

#include "gb.h"

/* Parses the header, checks the save-RAM buffer and maps bank 0/1. */
int gb_cart_init(gb_cart *c, const uint8_t *rom, size_t rom_size, uint8_t *ram, size_t ram_size,
                 gb_cart_info *info, gb_error *err);

/* A CPU write to $0000-$7FFF (MBC registers). */
void gb_cart_write_rom(gb_cart *c, uint16_t addr, uint8_t v);

/* CPU accesses to $A000-$BFFF: save RAM or RTC registers; 0xFF when disabled. */
uint8_t gb_cart_read_ram(const gb_cart *c, uint16_t addr);
void gb_cart_write_ram(gb_cart *c, uint16_t addr, uint8_t v);

/* Advances the MBC3 clock by mcycles M-cycles of emulated time. */
void gb_rtc_tick(gb_rtc *r, uint32_t mcycles);

static inline uint8_t gb_cart_read_rom(const gb_cart *c, uint16_t addr)
{
    return addr < 0x4000 ? c->rom[c->rom0_off + addr] : c->rom[c->romx_off + (addr & 0x3FFFu)];
}

#endif
