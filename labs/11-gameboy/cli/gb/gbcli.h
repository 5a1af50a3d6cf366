/* gbcli.h — the pieces of the `gb` program, one file per command. */
#ifndef GBCLI_H
#define GBCLI_H

#include <stdbool.h>

#include "gb.h"

/* Loads and validates a ROM file; prints the error and returns 2 on failure. */
int gbcli_load(const char *path, uint8_t **rom, size_t *size, gb_cart_info *info);

/* Parses a number option in [lo, hi]; prints an error and returns false if bad. */
bool gbcli_number(const char *opt, const char *arg, double lo, double hi, double *out);

/* Writes a 160x144 frame of shades 0..3 as a PNG. Returns 0 or prints an error. */
int gbcli_write_png(const char *path, const uint8_t *pixels);

int gbcli_run(int argc, char **argv);

#endif
