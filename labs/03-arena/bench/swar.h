/* swar.h — byte tricks on 64-bit words ("SIMD within a register") shared by the two
 * parse benches (bench_parse.c, bench_json.c). Byte 0 of the text is always the low
 * byte of a loaded word, whatever the machine's byte order. */
#ifndef ARENA_BENCH_SWAR_H
#define ARENA_BENCH_SWAR_H

#include <stdint.h>
#include <string.h>

#define SWAR_ONES 0x0101010101010101u
#define SWAR_HIGHS 0x8080808080808080u
#define SWAR_INLINE static inline __attribute__((always_inline))

/* The eight bytes at s (which may be unaligned). */
SWAR_INLINE uint64_t swar_load8(const char *s)
{
    uint64_t w;
    memcpy(&w, s, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* High bit set in each zero byte of w. Only the LOWEST flag is exact (a borrow can set
 * false flags above a true one), which is all a "first match" search needs. */
SWAR_INLINE uint64_t swar_zero_bytes(uint64_t w)
{
    return (w - SWAR_ONES) & ~w & SWAR_HIGHS;
}

/* Flags the bytes that are not '0'..'9' (x = w ^ '0' is 0..9 exactly for digits; a byte
 * >= 10 gets its high bit from x + 0x76, a byte >= 0x80 already has it). */
SWAR_INLINE uint64_t swar_nondigits(uint64_t w)
{
    uint64_t x = w ^ (SWAR_ONES * '0');
    return ((x + SWAR_ONES * 0x76) | x) & SWAR_HIGHS;
}

/* The value of the first n (1..8) digits of w. The digits are shifted to the top bytes
 * (leading zero digits below), then pairs, quads and the whole are combined by
 * multiplies: the technique of D. Lemire, "Quickly parsing eight digits" (2018). */
SWAR_INLINE uint64_t swar_digits(uint64_t w, unsigned n)
{
    uint64_t x = (w ^ (SWAR_ONES * '0')) << (64 - 8 * n);
    x = x * 10 + (x >> 8); /* bytes 0,2,4,6: two-digit numbers */
    const uint64_t mask = 0x000000FF000000FFu;
    return ((x & mask) * (100 + (1000000ull << 32)) +
            ((x >> 16) & mask) * (1 + (10000ull << 32))) >>
           32;
}

#endif
