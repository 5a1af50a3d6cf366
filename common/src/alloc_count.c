/* alloc_count.c — the malloc interposer behind common/alloc_count.h.
 *
 * Linked into test binaries only (mk/common.mk, TEST_HARNESS). In a plain build the
 * executable defines malloc & co., which the dynamic linker prefers over libc's; each
 * one bumps a relaxed atomic counter and forwards to the next definition found with
 * dlsym(RTLD_NEXT), so valgrind and libc keep working underneath. dlsym may itself
 * allocate, so allocations made while the real functions are being looked up are
 * served from a small static buffer and never freed. Under ASan/TSan the sanitizer
 * owns malloc; there we install its malloc/free hooks instead of interposing. Under
 * valgrind, which replaces malloc everywhere, counting is reported as unavailable. */
#define _GNU_SOURCE
#include "common/alloc_count.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h" /* cmn_under_valgrind */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CMN_USE_SAN_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CMN_USE_SAN_HOOKS 1
#endif
#endif

static atomic_uint_fast64_t n_allocs, n_reallocs, n_frees, n_bytes;

static void count_alloc(size_t size)
{
    atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&n_bytes, size, memory_order_relaxed);
}

static void count_free(void)
{
    atomic_fetch_add_explicit(&n_frees, 1, memory_order_relaxed);
}

cmn_alloc_counts cmn_alloc_totals(void)
{
    cmn_alloc_counts c = {
        .allocs = atomic_load_explicit(&n_allocs, memory_order_relaxed),
        .reallocs = atomic_load_explicit(&n_reallocs, memory_order_relaxed),
        .frees = atomic_load_explicit(&n_frees, memory_order_relaxed),
        .bytes = atomic_load_explicit(&n_bytes, memory_order_relaxed),
    };
    return c;
}

cmn_alloc_region cmn_alloc_begin(void)
{
    cmn_alloc_region r = {.start = cmn_alloc_totals()};
    return r;
}

cmn_alloc_counts cmn_alloc_end(const cmn_alloc_region *r)
{
    cmn_alloc_counts now = cmn_alloc_totals();
    cmn_alloc_counts d = {
        .allocs = now.allocs - r->start.allocs,
        .reallocs = now.reallocs - r->start.reallocs,
        .frees = now.frees - r->start.frees,
        .bytes = now.bytes - r->start.bytes,
    };
    return d;
}

#ifdef CMN_USE_SAN_HOOKS

/* The sanitizer runtimes call these for every allocation and deallocation. */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));

static void on_malloc(const volatile void *p, size_t size)
{
    (void)p;
    count_alloc(size);
}

static void on_free(const volatile void *p)
{
    if (p)
        count_free();
}

static atomic_int hooks_installed;

__attribute__((constructor)) static void install_hooks(void)
{
    if (__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free))
        atomic_store(&hooks_installed, 1);
}

bool cmn_alloc_available(void)
{
    return atomic_load(&hooks_installed) != 0;
}

#else /* interposer */

typedef void *(*malloc_fn)(size_t);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void (*free_fn)(void *);
typedef int (*posix_memalign_fn)(void **, size_t, size_t);
typedef void *(*aligned_alloc_fn)(size_t, size_t);

static malloc_fn real_malloc;
static calloc_fn real_calloc;
static realloc_fn real_realloc;
static free_fn real_free;
static posix_memalign_fn real_posix_memalign;
static aligned_alloc_fn real_aligned_alloc;

/* Bootstrap buffer for allocations made by dlsym while we resolve the real ones. */
static _Alignas(16) unsigned char boot_buf[4096];
static size_t boot_used;
static int resolving;

static void *boot_alloc(size_t size)
{
    size_t start = (boot_used + 15u) & ~(size_t)15u;
    if (start + size > sizeof boot_buf)
        return NULL;
    boot_used = start + size;
    return boot_buf + start;
}

static int is_boot(const void *p)
{
    return (const unsigned char *)p >= boot_buf &&
           (const unsigned char *)p < boot_buf + sizeof boot_buf;
}

/* Function pointers from dlsym come back as void *; convert through memcpy (C11
 * forbids the direct cast, POSIX guarantees it works). */
#define RESOLVE(var, name)                                                                         \
    do {                                                                                           \
        void *sym_ = dlsym(RTLD_NEXT, name);                                                       \
        memcpy(&(var), &sym_, sizeof(var));                                                        \
    } while (0)

static void resolve(void)
{
    if (real_malloc || resolving)
        return;
    resolving = 1;
    RESOLVE(real_calloc, "calloc");
    RESOLVE(real_realloc, "realloc");
    RESOLVE(real_free, "free");
    RESOLVE(real_posix_memalign, "posix_memalign");
    RESOLVE(real_aligned_alloc, "aligned_alloc");
    RESOLVE(real_malloc, "malloc");
    resolving = 0;
}

bool cmn_alloc_available(void)
{
    /* valgrind replaces malloc in the executable too, so ours never runs there. */
    if (cmn_under_valgrind())
        return false;
    resolve();
    return real_malloc != NULL;
}

void *malloc(size_t size)
{
    resolve();
    if (!real_malloc)
        return boot_alloc(size);
    void *p = real_malloc(size);
    if (p)
        count_alloc(size);
    return p;
}

void *calloc(size_t n, size_t size)
{
    resolve();
    if (!real_calloc) {
        if (size && n > SIZE_MAX / size)
            return NULL;
        return boot_alloc(n * size); /* static storage is already zero */
    }
    void *p = real_calloc(n, size);
    if (p)
        count_alloc(n * size);
    return p;
}

void *realloc(void *old, size_t size)
{
    resolve();
    if (old == NULL)
        return malloc(size);
    if (is_boot(old)) {
        void *p = malloc(size);
        if (p)
            memcpy(p, old, size < sizeof boot_buf ? size : sizeof boot_buf);
        return p;
    }
    void *p = real_realloc(old, size);
    if (p) {
        atomic_fetch_add_explicit(&n_reallocs, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&n_bytes, size, memory_order_relaxed);
    }
    return p;
}

void free(void *p)
{
    if (p == NULL || is_boot(p))
        return;
    resolve();
    count_free();
    real_free(p);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    resolve();
    int rc = real_posix_memalign(out, align, size);
    if (rc == 0)
        count_alloc(size);
    return rc;
}

void *aligned_alloc(size_t align, size_t size)
{
    resolve();
    void *p = real_aligned_alloc(align, size);
    if (p)
        count_alloc(size);
    return p;
}

#endif
