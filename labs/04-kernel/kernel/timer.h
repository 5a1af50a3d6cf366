/* timer.h — the PIT at 100 Hz: a tick counter, sleeping, and timer wakers.
 *
 * The 8253/8254 PIT counts down from a divisor at 1.193182 MHz; channel 0 in mode 2
 * raises IRQ 0 each time it reaches zero, so divisor 11932 gives 99.998 Hz. */
#ifndef TIMER_H
#define TIMER_H

#include <stdint.h>

#include "exec.h"

#define TIMER_HZ 100u
#define TIMER_WAITERS 16

/* Programs channel 0 for TIMER_HZ and unmasks IRQ 0. */
void timer_init(void);

/* Ticks since timer_init (read atomically: one 64-bit load). */
uint64_t timer_ticks(void);

/* Halts until timer_ticks() >= tick (interrupts must be enabled). */
void timer_sleep_until(uint64_t tick);

/* Calls exec_wake(w) from the timer interrupt once ticks >= tick (at once if that is
 * already so). Returns 0, or -KERR_NOSPC when TIMER_WAITERS are pending. */
int timer_wake_at(uint64_t tick, exec_waker w);

#endif
