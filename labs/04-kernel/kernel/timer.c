/* timer.c — PIT driver and the tick-deadline waiters (see timer.h).
 *
 * Waiters live in a small fixed array: the interrupt handler scans it each tick and
 * wakes the ones whose deadline passed. Registration disables interrupts so the
 * handler never sees a half-written slot. */
#include "timer.h"

#include <stdbool.h>

#include "arch.h"
#include "irq.h"
#include "kerr.h"

#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182u

struct waiter {
    bool used;
    uint64_t deadline;
    exec_waker w;
};

static volatile uint64_t ticks;
static struct waiter waiters[TIMER_WAITERS];

static void timer_irq(void)
{
    uint64_t now = ticks + 1;
    ticks = now;
    for (unsigned i = 0; i < TIMER_WAITERS; i++) {
        if (waiters[i].used && waiters[i].deadline <= now) {
            waiters[i].used = false;
            exec_wake(waiters[i].w);
        }
    }
}

void timer_init(void)
{
    uint16_t div = (uint16_t)((PIT_HZ + TIMER_HZ / 2) / TIMER_HZ);
    outb(PIT_CMD, 0x34); /* channel 0, low then high byte, mode 2 (rate generator) */
    outb(PIT_CH0, (uint8_t)(div & 0xFF));
    outb(PIT_CH0, (uint8_t)(div >> 8));
    irq_set_handler(0, timer_irq);
    irq_unmask(0);
}

uint64_t timer_ticks(void)
{
    return ticks;
}

void timer_sleep_until(uint64_t tick)
{
    for (;;) {
        cpu_cli();
        if (ticks >= tick) {
            cpu_sti();
            return;
        }
        cpu_sti_hlt(); /* no lost wake-up: see arch.h */
    }
}

int timer_wake_at(uint64_t tick, exec_waker w)
{
    bool on = irq_save();
    int rc = -KERR_NOSPC;
    if (ticks >= tick) {
        exec_wake(w);
        rc = 0;
    } else {
        for (unsigned i = 0; i < TIMER_WAITERS; i++) {
            if (!waiters[i].used) {
                waiters[i] = (struct waiter){true, tick, w};
                rc = 0;
                break;
            }
        }
    }
    irq_restore(on);
    return rc;
}
