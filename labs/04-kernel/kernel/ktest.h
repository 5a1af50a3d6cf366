/* ktest.h — the in-kernel test framework.
 *
 * KTEST(name) { ... } defines a test function and puts a record {name, function}
 * into the .ktests linker section; the linker script brackets that section with
 * __ktests_start/__ktests_end, so the runner finds every test without a list anyone
 * has to maintain. KTEST_FAULT(name) registers a test that is expected to stop the
 * machine (a fault report and a panic): it only runs alone, in its own boot, when the
 * command line says ktest.fault=name.
 *
 * Each test prints exactly one result line on the serial port,
 *     ktest: ok NAME            or    ktest: FAIL NAME: file:line: message
 * after a "ktest: plan N" line; tools/qemu-run turns them into TAP. */
#ifndef KTEST_H
#define KTEST_H

#include <stdbool.h>
#include <stdint.h>

struct ktest {
    const char *name;
    void (*fn)(void);
    bool fault; /* expected to stop the machine */
};

#define KTEST_REGISTER(name_, fault_)                                                              \
    static void ktest_fn_##name_(void);                                                            \
    static const struct ktest ktest_rec_##name_                                                    \
        __attribute__((used, section(".ktests"), aligned(8))) = {#name_, ktest_fn_##name_,         \
                                                                 fault_};                          \
    static void ktest_fn_##name_(void)

#define KTEST(name) KTEST_REGISTER(name, false)
#define KTEST_FAULT(name) KTEST_REGISTER(name, true)

/* Records a failure of the running test (the first one is printed). */
void ktest_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define KT_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ktest_fail(__FILE__, __LINE__, "assertion failed: %s", #cond);                         \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define KT_EQ(a, b)                                                                                \
    do {                                                                                           \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);             \
        if (a_ != b_) {                                                                            \
            ktest_fail(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx", #a, #b, a_, b_);          \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Number of registered tests (fault tests included). */
unsigned ktest_count(void);

/* Runs every non-fault test; returns how many failed. */
unsigned ktest_run_all(void);

/* Runs the fault test called name. Returns only if it did not stop the machine
 * (that is a failure, which it prints), or -1 if there is no such test. */
int ktest_run_fault(const char *name);

#endif
