/* io.c — file descriptors and the I/O futures, shared by both reactor backends.
 *
 * An exec_io is a future whose poll and drop go to the runtime's reactor: epoll tries
 * the non-blocking system call (reactor_epoll.c, ep_try) and waits for readiness when
 * it would block; io_uring submits the operation and waits for its completion. Sockets
 * are non-blocking under epoll and blocking under io_uring (the kernel then parks the
 * request internally instead of failing it with EAGAIN). Regular files cannot be
 * watched by epoll: the epoll backend reads and writes them synchronously. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_rt.h"
#include "reactor.h"

int exec_fd_new(exec_rt *rt, exec_reactor *r, int fd, exec_fd **out)
{
    exec_fd *f = calloc(1, sizeof *f);
    if (!f)
        return -ENOMEM;
    struct stat st;
    f->fd = fd;
    f->socket = fstat(fd, &st) == 0 && !S_ISREG(st.st_mode);
    f->r = r;
    f->mt = r->mt;
    f->rt = rt;
    atomic_flag_clear(&f->lock.f);
    if (f->socket) {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0)
            fl = 0;
        fl = r->kind == EXEC_BACKEND_EPOLL ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
        if (fcntl(fd, F_SETFL, fl) < 0) {
            int e = -errno;
            free(f);
            return e;
        }
        /* Published to the thread that handles its events through the kernel: this
         * release store pairs with an acquire load in the epoll dispatch. */
        atomic_store_explicit(&f->rd.tick, 0, memory_order_release);
        int rc = r->ops->add_fd(r, f);
        if (rc < 0) {
            free(f);
            return rc;
        }
    }
    *out = f;
    return 0;
}

int exec_fd_adopt(exec_rt *rt, int fd, exec_fd **out)
{
    return exec_fd_new(rt, exec_rt_reactor(rt), fd, out);
}

void exec_fd_close(exec_fd *f)
{
    if (!f)
        return;
    close(f->fd);
    f->fd = -1;
    f->r->ops->close_fd(f->r, f);
}

int exec_fd_raw(const exec_fd *f)
{
    return f->fd;
}

uint16_t exec_fd_port(const exec_fd *f)
{
    struct sockaddr_in a = {0};
    socklen_t n = sizeof a;
    if (getsockname(f->fd, (struct sockaddr *)&a, &n) < 0 || a.sin_family != AF_INET)
        return 0;
    return ntohs(a.sin_port);
}

static int parse_ip(const char *ip, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, ip, &a) != 1)
        return -EINVAL;
    *out = ntohl(a.s_addr);
    return 0;
}

int exec_tcp_listen(exec_rt *rt, const char *ip, uint16_t port, int backlog, exec_fd **out)
{
    uint32_t addr;
    if (parse_ip(ip, &addr) < 0)
        return -EINVAL;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(addr)};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, backlog) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    int rc = exec_fd_adopt(rt, fd, out);
    if (rc < 0)
        close(fd);
    return rc;
}

int exec_file_open(exec_rt *rt, const char *path, int flags, int mode, exec_fd **out)
{
    int fd = open(path, flags | O_CLOEXEC, mode);
    if (fd < 0)
        return -errno;
    int rc = exec_fd_adopt(rt, fd, out);
    if (rc < 0)
        close(fd);
    return rc;
}

/* --- the operation futures --------------------------------------------------------------- */
static exec_poll io_poll(exec_future *f, exec_cx *cx)
{
    exec_io *op = (exec_io *)(void *)f;
    if (op->done)
        return EXEC_READY;
    exec_reactor *r = op->fd ? op->fd->r : exec_rt_reactor(op->rt); /* connect: no fd yet */
    if (r->ops->poll_op(r, op, cx) != EXEC_READY)
        return EXEC_PENDING;
    op->done = true;
    return EXEC_READY;
}

static void io_drop(exec_future *f)
{
    exec_io *op = (exec_io *)(void *)f;
    if (op->done)
        return;
    exec_reactor *r = exec_rt_reactor(op->rt);
    r->ops->drop_op(r, op);
    op->done = true;
    if (op->kind == EXEC_IO_CONNECT && op->stream) {
        exec_fd_close(op->stream); /* the half-made connection belongs to the op */
        op->stream = NULL;
    }
}

/* Every field, one store each: an echo loop initialises two operations per message,
 * and a memset of the whole struct cost more than the rest of the set-up. */
static void io_init(exec_io *op, enum exec_io_kind kind, exec_fd *fd, exec_rt *rt)
{
    exec_reactor *r = fd ? fd->r : exec_rt_reactor(rt);
    op->base.poll = r->ops->io_poll ? r->ops->io_poll : io_poll;
    op->base.drop = io_drop;
    op->kind = kind;
    op->fd = fd;
    op->rt = rt;
    op->buf = NULL;
    op->len = 0;
    op->off = 0;
    op->ip = 0;
    op->port = 0;
    op->result = 0;
    op->stream = NULL;
    op->inflight = NULL;
    op->done = false;
}

void exec_io_read(exec_io *op, exec_fd *fd, void *buf, size_t len)
{
    io_init(op, EXEC_IO_READ, fd, fd->rt);
    op->buf = buf;
    op->len = len;
}

void exec_io_write(exec_io *op, exec_fd *fd, const void *buf, size_t len)
{
    io_init(op, EXEC_IO_WRITE, fd, fd->rt);
    op->buf = (void *)(uintptr_t)buf;
    op->len = len;
}

void exec_io_pread(exec_io *op, exec_fd *fd, void *buf, size_t len, uint64_t off)
{
    exec_io_read(op, fd, buf, len);
    op->kind = EXEC_IO_PREAD;
    op->off = off;
}

void exec_io_pwrite(exec_io *op, exec_fd *fd, const void *buf, size_t len, uint64_t off)
{
    exec_io_write(op, fd, buf, len);
    op->kind = EXEC_IO_PWRITE;
    op->off = off;
}

void exec_io_accept(exec_io *op, exec_fd *listener)
{
    io_init(op, EXEC_IO_ACCEPT, listener, listener->rt);
}

void exec_io_connect(exec_io *op, exec_rt *rt, const char *ip, uint16_t port)
{
    io_init(op, EXEC_IO_CONNECT, NULL, rt);
    op->port = port;
    if (parse_ip(ip, &op->ip) < 0) {
        op->result = -EINVAL;
        op->done = true;
    }
}

/* --- the eventfd behind unpark ---------------------------------------------------------------- */
void exec_reactor_unpark_eventfd(exec_reactor *r)
{
    if (atomic_exchange_explicit(&r->notified, 1, memory_order_acq_rel))
        return; /* one kick in flight is enough */
    uint64_t one = 1;
    ssize_t n = write(r->wake_fd, &one, sizeof one);
    (void)n;
}

void exec_reactor_drain_eventfd(exec_reactor *r)
{
    /* Consume first, then re-arm: the other order can leave notified = 1 with the
     * eventfd empty (an unpark lands between the two and its write is read away),
     * and every later unpark would then be skipped. An unpark that lands between
     * the read and the store is not lost either: the caller is awake and checks its
     * queues after this (the unparker published its work before its exchange). */
    uint64_t v;
    ssize_t n = read(r->wake_fd, &v, sizeof v);
    (void)n;
    atomic_store_explicit(&r->notified, 0, memory_order_seq_cst);
}
