/* ksyms.h — the kernel's own symbol table, for fault reports and backtraces.
 *
 * tools/ksyms writes the table (address, name) of every function of the first link
 * pass, sorted by address, into the .ksyms section of the second pass. */
#ifndef KSYMS_H
#define KSYMS_H

#include <stddef.h>
#include <stdint.h>

/* The function containing addr and the offset into it; NULL if none is known. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);

/* Writes "<name+0xoff>" (or "<?>") into buf. */
void ksyms_describe(uint64_t addr, char *buf, size_t cap);

/* Address of the function called name, 0 if absent (tests use it). */
uint64_t ksyms_address(const char *name);

#endif
