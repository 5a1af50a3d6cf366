/* kerr.h — error codes for the kernel core, usable hosted and freestanding.
 *
 * Functions that can fail return 0 or a negative code (liburing's convention). The
 * values equal Linux's errno numbers so a hosted test can compare with -EINVAL, but
 * freestanding code cannot include <errno.h>, hence this header. */
#ifndef KERR_H
#define KERR_H

#define KERR_NOENT 2  /* no such mapping / key */
#define KERR_NOMEM 12 /* out of frames or heap */
#define KERR_EXIST 17 /* already mapped / already free */
#define KERR_INVAL 22 /* malformed argument or input */
#define KERR_NOSPC 28 /* a fixed-size table is full */
#define KERR_RANGE 34 /* address outside what the structure covers */

/* A short name for a negative code ("EINVAL"), for log lines. */
const char *kerr_name(int err);

#endif
