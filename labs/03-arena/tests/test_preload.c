/* test_preload.c — libarena_malloc.so runs real programs nobody here wrote (sort,
 * python3, gcc) with output identical to glibc's malloc, and honours the malloc API
 * contract (alignment, realloc contents, calloc zeroing, usable size) in a child of
 * this binary run with LD_PRELOAD. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SAN_FEATURE 1
#endif
#endif
#ifndef SAN_FEATURE
#define SAN_FEATURE 0
#endif

#ifndef ARENA_PRELOAD_SO
#error "the Makefile defines ARENA_PRELOAD_SO (path of libarena_malloc.so)"
#endif

/* Runs cmd through the shell; returns its exit status, stdout in *out (malloc'd). */
static int run(const char *cmd, char **out, size_t *len)
{
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap *= 2);
            assert_non_null(bigger);
            buf = bigger;
        }
    }
    int st = pclose(f);
    *out = buf;
    *len = n;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs cmd with and without the library; both must succeed with the same output. */
static void same_output(const char *cmd)
{
    char with[8192];
    snprintf(with, sizeof with, "LD_PRELOAD='%s' %s", ARENA_PRELOAD_SO, cmd);
    char *a, *b;
    size_t na, nb;
    int ra = run(cmd, &a, &na), rb = run(with, &b, &nb);
    if (ra != 0 || rb != 0 || na != nb || memcmp(a, b, na) != 0 || na == 0)
        fail_msg("%s: glibc exit %d (%zu bytes), arena exit %d (%zu bytes): outputs differ", cmd,
                 ra, na, rb, nb);
    free(a);
    free(b);
}

static bool have(const char *prog)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

static void test_library_built(void **state)
{
    (void)state;
    assert_int_equal(access(ARENA_PRELOAD_SO, R_OK), 0);
}

static void test_sort(void **state)
{
    (void)state;
    if (!have("sort"))
        skip();
    char path[] = "/tmp/arena-sort-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    cmn_rng rng;
    cmn_test_rng(&rng);
    for (int i = 0; i < 50000; i++)
        fprintf(f, "%llx line %d\n", (unsigned long long)cmn_rng_next(&rng), i);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sort '%s'", path);
    same_output(cmd);
    snprintf(cmd, sizeof cmd, "sort -k3,3n -t' ' '%s' | sort -u | wc -l", path);
    same_output(cmd);
    unlink(path);
}

static void test_python(void **state)
{
    (void)state;
    if (access("/usr/bin/python3", X_OK) != 0) {
        fprintf(stderr, "skipped: /usr/bin/python3 is missing\n");
        skip();
    }
    same_output(
        "/usr/bin/python3 -c 'import json, hashlib; "
        "d = {str(i): [i, str(i) * 3, {\"x\": i / 7}] for i in range(100000)}; "
        "s = json.dumps(d, sort_keys=True); print(len(s), hashlib.sha256(s.encode()).hexdigest()); "
        "print(sorted(set(x % 97 for x in range(200000)))[-3:])'");
}

static void test_gcc(void **state)
{
    (void)state;
    if (!have("gcc"))
        skip();
    char cmd[2048];
    /* Compile the lab's own slab.c to stdout as assembly: identical text expected. */
    snprintf(cmd, sizeof cmd, "gcc -std=c11 -O2 -S -o - -I'%s/include' -I'%s/src' '%s/src/slab.c'",
             ARENA_LAB_DIR, ARENA_LAB_DIR, ARENA_LAB_DIR);
    same_output(cmd);
}

static void test_stats_at_exit(void **state)
{
    (void)state;
    if (!have("sort"))
        skip();
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "printf 'b\\na\\n' | ARENA_MALLOC_STATS=1 LD_PRELOAD='%s' sort 2>&1",
             ARENA_PRELOAD_SO);
    char *out;
    size_t len;
    int rc = run(cmd, &out, &len);
    if (rc != 0 || strncmp(out, "a\nb\n", 4) != 0 ||
        strstr(out, "arena_malloc: main thread: in use") == NULL)
        fail_msg("ARENA_MALLOC_STATS=1 sort: exit %d, output:\n%.*s", rc, (int)len, out);
    free(out);
}

/* --- the API contract, checked in a child with the library preloaded ----------------- */

/* Results stored here escape, so the compiler cannot fold "allocation == NULL" away. */
static void *volatile escape;

static int contract(void)
{
    int bad = 0;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "contract: %s failed (line %d)\n", #c, __LINE__);                      \
            bad++;                                                                                 \
        }                                                                                          \
    } while (0)
/* A failed REQUIRE ends the contract: what follows would dereference NULL. */
#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "contract: %s failed (line %d)\n", #c, __LINE__);                      \
            return bad + 1;                                                                        \
        }                                                                                          \
    } while (0)
    char *p = malloc(100);
    REQUIRE(p != NULL && ((uintptr_t)p & 15) == 0);
    memset(p, 'a', 100);
    CHECK(malloc_usable_size(p) >= 100);
    char *q = realloc(p, 5000); /* the most recent block: grows in place */
    REQUIRE(q != NULL);
    CHECK(q == p);
    CHECK(q[99] == 'a');
    free(q);
    char *r = malloc(100); /* freeing the most recent block gave it back */
    REQUIRE(r != NULL);
    CHECK(r == p);
    memset(r, 'b', 100);
    char *volatile s = malloc(10); /* volatile: the compiler may not drop it */
    char *t = realloc(r, 300);     /* not the most recent: moves, keeps contents */
    if (t != NULL) {
        CHECK(t != r);
        CHECK(t[0] == 'b' && t[99] == 'b');
        free(t);
    } else {
        CHECK(t != NULL);
        free(r);
    }
    free(s);
    for (size_t align = 16; align <= 65536; align *= 2) {
        void *a = NULL;
        CHECK(posix_memalign(&a, align, 33) == 0 && ((uintptr_t)a & (align - 1)) == 0);
        void *b = aligned_alloc(align, 64);
        CHECK(b != NULL && ((uintptr_t)b & (align - 1)) == 0);
        void *c = memalign(align, 1);
        CHECK(c != NULL && ((uintptr_t)c & (align - 1)) == 0);
        free(c);
        free(b);
        free(a);
    }
    void *x;
    CHECK(posix_memalign(&x, 24, 8) == EINVAL);
    errno = 0;
    volatile size_t three = 3; /* a constant would be a compile-time error for clang */
    CHECK((escape = aligned_alloc(three, 8)) == NULL && errno == EINVAL);
    unsigned char *z = calloc(1000, 3);
    int nonzero = 0;
    for (int i = 0; i < 3000; i++)
        nonzero |= z[i];
    CHECK(nonzero == 0);
    errno = 0;
    volatile size_t huge = SIZE_MAX / 2;
    CHECK((escape = calloc(huge, 4)) == NULL && errno == ENOMEM);
    char *big = malloc(10 << 20); /* its own mapping */
    REQUIRE(big != NULL);
    memset(big, 1, 10 << 20);
    char *bigger = realloc(big, 20 << 20);
    CHECK(bigger != NULL && bigger[(10 << 20) - 1] == 1);
    free(bigger);
    CHECK((escape = realloc(malloc(8), 0)) == NULL);
    CHECK(malloc_usable_size(NULL) == 0);
    free(NULL);
    return bad;
}

__attribute__((constructor)) static void contract_child(void)
{
    if (getenv("ARENA_CONTRACT_CHILD") == NULL)
        return;
    int bad = contract();
    printf("%s\n", bad == 0 ? "contract ok" : "contract broken");
    fflush(stdout);
    _exit(bad == 0 ? 0 : 1);
}

static void test_malloc_contract(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || SAN_FEATURE
    fprintf(stderr,
            "skipped: a sanitizer runtime must come first; it cannot run under LD_PRELOAD\n");
    skip();
#endif
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "ARENA_CONTRACT_CHILD=1 LD_PRELOAD='%s' '%s' 2>&1", ARENA_PRELOAD_SO,
             self);
    char *out;
    size_t len;
    int rc = run(cmd, &out, &len);
    if (rc != 0 || strstr(out, "contract ok") == NULL)
        fail_msg("child with the library preloaded (exit %d):\n%.*s", rc, (int)len, out);
    free(out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_library_built), cmocka_unit_test(test_malloc_contract),
    cmocka_unit_test(test_sort),          cmocka_unit_test(test_python),
    cmocka_unit_test(test_gcc),           cmocka_unit_test(test_stats_at_exit),
};
CMN_TEST_MAIN(tests)
