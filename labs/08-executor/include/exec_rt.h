/* exec_rt.h — the hosted runtime: executors on Linux threads, epoll and io_uring.
 *
 * An exec_rt bundles an executor (the core's single-threaded one, or the
 * multi-threaded work-stealing one), the timer service and a reactor backend chosen
 * at run time: epoll (readiness: try the non-blocking call, wait for readiness,
 * retry) or io_uring (completion: submit the operation, wait for its result). The
 * I/O futures below work unchanged on either backend.
 *
 * What may cross threads ("Send" in Rust terms): wakers, join handles (poll/abort/
 * drop from any thread), exec_rt_spawn, channel endpoints. What may not: a future
 * while it is being polled, an exec_io operation (poll and drop it from the task
 * that owns it), and at most one pending read and one pending write per exec_fd. */
#ifndef EXEC_RT_H
#define EXEC_RT_H

#include <stdint.h>

#include "exec.h"

typedef enum exec_backend { EXEC_BACKEND_EPOLL = 0, EXEC_BACKEND_URING = 1 } exec_backend;

/* "epoll" or "uring" (also "io_uring"). Returns 0, or -EINVAL for anything else. */
int exec_backend_parse(const char *name, exec_backend *out);
const char *exec_backend_name(exec_backend b);
/* 0 when the backend works on this machine, else -errno (io_uring: -ENOSYS when the
 * kernel lacks it, -EPERM when disabled by kernel.io_uring_disabled or seccomp). */
int exec_backend_probe(exec_backend b);

/* How the io_uring backend sets up its ring. The runtime starts at the one asked for
 * and falls back (DEFER -> COOP -> PLAIN) whenever the kernel refuses the flags.
 * - BEST (0, the default): COOP, the fastest on the echo bench (README, "Measured").
 * - DEFER: IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN (Linux 6.1+). Completion work
 *   waits until the loop asks for events, then runs as one batch; only the thread
 *   that created the runtime may drive it. Single-threaded executor only.
 * - COOP: IORING_SETUP_COOP_TASKRUN (5.19+): completion work runs at the loop's next
 *   system call instead of interrupting it. Single-threaded executor only.
 * - PLAIN: no flags (what the multi-threaded executor always uses: a worker asleep
 *   on its futex must still get its completions delivered). */
typedef enum exec_uring_setup {
    EXEC_URING_BEST = 0,
    EXEC_URING_DEFER,
    EXEC_URING_COOP,
    EXEC_URING_PLAIN
} exec_uring_setup;

typedef struct exec_rt exec_rt;
typedef struct exec_rt_opts {
    exec_backend backend;
    unsigned workers; /* 0: the single-threaded executor; N >= 1: N worker threads */
    exec_uring_setup uring; /* io_uring only: the fastest setup to try (0: the best) */
} exec_rt_opts;

/* Creates a runtime. On failure returns -errno and writes a one-line reason into
 * err (e.g. "io_uring unavailable: ..."). Worker threads start at once. */
int exec_rt_new(exec_rt **out, const exec_rt_opts *opts, char *err, size_t errlen);
/* Spawns a copy of the future f (size bytes). Any thread. NULL when out of memory. */
exec_join *exec_rt_spawn(exec_rt *rt, const exec_future *f, size_t size);
/* Runs (single-threaded) or waits for (multi-threaded) the task of j to finish;
 * returns its outcome (0 or -EXEC_ECANCELED). Not from inside a task. */
int exec_rt_block_on(exec_rt *rt, exec_join *j);
/* Stops the workers and cancels every unfinished task (its drop runs once). Returns
 * the tasks still allocated afterwards: 0 unless a join handle is still held. */
size_t exec_rt_shutdown(exec_rt *rt);
/* Shuts down (if not done yet), closes the reactor and frees the runtime. Drop every
 * join handle first. */
void exec_rt_free(exec_rt *rt);
/* Tasks allocated and not yet freed (0 after all handles are dropped and shutdown). */
size_t exec_rt_live_tasks(exec_rt *rt);
exec_sched *exec_rt_sched(exec_rt *rt);
exec_backend exec_rt_backend(const exec_rt *rt);
unsigned exec_rt_workers(const exec_rt *rt);
/* The ring setup in use (io_uring), or EXEC_URING_PLAIN for epoll. */
exec_uring_setup exec_rt_uring_setup(const exec_rt *rt);
/* I/O operations the reactor still owns (io_uring: submitted and not yet completed,
 * including cancelled ones; epoll: always 0). For tests of cancellation. */
size_t exec_rt_inflight(exec_rt *rt);
/* Formats the one-line reason exec_rt_new gives when backend b failed with rc. */
void exec_backend_error(exec_backend b, int rc, char *err, size_t errlen);
/* Milliseconds on the runtime's timer clock. */
uint64_t exec_rt_now_ms(exec_rt *rt);

/* --- file descriptors -------------------------------------------------------------------- */
typedef struct exec_fd exec_fd;

/* A non-blocking TCP listener on ip:port (port 0: any free port). -errno on failure. */
int exec_tcp_listen(exec_rt *rt, const char *ip, uint16_t port, int backlog, exec_fd **out);
/* Opens a file (open(2) flags and mode) for exec_io_pread/pwrite. -errno on failure. */
int exec_file_open(exec_rt *rt, const char *path, int flags, int mode, exec_fd **out);
/* Takes ownership of fd (made non-blocking if it is a socket). -errno on failure. */
int exec_fd_adopt(exec_rt *rt, int fd, exec_fd **out);
/* The local port of a socket, or 0. */
uint16_t exec_fd_port(const exec_fd *f);
int exec_fd_raw(const exec_fd *f);
/* Closes and frees f. No operation on it may be pending. */
void exec_fd_close(exec_fd *f);

/* --- I/O operations: futures ----------------------------------------------------------
 * Initialise one with an exec_io_* call, poll it until ready, then read `result`:
 * bytes transferred (0 = end of stream), 0 for connect, or -errno. Accept and connect
 * leave the new stream in `stream` (owned by the caller). Dropping a pending
 * operation cancels it (io_uring: the kernel's copy is cancelled and its buffer, which
 * the operation owns, is freed when the cancellation completes). */
enum exec_io_kind {
    EXEC_IO_READ,
    EXEC_IO_WRITE,
    EXEC_IO_PREAD,
    EXEC_IO_PWRITE,
    EXEC_IO_ACCEPT,
    EXEC_IO_CONNECT
};

typedef struct exec_io {
    exec_future base;
    enum exec_io_kind kind;
    exec_fd *fd;
    exec_rt *rt;
    void *buf;
    size_t len;
    uint64_t off;
    uint32_t ip; /* connect: IPv4 address, host order */
    uint16_t port;
    int64_t result;
    exec_fd *stream;
    void *inflight; /* backend state while pending */
    bool done;
} exec_io;

/* recv(2)-like: up to len bytes from a socket or pipe into buf. */
void exec_io_read(exec_io *op, exec_fd *fd, void *buf, size_t len);
/* send(2)-like: up to len bytes (may be short: loop until all is written). */
void exec_io_write(exec_io *op, exec_fd *fd, const void *buf, size_t len);
/* File read/write at an offset. */
void exec_io_pread(exec_io *op, exec_fd *fd, void *buf, size_t len, uint64_t off);
void exec_io_pwrite(exec_io *op, exec_fd *fd, const void *buf, size_t len, uint64_t off);
/* Accepts one connection from a listener into op->stream. */
void exec_io_accept(exec_io *op, exec_fd *listener);
/* Connects a new TCP socket to ip:port (dotted IPv4) into op->stream; result -EINVAL
 * for an address that does not parse. */
void exec_io_connect(exec_io *op, exec_rt *rt, const char *ip, uint16_t port);

#endif
