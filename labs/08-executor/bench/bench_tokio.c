/* bench_tokio.c — Tokio (current_thread runtime) on the same workloads, measured in
 * the same run: runs the Rust program in bench/tokio (built offline from Debian's
 * librust-tokio-dev by `make bench`) and reports what it measured. If the program was
 * not built (no cargo/rustc), these benchmarks are skipped with that reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

static const char *tokio_bin(void)
{
    const char *p = getenv("EXEC_TOKIO_BENCH");
    return p && *p ? p : "tokio-bench";
}

/* Runs `tokio-bench ARGS`; reads up to n numbers from its one output line. */
static int run_tokio(bench_state *st, const char *args, double *out, int n)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>/dev/null", tokio_bin(), args);
    FILE *p = popen(cmd, "r");
    int got = 0;
    if (p) {
        for (got = 0; got < n; got++)
            if (fscanf(p, "%lf", &out[got]) != 1)
                break;
        pclose(p);
    }
    if (got != n) {
        char msg[1200];
        snprintf(msg, sizeof msg,
                 "Tokio peer not runnable (%s): build it with make bench "
                 "(needs cargo, rustc, librust-tokio-dev)",
                 tokio_bin());
        bench_skip(st, msg);
        return -1;
    }
    return 0;
}

static void bm_tokio_spawn(bench_state *st, void *ctx)
{
    (void)ctx;
    char args[64];
    snprintf(args, sizeof args, "spawn %u %u", BENCH_SPAWN_TASKS, BENCH_SPAWN_YIELDS);
    while (bench_keep_running(st)) {
        double ns;
        if (run_tokio(st, args, &ns, 1) < 0)
            return;
        bench_set_iteration_time(st, ns / 1e9);
    }
    bench_set_items(st, bench_state_iterations(st) * BENCH_SPAWN_TASKS);
}

static void bm_tokio_yield(bench_state *st, void *ctx)
{
    (void)ctx;
    char args[64];
    snprintf(args, sizeof args, "spawn %u %u", BENCH_YIELD_TASKS, BENCH_YIELD_EACH);
    while (bench_keep_running(st)) {
        double ns;
        if (run_tokio(st, args, &ns, 1) < 0)
            return;
        bench_set_iteration_time(st, ns / 1e9);
    }
    bench_set_items(st, bench_state_iterations(st) * BENCH_YIELD_TASKS * BENCH_YIELD_EACH);
}

static void tokio_timers(bench_state *st, int which)
{
    char args[64];
    snprintf(args, sizeof args, "timers %u %u 42", BENCH_TIMERS, BENCH_TIMER_MAX_MS);
    while (bench_keep_running(st)) {
        double v[4];
        if (run_tokio(st, args, v, 4) < 0)
            return;
        bench_set_iteration_time(st, v[which] / 1e9);
        bench_counter(st, "p50_us", v[0] / 1e3, 0);
        bench_counter(st, "p99_us", v[1] / 1e3, 0);
        bench_counter(st, "max_us", v[2] / 1e3, 0);
        bench_counter(st, "early", v[3], 0);
    }
}

static void bm_tokio_timer_p50(bench_state *st, void *ctx)
{
    (void)ctx;
    tokio_timers(st, 0);
}

static void bm_tokio_timer_p99(bench_state *st, void *ctx)
{
    (void)ctx;
    tokio_timers(st, 1);
}

static void bm_tokio_echo(bench_state *st, void *ctx)
{
    (void)ctx;
    char args[64];
    snprintf(args, sizeof args, "echo %u %u %u", BENCH_ECHO_CONNS, BENCH_ECHO_MSGS,
             BENCH_ECHO_SIZE);
    while (bench_keep_running(st)) {
        double ns;
        if (run_tokio(st, args, &ns, 1) < 0)
            return;
        bench_set_iteration_time(st, ns / 1e9);
    }
    bench_set_items(st, bench_state_iterations(st) * BENCH_ECHO_CONNS * BENCH_ECHO_MSGS);
}

static void reg(const char *name, bench_fn fn, int iters)
{
    bench_reg_manual(name, fn, NULL, iters);
}

/* Where Tokio is the baseline (spawn, yield) it is "tokio_current_thread"; in the timer
 * and echo groups, whose baseline is libuv, the same runtime is "tokio_ct", so every
 * group contains exactly one of the names in BENCH_BASELINES and its baseline does not
 * depend on the order in which the ratio table meets the rows. */
void bench_tokio_register(void)
{
    reg("spawn/tokio_current_thread", bm_tokio_spawn, 5);
    reg("yield/tokio_current_thread", bm_tokio_yield, 5);
    reg("timer_p50/tokio_ct", bm_tokio_timer_p50, 1);
    reg("timer_p99/tokio_ct", bm_tokio_timer_p99, 1);
    reg("echo/tokio_ct", bm_tokio_echo, 1);
}
