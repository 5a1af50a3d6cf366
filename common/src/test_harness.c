/* test_harness.c — cmocka wrapper: --list, --filter, seeds printed on failure,
 * death tests, and the test-binary definition of course_todo (see common/test.h).
 *
 * Each test is run through three trampolines so the harness knows whether it
 * finished: setup marks the test as current, the test body records completion, and
 * teardown (which cmocka runs whether the body failed or not) prints the seed of a
 * test that used one and did not finish. */
#define _GNU_SOURCE
#include "common/test.h"

#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/todo.h"

#if defined(__has_include)
// cppcheck-suppress preprocessorErrorDirective
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

typedef struct test_rec {
    struct CMUnitTest orig;
    bool finished;
    bool seeded;
    uint64_t seed;
} test_rec;

static test_rec *current;
static const char *prog_name = "test";
static pthread_t main_thread;

static void tramp_test(void **state)
{
    test_rec *rec = current;
    rec->orig.test_func(state);
    rec->finished = true;
}

static int tramp_setup(void **state)
{
    test_rec *rec = *state;
    current = rec;
    rec->finished = false;
    rec->seeded = false;
    *state = (void *)rec->orig.initial_state;
    return rec->orig.setup_func ? rec->orig.setup_func(state) : 0;
}

static int tramp_teardown(void **state)
{
    test_rec *rec = current;
    int rc = rec->orig.teardown_func ? rec->orig.teardown_func(state) : 0;
    if (!rec->finished && rec->seeded)
        print_error("seed 0x%016llx: replay with COURSE_SEED=0x%016llx %s --filter '%s'\n",
                    (unsigned long long)rec->seed, (unsigned long long)rec->seed, prog_name,
                    rec->orig.name);
    current = NULL;
    return rc;
}

static uint64_t env_seed(bool *found)
{
    const char *s = getenv("COURSE_SEED");
    *found = false;
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end) {
        fprintf(stderr, "COURSE_SEED=%s is not a number (decimal or 0x-hex)\n", s);
        exit(2);
    }
    *found = true;
    return (uint64_t)v;
}

uint64_t cmn_test_seed(void)
{
    static uint64_t counter;
    bool found;
    uint64_t seed = env_seed(&found);
    if (!found) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t mix = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
                       ((uint64_t)getpid() << 16) ^ ++counter;
        seed = cmn_splitmix64(&mix);
    }
    if (current) {
        current->seeded = true;
        current->seed = seed;
    }
    return seed;
}

void cmn_test_rng(cmn_rng *rng)
{
    cmn_rng_seed(rng, cmn_test_seed());
}

_Noreturn void course_todo(const char *hint, const char *file, int line)
{
    if (current && pthread_equal(pthread_self(), main_thread)) {
        print_error("TODO (%s:%d): %s\n", file, line, hint);
        _fail(file, line); /* longjmps out of the running test */
    }
    fprintf(stderr, "%s:%d: TODO: %s\n", file, line, hint);
    abort();
}

static void usage(void)
{
    printf("usage: %s [--list] [--filter GLOB]\n"
           "  --list         print the test names, one per line\n"
           "  --filter GLOB  run only tests whose name matches GLOB (* and ?)\n"
           "  COURSE_SEED=N  replay a seeded test with seed N\n",
           prog_name);
}

int cmn_test_main(int argc, char **argv, const struct CMUnitTest *tests, size_t n,
                  CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
    main_thread = pthread_self();
    /* Line-buffered, so cmocka's stdout and stderr interleave in order in a pipe. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    prog_name = argc > 0 ? argv[0] : "test";
    const char *base = strrchr(prog_name, '/');
    base = base ? base + 1 : prog_name;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--list") == 0) {
            for (size_t k = 0; k < n; k++)
                printf("%s\n", tests[k].name);
            return 0;
        } else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
            cmocka_set_test_filter(argv[++i]);
        } else if (strncmp(argv[i], "--filter=", 9) == 0) {
            cmocka_set_test_filter(argv[i] + 9);
        } else if (strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else {
            fprintf(stderr, "%s: unknown argument '%s'\n", prog_name, argv[i]);
            usage();
            return 2;
        }
    }
    test_rec *recs = calloc(n, sizeof *recs);
    struct CMUnitTest *wrapped = calloc(n, sizeof *wrapped);
    if (!recs || !wrapped) {
        free(recs);
        free(wrapped);
        fprintf(stderr, "%s: out of memory\n", prog_name);
        return 2;
    }
    for (size_t k = 0; k < n; k++) {
        recs[k].orig = tests[k];
        wrapped[k] = (struct CMUnitTest){.name = tests[k].name,
                                         .test_func = tramp_test,
                                         .setup_func = tramp_setup,
                                         .teardown_func = tramp_teardown,
                                         .initial_state = &recs[k]};
    }
    int failed = _cmocka_run_group_tests(base, wrapped, n, group_setup, group_teardown);
    free(wrapped);
    free(recs);
    return failed;
}

/* --- death tests ---------------------------------------------------------------------- */

int cmn_run_child(void (*fn)(void *), void *arg, cmn_death *out)
{
    memset(out, 0, sizeof *out);
    int fds[2];
    if (pipe(fds) != 0)
        return -errno;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return -e;
    }
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[1]);
        fn(arg);
        fflush(NULL);
        _exit(0);
    }
    close(fds[1]);
    size_t used = 0;
    for (;;) {
        char chunk[1024];
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        size_t room = sizeof out->output - 1 - used;
        size_t take = (size_t)got < room ? (size_t)got : room;
        memcpy(out->output + used, chunk, take);
        used += take;
    }
    out->output[used] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    out->exited = WIFEXITED(status);
    out->code = out->exited ? WEXITSTATUS(status) : 0;
    out->signaled = WIFSIGNALED(status);
    out->signo = out->signaled ? WTERMSIG(status) : 0;
    return 0;
}

bool cmn_dies_with(void (*fn)(void *), void *arg, const char *pattern)
{
    cmn_death d;
    int rc = cmn_run_child(fn, arg, &d);
    if (rc != 0) {
        print_error("death test: could not start child: %s\n", strerror(-rc));
        return false;
    }
    if (d.exited && d.code == 0) {
        print_error("death test: child returned normally; output:\n%s\n", d.output);
        return false;
    }
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
        print_error("death test: bad regex '%s'\n", pattern);
        return false;
    }
    bool match = regexec(&re, d.output, 0, NULL, 0) == 0;
    regfree(&re);
    if (!match)
        print_error("death test: output does not match /%s/ (%s %d); output:\n%s\n", pattern,
                    d.signaled ? "signal" : "exit code", d.signaled ? d.signo : d.code, d.output);
    return match;
}

bool cmn_under_valgrind(void)
{
    return RUNNING_ON_VALGRIND != 0;
}
