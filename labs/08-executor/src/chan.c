/* chan.c — a bounded MPSC channel and a oneshot (freestanding core).
 *
 * The MPSC channel is a ring of fixed-size items under a spinlock: critical sections
 * are a copy and a few pointer moves. Senders that find it full queue themselves
 * (the waiter node lives inside their send future) and are served in FIFO order: a
 * free slot goes to the sender at the head of the queue, so a stream of new senders
 * cannot starve an old one. Wakers are always called after the lock is released. */
#include "exec.h"

static void copy_bytes(unsigned char *dst, const unsigned char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
}

void exec_mpsc_init(exec_mpsc *ch, void *storage, size_t elem, size_t cap)
{
    atomic_flag_clear(&ch->lock.f);
    ch->slots = storage;
    ch->elem = elem;
    ch->cap = cap;
    ch->head = ch->len = 0;
    ch->senders = 1;
    ch->rx_closed = false;
    ch->rx = (exec_waker){NULL, NULL};
    ch->wait_head = ch->wait_tail = NULL;
}

static void unqueue(exec_mpsc *ch, exec_mpsc_waiter *w)
{
    if (!w->queued)
        return;
    if (w->prev)
        w->prev->next = w->next;
    else
        ch->wait_head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        ch->wait_tail = w->prev;
    w->prev = w->next = NULL;
    w->queued = false;
}

/* Under the lock: the waker of the sender that should try next (room is free). */
static exec_waker next_sender(exec_mpsc *ch)
{
    exec_waker w = {NULL, NULL};
    if (ch->wait_head && ch->len < ch->cap && ch->wait_head->waker.vt)
        w = exec_waker_clone(&ch->wait_head->waker);
    return w;
}

static exec_waker take_rx(exec_mpsc *ch)
{
    exec_waker w = ch->rx;
    ch->rx = (exec_waker){NULL, NULL};
    return w;
}

static void wake_opt(exec_waker *w)
{
    if (w->vt)
        exec_waker_wake(w);
}

void exec_mpsc_sender_add(exec_mpsc *ch)
{
    exec_spin_lock(&ch->lock);
    ch->senders++;
    exec_spin_unlock(&ch->lock);
}

void exec_mpsc_sender_drop(exec_mpsc *ch)
{
    exec_spin_lock(&ch->lock);
    exec_waker w = {NULL, NULL};
    if (--ch->senders == 0)
        w = take_rx(ch);
    exec_spin_unlock(&ch->lock);
    wake_opt(&w);
}

void exec_mpsc_receiver_drop(exec_mpsc *ch)
{
    exec_spin_lock(&ch->lock);
    ch->rx_closed = true;
    exec_waker rx = take_rx(ch);
    exec_spin_unlock(&ch->lock);
    exec_waker_drop(&rx);
    for (;;) { /* every waiting sender must learn the news */
        exec_spin_lock(&ch->lock);
        exec_mpsc_waiter *h = ch->wait_head;
        exec_waker w = {NULL, NULL};
        if (h) {
            w = h->waker;
            h->waker = (exec_waker){NULL, NULL};
            unqueue(ch, h);
        }
        exec_spin_unlock(&ch->lock);
        if (!h)
            return;
        wake_opt(&w);
    }
}

/* --- send ------------------------------------------------------------------------------------- */
static exec_poll send_poll(exec_future *f, exec_cx *cx)
{
    exec_mpsc_send *s = (exec_mpsc_send *)(void *)f;
    exec_mpsc *ch = s->ch;
    if (!exec_coop_proceed(cx))
        return EXEC_PENDING;
    exec_waker old = {NULL, NULL}, wake = {NULL, NULL};
    exec_spin_lock(&ch->lock);
    if (ch->rx_closed) {
        unqueue(ch, &s->w);
        old = s->w.waker;
        s->w.waker = (exec_waker){NULL, NULL};
        exec_spin_unlock(&ch->lock);
        exec_waker_drop(&old);
        s->result = -EXEC_EPIPE;
        return EXEC_READY;
    }
    bool my_turn = !ch->wait_head || ch->wait_head == &s->w;
    if (ch->len < ch->cap && my_turn) {
        size_t tail = (ch->head + ch->len) % ch->cap;
        copy_bytes(ch->slots + tail * ch->elem, s->item, ch->elem);
        ch->len++;
        unqueue(ch, &s->w);
        old = s->w.waker;
        s->w.waker = (exec_waker){NULL, NULL};
        wake = take_rx(ch);
        exec_waker next = next_sender(ch); /* room left: let the next one in too */
        exec_spin_unlock(&ch->lock);
        exec_waker_drop(&old);
        wake_opt(&wake);
        wake_opt(&next);
        s->result = 0;
        return EXEC_READY;
    }
    if (!s->w.queued) {
        s->w.prev = ch->wait_tail;
        s->w.next = NULL;
        if (ch->wait_tail)
            ch->wait_tail->next = &s->w;
        else
            ch->wait_head = &s->w;
        ch->wait_tail = &s->w;
        s->w.queued = true;
    }
    if (!s->w.waker.vt || !exec_waker_will_wake(&s->w.waker, &cx->waker)) {
        old = s->w.waker;
        s->w.waker = exec_waker_clone(&cx->waker);
    }
    exec_spin_unlock(&ch->lock);
    exec_waker_drop(&old);
    return EXEC_PENDING;
}

static void send_drop(exec_future *f)
{
    exec_mpsc_send *s = (exec_mpsc_send *)(void *)f;
    exec_mpsc *ch = s->ch;
    exec_spin_lock(&ch->lock);
    bool was_head = ch->wait_head == &s->w;
    unqueue(ch, &s->w);
    exec_waker old = s->w.waker;
    s->w.waker = (exec_waker){NULL, NULL};
    exec_waker next = was_head ? next_sender(ch) : (exec_waker){NULL, NULL};
    exec_spin_unlock(&ch->lock);
    exec_waker_drop(&old);
    wake_opt(&next); /* it may have been woken for a slot it will never take */
}

void exec_mpsc_send_init(exec_mpsc_send *s, exec_mpsc *ch, const void *item)
{
    s->base.poll = send_poll;
    s->base.drop = send_drop;
    s->ch = ch;
    s->item = item;
    s->w = (exec_mpsc_waiter){NULL, NULL, {NULL, NULL}, false};
    s->result = 0;
}

/* --- receive --------------------------------------------------------------------------------- */
/* Under the lock: takes one item if there is one. */
static bool pop_item(exec_mpsc *ch, void *out, exec_waker *next)
{
    if (ch->len == 0)
        return false;
    copy_bytes(out, ch->slots + ch->head * ch->elem, ch->elem);
    ch->head = (ch->head + 1) % ch->cap;
    ch->len--;
    *next = next_sender(ch);
    return true;
}

int exec_mpsc_try_recv(exec_mpsc *ch, void *out)
{
    exec_waker next = {NULL, NULL};
    exec_spin_lock(&ch->lock);
    bool got = pop_item(ch, out, &next);
    bool closed = ch->senders == 0;
    exec_spin_unlock(&ch->lock);
    wake_opt(&next);
    return got ? 0 : closed ? -EXEC_EPIPE : -11;
}

static exec_poll recv_poll(exec_future *f, exec_cx *cx)
{
    exec_mpsc_recv *r = (exec_mpsc_recv *)(void *)f;
    exec_mpsc *ch = r->ch;
    if (!exec_coop_proceed(cx))
        return EXEC_PENDING;
    exec_waker next = {NULL, NULL}, old = {NULL, NULL};
    exec_spin_lock(&ch->lock);
    if (pop_item(ch, r->out, &next)) {
        exec_spin_unlock(&ch->lock);
        wake_opt(&next);
        r->result = 0;
        return EXEC_READY;
    }
    if (ch->senders == 0) {
        exec_spin_unlock(&ch->lock);
        r->result = -EXEC_EPIPE;
        return EXEC_READY;
    }
    if (!ch->rx.vt || !exec_waker_will_wake(&ch->rx, &cx->waker)) {
        old = ch->rx;
        ch->rx = exec_waker_clone(&cx->waker);
    }
    exec_spin_unlock(&ch->lock);
    exec_waker_drop(&old);
    return EXEC_PENDING;
}

static void recv_drop(exec_future *f)
{
    exec_mpsc *ch = ((exec_mpsc_recv *)(void *)f)->ch;
    exec_spin_lock(&ch->lock);
    exec_waker old = take_rx(ch);
    exec_spin_unlock(&ch->lock);
    exec_waker_drop(&old);
}

void exec_mpsc_recv_init(exec_mpsc_recv *r, exec_mpsc *ch, void *out)
{
    r->base.poll = recv_poll;
    r->base.drop = recv_drop;
    r->ch = ch;
    r->out = out;
    r->result = 0;
}

/* --- oneshot ---------------------------------------------------------------------------------- */
void exec_oneshot_init(exec_oneshot *o)
{
    atomic_flag_clear(&o->lock.f);
    o->state = EXEC_ONESHOT_EMPTY;
    o->value = 0;
    o->rx = (exec_waker){NULL, NULL};
}

/* Moves an EMPTY oneshot to `to`, waking the receiver. False if it was not EMPTY. */
static bool oneshot_finish(exec_oneshot *o, int to, uint64_t value)
{
    exec_spin_lock(&o->lock);
    if (o->state != EXEC_ONESHOT_EMPTY) {
        exec_spin_unlock(&o->lock);
        return false;
    }
    o->state = to;
    o->value = value;
    exec_waker w = o->rx;
    o->rx = (exec_waker){NULL, NULL};
    exec_spin_unlock(&o->lock);
    wake_opt(&w);
    return true;
}

int exec_oneshot_send(exec_oneshot *o, uint64_t value)
{
    return oneshot_finish(o, EXEC_ONESHOT_SENT, value) ? 0 : -EXEC_EPIPE;
}

void exec_oneshot_sender_drop(exec_oneshot *o)
{
    oneshot_finish(o, EXEC_ONESHOT_TX_GONE, 0);
}

void exec_oneshot_receiver_drop(exec_oneshot *o)
{
    exec_spin_lock(&o->lock);
    if (o->state == EXEC_ONESHOT_EMPTY)
        o->state = EXEC_ONESHOT_RX_GONE;
    exec_waker w = o->rx;
    o->rx = (exec_waker){NULL, NULL};
    exec_spin_unlock(&o->lock);
    exec_waker_drop(&w);
}

static exec_poll oneshot_poll(exec_future *f, exec_cx *cx)
{
    exec_oneshot_recv *r = (exec_oneshot_recv *)(void *)f;
    exec_oneshot *o = r->o;
    exec_waker old = {NULL, NULL};
    exec_spin_lock(&o->lock);
    if (o->state != EXEC_ONESHOT_EMPTY) {
        r->result = o->state == EXEC_ONESHOT_SENT ? 0 : -EXEC_EPIPE;
        r->value = o->value;
        exec_spin_unlock(&o->lock);
        return EXEC_READY;
    }
    if (!o->rx.vt || !exec_waker_will_wake(&o->rx, &cx->waker)) {
        old = o->rx;
        o->rx = exec_waker_clone(&cx->waker);
    }
    exec_spin_unlock(&o->lock);
    exec_waker_drop(&old);
    return EXEC_PENDING;
}

static void oneshot_recv_drop(exec_future *f)
{
    exec_oneshot *o = ((exec_oneshot_recv *)(void *)f)->o;
    exec_spin_lock(&o->lock);
    exec_waker w = o->rx;
    o->rx = (exec_waker){NULL, NULL};
    exec_spin_unlock(&o->lock);
    exec_waker_drop(&w);
}

void exec_oneshot_recv_init(exec_oneshot_recv *r, exec_oneshot *o)
{
    r->base.poll = oneshot_poll;
    r->base.drop = oneshot_recv_drop;
    r->o = o;
    r->value = 0;
    r->result = 0;
}
