/* support.h — helpers shared by the lab 08 tests: one runtime per backend, skipping
 * with a reason when a backend is unavailable, and tiny futures built from a
 * function pointer for tests that only need "run this once". */
#ifndef EXEC_TEST_SUPPORT_H
#define EXEC_TEST_SUPPORT_H

#include "common/test.h"
#include "exec.h"
#include "exec_rt.h"

/* A test's prestate: which backend and how many workers (0 = single-threaded). */
typedef struct rt_case {
    exec_backend backend;
    unsigned workers;
    exec_uring_setup uring; /* io_uring: the fastest ring setup to try (0: the best) */
} rt_case;

extern rt_case case_epoll, case_uring, case_epoll_mt, case_uring_mt;
/* The single-threaded io_uring runtime with its other ring setups: DEFER_TASKRUN
 * (asked for explicitly) and no flags (what kernels before 5.19 fall back to). */
extern rt_case case_uring_defer, case_uring_plain;

/* Creates the runtime of the test's case, or skips the test with a one-line reason
 * (io_uring unavailable). */
exec_rt *rt_for(void **state);

/* Registers a cmocka test under "NAME_epoll", "NAME_uring", "NAME_epoll_mt" ... */
#define RT_TEST(fn, c)                                                                             \
    {                                                                                              \
#fn "_" #c, fn, NULL, NULL, &case_##c                                                      \
    }
#define RT_TESTS_ST(fn) RT_TEST(fn, epoll), RT_TEST(fn, uring)
#define RT_TESTS_SETUPS(fn) RT_TEST(fn, uring_defer), RT_TEST(fn, uring_plain)
#define RT_TESTS_ALL(fn)                                                                           \
    RT_TEST(fn, epoll), RT_TEST(fn, uring), RT_TEST(fn, epoll_mt), RT_TEST(fn, uring_mt)

/* Spawns f, runs the runtime until it finishes, drops the handle; returns the outcome. */
int rt_run(exec_rt *rt, const exec_future *f, size_t size);

/* The live-task count once it settles at `want` (a worker may still be releasing
 * its reference to a task whose joiner was already woken): waits up to 2 s. */
size_t rt_live_settled(exec_rt *rt, size_t want);

/* How much slower than native this run is expected to be: 1, or 25 under valgrind.
 * Timing bounds in tests are multiplied by it. */
unsigned rt_slowdown(void);

/* Frees rt and asserts that no task is left alive. */
void rt_free_checked(exec_rt *rt);

#endif
