/* bench_math.c — fixture benches: add vs mul on the same inputs, add is the baseline. */
#include "bench.h"
#include "sample.h"

static void bm_add(bench_state *st, void *ctx)
{
    (void)ctx;
    int acc = 0;
    while (bench_keep_running_batch(st, 1000))
        for (int i = 0; i < 1000; i++) {
            acc = sample_add(acc, i);
            BENCH_DO_NOT_OPTIMIZE(acc);
        }
    bench_set_items(st, bench_state_iterations(st));
}

static void bm_mul(bench_state *st, void *ctx)
{
    (void)ctx;
    int acc = 1;
    while (bench_keep_running_batch(st, 1000))
        for (int i = 0; i < 1000; i++) {
            acc = sample_mul(acc, i | 1);
            BENCH_DO_NOT_OPTIMIZE(acc);
        }
    bench_set_items(st, bench_state_iterations(st));
}

static void setup(void)
{
    bench_min_time(bench_register("arith/add", bm_add, NULL), 0.05);
    bench_min_time(bench_register("arith/mul", bm_mul, NULL), 0.05);
}
BENCH_SETUP(setup)
