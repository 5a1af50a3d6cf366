/* bench_runtime.c — this lab's runtime on the workloads the issue names, for every
 * backend and both executors: spawn+join 100k tasks with 10 yields each; yields;
 * 100k timers (lateness p50/p99); TCP echo, 50 connections x 64-byte messages.
 * The peers (libuv, libev) are in bench_peers.c under the same group names.
 *
 * Timer groups use manual time = the lateness percentile, so the ratio table's
 * "throughput" is 1/lateness: 2.00x means half the lateness of the baseline. */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "bench_common.h"
#include "common/hist.h"
#include "exec_rt.h"
#include "exec_workloads.h"

typedef struct variant {
    exec_backend backend;
    unsigned workers;
} variant;

static variant v_epoll = {EXEC_BACKEND_EPOLL, 0}, v_uring = {EXEC_BACKEND_URING, 0},
               v_epoll_mt = {EXEC_BACKEND_EPOLL, 2}, v_uring_mt = {EXEC_BACKEND_URING, 2};

static exec_rt *make_rt(bench_state *st, const variant *v)
{
    exec_rt_opts o = {v->backend, v->workers, EXEC_URING_BEST};
    exec_rt *rt;
    char err[256];
    if (exec_rt_new(&rt, &o, err, sizeof err) < 0) {
        bench_skip(st, err);
        return NULL;
    }
    return rt;
}

static void bm_spawn(bench_state *st, void *ctx)
{
    exec_rt *rt = make_rt(st, ctx);
    if (!rt)
        return;
    while (bench_keep_running(st)) {
        uint64_t ns = exec_wl_spawn(rt, BENCH_SPAWN_TASKS, BENCH_SPAWN_YIELDS);
        bench_set_iteration_time(st, (double)ns / 1e9);
    }
    bench_set_items(st, bench_state_iterations(st) * BENCH_SPAWN_TASKS);
    exec_rt_free(rt);
}

static void bm_yield(bench_state *st, void *ctx)
{
    exec_rt *rt = make_rt(st, ctx);
    if (!rt)
        return;
    while (bench_keep_running(st)) {
        uint64_t ns = exec_wl_yield(rt, BENCH_YIELD_TASKS, BENCH_YIELD_EACH);
        bench_set_iteration_time(st, (double)ns / 1e9);
    }
    bench_set_items(st, bench_state_iterations(st) * BENCH_YIELD_TASKS * BENCH_YIELD_EACH);
    exec_rt_free(rt);
}

static void timers(bench_state *st, void *ctx, double pct)
{
    exec_rt *rt = make_rt(st, ctx);
    if (!rt)
        return;
    uint64_t *late = calloc(BENCH_TIMERS, sizeof *late);
    cmn_hist *h = malloc(sizeof *h);
    while (bench_keep_running(st)) {
        if (!exec_wl_timers(rt, BENCH_TIMERS, BENCH_TIMER_MAX_MS, 42, late)) {
            bench_skip(st, "timer workload failed");
            break;
        }
        cmn_hist_init(h);
        for (unsigned i = 0; i < BENCH_TIMERS; i++)
            cmn_hist_record(h, late[i]);
        bench_set_iteration_time(st, (double)cmn_hist_percentile(h, pct) / 1e9);
        bench_counter(st, "p50_us", (double)cmn_hist_percentile(h, 50) / 1e3, 0);
        bench_counter(st, "p99_us", (double)cmn_hist_percentile(h, 99) / 1e3, 0);
        bench_counter(st, "max_us", (double)h->max / 1e3, 0);
        bench_counter(st, "early", 0, 0); /* a sleep never ends before its deadline */
    }
    free(h);
    free(late);
    exec_rt_free(rt);
}

static void bm_timer_p50(bench_state *st, void *ctx)
{
    timers(st, ctx, 50);
}

static void bm_timer_p99(bench_state *st, void *ctx)
{
    timers(st, ctx, 99);
}

static void bm_echo(bench_state *st, void *ctx)
{
    exec_rt *rt = make_rt(st, ctx);
    if (!rt)
        return;
    while (bench_keep_running(st)) {
        int err = 0;
        uint64_t ns =
            exec_wl_echo(rt, BENCH_ECHO_CONNS, BENCH_ECHO_MSGS, BENCH_ECHO_SIZE, NULL, &err);
        if (!ns) {
            char msg[64];
            snprintf(msg, sizeof msg, "echo failed: %d", err);
            bench_skip(st, msg);
            break;
        }
        bench_set_iteration_time(st, (double)ns / 1e9);
    }
    bench_set_items(st, bench_state_iterations(st) * BENCH_ECHO_CONNS * BENCH_ECHO_MSGS);
    exec_rt_free(rt);
}

static void reg(const char *group, const char *name, bench_fn fn, variant *v, int iters)
{
    char full[96];
    snprintf(full, sizeof full, "%s/%s", group, name);
    bench_reg_manual(full, fn, v, iters);
}

static void setup(void)
{
    static const struct {
        const char *name;
        variant *v;
    } vs[] = {{"exec_epoll", &v_epoll},
              {"exec_uring", &v_uring},
              {"exec_epoll_mt2", &v_epoll_mt},
              {"exec_uring_mt2", &v_uring_mt}};
    bench_peers_register();
    bench_tokio_register();
    for (size_t i = 0; i < 4; i++) {
        reg("spawn", vs[i].name, bm_spawn, vs[i].v, 5);
        reg("yield", vs[i].name, bm_yield, vs[i].v, 5);
        reg("timer_p50", vs[i].name, bm_timer_p50, vs[i].v, 1);
        reg("timer_p99", vs[i].name, bm_timer_p99, vs[i].v, 1);
        reg("echo", vs[i].name, bm_echo, vs[i].v, 1);
    }
}
BENCH_SETUP(setup)
