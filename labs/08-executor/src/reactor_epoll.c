/* reactor_epoll.c — the readiness backend: epoll, edge-triggered.
 *
 * Each socket is registered once for EPOLLIN|EPOLLOUT|EPOLLRDHUP with EPOLLET. An
 * operation tries its system call; when that would block it stores its task's waker
 * in the fd's read or write slot and waits. The lost-wake-up race (an edge arrives
 * between the failed call and storing the waker) is closed with event counters:
 * the poller reads the counter before the call and, under the fd's lock, retries at
 * once if the counter moved (the lock is skipped under the single-threaded executor,
 * where the poller and the dispatcher are the same thread). Closed fds are freed at the start of the next wait, when
 * no event returned by an earlier epoll_wait can still point at them. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
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

/* The fd's wakers are shared with the dispatching thread only when the reactor is
 * (the multi-threaded executor); under the single-threaded one every access to them
 * is on the thread that drives the loop, so the lock would guard nothing. */
static void side_lock(exec_fd *f)
{
    if (f->mt)
        exec_spin_lock(&f->lock);
}

static void side_unlock(exec_fd *f)
{
    if (f->mt)
        exec_spin_unlock(&f->lock);
}

/* A readiness event on one side: count it, and take the waiting waker. Called with
 * the fd locked (or on the one thread that drives a single-threaded loop), so no
 * two of these race on a tick: a load and a release store do what a locked
 * read-modify-write would. */
static exec_waker side_event(exec_fd_side *sd)
{
    uint64_t t = atomic_load_explicit(&sd->tick, memory_order_relaxed);
    atomic_store_explicit(&sd->tick, t + 1, memory_order_release);
    exec_waker w = sd->waker;
    sd->waker = (exec_waker){NULL, NULL};
    return w;
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

/* mt: the reactor's flag (the fd's own copy may not be visible before the acquire). */
static void dispatch(struct epoll_event *e, bool mt)
{
    exec_fd *f = e->data.ptr;
    exec_waker rw = {NULL, NULL}, ww = {NULL, NULL};
    if (mt) {
        (void)atomic_load_explicit(&f->rd.tick, memory_order_acquire); /* see exec_fd_new */
        exec_spin_lock(&f->lock);
    }
    if (e->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        rw = side_event(&f->rd);
    if (e->events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        ww = side_event(&f->wr);
    if (mt)
        exec_spin_unlock(&f->lock);
    /* By value: a task this queues takes over the waker's reference. */
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
            dispatch(&evs[i], rr->mt);
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
    side_lock(f); /* the driver may be dispatching an event for it */
    exec_waker rw = f->rd.waker, ww = f->wr.waker;
    f->rd.waker = f->wr.waker = (exec_waker){NULL, NULL};
    side_unlock(f);
    exec_waker_drop(&rw);
    exec_waker_drop(&ww);
    pthread_mutex_lock(&r->dead_lock);
    f->dead_next = r->dead;
    r->dead = f;
    pthread_mutex_unlock(&r->dead_lock);
}

/* --- one non-blocking attempt at each kind: true when op->result is final ------------------- */
static bool settle(exec_io *op, ssize_t n)
{
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return false;
    op->result = n < 0 ? -errno : n;
    return true;
}

/* Out of line, like accept_try: rare, and inlined they cost the hot path registers. */
__attribute__((noinline)) static bool connect_try(exec_io *op)
{
    if (!op->stream) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return settle(op, -1);
        int rc = exec_fd_adopt(op->rt, fd, &op->stream);
        if (rc < 0) {
            close(fd);
            op->result = rc;
            return true;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in sa = {
            .sin_family = AF_INET, .sin_port = htons(op->port), .sin_addr.s_addr = htonl(op->ip)};
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
            op->result = 0;
            return true;
        }
        if (errno != EINPROGRESS)
            return settle(op, -1);
        return false;
    }
    struct pollfd p = {.fd = op->stream->fd, .events = POLLOUT};
    if (poll(&p, 1, 0) == 0)
        return false;
    int err = 0;
    socklen_t n = sizeof err;
    getsockopt(op->stream->fd, SOL_SOCKET, SO_ERROR, &err, &n);
    op->result = -err;
    return true;
}

__attribute__((noinline)) static bool accept_try(exec_io *op)
{
    int fd = accept4(op->fd->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return settle(op, -1);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = exec_fd_adopt(op->rt, fd, &op->stream);
    if (rc < 0)
        close(fd);
    op->result = rc < 0 ? rc : 0;
    return true;
}

static inline bool ep_try(exec_io *op)
{
    /* SOLUTION BEGIN: one non-blocking system call per kind; EAGAIN means "not yet" */
    switch (op->kind) {
    case EXEC_IO_READ:
        return settle(op, op->fd->socket ? recv(op->fd->fd, op->buf, op->len, 0)
                                         : read(op->fd->fd, op->buf, op->len));
    case EXEC_IO_WRITE:
        return settle(op, op->fd->socket ? send(op->fd->fd, op->buf, op->len, MSG_NOSIGNAL)
                                         : write(op->fd->fd, op->buf, op->len));
    case EXEC_IO_PREAD:
        return settle(op, pread(op->fd->fd, op->buf, op->len, (off_t)op->off));
    case EXEC_IO_PWRITE:
        return settle(op, pwrite(op->fd->fd, op->buf, op->len, (off_t)op->off));
    case EXEC_IO_ACCEPT:
        return accept_try(op);
    case EXEC_IO_CONNECT:
        return connect_try(op);
    }
    op->result = -EINVAL;
    return true;
    /* SOLUTION END */
}

/* Stores the task's waker in sd unless an event arrived since `seen` (then the caller
 * retries the call). Returns whether it stored (the operation is pending). */
static inline bool side_wait(exec_fd *f, exec_fd_side *sd, uint64_t seen, exec_cx *cx)
{
    side_lock(f);
    if (atomic_load_explicit(&sd->tick, memory_order_acquire) != seen) {
        side_unlock(f);
        return false;
    }
    exec_waker old = {NULL, NULL};
    if (!sd->waker.vt || !exec_waker_will_wake(&sd->waker, &cx->waker)) {
        old = sd->waker;
        sd->waker = exec_waker_clone(&cx->waker);
    }
    side_unlock(f);
    exec_waker_drop(&old);
    return true;
}

/* One poll of an operation: what both entry points below do. */
static inline exec_poll ep_poll_io(exec_io *op, exec_cx *cx)
{
    if (!exec_coop_proceed(cx))
        return EXEC_PENDING;
    /* SOLUTION BEGIN: snapshot the side's tick, try the call unless the side is known dry since that tick; if it would block, store the waker (side_wait), or retry if the tick moved */
    exec_fd *f = op_fd(op); /* NULL for a connect not tried yet */
    exec_fd_side *sd = f ? (is_write(op) ? &f->wr : &f->rd) : NULL;
    for (;;) {
        uint64_t seen = sd ? atomic_load_explicit(&sd->tick, memory_order_acquire) : 0;
        if (!sd || sd->dry != seen + 1) {
            if (ep_try(op)) {
                /* A short read or write drained the socket's buffer (or filled it):
                 * with edge triggering, anything new brings a new event first. */
                if (sd && f->socket && op->result > 0 && (size_t)op->result < op->len &&
                    (op->kind == EXEC_IO_READ || op->kind == EXEC_IO_WRITE))
                    sd->dry = seen + 1;
                return EXEC_READY;
            }
            if (!sd) { /* connect made its socket: wait for its first write event */
                f = op->stream;
                sd = &f->wr;
            } else {
                sd->dry = seen + 1;
            }
        }
        if (side_wait(f, sd, seen, cx))
            return EXEC_PENDING;
    }
    /* SOLUTION END */
}

/* The poll function of every exec_io on this backend (exec_reactor_ops.io_poll, so
 * there is no poll_op: one indirect call per poll instead of two). */
static exec_poll ep_io_poll(exec_future *fut, exec_cx *cx)
{
    exec_io *op = (exec_io *)(void *)fut;
    if (op->done)
        return EXEC_READY;
    if (ep_poll_io(op, cx) != EXEC_READY)
        return EXEC_PENDING;
    op->done = true;
    return EXEC_READY;
}

static void ep_drop_op(exec_reactor *rr, exec_io *op)
{
    (void)rr;
    exec_fd *f = op_fd(op);
    if (!f)
        return;
    exec_fd_side *sd = is_write(op) ? &f->wr : &f->rd;
    side_lock(f);
    exec_waker old = sd->waker;
    sd->waker = (exec_waker){NULL, NULL};
    side_unlock(f);
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
    ep_wait,    ep_unpark,  ep_add_fd,   ep_close_fd, NULL /* io_poll instead */,
    ep_drop_op, ep_destroy, ep_inflight, NULL,        ep_io_poll,
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
