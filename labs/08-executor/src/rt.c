/* rt.c — the hosted runtime: an executor, a timer service and a reactor on Linux.
 *
 * This is where the freestanding core meets the operating system: the platform
 * callbacks are malloc/free, CLOCK_MONOTONIC, and parking in the reactor (epoll_wait
 * or io_uring_wait_cqe) with an eventfd to unpark. With workers == 0 the runtime
 * is the core's single-threaded executor driven by the calling thread inside
 * exec_rt_block_on; with workers >= 1 it is the work-stealing executor (mt.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/time.h"
#include "exec_rt.h"
#include "mt.h"
#include "reactor.h"

struct exec_rt {
    exec_backend backend;
    unsigned workers;
    exec_uring_setup uring;
    exec_reactor *reactor;
    exec_local local; /* workers == 0 */
    exec_mt *mt;      /* workers >= 1 */
    bool down;        /* exec_rt_shutdown ran */
};

int exec_backend_parse(const char *name, exec_backend *out)
{
    if (name && strcmp(name, "epoll") == 0) {
        *out = EXEC_BACKEND_EPOLL;
        return 0;
    }
    if (name && (strcmp(name, "uring") == 0 || strcmp(name, "io_uring") == 0)) {
        *out = EXEC_BACKEND_URING;
        return 0;
    }
    return -EINVAL;
}

const char *exec_backend_name(exec_backend b)
{
    return b == EXEC_BACKEND_URING ? "uring" : "epoll";
}

int exec_backend_probe(exec_backend b)
{
    exec_reactor *r;
    int rc = b == EXEC_BACKEND_URING ? exec_uring_new(&r, false, 4, EXEC_URING_BEST) : exec_epoll_new(&r, false);
    if (rc == 0)
        r->ops->destroy(r);
    return rc;
}

/* --- platform callbacks ---------------------------------------------------------------- */
static void *p_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void p_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)size;
    free(p);
}

static uint64_t p_now_ns(void *ctx)
{
    (void)ctx;
    return cmn_now_ns();
}

static void p_park(void *ctx, uint64_t deadline_ms)
{
    exec_reactor *r = ctx;
    r->ops->wait(r, deadline_ms);
}

static void p_unpark(void *ctx)
{
    exec_reactor *r = ctx;
    r->ops->unpark(r);
}

void exec_backend_error(exec_backend b, int rc, char *err, size_t errlen)
{
    if (!err || !errlen)
        return;
    const char *hint = "";
    if (b == EXEC_BACKEND_URING)
        hint = rc == -ENOSYS  ? " (this kernel has no io_uring; use --backend epoll)"
               : rc == -EPERM ? " (io_uring is disabled here: see sysctl kernel.io_uring_disabled"
                                " or the container's seccomp policy; use --backend epoll)"
                              : " (use --backend epoll)";
    snprintf(err, errlen, "backend %s unavailable: %s%s", exec_backend_name(b), strerror(-rc),
             hint);
}

static void p_flush(void *ctx)
{
    exec_reactor *r = ctx;
    if (r->ops->flush)
        r->ops->flush(r);
}

static int make_reactor(exec_rt *rt, char *err, size_t errlen)
{
    bool mt = rt->workers > 0;
    int rc = rt->backend == EXEC_BACKEND_URING ? exec_uring_new(&rt->reactor, mt, 1024, rt->uring)
                                               : exec_epoll_new(&rt->reactor, mt);
    if (rc < 0)
        exec_backend_error(rt->backend, rc, err, errlen);
    return rc;
}

int exec_rt_new(exec_rt **out, const exec_rt_opts *opts, char *err, size_t errlen)
{
    exec_rt *rt = calloc(1, sizeof *rt);
    if (!rt) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    rt->backend = opts->backend;
    rt->workers = opts->workers;
    rt->uring = opts->uring;
    int rc = make_reactor(rt, err, errlen);
    if (rc < 0) {
        free(rt);
        return rc;
    }
    exec_platform plat = {rt->reactor, p_alloc, p_free, p_now_ns, p_park, p_unpark, p_flush};
    if (rt->workers == 0) {
        exec_local_init(&rt->local, &plat, rt);
    } else {
        rc = exec_mt_new(&rt->mt, rt->workers, &plat, rt);
        if (rc < 0) {
            if (err && errlen)
                snprintf(err, errlen, "cannot start %u workers: %s", rt->workers, strerror(-rc));
            rt->reactor->ops->destroy(rt->reactor);
            free(rt);
            return rc;
        }
    }
    *out = rt;
    return 0;
}

exec_sched *exec_rt_sched(exec_rt *rt)
{
    return rt->mt ? exec_mt_sched(rt->mt) : &rt->local.sched;
}

exec_join *exec_rt_spawn(exec_rt *rt, const exec_future *f, size_t size)
{
    return exec_spawn(exec_rt_sched(rt), f, size);
}

int exec_rt_block_on(exec_rt *rt, exec_join *j)
{
    if (rt->mt)
        return exec_mt_wait(rt->mt, j);
    return exec_local_block_on(&rt->local, j);
}

size_t exec_rt_live_tasks(exec_rt *rt)
{
    return exec_sched_live(exec_rt_sched(rt));
}

exec_backend exec_rt_backend(const exec_rt *rt)
{
    return rt->backend;
}

unsigned exec_rt_workers(const exec_rt *rt)
{
    return rt->workers;
}

exec_uring_setup exec_rt_uring_setup(const exec_rt *rt)
{
    return rt->backend == EXEC_BACKEND_URING ? exec_uring_setup_of(rt->reactor) : EXEC_URING_PLAIN;
}

uint64_t exec_rt_now_ms(exec_rt *rt)
{
    (void)rt;
    return cmn_now_ns() / 1000000u;
}

size_t exec_rt_inflight(exec_rt *rt)
{
    return rt->reactor->ops->inflight(rt->reactor);
}

exec_reactor *exec_rt_reactor(exec_rt *rt)
{
    return rt->reactor;
}

size_t exec_rt_shutdown(exec_rt *rt)
{
    if (!rt->down) {
        rt->down = true;
        if (rt->mt)
            exec_mt_shutdown(rt->mt); /* stops the workers, then cancels what is left */
        else
            exec_local_shutdown(&rt->local);
    }
    return exec_rt_live_tasks(rt);
}

void exec_rt_free(exec_rt *rt)
{
    if (!rt)
        return;
    exec_rt_shutdown(rt);
    if (rt->mt)
        exec_mt_free(rt->mt);
    rt->reactor->ops->destroy(rt->reactor);
    free(rt);
}
