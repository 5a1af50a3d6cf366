/* msqcheck — record real multi-threaded histories of msq and check them.
 *
 *   msqcheck [--threads N] [--ops N] [--histories N] [--seed S] [--reclaim hp|ebr]
 *
 * Each history: N threads run a seeded random mix of enqueues and dequeues on a fresh
 * queue, logging every operation's invocation and response on a shared logical clock;
 * the linearizability checker then searches for a legal FIFO order. As a control, the
 * same workload is recorded on a mutex-protected stack, which must be rejected. Prints
 * one verdict line per history and exits 0 only if every msq history was accepted and
 * the stack was caught. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/time.h"
#include "msq.h"
#include "msq_lin.h"

#define MAX_THREADS 16
#define STACK_CAP 65536

/* Records one history on t and checks it; returns the checker's verdict. */
static int record_and_check(msq_lin_target *t, unsigned threads, size_t ops, uint64_t seed,
                            const char *label)
{
    msq_lin_log *log = t ? msq_lin_log_create(threads, ops) : NULL;
    if (log == NULL)
        return -ENOMEM;
    int rec = msq_lin_record(t, log, threads, ops, seed);
    if (rec != 0) {
        fprintf(stderr, "msqcheck: could not start the recording threads: %s\n", strerror(-rec));
        msq_lin_log_destroy(log);
        return rec;
    }
    const msq_lin_op *h;
    size_t n = msq_lin_log_ops(log, &h), overlap = 0;
    for (size_t i = 0; i < n && overlap == 0; i++) /* any pair of threads overlapping? */
        for (size_t j = i + 1; j < n; j++)
            overlap += h[i].thread != h[j].thread && h[i].invoke < h[j].response &&
                       h[j].invoke < h[i].response;
    msq_lin_result res;
    uint64_t t0 = cmn_now_ns();
    int rc = msq_lin_check(h, n, UINT64_C(50000000), &res);
    double ms = (double)(cmn_now_ns() - t0) / 1e6;
    const char *verdict = rc == 1 ? "linearizable" : rc == 0 ? "NOT linearizable" : "no verdict";
    printf("  %-22s %5zu ops, %s, %8" PRIu64 " states, %7.1f ms: %s\n", label, n,
           overlap ? "concurrent" : "sequential", res.states, ms, verdict);
    if (rc == 0)
        printf("  %-22s %s\n", "", res.why);
    msq_lin_log_destroy(log);
    return rc;
}

static int usage(const char *why, const char *arg)
{
    fprintf(stderr, "msqcheck: %s%s%s\n", why, arg ? ": " : "", arg ? arg : "");
    fprintf(stderr,
            "usage: msqcheck [--threads 2..%d] [--ops 1..100000] [--histories 1..10000] "
            "[--seed S] [--reclaim hp|ebr]\n",
            MAX_THREADS);
    return 2;
}

/* Parses a positive integer option value; 0 on error. */
static uint64_t number(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    return (errno || *s == '\0' || *end != '\0' || s[0] == '-') ? 0 : (uint64_t)v;
}

int main(int argc, char **argv)
{
    unsigned threads = 4;
    size_t ops = 250, histories = 8;
    uint64_t seed = cmn_now_ns();
    msq_reclaim how = MSQ_RECLAIM_HP;
    for (int i = 1; i < argc; i += 2) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (val == NULL)
            return usage("option needs a value", opt);
        uint64_t v = number(val);
        bool ok;
        if (strcmp(opt, "--threads") == 0)
            ok = v >= 2 && v <= MAX_THREADS, threads = (unsigned)v;
        else if (strcmp(opt, "--ops") == 0)
            ok = v >= 1 && v <= 100000, ops = (size_t)v;
        else if (strcmp(opt, "--histories") == 0)
            ok = v >= 1 && v <= 10000, histories = (size_t)v;
        else if (strcmp(opt, "--seed") == 0)
            ok = v != 0 || strcmp(val, "0") == 0, seed = v;
        else if (strcmp(opt, "--reclaim") == 0)
            ok = strcmp(val, "hp") == 0 || strcmp(val, "ebr") == 0,
            how = strcmp(val, "ebr") == 0 ? MSQ_RECLAIM_EBR : MSQ_RECLAIM_HP;
        else
            return usage("unknown option", opt);
        if (!ok) {
            fprintf(stderr, "msqcheck: bad value '%s' for %s\n", val, opt);
            return usage("see the ranges", NULL);
        }
    }
    printf("msqcheck: %u threads x %zu ops, %zu histories, reclaim=%s, seed=%" PRIu64 "\n", threads,
           ops, histories, msq_reclaim_name(how), seed);
    size_t accepted = 0, rejected = 0, unknown = 0;
    for (size_t k = 0; k < histories; k++) {
        msq_queue *q;
        if (msq_create(&(msq_config){1u << 16, threads, how}, &q) != 0)
            return 1;
        msq_lin_target *t = msq_lin_target_queue(q);
        char label[48];
        snprintf(label, sizeof label, "msq history %zu", k + 1);
        int rc = record_and_check(t, threads, ops, seed + 1000 * k, label);
        accepted += rc == 1;
        rejected += rc == 0;
        unknown += rc < 0;
        msq_lin_target_destroy(t);
        msq_destroy(q);
    }
    msq_lin_target *s = msq_lin_target_stack(STACK_CAP);
    int stack_rc = record_and_check(s, threads, ops, seed, "control: mutex stack");
    msq_lin_target_destroy(s);
    printf("verdict: %zu/%zu msq histories linearizable, %zu rejected, %zu without verdict; "
           "the stack control was %s\n",
           accepted, histories, rejected, unknown,
           stack_rc == 0 ? "rejected (as it must be)" : "NOT rejected");
    return (rejected == 0 && unknown == 0 && stack_rc == 0) ? 0 : 1;
}
