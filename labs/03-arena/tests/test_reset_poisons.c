/* test_reset_poisons.c — a use after reset or rewind is caught, not silently allowed.
 *
 * In SAN=address builds the arena poisons released memory and the red zone after each
 * allocation, so ASan must kill the child with "use-after-poison". In other builds
 * the same misuse is run in a child under valgrind (this binary re-executed with
 * ARENA_VICTIM set), which must report an invalid access. Each test skips with its
 * reason where its tool cannot run (valgrind cannot run an ASan binary). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test.h"
#include "arena.h"
#include "arena_hosted.h"
#include "slab.h"

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* --- the misuses, each run in a child ------------------------------------------------ */

static volatile char sink;

static void use_after_reset(void *arg)
{
    (void)arg;
    arena_source src = arena_heap_source();
    arena a;
    arena_init(&a, &src, 0);
    char *p = arena_alloc(&a, 32, 8);
    p[0] = 1;
    arena_reset(&a);
    p[3] = 2; /* the bug */
    sink = p[3];
}

static void use_after_rewind(void *arg)
{
    (void)arg;
    arena_source src = arena_heap_source();
    arena a;
    arena_init(&a, &src, 0);
    arena_alloc(&a, 100, 8);
    arena_mark m = arena_save(&a);
    char *p = arena_alloc(&a, 64, 16);
    arena_rewind(&a, m);
    sink = p[10]; /* the bug */
}

static void overflow_into_red_zone(void *arg)
{
    (void)arg;
    arena_source src = arena_heap_source();
    arena a;
    arena_init(&a, &src, 0);
    char *p = arena_alloc(&a, 24, 8);
    arena_alloc(&a, 24, 8);
    p[24] = 1; /* one past the end: the red zone */
}

static void slab_use_after_free(void *arg)
{
    (void)arg;
    arena_source src = arena_heap_source();
    slab_cache c;
    slab_cache_init(&c, "uaf", 64, 0, 4096, &src, slab_report_abort);
    char *p = slab_alloc(&c);
    slab_alloc(&c);
    slab_free(&c, p);
    p[40] = 1; /* the bug (past the free-list link word) */
}

static const struct {
    const char *name;
    void (*fn)(void *);
} victims[] = {
    {"reset", use_after_reset},
    {"rewind", use_after_rewind},
};

/* Re-executed under valgrind with ARENA_VICTIM=name: run that misuse and exit. */
__attribute__((constructor)) static void victim_mode(void)
{
    const char *v = getenv("ARENA_VICTIM");
    if (v == NULL)
        return;
    for (size_t i = 0; i < CMN_ARRAY_LEN(victims); i++)
        if (strcmp(v, victims[i].name) == 0) {
            victims[i].fn(NULL);
            exit(0);
        }
    fprintf(stderr, "ARENA_VICTIM=%s: no such victim\n", v);
    exit(2);
}

/* --- ASan ---------------------------------------------------------------------------- */

static void need_asan(void)
{
    if (!ARENA_ASAN) {
        fprintf(stderr, "skipped: not an AddressSanitizer build (run make check SAN=address)\n");
        skip();
    }
}

static void test_asan_use_after_reset(void **state)
{
    (void)state;
    need_asan();
    assert_true(cmn_dies_with(use_after_reset, NULL, "use-after-poison"));
}

static void test_asan_use_after_rewind(void **state)
{
    (void)state;
    need_asan();
    assert_true(cmn_dies_with(use_after_rewind, NULL, "use-after-poison"));
}

static void test_asan_red_zone(void **state)
{
    (void)state;
    need_asan();
    assert_true(cmn_dies_with(overflow_into_red_zone, NULL, "use-after-poison"));
}

static void test_asan_slab_use_after_free(void **state)
{
    (void)state;
    need_asan();
    assert_true(cmn_dies_with(slab_use_after_free, NULL, "use-after-poison"));
}

/* --- valgrind ------------------------------------------------------------------------ */

/* Runs this binary under valgrind as victim `name`; returns its exit status and leaves
 * valgrind's report in out. */
static int run_under_valgrind(const char *name, char *out, size_t cap)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "ARENA_VICTIM=%s valgrind -q --error-exitcode=99 '%s' 2>&1", name,
             self);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t got = fread(out, 1, cap - 1, f);
    out[got] = '\0';
    int st = pclose(f);
    if (strstr(out, "debuginfo reader") != NULL) {
        /* valgrind 3.19 (Debian 12) cannot read clang 14's DWARF 5 debug info. */
        fprintf(stderr, "skipped: this valgrind cannot read the binary's debug info\n");
        skip();
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void need_valgrind(void)
{
    if (ARENA_ASAN || SANITIZED) {
        fprintf(stderr, "skipped: valgrind cannot run a sanitizer build\n");
        skip();
    }
    if (system("valgrind --version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "skipped: valgrind is not installed (apt-get install valgrind)\n");
        skip();
    }
}

static void test_valgrind_use_after_reset(void **state)
{
    (void)state;
    need_valgrind();
    static char out[65536];
    int rc = run_under_valgrind("reset", out, sizeof out);
    if (rc != 99 || strstr(out, "Invalid write of size 1") == NULL)
        fail_msg("valgrind did not report the write after reset (exit %d):\n%s", rc, out);
}

static void test_valgrind_use_after_rewind(void **state)
{
    (void)state;
    need_valgrind();
    static char out[65536];
    int rc = run_under_valgrind("rewind", out, sizeof out);
    if (rc != 99 || strstr(out, "Invalid read of size 1") == NULL)
        fail_msg("valgrind did not report the read after rewind (exit %d):\n%s", rc, out);
}

static void test_valgrind_clean_use_is_silent(void **state)
{
    (void)state;
    need_valgrind();
    static char out[65536];
    /* The control: a victim name that does nothing wrong must run clean. */
    int rc = run_under_valgrind("none", out, sizeof out);
    if (rc != 2 || strstr(out, "Invalid") != NULL)
        fail_msg("valgrind run of a clean child misbehaved (exit %d):\n%s", rc, out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_asan_use_after_reset),
    cmocka_unit_test(test_asan_use_after_rewind),
    cmocka_unit_test(test_asan_red_zone),
    cmocka_unit_test(test_asan_slab_use_after_free),
    cmocka_unit_test(test_valgrind_use_after_reset),
    cmocka_unit_test(test_valgrind_use_after_rewind),
    cmocka_unit_test(test_valgrind_clean_use_is_silent),
};
CMN_TEST_MAIN(tests)
