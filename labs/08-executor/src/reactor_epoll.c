/* reactor_epoll.c — the readiness backend: epoll, edge-triggered.
 *
 * Each socket is registered once for EPOLLIN|EPOLLOUT|EPOLLRDHUP with EPOLLET. An
 * operation tries its system call; when that would block it stores its task's waker
 * in the fd's read or write slot and waits. The lost-wake-up race (an edge arrives
 * between the failed call and storing the waker) is closed with event counters:
 * the poller reads the counter before the call and, under the fd's lock, retries at
 * once if the counter moved. Closed fds are freed at the start of the next wait, when
 * no event returned by an earlier epoll_wait can still point at them. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/time.h"
#include "reactor.h"

typedef struct epoll_reactor {
    exec_reactor base;
    int epfd;
    pthread_mutex_t dead_lock;
    exec_fd *dead;  /* closed fds waiting for the next wait */
    bool no_pwait2; /* epoll_pwait2 is missing: fall back to epoll_wait (ms) */
} epoll_reactor;

static epoll_reactor *ep(exec_reactor *r)
{
    return (epoll_reactor *)(void *)r;
}

static bool is_write(const exec_io *op)
{
    return op->kind == EXEC_IO_WRITE || op->kind == EXEC_IO_CONNECT;
}

static exec_fd *op_fd(exec_io *op)
{
    return op->kind == EXEC_IO_CONNECT ? op->stream : op->fd;
}

static void free_dead(epoll_reactor *r)
{
    pthread_mutex_lock(&r->dead_lock);
    exec_fd *f = r->dead;
    r->dead = NULL;
    pthread_mutex_unlock(&r->dead_lock);
    while (f) {
        exec_fd *next = f->dead_next;
        free(f);
        f = next;
    }
}

static void dispatch(struct epoll_event *e)
{
    exec_fd *f = e->data.ptr;
    (void)atomic_load_explicit(&f->rtick, memory_order_acquire); /* see exec_fd_new */
    exec_waker rw = {NULL, NULL}, ww = {NULL, NULL};
    exec_spin_lock(&f->lock);
    if (e->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        atomic_fetch_add_explicit(&f->rtick, 1, memory_order_release);
        rw = f->rw;
        f->rw = (exec_waker){NULL, NULL};
    }
    if (e->events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
        atomic_fetch_add_explicit(&f->wtick, 1, memory_order_release);
        ww = f->ww;
        f->ww = (exec_waker){NULL, NULL};
    }
    exec_spin_unlock(&f->lock);
    if (rw.vt)
        exec_waker_wake(&rw);
    if (ww.vt)
        exec_waker_wake(&ww);
}

static void ep_wait(exec_reactor *rr, uint64_t deadline_ms)
{
    /* SOLUTION BEGIN: epoll_pwait2 until the deadline (ns precision); the eventfd drains, other events bump ticks and wake */
    epoll_reactor *r = ep(rr);
    free_dead(r);
    struct timespec ts = {0, 0}, *tsp = &ts;
    if (deadline_ms == EXEC_FOREVER) {
        tsp = NULL;
    } else if (deadline_ms != 0) {
        uint64_t now = cmn_now_ns(), end = deadline_ms * 1000000u;
        uint64_t left = end > now ? end - now : 0;
        ts.tv_sec = (time_t)(left / 1000000000u);
        ts.tv_nsec = (long)(left % 1000000000u);
    }
    struct epoll_event evs[128];
    int n = -1;
    if (!r->no_pwait2) {
        n = epoll_pwait2(r->epfd, evs, 128, tsp, NULL);
        if (n < 0 && errno == ENOSYS)
            r->no_pwait2 = true; /* kernels before 5.11, valgrind */
    }
    if (r->no_pwait2) { /* whole milliseconds, rounded up so we never wake early */
        long ms = tsp ? (long)((tsp->tv_sec * 1000000000L + tsp->tv_nsec + 999999) / 1000000) : -1;
        n = epoll_wait(r->epfd, evs, 128, ms > INT32_MAX ? INT32_MAX : (int)ms);
    }
    if (n <= 0)
        return;
    /* Awake until we return: an unpark now needs no eventfd write, because every caller
     * re-checks its queues after wait() returns. Claiming the kick flag makes wakes from
     * our own dispatch (the common case) skip the write and the extra epoll round it
     * would cause. The closing exchange is an acquire RMW on the flag a suppressed
     * unparker released, so its queued work is visible to our caller; an unpark after
     * it writes the eventfd as usual. */
    bool mine = !atomic_exchange_explicit(&rr->notified, 1, memory_order_acq_rel);
    bool kicked = false;
    for (int i = 0; i < n; i++) {
        if (evs[i].data.ptr == NULL) {
            uint64_t v; /* consume before re-arming (see exec_reactor_drain_eventfd) */
            ssize_t got = read(rr->wake_fd, &v, sizeof v);
            (void)got;
            kicked = true;
        } else {
            dispatch(&evs[i]);
        }
    }
    if (mine || kicked)
        (void)atomic_exchange_explicit(&rr->notified, 0, memory_order_seq_cst);
    /* SOLUTION END */
}

static void ep_unpark(exec_reactor *r)
{
    exec_reactor_unpark_eventfd(r);
}

static int ep_add_fd(exec_reactor *rr, exec_fd *f)
{
    struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = f};
    if (epoll_ctl(ep(rr)->epfd, EPOLL_CTL_ADD, f->fd, &e) < 0)
        return -errno;
    return 0;
}

static void ep_close_fd(exec_reactor *rr, exec_fd *f)
{
    epoll_reactor *r = ep(rr);
    /* close(2) already removed it from the epoll set (the only reference to the
     * file); the struct may still be named by events of a wait in progress. */
    exec_spin_lock(&f->lock); /* the driver may be dispatching an event for it */
    exec_waker rw = f->rw, ww = f->ww;
    f->rw = f->ww = (exec_waker){NULL, NULL};
    exec_spin_unlock(&f->lock);
    exec_waker_drop(&rw);
    exec_waker_drop(&ww);
    pthread_mutex_lock(&r->dead_lock);
    f->dead_next = r->dead;
    r->dead = f;
    pthread_mutex_unlock(&r->dead_lock);
}

static exec_poll ep_poll_op(exec_reactor *rr, exec_io *op, exec_cx *cx)
{
    (void)rr;
    if (!exec_coop_proceed(cx))
        return EXEC_PENDING;
    /* SOLUTION BEGIN: snapshot the tick, try the call unless this side is known dry since that tick; if it would block, under the lock: retry if the tick moved, else store the waker */
    for (;;) {
        exec_fd *f = op_fd(op);
        _Atomic uint64_t *tick = f ? (is_write(op) ? &f->wtick : &f->rtick) : NULL;
        uint64_t seen = tick ? atomic_load_explicit(tick, memory_order_acquire) : 0;
        uint64_t *dry = f ? (is_write(op) ? &f->wdry : &f->rdry) : NULL;
        if (!dry || *dry != seen + 1) {
            if (exec_io_try(op)) {
                /* A short read or write drained the socket's buffer (or filled it):
                 * with edge triggering, anything new brings a new event first. */
                if (dry && f->socket && op->result > 0 && (size_t)op->result < op->len &&
                    (op->kind == EXEC_IO_READ || op->kind == EXEC_IO_WRITE))
                    *dry = seen + 1;
                return EXEC_READY;
            }
            f = op_fd(op); /* connect creates its socket on the first try */
            if (!tick) {
                tick = &f->wtick;
                seen = 0;
            } else {
                *dry = seen + 1;
            }
        }
        exec_waker *slot = is_write(op) ? &f->ww : &f->rw;
        exec_spin_lock(&f->lock);
        if (atomic_load_explicit(tick, memory_order_acquire) != seen) {
            exec_spin_unlock(&f->lock);
            continue;
        }
        exec_waker old = {NULL, NULL};
        if (!slot->vt || !exec_waker_will_wake(slot, &cx->waker)) {
            old = *slot;
            *slot = exec_waker_clone(&cx->waker);
        }
        exec_spin_unlock(&f->lock);
        exec_waker_drop(&old);
        return EXEC_PENDING;
    }
    /* SOLUTION END */
}

static void ep_drop_op(exec_reactor *rr, exec_io *op)
{
    (void)rr;
    exec_fd *f = op_fd(op);
    if (!f)
        return;
    exec_spin_lock(&f->lock);
    exec_waker *slot = is_write(op) ? &f->ww : &f->rw;
    exec_waker old = *slot;
    *slot = (exec_waker){NULL, NULL};
    exec_spin_unlock(&f->lock);
    exec_waker_drop(&old);
}

static void ep_destroy(exec_reactor *rr)
{
    epoll_reactor *r = ep(rr);
    free_dead(r);
    close(r->epfd);
    close(rr->wake_fd);
    pthread_mutex_destroy(&r->dead_lock);
    free(r);
}

static size_t ep_inflight(exec_reactor *r)
{
    (void)r;
    return 0; /* nothing is ever submitted: the task retries the call itself */
}

static const exec_reactor_ops epoll_ops = {
    ep_wait,    ep_unpark,  ep_add_fd,   ep_close_fd, ep_poll_op,
    ep_drop_op, ep_destroy, ep_inflight, NULL,
};

int exec_epoll_new(exec_reactor **out, bool mt)
{
    epoll_reactor *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    r->base.ops = &epoll_ops;
    r->base.kind = EXEC_BACKEND_EPOLL;
    r->base.mt = mt;
    atomic_init(&r->base.notified, 0);
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    r->base.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (r->epfd < 0 || r->base.wake_fd < 0) {
        int e = -errno;
        if (r->epfd >= 0)
            close(r->epfd);
        free(r);
        return e;
    }
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->base.wake_fd, &e);
    pthread_mutex_init(&r->dead_lock, NULL);
    *out = &r->base;
    return 0;
}
