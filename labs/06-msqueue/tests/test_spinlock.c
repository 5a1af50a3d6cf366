/* test_spinlock.c — the spinlock excludes, and its acquire/release pairing publishes
 * the critical section: several threads increment a plain (non-atomic) pair of
 * counters under the lock and check the pair is always consistent. Under SAN=thread
 * a missing acquire or release shows up as a data race on the plain counters. */
#include <pthread.h>

#include "common/test.h"
#include "msq_warm.h"
#include "stress_scale.h"

typedef struct guarded {
    msq_spinlock lock;
    uint64_t a, b; /* plain: only touched under lock, always equal there */
    uint64_t iters;
    _Atomic int torn;
} guarded;

static void *bump(void *arg)
{
    guarded *g = arg;
    for (uint64_t i = 0; i < g->iters; i++) {
        msq_spin_lock(&g->lock);
        if (g->a != g->b)
            atomic_store(&g->torn, 1);
        g->a++;
        g->b++;
        msq_spin_unlock(&g->lock);
    }
    return NULL;
}

static void test_lock_excludes(void **state)
{
    (void)state;
    guarded g = {.iters = stress_items(200000)};
    msq_spin_init(&g.lock);
    atomic_init(&g.torn, 0);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, bump, &g), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&g.torn), 0);
    assert_int_equal(g.a, 4 * g.iters);
    assert_int_equal(g.b, 4 * g.iters);
}

static void test_trylock(void **state)
{
    (void)state;
    msq_spinlock l = MSQ_SPINLOCK_INIT;
    assert_true(msq_spin_trylock(&l));
    assert_false(msq_spin_trylock(&l));
    msq_spin_unlock(&l);
    assert_true(msq_spin_trylock(&l));
    msq_spin_unlock(&l);
    msq_spin_lock(&l);
    assert_false(msq_spin_trylock(&l));
    msq_spin_unlock(&l);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_lock_excludes),
    cmocka_unit_test(test_trylock),
};

CMN_TEST_MAIN(tests)
