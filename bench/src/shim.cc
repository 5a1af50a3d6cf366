// shim.cc — the C API of bench.h over Google Benchmark (Debian's libbenchmark).
//
// A bench_state* is a benchmark::State*, a bench_def* is the Benchmark* that
// RegisterBenchmark returns; the shim only forwards. Every C++ exception stops at
// this boundary (Google Benchmark does not throw on these paths).
#include "bench.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

namespace
{
benchmark::State *S(bench_state *st)
{
    return reinterpret_cast<benchmark::State *>(st);
}
const benchmark::State *S(const bench_state *st)
{
    return reinterpret_cast<const benchmark::State *>(st);
}
benchmark::internal::Benchmark *B(bench_def *b)
{
    return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}
bench_def *D(benchmark::internal::Benchmark *b)
{
    return reinterpret_cast<bench_def *>(b);
}
bool any_skipped = false;
} // namespace

extern "C" {

bench_def *bench_register(const char *name, bench_fn fn, void *ctx)
{
    return D(
        benchmark::RegisterBenchmark(std::string(name).c_str(), [fn, ctx](benchmark::State &st) {
            fn(reinterpret_cast<bench_state *>(&st), ctx);
        }));
}

bench_def *bench_arg(bench_def *b, int64_t x)
{
    return D(B(b)->Arg(x));
}
bench_def *bench_args(bench_def *b, const int64_t *xs, size_t n)
{
    return D(B(b)->Args(std::vector<int64_t>(xs, xs + n)));
}
bench_def *bench_range(bench_def *b, int64_t lo, int64_t hi)
{
    return D(B(b)->Range(lo, hi));
}
bench_def *bench_range_multiplier(bench_def *b, int m)
{
    return D(B(b)->RangeMultiplier(m));
}
bench_def *bench_dense_range(bench_def *b, int64_t lo, int64_t hi, int step)
{
    return D(B(b)->DenseRange(lo, hi, step));
}
bench_def *bench_arg_name(bench_def *b, const char *name)
{
    return D(B(b)->ArgName(name));
}
bench_def *bench_threads(bench_def *b, int n)
{
    return D(B(b)->Threads(n));
}
bench_def *bench_thread_range(bench_def *b, int lo, int hi)
{
    return D(B(b)->ThreadRange(lo, hi));
}
bench_def *bench_real_time(bench_def *b)
{
    return D(B(b)->UseRealTime());
}
bench_def *bench_manual_time(bench_def *b)
{
    return D(B(b)->UseManualTime());
}
bench_def *bench_iterations(bench_def *b, int64_t n)
{
    return D(B(b)->Iterations(static_cast<benchmark::IterationCount>(n)));
}
bench_def *bench_min_time(bench_def *b, double s)
{
    return D(B(b)->MinTime(s));
}
bench_def *bench_repetitions(bench_def *b, int n)
{
    return D(B(b)->Repetitions(n));
}
bench_def *bench_time_unit(bench_def *b, bench_unit unit)
{
    static const benchmark::TimeUnit units[] = {benchmark::kNanosecond, benchmark::kMicrosecond,
                                                benchmark::kMillisecond, benchmark::kSecond};
    return D(B(b)->Unit(units[unit]));
}

bool bench_keep_running(bench_state *st)
{
    return S(st)->KeepRunning();
}
bool bench_keep_running_batch(bench_state *st, int64_t n)
{
    return S(st)->KeepRunningBatch(static_cast<benchmark::IterationCount>(n));
}
void bench_pause(bench_state *st)
{
    S(st)->PauseTiming();
}
void bench_resume(bench_state *st)
{
    S(st)->ResumeTiming();
}
int64_t bench_state_range(const bench_state *st, size_t i)
{
    return const_cast<benchmark::State *>(S(st))->range(i);
}
int64_t bench_state_iterations(const bench_state *st)
{
    return static_cast<int64_t>(S(st)->iterations());
}
int bench_state_thread_index(const bench_state *st)
{
    return S(st)->thread_index();
}
int bench_state_threads(const bench_state *st)
{
    return S(st)->threads();
}
void bench_set_bytes(bench_state *st, int64_t bytes)
{
    S(st)->SetBytesProcessed(bytes);
}
void bench_set_items(bench_state *st, int64_t items)
{
    S(st)->SetItemsProcessed(items);
}
void bench_set_iteration_time(bench_state *st, double s)
{
    S(st)->SetIterationTime(s);
}

void bench_counter(bench_state *st, const char *name, double value, int flags)
{
    int f = benchmark::Counter::kDefaults;
    if (flags & BENCH_COUNTER_RATE)
        f |= benchmark::Counter::kIsRate;
    if (flags & BENCH_COUNTER_AVG_THREADS)
        f |= benchmark::Counter::kAvgThreads;
    if (flags & BENCH_COUNTER_AVG_ITERATIONS)
        f |= benchmark::Counter::kAvgIterations;
    S(st)->counters[name] = benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(f));
}

void bench_label(bench_state *st, const char *label)
{
    S(st)->SetLabel(label);
}

void bench_skip(bench_state *st, const char *msg)
{
    any_skipped = true;
    S(st)->SkipWithError(msg);
}

int bench_main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return any_skipped ? 1 : 0;
}

} // extern "C"
