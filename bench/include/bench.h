/* bench.h — Google Benchmark for C: the shim every lab's benches use.
 *
 * Google Benchmark is C++; this header exposes the parts the course needs to C:
 * registering a function with a name and a context pointer, arguments and ranges,
 * threads, real/manual time, iteration counts, the timing loop, pause/resume, bytes
 * and items processed, named counters, labels and skip-with-error. The shim's main()
 * takes the usual --benchmark_* flags (filter, repetitions, out, out_format...).
 *
 *     static void bm_push(bench_state *st, void *ctx) {
 *         queue *q = ctx;
 *         while (bench_keep_running(st)) queue_push(q, 1);
 *         bench_set_items(st, bench_state_iterations(st));
 *     }
 *     static void setup(void) { bench_range(bench_register("push/mine", bm_push, &q), 8, 4096); }
 *     BENCH_SETUP(setup)
 *
 * Naming rule for ratio tables (tools/bench-report): "GROUP/VARIANT[/args...]". All
 * benchmarks with the same GROUP and the same args are compared against the group's
 * baseline: the variant named in the lab's BENCH_BASELINES, else the first registered.
 *
 * bench_keep_running() is an out-of-line call (~1-2 ns): to time operations of a few
 * nanoseconds, use bench_keep_running_batch() around an inner loop of the same size. */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bench_state bench_state; /* a benchmark::State */
typedef struct bench_def bench_def;     /* a registered benchmark (for chaining options) */
typedef void (*bench_fn)(bench_state *st, void *ctx);

/* --- registration and options (call before bench_main; each returns b) ------------- */

/* Registers fn under `name` (copied); ctx is passed to every run, owned by the caller. */
bench_def *bench_register(const char *name, bench_fn fn, void *ctx);
bench_def *bench_arg(bench_def *b, int64_t x);
/* One run with n arguments (read back with bench_state_range(st, i)). */
bench_def *bench_args(bench_def *b, const int64_t *xs, size_t n);
/* Runs for lo, hi and the powers of the range multiplier (default 8) in between. */
bench_def *bench_range(bench_def *b, int64_t lo, int64_t hi);
bench_def *bench_range_multiplier(bench_def *b, int multiplier);
bench_def *bench_dense_range(bench_def *b, int64_t lo, int64_t hi, int step);
bench_def *bench_arg_name(bench_def *b, const char *name);
bench_def *bench_threads(bench_def *b, int n);
bench_def *bench_thread_range(bench_def *b, int lo, int hi);
/* Measure wall-clock time instead of CPU time (always, for multi-threaded benches). */
bench_def *bench_real_time(bench_def *b);
/* Time comes from bench_set_iteration_time() instead of the timer. */
bench_def *bench_manual_time(bench_def *b);
bench_def *bench_iterations(bench_def *b, int64_t n);
bench_def *bench_min_time(bench_def *b, double seconds);
bench_def *bench_repetitions(bench_def *b, int n);
typedef enum { BENCH_NS, BENCH_US, BENCH_MS, BENCH_S } bench_unit;
bench_def *bench_time_unit(bench_def *b, bench_unit unit);

/* --- inside a benchmark ------------------------------------------------------------- */

/* True while the framework wants another iteration. */
bool bench_keep_running(bench_state *st);
/* Same, counting n iterations per true (run an inner loop of n). */
bool bench_keep_running_batch(bench_state *st, int64_t n);
void bench_pause(bench_state *st);
void bench_resume(bench_state *st);
int64_t bench_state_range(const bench_state *st, size_t i);
int64_t bench_state_iterations(const bench_state *st);
int bench_state_thread_index(const bench_state *st);
int bench_state_threads(const bench_state *st);
void bench_set_bytes(bench_state *st, int64_t bytes);
void bench_set_items(bench_state *st, int64_t items);
/* Seconds of this iteration, with bench_manual_time(). */
void bench_set_iteration_time(bench_state *st, double seconds);
enum {
    BENCH_COUNTER_DEFAULT = 0,
    BENCH_COUNTER_RATE = 1,          /* divide by the run's time: a per-second figure */
    BENCH_COUNTER_AVG_THREADS = 2,   /* divide by the number of threads */
    BENCH_COUNTER_AVG_ITERATIONS = 4 /* divide by the number of iterations */
};
/* Sets a named counter shown in the output and the JSON (flags from the enum). */
void bench_counter(bench_state *st, const char *name, double value, int flags);
void bench_label(bench_state *st, const char *label);
/* Marks the run failed with msg and stops it; return from the function after it. */
void bench_skip(bench_state *st, const char *msg);

/* Runs the registered benchmarks with the command-line flags. Returns 0 on success,
 * 1 if a flag was not understood or a benchmark called bench_skip. */
int bench_main(int argc, char **argv);

/* --- keeping the optimiser honest ------------------------------------------------------ */
#define BENCH_DO_NOT_OPTIMIZE(value) __asm__ __volatile__("" : : "r,m"(value) : "memory")
#define BENCH_CLOBBER_MEMORY() __asm__ __volatile__("" : : : "memory")

/* Runs fn() at start-up, before bench_main: register benchmarks from there. */
#define BENCH_SETUP(fn)                                                                            \
    __attribute__((constructor)) static void bench_setup_##fn(void)                                \
    {                                                                                              \
        fn();                                                                                      \
    }

#ifdef __cplusplus
}
#endif
#endif
