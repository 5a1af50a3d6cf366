/* common/rng.h — a small, seeded, reproducible PRNG for tests and benches.
 *
 * xoshiro256** (Blackman & Vigna, 2018) seeded through splitmix64, so any 64-bit
 * seed, including 0, gives a well-mixed state. Not for cryptography. A test gets its
 * seed from cmn_test_seed() (common/test.h), which the harness prints when the test
 * fails, so every random failure can be replayed with COURSE_SEED=... */
#ifndef COMMON_RNG_H
#define COMMON_RNG_H

#include <stdint.h>

typedef struct cmn_rng {
    uint64_t s[4];
} cmn_rng;

/* Initialises rng from a 64-bit seed. The same seed always gives the same stream. */
void cmn_rng_seed(cmn_rng *rng, uint64_t seed);

/* Next 64 uniformly distributed bits. */
uint64_t cmn_rng_next(cmn_rng *rng);

/* Uniform integer in [0, bound) without modulo bias; bound must be > 0. */
uint64_t cmn_rng_below(cmn_rng *rng, uint64_t bound);

/* Uniform integer in [lo, hi] (inclusive); requires lo <= hi. */
uint64_t cmn_rng_range(cmn_rng *rng, uint64_t lo, uint64_t hi);

/* Uniform double in [0, 1). */
double cmn_rng_double(cmn_rng *rng);

/* One step of splitmix64: also a good hash of a 64-bit value. */
uint64_t cmn_splitmix64(uint64_t *state);

#endif
