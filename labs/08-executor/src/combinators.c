/* combinators.c — yield, join-all, select-first, timeout and interval (freestanding).
 *
 * Each combinator is a hand-written state machine over futures the caller owns: the
 * same shape a learner writes for their own futures. They never allocate. A
 * combinator that finishes early (select, timeout) drops the futures it will never
 * poll again at once, so their cleanup (timer removal, I/O cancellation) runs then
 * and exactly once; the caller must not drop those again. */
#include "exec.h"

/* --- yield ----------------------------------------------------------------------------- */
static exec_poll yield_poll(exec_future *f, exec_cx *cx)
{
    exec_yield *y = (exec_yield *)(void *)f;
    if (y->yielded)
        return EXEC_READY;
    y->yielded = true;
    exec_waker_wake_by_ref(&cx->waker);
    return EXEC_PENDING;
}

void exec_yield_init(exec_yield *y)
{
    y->base.poll = yield_poll;
    y->base.drop = NULL;
    y->yielded = false;
}

/* --- join-all -------------------------------------------------------------------------- */
static exec_poll join_all_poll(exec_future *f, exec_cx *cx)
{
    exec_join_all *j = (exec_join_all *)(void *)f;
    for (size_t i = 0; i < j->n && j->left > 0; i++) {
        if (j->done[i])
            continue;
        if (exec_future_poll(j->futs[i], cx) == EXEC_READY) {
            j->done[i] = true;
            j->left--;
        }
    }
    return j->left == 0 ? EXEC_READY : EXEC_PENDING;
}

static void join_all_drop(exec_future *f)
{
    exec_join_all *j = (exec_join_all *)(void *)f;
    for (size_t i = 0; i < j->n; i++)
        exec_future_drop(j->futs[i]);
}

void exec_join_all_init(exec_join_all *j, exec_future **futs, bool *done, size_t n)
{
    j->base.poll = join_all_poll;
    j->base.drop = join_all_drop;
    j->futs = futs;
    j->done = done;
    j->n = n;
    j->left = n;
    for (size_t i = 0; i < n; i++)
        done[i] = false;
}

/* --- select-first ----------------------------------------------------------------------- */
static exec_poll select_poll(exec_future *f, exec_cx *cx)
{
    exec_select *s = (exec_select *)(void *)f;
    if (s->finished)
        return EXEC_READY;
    for (size_t i = 0; i < s->n; i++) {
        if (exec_future_poll(s->futs[i], cx) == EXEC_READY) {
            s->winner = i;
            s->finished = true;
            for (size_t k = 0; k < s->n; k++)
                if (k != i)
                    exec_future_drop(s->futs[k]);
            return EXEC_READY;
        }
    }
    return EXEC_PENDING;
}

static void select_drop(exec_future *f)
{
    exec_select *s = (exec_select *)(void *)f;
    if (s->finished) {
        exec_future_drop(s->futs[s->winner]);
        return;
    }
    for (size_t i = 0; i < s->n; i++)
        exec_future_drop(s->futs[i]);
}

void exec_select_init(exec_select *s, exec_future **futs, size_t n)
{
    s->base.poll = select_poll;
    s->base.drop = select_drop;
    s->futs = futs;
    s->n = n;
    s->winner = n;
    s->finished = false;
}

/* --- timeout ----------------------------------------------------------------------------- */
static exec_poll timeout_poll(exec_future *f, exec_cx *cx)
{
    exec_timeout *t = (exec_timeout *)(void *)f;
    if (t->finished)
        return EXEC_READY;
    if (exec_future_poll(t->inner, cx) == EXEC_READY) {
        t->finished = true;
        exec_future_drop(&t->sleep.base);
        return EXEC_READY;
    }
    if (exec_future_poll(&t->sleep.base, cx) == EXEC_READY) {
        t->finished = true;
        t->timed_out = true;
        exec_future_drop(t->inner);
        exec_future_drop(&t->sleep.base);
        return EXEC_READY;
    }
    return EXEC_PENDING;
}

static void timeout_drop(exec_future *f)
{
    exec_timeout *t = (exec_timeout *)(void *)f;
    if (t->finished) {
        if (!t->timed_out)
            exec_future_drop(t->inner);
        return;
    }
    exec_future_drop(t->inner);
    exec_future_drop(&t->sleep.base);
}

void exec_timeout_init(exec_timeout *t, exec_future *inner, uint64_t ms)
{
    t->base.poll = timeout_poll;
    t->base.drop = timeout_drop;
    t->inner = inner;
    exec_sleep_init(&t->sleep, ms);
    t->timed_out = false;
    t->finished = false;
}

/* --- interval ------------------------------------------------------------------------------ */
void exec_interval_init(exec_interval *iv, uint64_t period_ms)
{
    exec_sleep_init(&iv->sleep, period_ms);
    iv->period_ms = period_ms;
}

exec_poll exec_interval_tick(exec_interval *iv, exec_cx *cx)
{
    if (exec_future_poll(&iv->sleep.base, cx) != EXEC_READY)
        return EXEC_PENDING;
    uint64_t next = exec_sleep_deadline(&iv->sleep) + iv->period_ms;
    exec_future_drop(&iv->sleep.base);
    exec_sleep_until_init(&iv->sleep, next);
    return EXEC_READY;
}

void exec_interval_drop(exec_interval *iv)
{
    exec_future_drop(&iv->sleep.base);
}
