/* lin.c — Wing & Gong's linearizability search with Lowe's dead-state memo.
 *
 * The operations of each thread are sequential, so a partial linearization is
 * described by how many operations of each thread are placed (a position vector)
 * plus the queue contents those placements produced. At each step the candidates are
 * the next operations of the threads that were invoked before every remaining
 * operation's earliest response (otherwise some op that must come first is still
 * waiting); a candidate is placed if the sequential queue allows its result. A state
 * (positions, contents) that led nowhere is remembered by a 128-bit hash, so the
 * search never explores it twice: that turns the exponential blow-up of overlapping
 * operations into something proportional to the distinct states. */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/align.h"
#include "msq_lin.h"

typedef struct key128 {
    uint64_t a, b;
} key128;

typedef struct search {
    const msq_lin_op *ops;
    size_t n, nthreads;
    size_t *order; /* op indices grouped by thread, each group sorted by invoke */
    size_t *start; /* thread t's ops are order[start[t] .. start[t+1]) */
    size_t *pos;   /* placed ops per thread */
    uint64_t *buf; /* the sequential queue: buf[front .. back) */
    size_t front, back;
    key128 *memo; /* open addressing; a = 0 and b = 0 means empty */
    size_t memo_cap, memo_len;
    uint64_t states, max_states;
    size_t placed, deepest;
} search;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static key128 state_key(const search *s)
{
    key128 k = {0x9e3779b97f4a7c15ull, 0x6a09e667f3bcc909ull};
    for (size_t t = 0; t < s->nthreads; t++) {
        k.a = mix(k.a ^ s->pos[t]);
        k.b = mix(k.b + s->pos[t] * 0x100000001b3ull);
    }
    for (size_t i = s->front; i < s->back; i++) {
        k.a = mix(k.a ^ s->buf[i]);
        k.b = mix(k.b + (s->buf[i] ^ 0xc2b2ae3d27d4eb4full));
    }
    if (k.a == 0 && k.b == 0)
        k.a = 1;
    return k;
}

static bool memo_has(const search *s, key128 k)
{
    for (size_t i = k.a & (s->memo_cap - 1);; i = (i + 1) & (s->memo_cap - 1)) {
        if (s->memo[i].a == 0 && s->memo[i].b == 0)
            return false;
        if (s->memo[i].a == k.a && s->memo[i].b == k.b)
            return true;
    }
}

static int memo_add(search *s, key128 k)
{
    if (2 * (s->memo_len + 1) > s->memo_cap) {
        size_t cap = s->memo_cap * 2;
        key128 *m = calloc(cap, sizeof *m);
        if (m == NULL)
            return -ENOMEM;
        for (size_t j = 0; j < s->memo_cap; j++) {
            key128 e = s->memo[j];
            if (e.a == 0 && e.b == 0)
                continue;
            size_t i = e.a & (cap - 1);
            while (m[i].a != 0 || m[i].b != 0)
                i = (i + 1) & (cap - 1);
            m[i] = e;
        }
        free(s->memo);
        s->memo = m;
        s->memo_cap = cap;
    }
    size_t i = k.a & (s->memo_cap - 1);
    while (s->memo[i].a != 0 || s->memo[i].b != 0)
        i = (i + 1) & (s->memo_cap - 1);
    s->memo[i] = k;
    s->memo_len++;
    return 0;
}

/* Applies op to the sequential queue if its result is legal there. */
static bool apply(search *s, const msq_lin_op *op)
{
    switch (op->kind) {
    case MSQ_LIN_ENQ:
        s->buf[s->back++] = op->value;
        return true;
    case MSQ_LIN_DEQ:
        if (s->front == s->back || s->buf[s->front] != op->value)
            return false;
        s->front++;
        return true;
    case MSQ_LIN_DEQ_EMPTY:
        return s->front == s->back;
    }
    return false;
}

static void undo(search *s, const msq_lin_op *op)
{
    if (op->kind == MSQ_LIN_ENQ)
        s->back--;
    else if (op->kind == MSQ_LIN_DEQ)
        s->front--; /* buf[front] still holds the value: enqueues only write at back */
}

static const msq_lin_op *next_op(const search *s, size_t t)
{
    size_t i = s->start[t] + s->pos[t];
    return i < s->start[t + 1] ? &s->ops[s->order[i]] : NULL;
}

/* Depth-first search for a linearization of the remaining ops (a state machine on
 * the position vector; recursion depth is the number of ops). */
static int dfs(search *s)
{
    if (s->placed == s->n)
        return 1;
    if (s->max_states && s->states >= s->max_states)
        return -E2BIG;
    s->states++;
    key128 k = state_key(s);
    if (memo_has(s, k))
        return 0;
    uint64_t min_resp = UINT64_MAX;
    for (size_t t = 0; t < s->nthreads; t++) {
        const msq_lin_op *o = next_op(s, t);
        if (o && o->response < min_resp)
            min_resp = o->response;
    }
    /* Try the candidates in order of response time: the operation that must finish
     * first is the likeliest to come first, and an operation left pending for long
     * (its thread was preempted mid-call) is only placed when nothing else fits, so a
     * wrong guess is undone by the nearest backtrack instead of a deep one. */
    size_t cand[MSQ_LIN_MAX_THREADS], nc = 0;
    for (size_t t = 0; t < s->nthreads; t++) {
        const msq_lin_op *o = next_op(s, t);
        if (o == NULL || o->invoke > min_resp)
            continue;
        size_t j = nc++;
        while (j > 0 && next_op(s, cand[j - 1])->response > o->response) {
            cand[j] = cand[j - 1];
            j--;
        }
        cand[j] = t;
    }
    for (size_t c = 0; c < nc; c++) {
        size_t t = cand[c];
        const msq_lin_op *o = next_op(s, t);
        if (!apply(s, o))
            continue;
        s->pos[t]++;
        s->placed++;
        if (s->placed > s->deepest)
            s->deepest = s->placed;
        int r = dfs(s);
        s->pos[t]--;
        s->placed--;
        undo(s, o);
        if (r != 0)
            return r;
    }
    return memo_add(s, k);
}

typedef struct sort_item {
    uint64_t thread, invoke;
    size_t idx;
} sort_item;

static int by_thread_then_invoke(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    if (x->thread != y->thread)
        return x->thread < y->thread ? -1 : 1;
    return (x->invoke > y->invoke) - (x->invoke < y->invoke);
}

/* Checks each op and groups them by thread; -EINVAL with res->why on a bad op. */
static int prepare(search *s, msq_lin_result *res)
{
    for (size_t i = 0; i < s->n; i++) {
        const msq_lin_op *o = &s->ops[i];
        if (o->kind != MSQ_LIN_ENQ && o->kind != MSQ_LIN_DEQ && o->kind != MSQ_LIN_DEQ_EMPTY) {
            snprintf(res->why, sizeof res->why, "op %zu: unknown kind %d", i, (int)o->kind);
            return -EINVAL;
        }
        if (o->invoke >= o->response) {
            snprintf(res->why, sizeof res->why,
                     "op %zu: invoked at %llu but responded at %llu (must be later)", i,
                     (unsigned long long)o->invoke, (unsigned long long)o->response);
            return -EINVAL;
        }
    }
    sort_item *items = calloc(s->n + 1, sizeof *items);
    if (items == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        items[i] = (sort_item){s->ops[i].thread, s->ops[i].invoke, i};
    qsort(items, s->n, sizeof *items, by_thread_then_invoke);
    for (size_t i = 0; i < s->n; i++)
        s->order[i] = items[i].idx;
    free(items);
    s->nthreads = 0;
    for (size_t i = 0; i < s->n; i++) {
        const msq_lin_op *o = &s->ops[s->order[i]];
        if (i == 0 || o->thread != s->ops[s->order[i - 1]].thread) {
            s->start[s->nthreads++] = i;
            continue;
        }
        const msq_lin_op *prev = &s->ops[s->order[i - 1]];
        if (prev->response >= o->invoke) {
            snprintf(res->why, sizeof res->why,
                     "op %zu: thread %u invoked it at %llu before its previous op %zu "
                     "responded at %llu",
                     s->order[i], o->thread, (unsigned long long)o->invoke, s->order[i - 1],
                     (unsigned long long)prev->response);
            return -EINVAL;
        }
    }
    s->start[s->nthreads] = s->n;
    if (s->nthreads > MSQ_LIN_MAX_THREADS) {
        snprintf(res->why, sizeof res->why, "history has %zu threads; the checker takes at most %u",
                 s->nthreads, MSQ_LIN_MAX_THREADS);
        return -EINVAL;
    }
    return 0;
}

int msq_lin_check(const msq_lin_op *ops, size_t n, uint64_t max_states, msq_lin_result *res)
{
    memset(res, 0, sizeof *res);
    search s = {.ops = ops, .n = n, .max_states = max_states, .memo_cap = 1024};
    s.order = calloc(n + 1, sizeof *s.order);
    s.start = calloc(n + 2, sizeof *s.start);
    s.pos = calloc(n + 1, sizeof *s.pos);
    s.buf = calloc(n + 1, sizeof *s.buf);
    s.memo = calloc(s.memo_cap, sizeof *s.memo);
    int rc = -ENOMEM;
    if (s.order && s.start && s.pos && s.buf && s.memo) {
        rc = prepare(&s, res);
        if (rc == 0)
            rc = dfs(&s);
        if (rc == 0)
            snprintf(res->why, sizeof res->why,
                     "not linearizable: no FIFO order places more than %zu of %zu operations",
                     s.deepest, n);
        else if (rc == -E2BIG)
            snprintf(res->why, sizeof res->why, "no verdict: %llu states searched",
                     (unsigned long long)s.states);
    }
    res->states = s.states;
    res->deepest = s.deepest;
    free(s.order);
    free(s.start);
    free(s.pos);
    free(s.buf);
    free(s.memo);
    return rc;
}

/* --- the recorder ------------------------------------------------------------------ */

typedef struct lin_thread_log {
    CMN_CACHE_ALIGNED size_t len;
    msq_lin_op *ops;
} lin_thread_log;

struct msq_lin_log {
    CMN_CACHE_ALIGNED _Atomic uint64_t clock;
    unsigned threads;
    size_t per_thread;
    lin_thread_log *logs;
    msq_lin_op *all;
};

msq_lin_log *msq_lin_log_create(unsigned threads, size_t per_thread)
{
    msq_lin_log *log =
        aligned_alloc(CMN_CACHE_LINE, CMN_ALIGN_UP(sizeof *log, (size_t)CMN_CACHE_LINE));
    if (log == NULL)
        return NULL;
    memset(log, 0, sizeof *log);
    atomic_init(&log->clock, 1);
    log->threads = threads;
    log->per_thread = per_thread;
    log->logs = aligned_alloc(CMN_CACHE_LINE, sizeof(lin_thread_log) * (threads ? threads : 1));
    log->all = calloc((size_t)threads * per_thread + 1, sizeof *log->all);
    if (log->logs == NULL || log->all == NULL) {
        msq_lin_log_destroy(log);
        return NULL;
    }
    for (unsigned t = 0; t < threads; t++)
        log->logs[t] = (lin_thread_log){.len = 0, .ops = log->all + (size_t)t * per_thread};
    return log;
}

void msq_lin_log_destroy(msq_lin_log *log)
{
    if (log == NULL)
        return;
    free(log->logs);
    free(log->all);
    free(log);
}

uint64_t msq_lin_begin(msq_lin_log *log)
{
    /* seq_cst RMW on one counter: all stamps are totally ordered and the order
     * extends each thread's program order, which is what "A returned before B was
     * invoked" needs. */
    return atomic_fetch_add_explicit(&log->clock, 1, memory_order_seq_cst);
}

int msq_lin_end(msq_lin_log *log, unsigned thread, uint64_t invoke, msq_lin_kind kind,
                uint64_t value)
{
    uint64_t resp = atomic_fetch_add_explicit(&log->clock, 1, memory_order_seq_cst);
    lin_thread_log *tl = &log->logs[thread];
    if (tl->len == log->per_thread)
        return -ENOSPC;
    tl->ops[tl->len++] = (msq_lin_op){invoke, resp, value, thread, kind};
    return 0;
}

size_t msq_lin_log_ops(msq_lin_log *log, const msq_lin_op **ops)
{
    /* Compact the per-thread runs into the front of `all`. */
    size_t n = 0;
    for (unsigned t = 0; t < log->threads; t++) {
        memmove(log->all + n, log->logs[t].ops, log->logs[t].len * sizeof *log->all);
        log->logs[t].ops = log->all + n;
        n += log->logs[t].len;
    }
    *ops = log->all;
    return n;
}
