/* lapic.h — putting the local APIC into "virtual wire" mode for the 8259 PICs.
 *
 * Every x86_64 CPU has a local APIC between the interrupt pins and the core. After
 * reset its LINT0 input (where the PIC's INTR line arrives) is masked; SeaBIOS sets
 * it to ExtINT before booting us, but a minimal firmware such as qboot does not, and
 * then no PIC interrupt ever reaches the CPU. lapic_init() makes the kernel independent
 * of that: it maps the APIC's registers (memory-mapped I/O, uncached) and programs
 * LINT0 = ExtINT, LINT1 = NMI, as the MultiProcessor Specification's virtual wire mode
 * describes. The kernel still uses the PIC and PIT, not the APIC timer. */
#ifndef LAPIC_H
#define LAPIC_H

#include <stdint.h>

#define LAPIC_SPURIOUS_VECTOR 0xFF

/* Needs the page tables (mm_init) and the IDT. Panics if the mapping fails. */
void lapic_init(void);

/* The APIC's physical base, 0 if it is disabled (then PIC interrupts bypass it). */
uint64_t lapic_phys(void);

#endif
