/* reactor.h — the interface both I/O backends implement (private to the lab).
 *
 * A reactor waits for I/O and wakes the tasks that wait on it; the executor calls
 * wait() when it has nothing to run (or, after a few dozen polls without a look,
 * with deadline 0 to look without blocking) and unpark() to interrupt a wait from another thread. The
 * epoll backend keeps per-fd readiness (an event counter and a read and a write
 * waker); the io_uring backend keeps per-operation state it allocates itself, so a
 * cancelled operation's buffer outlives the future that started it. */
#ifndef EXEC_REACTOR_H
#define EXEC_REACTOR_H

#include <stdatomic.h>
#include <stdbool.h>

#include "exec.h"
#include "exec_rt.h"

typedef struct exec_reactor exec_reactor;

typedef struct exec_reactor_ops {
    /* Handles I/O until deadline_ms (see exec_platform.park). Driver thread only. */
    void (*wait)(exec_reactor *r, uint64_t deadline_ms);
    /* Interrupts a wait (or the next one). Any thread. */
    void (*unpark)(exec_reactor *r);
    /* Starts watching f (after its fd is set up). Returns 0 or -errno. */
    int (*add_fd)(exec_reactor *r, exec_fd *f);
    /* Stops watching f and frees it once no wait can still see it. */
    void (*close_fd)(exec_reactor *r, exec_fd *f);
    /* Polls an operation (see exec_io); NULL when io_poll is given. */
    exec_poll (*poll_op)(exec_reactor *r, exec_io *op, exec_cx *cx);
    /* Cancels a pending operation. */
    void (*drop_op)(exec_reactor *r, exec_io *op);
    void (*destroy)(exec_reactor *r);
    /* Operations the backend still owns (see exec_rt_inflight). */
    size_t (*inflight)(exec_reactor *r);
    /* Submits what was queued but not yet handed to the kernel (may be NULL). */
    void (*flush)(exec_reactor *r);
    /* The poll function of this backend's exec_io futures, or NULL for io.c's generic
     * one (done? else poll_op). The epoll backend has its own: one indirect call less
     * per poll on the hottest path of a readiness loop. */
    exec_poll_fn io_poll;
} exec_reactor_ops;

struct exec_reactor {
    const exec_reactor_ops *ops;
    exec_backend kind;
    bool mt;             /* several threads submit: lock and submit eagerly */
    int wake_fd;         /* an eventfd that unpark() writes */
    atomic_int notified; /* an unpark is in flight: skip further eventfd writes */
};

/* One direction of an fd under epoll: what the reader (or the writer) waits on. */
typedef struct exec_fd_side {
    _Atomic uint64_t tick; /* readiness events seen */
    uint64_t dry;          /* 1 + the tick at which this side was seen drained (read) or
                              full (write), 0 = unknown; owned by the reader/writer */
    exec_waker waker;      /* the pending reader/writer, or none */
} exec_fd_side;

struct exec_fd {
    int fd;
    bool socket;
    bool mt;                /* the reactor is shared by threads: lock the wakers */
    exec_reactor *r;
    exec_rt *rt;
    exec_spin lock;         /* guards both wakers (when mt) */
    exec_fd_side rd, wr;    /* epoll */
    exec_fd *dead_next;     /* closed, waiting to be freed (epoll) */
    bool rdrained;          /* the last receive came back short: the socket was
                               drained, so the next one polls first (io_uring) */
};

int exec_epoll_new(exec_reactor **out, bool mt);
/* setup: the fastest ring setup to try (see exec_uring_setup); mt forces PLAIN. */
int exec_uring_new(exec_reactor **out, bool mt, unsigned entries, exec_uring_setup setup);
exec_uring_setup exec_uring_setup_of(const exec_reactor *r);

/* Shared by the backends (io.c). */
int exec_fd_new(exec_rt *rt, exec_reactor *r, int fd, exec_fd **out);
void exec_reactor_unpark_eventfd(exec_reactor *r);
void exec_reactor_drain_eventfd(exec_reactor *r);
exec_reactor *exec_rt_reactor(exec_rt *rt);

#endif
