/* ppu.h — the PPU's interface to the machine (internal to the core).
 *
 * gb_ppu_tick is inline because it runs every M-cycle: it adds 4 dots and only calls
 * out when a mode boundary is reached.
 */
#ifndef GB_PPU_H
#define GB_PPU_H

#include "gb.h"

/* Handles the mode boundary the dot counter just reached. */
void gb_ppu_event(gb *g);

/* Writes LCDC, STAT or LYC (and the other $FF4x registers). */
void gb_ppu_write(gb *g, uint8_t reg, uint8_t v);

/* STAT as the CPU reads it: bit 7 set, enables, LY=LYC flag, mode. */
uint8_t gb_ppu_stat(const gb *g);

/* The state after the boot ROM: LCD on, line 0. */
void gb_ppu_reset(gb *g);

static inline void gb_ppu_tick(gb *g)
{
    if (!(g->io[0x40] & 0x80))
        return;
    g->ppu.dot = (uint16_t)(g->ppu.dot + 4);
    if (g->ppu.dot >= g->ppu.next)
        gb_ppu_event(g);
}

/* Whether the CPU can reach VRAM (not in mode 3) and OAM (not in modes 2-3). */
static inline bool gb_ppu_vram_open(const gb *g)
{
    return g->ppu.mode != 3 || !(g->io[0x40] & 0x80);
}

static inline bool gb_ppu_oam_open(const gb *g)
{
    return g->ppu.mode < 2 || !(g->io[0x40] & 0x80);
}

#endif
