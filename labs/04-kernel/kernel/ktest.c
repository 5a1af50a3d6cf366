/* ktest.c — runs the tests in the .ktests section (see ktest.h). */
#include "ktest.h"

#include <stdarg.h>

#include "kfmt.h"
#include "kprintf.h"
#include "timer.h"

extern const struct ktest __ktests_start[], __ktests_end[];

/* The records between the two linker symbols. Pointer arithmetic between two distinct
 * objects is undefined in ISO C, so the count goes through integer addresses; the
 * records themselves are then reached by indexing from __ktests_start. */
#define NTESTS                                                                                     \
    ((size_t)(((uintptr_t)__ktests_end - (uintptr_t)__ktests_start) / sizeof(struct ktest)))

static bool failed;

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
    if (failed)
        return;
    failed = true;
    char msg[192];
    va_list ap;
    va_start(ap, fmt);
    kfmt_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kprintf("ktest: failure detail: %s:%d: %s\n", file, line, msg);
}

unsigned ktest_count(void)
{
    return (unsigned)NTESTS;
}

unsigned ktest_run_all(void)
{
    unsigned plan = 0, bad = 0;
    for (size_t i = 0; i < NTESTS; i++)
        plan += !__ktests_start[i].fault;
    kprintf("ktest: plan %u\n", plan);
    for (size_t i = 0; i < NTESTS; i++) {
        const struct ktest *t = &__ktests_start[i];
        if (t->fault)
            continue;
        failed = false;
        uint64_t t0 = timer_ticks();
        t->fn();
        uint64_t ms = (timer_ticks() - t0) * (1000 / TIMER_HZ);
        kprintf("ktest: %s %s (%llu ms)\n", failed ? "FAIL" : "ok", t->name,
                (unsigned long long)ms);
        bad += failed;
    }
    kprintf("ktest: done, %u passed, %u failed\n", plan - bad, bad);
    return bad;
}

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

int ktest_run_fault(const char *name)
{
    for (size_t i = 0; i < NTESTS; i++) {
        const struct ktest *t = &__ktests_start[i];
        if (!t->fault || !same(t->name, name))
            continue;
        kprintf("ktest: fault test %s: expecting a fault report and a panic\n", t->name);
        t->fn();
        kprintf("ktest: FAIL %s: the fault did not stop the kernel\n", t->name);
        return 0;
    }
    kprintf("ktest: no fault test named \"%s\"\n", name);
    return -1;
}
