/* runtime.c — the lab's command-line program: measure the runtime, or serve echo.
 *
 *   runtime run --bench [--backend epoll|uring|all] [--workers N] [--quick]
 *   runtime echo [--port P] [--backend epoll|uring] [--workers N]
 *
 * `run --bench` measures, for each backend and for the single-threaded executor (1)
 * and the work-stealing one with N workers: spawn+join throughput, yield
 * throughput, timer lateness, TCP echo round trips over loopback (server and load
 * clients inside the runtime) and fairness (an echo client's p99 round trip alone
 * and beside CPU-bound tasks that yield). `echo` serves TCP echo until killed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hist.h"
#include "exec_echo.h"
#include "exec_rt.h"
#include "exec_workloads.h"

static const char usage[] =
    "usage: runtime run --bench [--backend epoll|uring|all] [--workers N] [--quick]\n"
    "       runtime echo [--port P] [--backend epoll|uring] [--workers N]\n"
    "  --backend   reactor: epoll (readiness) or uring (io_uring, completion); default all\n"
    "  --workers   N for the multi-threaded executor (default: online CPUs); run --bench\n"
    "              always measures the single-threaded executor too (shown as 1)\n"
    "  --quick     smaller workloads (a smoke test, not a measurement)\n";

typedef struct opts {
    const char *cmd;
    bool bench, quick, all_backends;
    exec_backend backend;
    unsigned workers;
    unsigned port;
} opts;

/* Prints "runtime: <what><detail>" and the hint; exit status 2 (usage). */
static int bad(const char *what, const char *detail)
{
    fprintf(stderr, "runtime: %s%s\n(see runtime --help)\n", what, detail ? detail : "");
    return 2;
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi || s[0] == '-')
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse(int argc, char **argv, opts *o)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    *o = (opts){.all_backends = true, .workers = ncpu > 0 ? (unsigned)ncpu : 2, .port = 7007};
    if (argc < 2)
        return bad("missing command: run or echo", NULL);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, stdout);
        exit(0);
    }
    o->cmd = argv[1];
    if (strcmp(o->cmd, "run") && strcmp(o->cmd, "echo"))
        return bad("unknown command (expected run or echo): ", o->cmd);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--bench")) {
            o->bench = true;
        } else if (!strcmp(a, "--quick")) {
            o->quick = true;
        } else if (!strcmp(a, "--backend")) {
            if (!val)
                return bad("--backend needs a value: epoll, uring or all", NULL);
            i++;
            if (!strcmp(val, "all")) {
                o->all_backends = true;
            } else if (exec_backend_parse(val, &o->backend) == 0) {
                o->all_backends = false;
            } else {
                return bad("--backend: not a backend (expected epoll, uring or all): ", val);
            }
        } else if (!strcmp(a, "--workers")) {
            if (!val || parse_uint(val, 1, 256, &o->workers) < 0)
                return bad("--workers: not a number from 1 to 256: ", val ? val : "(missing)");
            i++;
        } else if (!strcmp(a, "--port")) {
            if (!val || parse_uint(val, 1, 65535, &o->port) < 0)
                return bad("--port: not a port number (1-65535): ", val ? val : "(missing)");
            i++;
        } else {
            return bad("unknown option: ", a);
        }
    }
    if (!strcmp(o->cmd, "run") && !o->bench)
        return bad("run: nothing to run; pass --bench", NULL);
    if (!strcmp(o->cmd, "echo") && o->all_backends) {
        o->all_backends = false;
        o->backend = EXEC_BACKEND_EPOLL;
    }
    return 0;
}

/* --- run --bench ------------------------------------------------------------------------- */
static void fmt_rate(char *buf, size_t n, double per_s)
{
    if (per_s >= 1e6)
        snprintf(buf, n, "%.2fM", per_s / 1e6);
    else
        snprintf(buf, n, "%.1fk", per_s / 1e3);
}

static cmn_hist *hist_of(const uint64_t *v, size_t n)
{
    cmn_hist *h = malloc(sizeof *h);
    cmn_hist_init(h);
    for (size_t i = 0; i < n; i++)
        cmn_hist_record(h, v[i]);
    return h;
}

typedef struct sizes {
    unsigned spawn_n, yield_tasks, yield_n, timers, echo_conns, echo_msgs, fair_msgs, spinners;
} sizes;

static int bench_one(exec_backend b, unsigned workers, const sizes *z)
{
    exec_rt_opts o = {b, workers, EXEC_URING_BEST};
    exec_rt *rt;
    char err[256];
    if (exec_rt_new(&rt, &o, err, sizeof err) < 0) {
        printf("%-6s %7s  skipped: %s\n", exec_backend_name(b), "-", err);
        return 0;
    }
    char spawn[32] = "fail", yield[32] = "fail", echo[32] = "fail";
    uint64_t ns = exec_wl_spawn(rt, z->spawn_n, 10);
    if (ns)
        fmt_rate(spawn, sizeof spawn, z->spawn_n / ((double)ns / 1e9));
    ns = exec_wl_yield(rt, z->yield_tasks, z->yield_n);
    if (ns)
        fmt_rate(yield, sizeof yield, (double)z->yield_tasks * z->yield_n / ((double)ns / 1e9));
    uint64_t *late = calloc(z->timers, sizeof *late);
    ns = exec_wl_timers(rt, z->timers, 50, 42, late);
    cmn_hist *th = hist_of(late, ns ? z->timers : 0);
    int e = 0;
    ns = exec_wl_echo(rt, z->echo_conns, z->echo_msgs, 64, NULL, &e);
    if (ns)
        fmt_rate(echo, sizeof echo, (double)z->echo_conns * z->echo_msgs / ((double)ns / 1e9));
    else
        snprintf(echo, sizeof echo, "fail:%d", e);
    uint64_t *rtt = calloc(z->fair_msgs, sizeof *rtt);
    int e1 = 0, e2 = 0;
    exec_wl_fairness(rt, 0, z->fair_msgs, rtt, &e1);
    cmn_hist *alone = hist_of(rtt, e1 ? 0 : z->fair_msgs);
    exec_wl_fairness(rt, z->spinners, z->fair_msgs, rtt, &e2);
    cmn_hist *busy = hist_of(rtt, e2 ? 0 : z->fair_msgs);
    size_t left = exec_rt_shutdown(rt);
    exec_rt_free(rt);
    printf("%-6s %7u  %10s %10s  %6.2f %6.2f %6.2f  %9s  %6.0f %6.0f %6.0f %6.0f\n",
           exec_backend_name(b), workers ? workers : 1, spawn, yield,
           (double)cmn_hist_percentile(th, 50) / 1e6, (double)cmn_hist_percentile(th, 99) / 1e6,
           (double)th->max / 1e6, echo, (double)cmn_hist_percentile(alone, 50) / 1e3,
           (double)cmn_hist_percentile(alone, 99) / 1e3,
           (double)cmn_hist_percentile(busy, 50) / 1e3,
           (double)cmn_hist_percentile(busy, 99) / 1e3);
    fflush(stdout);
    free(late);
    free(rtt);
    free(th);
    free(alone);
    free(busy);
    if (left) {
        fprintf(stderr, "runtime: %zu tasks still alive after shutdown\n", left);
        return 1;
    }
    return 0;
}

static int run_bench(const opts *o)
{
    sizes z = {100000, 100, 10000, 100000, 50, 2000, 2000, 8};
    if (o->quick)
        z = (sizes){5000, 20, 1000, 2000, 10, 100, 200, 4};
    printf("spawn+join: %u tasks x 10 yields; yields: %u tasks x %u; timers: %u sleeps of "
           "1-50 ms;\necho: %u connections x %u round trips of 64 B over loopback; fairness: "
           "one echo client alone, then beside %u tasks that each burn 20 us and yield\n\n",
           z.spawn_n, z.yield_tasks, z.yield_n, z.timers, z.echo_conns, z.echo_msgs, z.spinners);
    printf("%-6s %7s  %10s %10s  %-20s  %9s  %-27s\n", "", "", "spawn", "yield",
           "timer lateness (ms)", "echo", "echo round trip (us)");
    printf("%-6s %7s  %10s %10s  %-20s  %9s  %-13s %-13s\n", "", "", "", "", "", "", "alone",
           "beside spinners");
    printf("%-6s %7s  %10s %10s  %6s %6s %6s  %9s  %6s %6s %6s %6s\n", "backend", "workers",
           "tasks/s", "yields/s", "p50", "p99", "max", "trips/s", "p50", "p99", "p50", "p99");
    int rc = 0;
    for (int b = 0; b < 2; b++) {
        if (!o->all_backends && (exec_backend)b != o->backend)
            continue;
        if (!o->all_backends) {
            int p = exec_backend_probe((exec_backend)b);
            if (p < 0) {
                char err[256];
                exec_backend_error((exec_backend)b, p, err, sizeof err);
                fprintf(stderr, "runtime: %s\n", err);
                return 1;
            }
        }
        rc |= bench_one((exec_backend)b, 0, &z);
        rc |= bench_one((exec_backend)b, o->workers, &z);
    }
    return rc;
}

/* --- echo ---------------------------------------------------------------------------------- */
static int serve(const opts *o)
{
    exec_rt_opts ro = {o->backend, o->workers > 1 ? o->workers : 0, EXEC_URING_BEST};
    exec_rt *rt;
    char err[256];
    if (exec_rt_new(&rt, &ro, err, sizeof err) < 0) {
        fprintf(stderr, "runtime: %s\n", err);
        return 1;
    }
    exec_fd *lst;
    int rc = exec_tcp_listen(rt, "127.0.0.1", (uint16_t)o->port, 128, &lst);
    if (rc < 0) {
        fprintf(stderr, "runtime: cannot listen on 127.0.0.1:%u: %s\n", o->port, strerror(-rc));
        exec_rt_free(rt);
        return 1;
    }
    printf("echo on 127.0.0.1:%u (%s, %s)\n", exec_fd_port(lst), exec_backend_name(o->backend),
           ro.workers ? "multi-threaded" : "single-threaded");
    fflush(stdout);
    exec_echo_server srv;
    exec_echo_server_init(&srv, rt, lst, 0);
    exec_join *j = exec_rt_spawn(rt, &srv.base, sizeof srv);
    exec_rt_block_on(rt, j); /* until an accept error such as EMFILE */
    rc = ((exec_echo_server *)exec_join_output(j))->err;
    exec_join_drop(j);
    exec_fd_close(lst);
    exec_rt_free(rt);
    fprintf(stderr, "runtime: accept failed: %s\n", strerror(-rc));
    return 1;
}

int main(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc;
    if (!strcmp(o.cmd, "echo"))
        return serve(&o);
    return run_bench(&o);
}
