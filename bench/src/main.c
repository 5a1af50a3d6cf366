/* main.c — the entry point of every lab's bench binary: benchmarks register
 * themselves through BENCH_SETUP constructors, then bench_main runs them. */
#include "bench.h"

int main(int argc, char **argv)
{
    return bench_main(argc, argv);
}
