/* chan.c — the event source: a byte queue with a list of pinned waiters.
 *
 * The channel stores only pointers to waiters that live inside futures; that is the
 * whole reason those futures are pinned. Every write or close is one event: each
 * registered waiter is unlinked and its waker called exactly once, and a future that
 * still has nothing to do registers again on its next poll. */
#include "pin_async.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

PIN_TYPE_DEFINE(pin_waiter, NULL);
PIN_TYPE_DEFINE(pin_chan, pin_chan_destroy);

pin_list_node_pinned pin_waiter_link(pin_waiter_pinned w)
{
    /* SOLUTION BEGIN: the list node is structurally pinned: project with PIN_PROJECT */
    return PIN_PROJECT(pin_list_node, w, link);
    /* SOLUTION END */
}

pin_waker *pin_waiter_waker(pin_waiter_pinned w)
{
    /* SOLUTION BEGIN: the waker is a copy nobody points into: a plain pointer is fine */
    return PIN_PROJECT_PLAIN(w, waker);
    /* SOLUTION END */
}

static pin_list_pinned waiters_of(pin_chan_pinned ch)
{
    return PIN_PROJECT(pin_list, ch, waiters);
}

void pin_chan_init(pin_chan_pinned ch)
{
    pin_list_pinned l = PIN_INIT(pin_list, &PIN_GET(ch)->waiters);
    pin_list_init(l);
}

/* One event: wake every registered waiter once. A waker may register again (it
 * cannot here: wakers only queue tasks), so detach the whole list first. */
static void wake_all(pin_chan_pinned ch)
{
    pin_list_pinned l = waiters_of(ch);
    for (;;) {
        pin_list_node_pinned n = pin_list_pop_front(l);
        if (n.unchecked_ == NULL)
            break;
        pin_waiter *w = PIN_LIST_ENTRY(n.unchecked_, pin_waiter, link);
        pin_waker k = w->waker;
        PIN_GET(ch)->wakes++;
        if (k.wake != NULL)
            k.wake(k.data);
    }
}

static int reserve(pin_chan *c, size_t n)
{
    if (c->head > 0 && c->head == c->len) /* drained: start over at the front */
        c->head = c->len = 0;
    if (c->cap - c->len >= n)
        return 0;
    if (c->head > 0) { /* compact before growing */
        memmove(c->data, c->data + c->head, c->len - c->head);
        c->len -= c->head;
        c->head = 0;
        if (c->cap - c->len >= n)
            return 0;
    }
    size_t cap = c->cap ? c->cap : 256;
    while (cap - c->len < n) {
        if (cap > SIZE_MAX / 2)
            return -ENOMEM;
        cap *= 2;
    }
    char *d = realloc(c->data, cap); /* plain bytes, no pointers into them: movable */
    if (d == NULL)
        return -ENOMEM;
    c->data = d;
    c->cap = cap;
    return 0;
}

int pin_chan_write(pin_chan_pinned ch, const void *bytes, size_t n)
{
    pin_chan *c = PIN_GET(ch);
    if (c->closed)
        return -EPIPE;
    int rc = reserve(c, n);
    if (rc != 0)
        return rc;
    if (n > 0)
        memcpy(c->data + c->len, bytes, n);
    c->len += n;
    wake_all(ch);
    return 0;
}

void pin_chan_close(pin_chan_pinned ch)
{
    PIN_GET(ch)->closed = true;
    wake_all(ch);
}

size_t pin_chan_read(pin_chan_pinned ch, void *dst, size_t max)
{
    pin_chan *c = PIN_GET(ch);
    size_t have = c->len - c->head;
    size_t take = have < max ? have : max;
    if (take > 0)
        memcpy(dst, c->data + c->head, take);
    c->head += take;
    return take;
}

bool pin_chan_finished(pin_chan_pinned ch)
{
    pin_chan *c = PIN_GET(ch);
    return c->closed && c->head == c->len;
}

void pin_chan_register(pin_chan_pinned ch, pin_waiter_pinned w, pin_waker waker)
{
    *pin_waiter_waker(w) = waker;
    pin_list_node_pinned link = pin_waiter_link(w);
    if (!pin_list_linked(link))
        pin_list_push_back(waiters_of(ch), link);
}

size_t pin_chan_waiters(pin_chan_pinned ch)
{
    return pin_list_len(waiters_of(ch));
}

void pin_chan_destroy(void *ch)
{
    pin_chan *c = ch;
    if (c->waiters.head.next != NULL && c->waiters.head.next != &c->waiters.head) {
        fprintf(stderr, "pin_chan_destroy: waiters still registered\n");
        abort(); /* their futures would be woken through freed memory */
    }
    free(c->data);
    c->data = NULL;
    c->head = c->len = c->cap = 0;
}
