/* msq_arch.h — the only non-C11 corner of the lab: a CPU "relax" hint, a full fence
 * that ThreadSanitizer understands, and exponential backoff built on them.
 *
 * GNU extensions live here and nowhere else, behind named macros. MSQ_FENCE_SC() is
 * a sequentially consistent fence (a locked add on x86-64, atomic_thread_fence
 * elsewhere); ThreadSanitizer does not
 * model stand-alone fences, so under SAN=thread it becomes a seq_cst read-modify-write
 * of one shared dummy word, which TSan does model (every such RMW synchronises with
 * the previous one) and which is also a full barrier on the hardware. */
#ifndef MSQ_ARCH_H
#define MSQ_ARCH_H

#include <stdatomic.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#define MSQ_CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__) || defined(__arm__)
#define MSQ_CPU_RELAX() __asm__ __volatile__("yield" ::: "memory")
#else
#define MSQ_CPU_RELAX() __asm__ __volatile__("" ::: "memory")
#endif

/* Asks for the cache line holding *p ahead of use: _R to read it, _W to write it.
 * Without -mprfchw GCC turns __builtin_prefetch(p, 1, ...) into a plain read
 * prefetch, which fetches the line shared: the write then still has to invalidate
 * the other core's copy, on the critical path. x86-64 gets the real PREFETCHW (every
 * AMD64 CPU and Intel since Broadwell; older Intel CPUs execute it as a NOP). */
#define MSQ_PREFETCH_R(p) __builtin_prefetch((p), 0, 3)
#if defined(__x86_64__)
#define MSQ_PREFETCH_W(p) __asm__ __volatile__("prefetchw %0" ::"m"(*(const char *)(p)))
#else
#define MSQ_PREFETCH_W(p) __builtin_prefetch((p), 1, 3)
#endif

#if defined(__SANITIZE_THREAD__)
#define MSQ_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MSQ_TSAN 1
#endif
#endif

#if defined(MSQ_TSAN)
extern _Atomic uint64_t msq_tsan_fence_word;
#define MSQ_FENCE_SC()                                                                             \
    ((void)atomic_fetch_add_explicit(&msq_tsan_fence_word, 0, memory_order_seq_cst))
#elif defined(__x86_64__)
/* A locked add to the stack is a full barrier on x86-64 and cheaper than the mfence
 * compilers emit for atomic_thread_fence(seq_cst) (Linux's smp_mb() does the same);
 * the "memory" clobber keeps the compiler from moving any access across it. */
#define MSQ_FENCE_SC() __asm__ __volatile__("lock; addl $0, -8(%%rsp)" ::: "memory", "cc")
#else
#define MSQ_FENCE_SC() atomic_thread_fence(memory_order_seq_cst)
#endif

/* Exponential backoff: after each failed attempt, spin twice as long (up to a cap),
 * so contending threads spread out instead of retrying in lock-step. */
#ifndef MSQ_BACKOFF_MIN
#define MSQ_BACKOFF_MIN 4u
#endif
#ifndef MSQ_BACKOFF_MAX
#define MSQ_BACKOFF_MAX 1024u
#endif

typedef struct msq_backoff {
    uint32_t limit;
} msq_backoff;

static inline void msq_backoff_init(msq_backoff *b)
{
    b->limit = MSQ_BACKOFF_MIN;
}

/* Spins for the current limit, then doubles it. */
static inline void msq_backoff_pause(msq_backoff *b)
{
    for (uint32_t i = 0; i < b->limit; i++)
        MSQ_CPU_RELAX();
    if (b->limit < MSQ_BACKOFF_MAX)
        b->limit <<= 1;
}

#endif
