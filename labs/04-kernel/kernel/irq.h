/* irq.h — hardware interrupts through the two 8259 PICs.
 *
 * At power-on the PICs deliver IRQ 0-7 on vectors 8-15, which collide with CPU
 * exceptions (8 is the double fault), so pic_init() remaps IRQ 0-15 to vectors 32-47
 * and masks them all; a driver registers a handler and unmasks its line. */
#ifndef IRQ_H
#define IRQ_H

#include <stdint.h>

#define IRQ_BASE_VECTOR 32
#define IRQ_COUNT 16

typedef void (*irq_handler)(void);

/* Remaps both PICs to vectors 32-47 and masks every line. */
void pic_init(void);

/* Installs the handler for irq (0-15); the line stays masked. */
void irq_set_handler(unsigned irq, irq_handler h);

void irq_unmask(unsigned irq);
void irq_mask(unsigned irq);

/* Called by the trap dispatcher for vectors 32-47: runs the handler, sends EOI,
 * and ignores the PIC's spurious IRQ 7/15. */
void irq_dispatch(unsigned irq);

/* Interrupts seen per line (spurious ones included), for tests. */
uint64_t irq_count(unsigned irq);

#endif
