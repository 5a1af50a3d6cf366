/* bench_common.h — the workload sizes every variant of the lab 08 benches uses. */
#ifndef EXEC_BENCH_COMMON_H
#define EXEC_BENCH_COMMON_H

#include <string.h>

#include "bench.h"

#define BENCH_SPAWN_TASKS 100000u
#define BENCH_SPAWN_YIELDS 10u
#define BENCH_YIELD_TASKS 100u
#define BENCH_YIELD_EACH 10000u
#define BENCH_TIMERS 100000u
#define BENCH_TIMER_MAX_MS 50u
#define BENCH_ECHO_CONNS 50u
#define BENCH_ECHO_MSGS 2000u
#define BENCH_ECHO_SIZE 64u
/* Echo runs are kernel-bound and move by +-15% from run to run on a shared machine,
 * more than the differences between the variants: each variant runs this many times,
 * interleaved at random with every other run (the Makefile turns that on), and the
 * table reports the median. */
#define BENCH_ECHO_REPS 9

/* Registers one run of a workload that times itself (manual time, ms): every variant
 * of every group is registered this way, so they compare on equal terms (the echo
 * group with BENCH_ECHO_REPS repetitions). */
static inline void bench_reg_manual(const char *name, bench_fn fn, void *ctx, int iters)
{
    bench_def *b = bench_register(name, fn, ctx);
    bench_manual_time(b);
    bench_iterations(b, iters);
    bench_time_unit(b, BENCH_MS);
    if (strncmp(name, "echo/", 5) == 0)
        bench_repetitions(b, BENCH_ECHO_REPS);
}

/* Registers the libuv and libev variants (bench_peers.c) of the timer and echo
 * groups; called first so they appear first in each group. */
void bench_peers_register(void);
/* Registers the Tokio variants (bench_tokio.c); after libuv/libev, before ours. */
void bench_tokio_register(void);

#endif
