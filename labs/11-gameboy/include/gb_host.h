/* gb_host.h — hosted helpers around the core: loading ROM files, describing errors,
 * and running test ROMs until they report. These use libc (they are not part of the
 * freestanding core) and are shared by the `gb` program and the tests.
 */
#ifndef GB_HOST_H
#define GB_HOST_H

#include <stdio.h>

#include "gb.h"

/* Reads a whole file into a malloc'd buffer. Returns 0 or -errno. */
int gbh_read_file(const char *path, uint8_t **data, size_t *size);

/* Writes "what (at $OFFS: found X, expected Y)" for err into out. */
void gbh_describe_error(const gb_error *err, char *out, size_t cap);

/* Writes a 160x144 frame of shades 0..3 as an 8-bit greyscale PNG (shade 0 = #FFFFFF,
 * 1 = #AAAAAA, 2 = #555555, 3 = #000000). Returns 0, or 1 after printing the error. */
int gbh_write_png(const char *path, const uint8_t *pixels);

/* Disassembles the instruction in bytes[0..2] into out (e.g. "LD A,($FF44)") and
 * returns its length in bytes (1..3). */
unsigned gbh_disasm(const uint8_t bytes[3], char *out, size_t cap);

/* The machine's state before its next instruction as one Gameboy Doctor log line:
 * "A:01 F:B0 B:00 C:13 D:00 E:D8 H:01 L:4D SP:FFFE PC:0100 PCMEM:00,C3,13,02". */
void gbh_trace_line(const gb *g, char *out, size_t cap);

/* How a test ROM ended. */
enum gbh_verdict { GBH_PASSED = 0, GBH_FAILED = 1, GBH_TIMEOUT = 2, GBH_BADROM = 3 };

typedef struct gbh_test_opts {
    double seconds; /* time limit in emulated seconds */
    FILE *echo;     /* serial text and $A000 text are copied here; may be NULL */
} gbh_test_opts;

typedef struct gbh_test_result {
    enum gbh_verdict verdict;
    const char *protocol; /* "serial", "$A000", "LD B,B" or "none" */
    char text[4096];      /* serial output, or the $A000 text */
    double seconds;       /* emulated time spent */
    gb_error err;         /* for GBH_BADROM */
    uint8_t status;       /* the $A000 status byte */
} gbh_test_result;

/* Runs a test ROM until it reports through one of the three protocols:
 * serial text containing "Passed" or "Failed"; the $A000 block (signature DE B0 61 at
 * $A001-$A003, status at $A000 once it is not $80, NUL-ended text at $A004); or LD B,B
 * with B C D E H L = 3 5 8 13 21 34 (pass) or all $42 (fail). */
void gbh_run_test(const uint8_t *rom, size_t size, const gbh_test_opts *opts, gbh_test_result *res);

#endif
