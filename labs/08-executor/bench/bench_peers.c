/* bench_peers.c — libuv and libev on the same timer and echo workloads as this lab's
 * runtime (bench_runtime.c), written the way each library's users write them: libuv
 * with uv_timer and uv_tcp (uv_try_write first, uv_write when it cannot finish),
 * libev with ev_timer and ev_io over non-blocking sockets (epoll backend).
 *
 * Timer lateness is measured exactly as for the runtime: from the real time just
 * before the timer is armed to the real time its callback runs, minus the duration.
 * libuv and libev count from their cached loop time, so a callback can run before
 * the real deadline: those are counted in the "early" counter and their lateness is
 * recorded as 0. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "bench_common.h"
#include "common/hist.h"
#include "common/rng.h"
#include "common/time.h"

/* --- shared -------------------------------------------------------------------------------- */
typedef struct timer_rec {
    uint64_t armed, dur_ns;
    uint64_t *late;
    unsigned *early;
} timer_rec;

static void timer_fired(timer_rec *r)
{
    uint64_t now = cmn_now_ns(), due = r->armed + r->dur_ns;
    if (now < due)
        (*r->early)++;
    *r->late = now > due ? now - due : 0;
}

static void report_timers(bench_state *st, const uint64_t *late, unsigned early, double pct)
{
    cmn_hist *h = malloc(sizeof *h);
    cmn_hist_init(h);
    for (unsigned i = 0; i < BENCH_TIMERS; i++)
        cmn_hist_record(h, late[i]);
    bench_set_iteration_time(st, (double)cmn_hist_percentile(h, pct) / 1e9);
    bench_counter(st, "p50_us", (double)cmn_hist_percentile(h, 50) / 1e3, 0);
    bench_counter(st, "p99_us", (double)cmn_hist_percentile(h, 99) / 1e3, 0);
    bench_counter(st, "max_us", (double)h->max / 1e3, 0);
    bench_counter(st, "early", early, 0);
    free(h);
}

static void fill_msg(unsigned char *b, unsigned client, unsigned n)
{
    for (unsigned i = 0; i < BENCH_ECHO_SIZE; i++)
        b[i] = (unsigned char)(client * 31u + n * 7u + i);
}

/* --- libuv timers ------------------------------------------------------------------------------ */
typedef struct uv_rec {
    uv_timer_t t;
    timer_rec r;
} uv_rec;

static void uv_timer_done(uv_timer_t *t)
{
    timer_fired(&((uv_rec *)(void *)t)->r);
    uv_close((uv_handle_t *)t, NULL);
}

static void uv_timers(bench_state *st, double pct)
{
    uint64_t *late = calloc(BENCH_TIMERS, sizeof *late);
    uv_rec *recs = calloc(BENCH_TIMERS, sizeof *recs);
    while (bench_keep_running(st)) {
        uv_loop_t loop;
        uv_loop_init(&loop);
        unsigned early = 0;
        cmn_rng rng;
        cmn_rng_seed(&rng, 42);
        uv_update_time(&loop);
        for (unsigned i = 0; i < BENCH_TIMERS; i++) {
            uint64_t ms = 1 + cmn_rng_below(&rng, BENCH_TIMER_MAX_MS);
            recs[i].r = (timer_rec){cmn_now_ns(), ms * 1000000u, &late[i], &early};
            uv_timer_init(&loop, &recs[i].t);
            uv_timer_start(&recs[i].t, uv_timer_done, ms, 0);
        }
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        report_timers(st, late, early, pct);
    }
    free(recs);
    free(late);
}

static void bm_uv_timer_p50(bench_state *st, void *ctx)
{
    (void)ctx;
    uv_timers(st, 50);
}

static void bm_uv_timer_p99(bench_state *st, void *ctx)
{
    (void)ctx;
    uv_timers(st, 99);
}

/* --- libev timers ------------------------------------------------------------------------------ */
typedef struct ev_rec {
    ev_timer t;
    timer_rec r;
} ev_rec;

static void ev_timer_done(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    timer_fired(&((ev_rec *)(void *)t)->r);
}

static void ev_timers(bench_state *st, double pct)
{
    uint64_t *late = calloc(BENCH_TIMERS, sizeof *late);
    ev_rec *recs = calloc(BENCH_TIMERS, sizeof *recs);
    while (bench_keep_running(st)) {
        struct ev_loop *loop = ev_loop_new(EVBACKEND_EPOLL);
        unsigned early = 0;
        cmn_rng rng;
        cmn_rng_seed(&rng, 42);
        ev_now_update(loop);
        for (unsigned i = 0; i < BENCH_TIMERS; i++) {
            uint64_t ms = 1 + cmn_rng_below(&rng, BENCH_TIMER_MAX_MS);
            recs[i].r = (timer_rec){cmn_now_ns(), ms * 1000000u, &late[i], &early};
            ev_timer_init(&recs[i].t, ev_timer_done, (double)ms / 1000.0, 0.0);
            ev_timer_start(loop, &recs[i].t);
        }
        ev_run(loop, 0);
        ev_loop_destroy(loop);
        report_timers(st, late, early, pct);
    }
    free(recs);
    free(late);
}

static void bm_ev_timer_p50(bench_state *st, void *ctx)
{
    (void)ctx;
    ev_timers(st, 50);
}

static void bm_ev_timer_p99(bench_state *st, void *ctx)
{
    (void)ctx;
    ev_timers(st, 99);
}

/* --- libuv echo ---------------------------------------------------------------------------------- */
typedef struct uv_conn {
    uv_tcp_t tcp;
    unsigned char buf[4096];
    size_t have; /* client: bytes of the current echo received */
    unsigned id, done;
    unsigned char msg[BENCH_ECHO_SIZE];
    struct uv_echo *e;
} uv_conn;

typedef struct uv_echo {
    uv_loop_t loop;
    uv_tcp_t server;
    uv_conn *clients;
    unsigned finished, failed;
    uv_conn *srv_conns[BENCH_ECHO_CONNS];
    unsigned nsrv;
} uv_echo;

typedef struct uv_wreq {
    uv_write_t req;
    unsigned char data[4096];
} uv_wreq;

static void uv_wdone(uv_write_t *req, int status)
{
    (void)status;
    free(req);
}

/* uv_try_write, then uv_write with a copy for what is left. */
static void uv_send(uv_stream_t *s, const unsigned char *p, size_t n)
{
    uv_buf_t b = uv_buf_init((char *)(uintptr_t)p, (unsigned)n);
    int w = uv_try_write(s, &b, 1);
    if (w < 0)
        w = 0;
    if ((size_t)w == n)
        return;
    uv_wreq *r = malloc(sizeof *r);
    memcpy(r->data, p + w, n - (size_t)w);
    uv_buf_t rest = uv_buf_init((char *)r->data, (unsigned)(n - (size_t)w));
    uv_write(&r->req, s, &rest, 1, uv_wdone);
}

static void uv_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    uv_conn *c = (uv_conn *)(void *)h;
    *buf = uv_buf_init((char *)c->buf + c->have, (unsigned)(sizeof c->buf - c->have));
}

static void uv_srv_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    if (n > 0)
        uv_send(s, (const unsigned char *)buf->base, (size_t)n);
    else if (n < 0)
        uv_read_stop(s);
}

static void uv_on_conn(uv_stream_t *server, int status)
{
    uv_echo *e = server->data;
    if (status < 0 || e->nsrv == BENCH_ECHO_CONNS)
        return;
    uv_conn *c = calloc(1, sizeof *c);
    uv_tcp_init(&e->loop, &c->tcp);
    e->srv_conns[e->nsrv++] = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) == 0) {
        uv_tcp_nodelay(&c->tcp, 1);
        uv_read_start((uv_stream_t *)&c->tcp, uv_alloc, uv_srv_read);
    }
}

static void uv_client_next(uv_conn *c)
{
    fill_msg(c->msg, c->id, c->done);
    c->have = 0;
    uv_send((uv_stream_t *)&c->tcp, c->msg, BENCH_ECHO_SIZE);
}

static void uv_cli_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    uv_conn *c = (uv_conn *)(void *)s;
    if (n < 0) {
        c->e->failed++;
        uv_read_stop(s);
        return;
    }
    c->have += (size_t)n;
    if (c->have < BENCH_ECHO_SIZE)
        return;
    if (memcmp(c->buf, c->msg, BENCH_ECHO_SIZE) != 0)
        c->e->failed++;
    if (++c->done < BENCH_ECHO_MSGS) {
        uv_client_next(c);
        return;
    }
    uv_read_stop(s);
    if (++c->e->finished == BENCH_ECHO_CONNS)
        uv_stop(&c->e->loop);
}

static void uv_on_connect(uv_connect_t *req, int status)
{
    uv_conn *c = req->data;
    free(req);
    if (status < 0) {
        c->e->failed++;
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    uv_read_start((uv_stream_t *)&c->tcp, uv_alloc, uv_cli_read);
    uv_client_next(c);
}

static void uv_close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void bm_uv_echo(bench_state *st, void *ctx)
{
    (void)ctx;
    while (bench_keep_running(st)) {
        uv_echo *e = calloc(1, sizeof *e);
        e->clients = calloc(BENCH_ECHO_CONNS, sizeof *e->clients);
        uv_loop_init(&e->loop);
        uv_tcp_init(&e->loop, &e->server);
        e->server.data = e;
        struct sockaddr_in a;
        uv_ip4_addr("127.0.0.1", 0, &a);
        uv_tcp_bind(&e->server, (struct sockaddr *)&a, 0);
        uv_listen((uv_stream_t *)&e->server, 128, uv_on_conn);
        int alen = sizeof a;
        uv_tcp_getsockname(&e->server, (struct sockaddr *)&a, &alen);
        uint64_t t0 = cmn_now_ns();
        for (unsigned i = 0; i < BENCH_ECHO_CONNS; i++) {
            uv_conn *c = &e->clients[i];
            c->id = i;
            c->e = e;
            uv_tcp_init(&e->loop, &c->tcp);
            uv_connect_t *req = malloc(sizeof *req);
            req->data = c;
            uv_tcp_connect(req, &c->tcp, (struct sockaddr *)&a, uv_on_connect);
        }
        uv_run(&e->loop, UV_RUN_DEFAULT);
        bench_set_iteration_time(st, (double)(cmn_now_ns() - t0) / 1e9);
        if (e->failed)
            bench_skip(st, "libuv echo: a client failed");
        uv_walk(&e->loop, uv_close_walk, NULL);
        uv_run(&e->loop, UV_RUN_DEFAULT);
        uv_loop_close(&e->loop);
        for (unsigned i = 0; i < e->nsrv; i++)
            free(e->srv_conns[i]);
        free(e->clients);
        free(e);
    }
    bench_set_items(st, bench_state_iterations(st) * BENCH_ECHO_CONNS * BENCH_ECHO_MSGS);
}

/* --- libev echo ----------------------------------------------------------------------------------- */
typedef struct ev_conn {
    ev_io io;
    int fd;
    unsigned char buf[4096];
    size_t have;
    unsigned id, done;
    unsigned char msg[BENCH_ECHO_SIZE];
    struct ev_echo *e;
} ev_conn;

typedef struct ev_echo {
    ev_io accept_io;
    int lfd;
    ev_conn *clients;
    ev_conn *srv[BENCH_ECHO_CONNS];
    unsigned nsrv, finished, failed;
} ev_echo;

static void write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        }
    }
}

static void ev_srv_read(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    ev_conn *c = (ev_conn *)(void *)w;
    ssize_t n = read(c->fd, c->buf, sizeof c->buf);
    if (n > 0)
        write_all(c->fd, c->buf, (size_t)n);
    else if (n == 0)
        ev_io_stop(loop, w);
}

static void ev_on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    ev_echo *e = w->data;
    int fd;
    while ((fd = accept4(e->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        if (e->nsrv == BENCH_ECHO_CONNS) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ev_conn *c = calloc(1, sizeof *c);
        c->fd = fd;
        e->srv[e->nsrv++] = c;
        ev_io_init(&c->io, ev_srv_read, fd, EV_READ);
        ev_io_start(loop, &c->io);
    }
}

static void ev_client_next(ev_conn *c)
{
    fill_msg(c->msg, c->id, c->done);
    c->have = 0;
    write_all(c->fd, c->msg, BENCH_ECHO_SIZE);
}

static void ev_cli_read(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    ev_conn *c = (ev_conn *)(void *)w;
    ssize_t n = read(c->fd, c->buf + c->have, sizeof c->buf - c->have);
    if (n <= 0) {
        if (n == 0) {
            c->e->failed++;
            ev_io_stop(loop, w);
        }
        return;
    }
    c->have += (size_t)n;
    if (c->have < BENCH_ECHO_SIZE)
        return;
    if (memcmp(c->buf, c->msg, BENCH_ECHO_SIZE) != 0)
        c->e->failed++;
    if (++c->done < BENCH_ECHO_MSGS) {
        ev_client_next(c);
        return;
    }
    ev_io_stop(loop, w);
    if (++c->e->finished == BENCH_ECHO_CONNS)
        ev_break(loop, EVBREAK_ALL);
}

static void bm_ev_echo(bench_state *st, void *ctx)
{
    (void)ctx;
    while (bench_keep_running(st)) {
        struct ev_loop *loop = ev_loop_new(EVBACKEND_EPOLL);
        ev_echo *e = calloc(1, sizeof *e);
        e->clients = calloc(BENCH_ECHO_CONNS, sizeof *e->clients);
        e->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t alen = sizeof a;
        bind(e->lfd, (struct sockaddr *)&a, sizeof a);
        listen(e->lfd, 128);
        getsockname(e->lfd, (struct sockaddr *)&a, &alen);
        ev_io_init(&e->accept_io, ev_on_accept, e->lfd, EV_READ);
        e->accept_io.data = e;
        ev_io_start(loop, &e->accept_io);
        uint64_t t0 = cmn_now_ns();
        for (unsigned i = 0; i < BENCH_ECHO_CONNS; i++) {
            ev_conn *c = &e->clients[i];
            c->id = i;
            c->e = e;
            c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            int one = 1;
            setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0)
                e->failed++;
            fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK); /* reads must not block */
            ev_io_init(&c->io, ev_cli_read, c->fd, EV_READ);
            ev_io_start(loop, &c->io);
            ev_client_next(c);
        }
        ev_run(loop, 0);
        bench_set_iteration_time(st, (double)(cmn_now_ns() - t0) / 1e9);
        if (e->failed)
            bench_skip(st, "libev echo: a client failed");
        for (unsigned i = 0; i < BENCH_ECHO_CONNS; i++)
            close(e->clients[i].fd);
        for (unsigned i = 0; i < e->nsrv; i++) {
            close(e->srv[i]->fd);
            free(e->srv[i]);
        }
        close(e->lfd);
        free(e->clients);
        free(e);
        ev_loop_destroy(loop);
    }
    bench_set_items(st, bench_state_iterations(st) * BENCH_ECHO_CONNS * BENCH_ECHO_MSGS);
}

/* --- registration ------------------------------------------------------------------------------------ */
static void reg(const char *name, bench_fn fn, int iters)
{
    bench_reg_manual(name, fn, NULL, iters);
}

void bench_peers_register(void)
{
    reg("timer_p50/libuv", bm_uv_timer_p50, 1);
    reg("timer_p50/libev", bm_ev_timer_p50, 1);
    reg("timer_p99/libuv", bm_uv_timer_p99, 1);
    reg("timer_p99/libev", bm_ev_timer_p99, 1);
    reg("echo/libuv", bm_uv_echo, 1);
    reg("echo/libev", bm_ev_echo, 1);
}
