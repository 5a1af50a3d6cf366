/* tasks.c — the ticker and line-reader tasks (see tasks.h).
 *
 * Both are hand-written state machines: all their state is in a struct, poll()
 * resumes from it, and before returning "not done" each registers its waker with the
 * interrupt source it waits for. The line reader registers with two sources (serial
 * and timer) so that its deadline can end the wait. */
#include "tasks.h"

#include "arch.h"
#include "kprintf.h"
#include "serial.h"
#include "timer.h"

bool ticker_poll(exec_task *t, exec_waker w)
{
    struct ticker *s = t->state;
    uint64_t now = timer_ticks();
    if (s->seen == 0 && s->next == 0) {
        s->started = now;
        s->next = now + s->period;
    } else if (now >= s->next) {
        s->seen++;
        kprintf("task %s: wake-up %u/%u at tick %llu\n", t->name, s->seen, s->count,
                (unsigned long long)now);
        if (s->seen == s->count) {
            s->finished = now;
            return true;
        }
        s->next += s->period;
    }
    if (timer_wake_at(s->next, w) != 0)
        PANIC("no free timer waiter slot");
    return false;
}

bool line_reader_poll(exec_task *t, exec_waker w)
{
    struct line_reader *s = t->state;
    if (!s->armed) {
        s->armed = true;
        kprintf("task %s: waiting for a line on COM1\n", t->name);
        serial_set_rx_waker(w);
        if (timer_wake_at(s->deadline, w) != 0)
            PANIC("no free timer waiter slot");
    }
    uint8_t c;
    while (serial_read_byte(&c)) {
        if (c == '\r' || c == '\n') {
            if (s->len == 0)
                continue; /* ignore the \n of a \r\n pair */
            s->line[s->len] = '\0';
            s->complete = true;
            serial_clear_rx_waker();
            kprintf("task %s: echo \"%s\"\n", t->name, s->line);
            return true;
        }
        if (s->len + 1 < sizeof s->line)
            s->line[s->len++] = (char)c;
    }
    if (timer_ticks() >= s->deadline) {
        serial_clear_rx_waker();
        s->timed_out = true;
        kprintf("task %s: no complete line before tick %llu, giving up\n", t->name,
                (unsigned long long)s->deadline);
        return true;
    }
    return false;
}

void tasks_idle(void *ctx, exec *ex)
{
    (void)ctx;
    cpu_cli();
    if (exec_has_ready(ex))
        cpu_sti();
    else
        cpu_sti_hlt();
}

void tasks_done(void *ctx, exec_task *t)
{
    (void)ctx;
    kprintf("task %s finished after %u polls\n", t->name, t->polls);
}
