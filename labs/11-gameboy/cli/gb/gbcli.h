/* gbcli.h — the pieces of the `gb` program, one file per command. */
#ifndef GBCLI_H
#define GBCLI_H

#include <stdbool.h>

#include "gb.h"

/* Loads and validates a ROM file; prints the error and returns 2 on failure. */
int gbcli_load(const char *path, uint8_t **rom, size_t *size, gb_cart_info *info);

/* Parses a number option in [lo, hi]; prints an error and returns false if bad. */
bool gbcli_number(const char *opt, const char *arg, double lo, double hi, double *out);

int gbcli_run(int argc, char **argv);
int gbcli_debug(int argc, char **argv);

#endif
