/* echo.c — the echo server, its per-connection task and the load client.
 *
 * Each is an explicit state machine: an enum of the points where it may wait, a
 * switch that resumes at the saved point, and the pending I/O operation kept in the
 * future's own struct (so nothing is allocated per message). */
#include <errno.h>
#include <string.h>

#include "common/time.h"
#include "exec_echo.h"

/* --- one connection: read, write it all back, repeat -------------------------------------- */
typedef struct echo_conn {
    exec_future base;
    exec_fd *sock;
    enum { C_READ, C_READING, C_WRITING } state;
    exec_io op;
    size_t have, sent;
    unsigned char buf[EXEC_ECHO_MAX_MSG];
} echo_conn;

static exec_poll conn_poll(exec_future *f, exec_cx *cx)
{
    echo_conn *c = (echo_conn *)(void *)f;
    for (;;) {
        switch (c->state) {
        case C_READ:
            exec_io_read(&c->op, c->sock, c->buf, sizeof c->buf);
            c->state = C_READING;
            /* fall through */
        case C_READING:
            if (exec_future_poll(&c->op.base, cx) == EXEC_PENDING)
                return EXEC_PENDING;
            if (c->op.result <= 0)
                return EXEC_READY; /* end of stream or error: the drop closes */
            c->have = (size_t)c->op.result;
            c->sent = 0;
            exec_io_write(&c->op, c->sock, c->buf, c->have);
            c->state = C_WRITING;
            /* fall through */
        case C_WRITING:
            if (exec_future_poll(&c->op.base, cx) == EXEC_PENDING)
                return EXEC_PENDING;
            if (c->op.result < 0)
                return EXEC_READY;
            c->sent += (size_t)c->op.result;
            if (c->sent < c->have) {
                exec_io_write(&c->op, c->sock, c->buf + c->sent, c->have - c->sent);
                continue;
            }
            c->state = C_READ;
        }
    }
}

static void conn_drop(exec_future *f)
{
    echo_conn *c = (echo_conn *)(void *)f;
    if (c->state != C_READ)
        exec_future_drop(&c->op.base);
    exec_fd_close(c->sock);
}

/* --- the accept loop --------------------------------------------------------------------------- */
static exec_poll server_poll(exec_future *f, exec_cx *cx)
{
    exec_echo_server *s = (exec_echo_server *)(void *)f;
    for (;;) {
        if (s->max_conns && s->accepted == s->max_conns)
            return EXEC_READY;
        if (!s->accepting) {
            exec_io_accept(&s->op, s->listener);
            s->accepting = true;
        }
        if (exec_future_poll(&s->op.base, cx) == EXEC_PENDING)
            return EXEC_PENDING;
        s->accepting = false;
        if (s->op.result < 0) {
            if (!s->err)
                s->err = (int)s->op.result;
            if (s->op.result == -EMFILE || s->op.result == -ENFILE)
                return EXEC_READY;
            continue;
        }
        s->accepted++;
        echo_conn c = {.base = {conn_poll, conn_drop}, .sock = s->op.stream, .state = C_READ};
        if (exec_spawn_detached(exec_rt_sched(s->rt), &c.base, sizeof c) < 0)
            exec_fd_close(s->op.stream);
    }
}

static void server_drop(exec_future *f)
{
    exec_echo_server *s = (exec_echo_server *)(void *)f;
    if (s->accepting)
        exec_future_drop(&s->op.base);
    s->accepting = false;
}

void exec_echo_server_init(exec_echo_server *s, exec_rt *rt, exec_fd *listener, unsigned max_conns)
{
    memset(s, 0, sizeof *s);
    s->base.poll = server_poll;
    s->base.drop = server_drop;
    s->rt = rt;
    s->listener = listener;
    s->max_conns = max_conns;
}

/* --- the client ---------------------------------------------------------------------------------- */
enum { K_CONNECT, K_CONNECTING, K_FILL, K_WRITING, K_READING, K_DONE };

/* The message: xorshift64 output, eight bytes per step (a byte per step made this the
 * costliest code in the echo bench, ~900 instructions per 64-byte message, where the
 * peers' clients fill theirs with a plain loop). */
static uint64_t xorshift(uint64_t x)
{
    x ^= x << 13;
    x ^= x >> 7;
    return x ^ (x << 17);
}

static void fill(exec_echo_client *c)
{
    uint64_t x = c->seed ^ ((uint64_t)c->done * 0x9E3779B97F4A7C15u);
    unsigned i = 0, size = c->size; /* a local: the stores into out may alias c->size */
    unsigned char *out = c->out;
    for (; i + 8 <= size; i += 8) {
        x = xorshift(x);
        memcpy(out + i, &x, 8);
    }
    if (i < size) {
        x = xorshift(x);
        memcpy(out + i, &x, size - i);
    }
}

static exec_poll client_fail(exec_echo_client *c, int err)
{
    c->err = err;
    c->state = K_DONE;
    return EXEC_READY;
}

static exec_poll client_poll(exec_future *f, exec_cx *cx)
{
    exec_echo_client *c = (exec_echo_client *)(void *)f;
    for (;;) {
        switch (c->state) {
        case K_CONNECT:
            exec_io_connect(&c->op, c->rt, "127.0.0.1", c->port);
            c->state = K_CONNECTING;
            /* fall through */
        case K_CONNECTING:
            if (exec_future_poll(&c->op.base, cx) == EXEC_PENDING)
                return EXEC_PENDING;
            c->sock = c->op.stream;
            if (c->op.result < 0)
                return client_fail(c, (int)c->op.result);
            c->state = K_FILL;
            /* fall through */
        case K_FILL:
            if (c->done == c->msgs) {
                c->state = K_DONE;
                return EXEC_READY;
            }
            fill(c);
            c->off = 0;
            if (c->rtt_ns) /* only when asked: the peers' clients read no clock either */
                c->t_sent = cmn_now_ns();
            exec_io_write(&c->op, c->sock, c->out, c->size);
            c->state = K_WRITING;
            /* fall through */
        case K_WRITING:
            if (exec_future_poll(&c->op.base, cx) == EXEC_PENDING)
                return EXEC_PENDING;
            if (c->op.result < 0)
                return client_fail(c, (int)c->op.result);
            c->off += (size_t)c->op.result;
            if (c->off < c->size) {
                exec_io_write(&c->op, c->sock, c->out + c->off, c->size - c->off);
                continue;
            }
            c->off = 0;
            /* Ask for more than one message: a short read tells the epoll backend the
             * socket is drained, which saves a system call on the next read. */
            exec_io_read(&c->op, c->sock, c->in, sizeof c->in);
            c->state = K_READING;
            /* fall through */
        case K_READING:
            if (exec_future_poll(&c->op.base, cx) == EXEC_PENDING)
                return EXEC_PENDING;
            if (c->op.result <= 0)
                return client_fail(c, c->op.result < 0 ? (int)c->op.result : -EPROTO);
            c->off += (size_t)c->op.result;
            if (c->off < c->size) {
                exec_io_read(&c->op, c->sock, c->in + c->off, sizeof c->in - c->off);
                continue;
            }
            if (c->off > c->size || memcmp(c->in, c->out, c->size) != 0)
                return client_fail(c, -EPROTO);
            if (c->rtt_ns)
                c->rtt_ns[c->done] = cmn_now_ns() - c->t_sent;
            c->done++;
            c->state = K_FILL;
            break;
        case K_DONE:
            return EXEC_READY;
        }
    }
}

static void client_drop(exec_future *f)
{
    exec_echo_client *c = (exec_echo_client *)(void *)f;
    if (c->state == K_CONNECTING || c->state == K_WRITING || c->state == K_READING)
        exec_future_drop(&c->op.base);
    if (c->sock)
        exec_fd_close(c->sock);
    c->sock = NULL;
}

void exec_echo_client_init(exec_echo_client *c, exec_rt *rt, uint16_t port, unsigned msgs,
                           unsigned size, uint64_t seed, uint64_t *rtt_ns)
{
    memset(c, 0, offsetof(exec_echo_client, out));
    c->base.poll = client_poll;
    c->base.drop = client_drop;
    c->rt = rt;
    c->port = port;
    c->msgs = msgs;
    c->size = size > EXEC_ECHO_MAX_MSG ? EXEC_ECHO_MAX_MSG : size;
    c->seed = seed | 1;
    c->rtt_ns = rtt_ns;
}
