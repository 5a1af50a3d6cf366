/* romgen.c — in-memory cartridge images for tests (see romgen.h). */
#include "romgen.h"

#include <stdlib.h>
#include <string.h>

void romgen_fix_checksum(uint8_t *rom)
{
    uint8_t sum = 0;
    for (size_t i = 0x134; i <= 0x14C; i++)
        sum = (uint8_t)(sum - rom[i] - 1);
    rom[0x14D] = sum;
}

uint8_t *romgen(uint8_t type, uint8_t size_code, uint8_t ram_code, size_t *size)
{
    size_t n = (size_t)0x8000 << size_code;
    uint8_t *rom = calloc(1, n);
    for (size_t bank = 0; bank < n / 0x4000; bank++) {
        rom[bank * 0x4000] = (uint8_t)bank;
        rom[bank * 0x4000 + 0x1000] = (uint8_t)bank;
    }
    static const uint8_t entry[] = {0x00, 0xC3, 0x50, 0x01}; /* NOP; JP $0150 */
    memcpy(rom + 0x100, entry, sizeof entry);
    memcpy(rom + 0x134, "ROMGEN", 6);
    rom[0x147] = type;
    rom[0x148] = size_code;
    rom[0x149] = ram_code;
    rom[0x150] = 0x18; /* JR -2 */
    rom[0x151] = 0xFE;
    romgen_fix_checksum(rom);
    *size = n;
    return rom;
}
