/* serial.h — the 16550 UART on COM1: polled output, interrupt-driven input.
 *
 * Output busy-waits on the transmitter-empty bit, so it works before interrupts are
 * set up and inside a panic. Input arrives through IRQ 4: the handler moves every
 * received byte into a ring buffer and wakes the task waiting for input, if any. */
#ifndef SERIAL_H
#define SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec.h"

#define COM1_PORT 0x3F8
#define COM1_IRQ 4

/* Programs COM1 for 115200 8N1 with FIFOs; receive interrupts stay off. */
void serial_init(void);

/* Writes n bytes, turning "\n" into "\r\n" for terminals. Interrupt-safe. */
void serial_write(const char *s, size_t n);

/* Turns on the receive interrupt (IRQ 4 must be routed: see pic.h). */
void serial_enable_rx_irq(void);

/* Takes one received byte from the ring; false if none is waiting. */
bool serial_read_byte(uint8_t *out);

/* The waker to call when a byte arrives (replaces the previous one). */
void serial_set_rx_waker(exec_waker w);

/* Forgets the waker (the waiting task finished). */
void serial_clear_rx_waker(void);

/* Bytes dropped because the input ring was full. */
size_t serial_rx_dropped(void);

#endif
