/* workloads.c — the measured workloads (see exec_workloads.h).
 *
 * Each is a "main" future that spawns the workers of the experiment from inside the
 * runtime (as a Tokio or libuv program would) and joins them; the caller blocks on
 * it and reads the clock around it. Handles and result arrays are allocated before
 * the clock starts. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "common/rng.h"
#include "common/time.h"
#include "exec_echo.h"
#include "exec_workloads.h"

/* --- a task that yields n times -------------------------------------------------------- */
typedef struct yielder {
    exec_future base;
    exec_yield y;
    unsigned left;
    bool yielding;
} yielder;

static exec_poll yielder_poll(exec_future *f, exec_cx *cx)
{
    yielder *t = (yielder *)(void *)f;
    while (t->left > 0) {
        if (!t->yielding) {
            exec_yield_init(&t->y);
            t->yielding = true;
        }
        if (exec_future_poll(&t->y.base, cx) == EXEC_PENDING)
            return EXEC_PENDING;
        t->yielding = false;
        t->left--;
    }
    return EXEC_READY;
}

/* --- spawn n copies of a future, then join them ------------------------------------------- */
typedef struct fanout {
    exec_future base;
    exec_sched *sched;
    exec_join **js;
    unsigned n, spawned, joined;
    const exec_future *(*make)(void *ctx, unsigned i, size_t *size);
    void *ctx;
    bool failed;
} fanout;

static exec_poll fanout_poll(exec_future *f, exec_cx *cx)
{
    fanout *p = (fanout *)(void *)f;
    while (p->spawned < p->n) {
        size_t size;
        const exec_future *child = p->make(p->ctx, p->spawned, &size);
        p->js[p->spawned] = exec_spawn(p->sched, child, size);
        if (!p->js[p->spawned]) {
            p->failed = true;
            p->n = p->spawned;
            break;
        }
        p->spawned++;
    }
    while (p->joined < p->n) {
        if (exec_join_poll(p->js[p->joined], cx) == EXEC_PENDING)
            return EXEC_PENDING;
        exec_join_drop(p->js[p->joined]);
        p->joined++;
    }
    return EXEC_READY;
}

static uint64_t run_fanout(exec_rt *rt, unsigned n,
                           const exec_future *(*make)(void *, unsigned, size_t *), void *ctx)
{
    exec_join **js = malloc(sizeof *js * (n ? n : 1));
    if (!js)
        return 0;
    fanout p = {{fanout_poll, NULL}, exec_rt_sched(rt), js, n, 0, 0, make, ctx, false};
    uint64_t t0 = cmn_now_ns();
    exec_join *j = exec_rt_spawn(rt, &p.base, sizeof p);
    if (!j) {
        free(js);
        return 0;
    }
    exec_rt_block_on(rt, j);
    uint64_t took = cmn_now_ns() - t0;
    bool failed = ((fanout *)exec_join_output(j))->failed;
    exec_join_drop(j);
    free(js);
    return failed ? 0 : (took ? took : 1);
}

static const exec_future *make_yielder(void *ctx, unsigned i, size_t *size)
{
    (void)i;
    yielder *proto = ctx;
    *size = sizeof *proto;
    return &proto->base;
}

uint64_t exec_wl_spawn(exec_rt *rt, unsigned n, unsigned yields)
{
    yielder proto = {.base = {yielder_poll, NULL}, .left = yields};
    return run_fanout(rt, n, make_yielder, &proto);
}

uint64_t exec_wl_yield(exec_rt *rt, unsigned tasks, unsigned yields)
{
    return exec_wl_spawn(rt, tasks, yields);
}

/* --- timers -------------------------------------------------------------------------------- */
typedef struct sleeper {
    exec_future base;
    exec_sleep s;
    uint64_t ms, armed_ns;
    uint64_t *late;
    bool started;
} sleeper;

static exec_poll sleeper_poll(exec_future *f, exec_cx *cx)
{
    sleeper *z = (sleeper *)(void *)f;
    if (!z->started) {
        z->started = true;
        z->armed_ns = cmn_now_ns();
        exec_sleep_init(&z->s, z->ms);
    }
    if (exec_future_poll(&z->s.base, cx) == EXEC_PENDING)
        return EXEC_PENDING;
    uint64_t now = cmn_now_ns(), due = z->armed_ns + z->ms * 1000000u;
    *z->late = now > due ? now - due : 0;
    return EXEC_READY;
}

static void sleeper_drop(exec_future *f)
{
    sleeper *z = (sleeper *)(void *)f;
    if (z->started)
        exec_future_drop(&z->s.base);
}

typedef struct timer_ctx {
    cmn_rng rng;
    unsigned max_ms;
    uint64_t *late;
    sleeper proto;
} timer_ctx;

static const exec_future *make_sleeper(void *ctx, unsigned i, size_t *size)
{
    timer_ctx *t = ctx;
    t->proto = (sleeper){.base = {sleeper_poll, sleeper_drop},
                         .ms = 1 + cmn_rng_below(&t->rng, t->max_ms),
                         .late = &t->late[i]};
    *size = sizeof t->proto;
    return &t->proto.base;
}

uint64_t exec_wl_timers(exec_rt *rt, unsigned n, unsigned max_ms, uint64_t seed, uint64_t *late_ns)
{
    timer_ctx t = {.max_ms = max_ms ? max_ms : 1, .late = late_ns};
    cmn_rng_seed(&t.rng, seed);
    return run_fanout(rt, n, make_sleeper, &t);
}

/* --- echo ----------------------------------------------------------------------------------------- */
typedef struct echo_ctx {
    exec_rt *rt;
    uint16_t port;
    unsigned msgs, size;
    uint64_t *rtt;
    exec_echo_client *proto;
    exec_join **clients;
} echo_ctx;

static const exec_future *make_client(void *ctx, unsigned i, size_t *size)
{
    echo_ctx *e = ctx;
    exec_echo_client_init(e->proto, e->rt, e->port, e->msgs, e->size, 0x5EED + i,
                          e->rtt ? e->rtt + (size_t)i * e->msgs : NULL);
    *size = sizeof *e->proto;
    return &e->proto->base;
}

/* Like fanout, but keeps the client handles to read their errors. */
typedef struct echo_main {
    exec_future base;
    echo_ctx *e;
    unsigned n, spawned, joined;
    int err;
} echo_main;

static exec_poll echo_main_poll(exec_future *f, exec_cx *cx)
{
    echo_main *m = (echo_main *)(void *)f;
    echo_ctx *e = m->e;
    while (m->spawned < m->n) {
        size_t size;
        const exec_future *c = make_client(e, m->spawned, &size);
        e->clients[m->spawned] = exec_spawn(exec_rt_sched(e->rt), c, size);
        if (!e->clients[m->spawned]) {
            m->err = -ENOMEM;
            m->n = m->spawned;
            break;
        }
        m->spawned++;
    }
    while (m->joined < m->n) {
        exec_join *j = e->clients[m->joined];
        if (exec_join_poll(j, cx) == EXEC_PENDING)
            return EXEC_PENDING;
        exec_echo_client *c = exec_join_output(j);
        if (c->err && !m->err)
            m->err = c->err;
        exec_join_drop(j);
        m->joined++;
    }
    return EXEC_READY;
}

static uint64_t echo_run(exec_rt *rt, unsigned conns, unsigned msgs, unsigned size,
                         uint64_t *rtt_ns, int *err, unsigned spinners);

uint64_t exec_wl_echo(exec_rt *rt, unsigned conns, unsigned msgs, unsigned size, uint64_t *rtt_ns,
                      int *err)
{
    return echo_run(rt, conns, msgs, size, rtt_ns, err, 0);
}

/* --- spinners, for fairness ---------------------------------------------------------------------- */
typedef struct spinner {
    exec_future base;
    atomic_bool *stop;
    exec_yield y;
    bool yielding;
} spinner;

static exec_poll spinner_poll(exec_future *f, exec_cx *cx)
{
    spinner *s = (spinner *)(void *)f;
    for (;;) {
        if (atomic_load_explicit(s->stop, memory_order_relaxed))
            return EXEC_READY;
        if (!s->yielding) {
            uint64_t end = cmn_now_ns() + 20000; /* 20 us of "work" per turn */
            while (cmn_now_ns() < end) {
            }
            exec_yield_init(&s->y);
            s->yielding = true;
        }
        if (exec_future_poll(&s->y.base, cx) == EXEC_PENDING)
            return EXEC_PENDING;
        s->yielding = false;
    }
}

uint64_t exec_wl_fairness(exec_rt *rt, unsigned spinners, unsigned msgs, uint64_t *rtt_ns, int *err)
{
    return echo_run(rt, 1, msgs, 64, rtt_ns, err, spinners);
}

static uint64_t echo_run(exec_rt *rt, unsigned conns, unsigned msgs, unsigned size,
                         uint64_t *rtt_ns, int *err, unsigned nspin)
{
    *err = 0;
    exec_fd *lst;
    int rc = exec_tcp_listen(rt, "127.0.0.1", 0, (int)conns + 16, &lst);
    if (rc < 0) {
        *err = rc;
        return 0;
    }
    exec_echo_client *proto = malloc(sizeof *proto);
    exec_join **clients = malloc(sizeof *clients * conns);
    exec_join **spins = malloc(sizeof *spins * (nspin ? nspin : 1));
    atomic_bool stop = false;
    echo_ctx e = {rt, exec_fd_port(lst), msgs, size, rtt_ns, proto, clients};
    exec_echo_server srv;
    exec_echo_server_init(&srv, rt, lst, conns);
    exec_join *js = exec_rt_spawn(rt, &srv.base, sizeof srv);
    for (unsigned i = 0; i < nspin; i++) {
        spinner s = {.base = {spinner_poll, NULL}, .stop = &stop};
        spins[i] = exec_rt_spawn(rt, &s.base, sizeof s);
    }
    echo_main m = {{echo_main_poll, NULL}, &e, conns, 0, 0, 0};
    uint64_t t0 = cmn_now_ns();
    exec_join *jm = exec_rt_spawn(rt, &m.base, sizeof m);
    exec_rt_block_on(rt, jm);
    uint64_t took = cmn_now_ns() - t0;
    atomic_store(&stop, true);
    *err = ((echo_main *)exec_join_output(jm))->err;
    exec_join_drop(jm);
    for (unsigned i = 0; i < nspin; i++) {
        exec_rt_block_on(rt, spins[i]);
        exec_join_drop(spins[i]);
    }
    exec_join_abort(js); /* done if every client connected; else stop accepting */
    exec_rt_block_on(rt, js);
    if (!*err && ((exec_echo_server *)exec_join_output(js))->err)
        *err = ((exec_echo_server *)exec_join_output(js))->err;
    exec_join_drop(js);
    exec_fd_close(lst);
    free(spins);
    free(clients);
    free(proto);
    return *err ? 0 : (took ? took : 1);
}
