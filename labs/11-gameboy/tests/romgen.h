/* romgen.h — builds small cartridge images in memory for the cartridge tests. */
#ifndef GB_TEST_ROMGEN_H
#define GB_TEST_ROMGEN_H

#include <stddef.h>
#include <stdint.h>

/* A malloc'd ROM of 32 KiB << size_code with a valid header: type at $0147, codes at
 * $0148/$0149, byte 0 of every 16 KiB bank (and byte $1000 of it) = the bank number,
 * and code at $0150 that loops forever. */
uint8_t *romgen(uint8_t type, uint8_t size_code, uint8_t ram_code, size_t *size);

/* Recomputes the header checksum at $014D. */
void romgen_fix_checksum(uint8_t *rom);

#endif
