/* spinlock.c — a test-and-test-and-set spinlock with exponential backoff.
 *
 * The exchange that takes the lock is the acquire; the store that frees it is the
 * release; the two together make everything the previous holder wrote in its
 * critical section visible to the next holder. Waiters spin on a relaxed load, which
 * keeps the line shared instead of bouncing it with failed RMWs. */
#include "msq_arch.h"
#include "msq_warm.h"

void msq_spin_init(msq_spinlock *l)
{
    atomic_init(&l->locked, 0);
}

bool msq_spin_trylock(msq_spinlock *l)
{
    /* relaxed pre-check: do not write the line (and steal it from the holder) when
     * the lock is visibly taken. */
    if (atomic_load_explicit(&l->locked, memory_order_relaxed) != 0)
        return false;
    /* acquire: pairs with the release in msq_spin_unlock. */
    return atomic_exchange_explicit(&l->locked, 1, memory_order_acquire) == 0;
}

void msq_spin_lock(msq_spinlock *l)
{
    /* SOLUTION BEGIN: exchange with acquire; on failure back off and spin on a plain load */
    msq_backoff bo;
    msq_backoff_init(&bo);
    while (atomic_exchange_explicit(&l->locked, 1, memory_order_acquire) != 0) {
        do
            msq_backoff_pause(&bo);
        while (atomic_load_explicit(&l->locked, memory_order_relaxed) != 0);
    }
    /* SOLUTION END */
}

void msq_spin_unlock(msq_spinlock *l)
{
    /* release: the critical section's writes happen before the next acquire. */
    atomic_store_explicit(&l->locked, 0, memory_order_release);
}
