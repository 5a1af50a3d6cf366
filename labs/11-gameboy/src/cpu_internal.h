/* cpu_internal.h — the CPU's ALU pieces, shared with the unit tests.
 *
 * These are the flag-exact arithmetic helpers the decoder calls; they are exported
 * (not static) so tests can check them against a model without building a bus.
 */
#ifndef GB_CPU_INTERNAL_H
#define GB_CPU_INTERNAL_H

#include "gb.h"

/* A op= v for op = ADD ADC SUB SBC AND XOR OR CP (0..7); sets all four flags. */
void gb_alu(gb_cpu *cpu, unsigned op, uint8_t v);

/* Decimal adjust of A after an addition or subtraction (DAA). */
void gb_daa(gb_cpu *cpu);

/* CB-page shift/rotate op (RLC RRC RL RR SLA SRA SWAP SRL = 0..7) of v; sets F. */
uint8_t gb_shift(gb_cpu *cpu, unsigned op, uint8_t v);

#endif
