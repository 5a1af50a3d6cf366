/* run.h — helpers for the machinery tests: run a shell command from the top of the
 * tree and capture what it printed. */
#ifndef MACHINERY_RUN_H
#define MACHINERY_RUN_H

#include <stddef.h>

/* The top of the source tree (compiled in by tests/Makefile). */
#define TOP COURSE_TOP

/* Runs `cmd` with sh -c in TOP, stdout+stderr captured into *out (malloc'd, caller
 * frees). Returns the exit status (or 128+signal), -1 if it could not run. */
int run_cmd(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns a fresh empty directory under build/ for one test (malloc'd). */
char *scratch_dir(const char *name);

/* Reads a whole file (malloc'd, NUL-terminated) or NULL. */
char *read_file(const char *path);

#endif
