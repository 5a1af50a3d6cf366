/* stress_scale.h — how many items the multi-threaded tests move. Sanitizer builds
 * run 10-30x slower, so they move fewer; MSQ_STRESS_ITEMS overrides the count. */
#ifndef STRESS_SCALE_H
#define STRESS_SCALE_H

#include <stdint.h>
#include <stdlib.h>

#include "msq_arch.h"

#if defined(MSQ_TSAN) || defined(__SANITIZE_ADDRESS__)
#define STRESS_SLOW_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRESS_SLOW_BUILD 1
#endif
#endif

/* `full` items in an optimised build, full / 16 under a sanitizer. */
static inline uint64_t stress_items(uint64_t full)
{
    const char *env = getenv("MSQ_STRESS_ITEMS");
    if (env != NULL && *env != '\0')
        return strtoull(env, NULL, 0);
#ifdef STRESS_SLOW_BUILD
    return full / 16;
#else
    return full;
#endif
}

#endif
