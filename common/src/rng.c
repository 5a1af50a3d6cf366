/* rng.c — xoshiro256** seeded by splitmix64 (see common/rng.h).
 *
 * The algorithms are the published ones (https://prng.di.unimi.it/); bounded draws use
 * Lemire's multiply-and-reject method so small bounds are exactly uniform. */
#include "common/rng.h"

uint64_t cmn_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void cmn_rng_seed(cmn_rng *rng, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = cmn_splitmix64(&sm);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t cmn_rng_next(cmn_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t cmn_rng_below(cmn_rng *rng, uint64_t bound)
{
    /* Lemire: take the high half of a 128-bit product; reject the few low values
     * that would make some results more likely than others. */
    unsigned __int128 m = (unsigned __int128)cmn_rng_next(rng) * bound;
    uint64_t low = (uint64_t)m;
    if (low < bound) {
        uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            m = (unsigned __int128)cmn_rng_next(rng) * bound;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

uint64_t cmn_rng_range(cmn_rng *rng, uint64_t lo, uint64_t hi)
{
    if (hi - lo == UINT64_MAX)
        return cmn_rng_next(rng);
    return lo + cmn_rng_below(rng, hi - lo + 1);
}

double cmn_rng_double(cmn_rng *rng)
{
    return (double)(cmn_rng_next(rng) >> 11) * 0x1.0p-53;
}
