/* test_channels.c — the bounded MPSC channel and the oneshot on every executor:
 * per-producer FIFO order and no item lost or duplicated with many producers and a
 * tiny capacity (checked against a per-producer counter model), back-pressure (a
 * sender waits while the channel is full), closing from either side, a cancelled
 * waiting sender gives its turn away, and the oneshot in its three endings. */
#include <pthread.h>
#include <stdatomic.h>

#include "common/time.h"
#include "support.h"

enum { PRODUCERS = 4, ITEMS = 2000, CAP = 4 };

typedef struct item {
    uint32_t producer, seq;
} item;

typedef struct producer {
    exec_future base;
    exec_mpsc *ch;
    uint32_t id, next;
    bool sending;
    item it;
    exec_mpsc_send send;
} producer;

static exec_poll producer_poll(exec_future *f, exec_cx *cx)
{
    producer *p = (producer *)(void *)f;
    while (p->next < ITEMS) {
        if (!p->sending) {
            p->it = (item){p->id, p->next};
            exec_mpsc_send_init(&p->send, p->ch, &p->it);
            p->sending = true;
        }
        if (exec_future_poll(&p->send.base, cx) == EXEC_PENDING)
            return EXEC_PENDING;
        p->sending = false;
        if (p->send.result != 0)
            return EXEC_READY;
        p->next++;
    }
    exec_mpsc_sender_drop(p->ch);
    return EXEC_READY;
}

typedef struct consumer {
    exec_future base;
    exec_mpsc *ch;
    bool receiving;
    item got;
    exec_mpsc_recv recv;
    uint32_t expect[PRODUCERS];
    uint32_t total, disorder;
} consumer;

static exec_poll consumer_poll(exec_future *f, exec_cx *cx)
{
    consumer *c = (consumer *)(void *)f;
    for (;;) {
        if (!c->receiving) {
            exec_mpsc_recv_init(&c->recv, c->ch, &c->got);
            c->receiving = true;
        }
        if (exec_future_poll(&c->recv.base, cx) == EXEC_PENDING)
            return EXEC_PENDING;
        c->receiving = false;
        if (c->recv.result != 0)
            return EXEC_READY; /* closed: every sender is gone */
        if (c->got.producer >= PRODUCERS || c->got.seq != c->expect[c->got.producer])
            c->disorder++;
        else
            c->expect[c->got.producer]++;
        c->total++;
    }
}

static void test_mpsc_many_producers_fifo(void **state)
{
    exec_rt *rt = rt_for(state);
    item storage[CAP];
    exec_mpsc ch;
    exec_mpsc_init(&ch, storage, sizeof(item), CAP);
    for (int i = 1; i < PRODUCERS; i++)
        exec_mpsc_sender_add(&ch);
    consumer c = {.base = {consumer_poll, NULL}, .ch = &ch};
    exec_join *jc = exec_rt_spawn(rt, &c.base, sizeof c);
    exec_join *jp[PRODUCERS];
    for (uint32_t i = 0; i < PRODUCERS; i++) {
        producer p = {.base = {producer_poll, NULL}, .ch = &ch, .id = i};
        jp[i] = exec_rt_spawn(rt, &p.base, sizeof p);
    }
    assert_int_equal(exec_rt_block_on(rt, jc), 0);
    consumer *o = exec_join_output(jc);
    assert_int_equal(o->disorder, 0);
    assert_int_equal(o->total, PRODUCERS * ITEMS);
    for (int i = 0; i < PRODUCERS; i++) {
        assert_int_equal(o->expect[i], ITEMS);
        assert_int_equal(exec_rt_block_on(rt, jp[i]), 0);
        exec_join_drop(jp[i]);
    }
    exec_join_drop(jc);
    rt_free_checked(rt);
}

/* Back-pressure and closing, step by step on one task (deterministic). */
typedef struct stepper {
    exec_future base;
    exec_mpsc ch;
    int storage[2];
    int vals[4];
    exec_mpsc_send s[4];
    exec_mpsc_recv r;
    int out, step;
    int fails;
} stepper;

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            t->fails = __LINE__;                                                                   \
            return EXEC_READY;                                                                     \
        }                                                                                          \
    } while (0)

static exec_poll stepper_poll(exec_future *f, exec_cx *cx)
{
    stepper *t = (stepper *)(void *)f;
    exec_mpsc_init(&t->ch, t->storage, sizeof(int), 2);
    for (int i = 0; i < 4; i++) {
        t->vals[i] = 10 + i;
        exec_mpsc_send_init(&t->s[i], &t->ch, &t->vals[i]);
    }
    CHECK(exec_future_poll(&t->s[0].base, cx) == EXEC_READY);
    CHECK(exec_future_poll(&t->s[1].base, cx) == EXEC_READY);
    CHECK(exec_future_poll(&t->s[2].base, cx) == EXEC_PENDING); /* full */
    CHECK(exec_future_poll(&t->s[3].base, cx) == EXEC_PENDING);
    exec_future_drop(&t->s[2].base); /* gives its turn to s[3] */
    CHECK(exec_mpsc_try_recv(&t->ch, &t->out) == 0 && t->out == 10);
    CHECK(exec_future_poll(&t->s[3].base, cx) == EXEC_READY);
    CHECK(exec_mpsc_try_recv(&t->ch, &t->out) == 0 && t->out == 11);
    CHECK(exec_mpsc_try_recv(&t->ch, &t->out) == 0 && t->out == 13);
    CHECK(exec_mpsc_try_recv(&t->ch, &t->out) == -11); /* empty, senders left */
    exec_mpsc_recv_init(&t->r, &t->ch, &t->out);
    CHECK(exec_future_poll(&t->r.base, cx) == EXEC_PENDING);
    exec_mpsc_sender_drop(&t->ch); /* the last sender handle */
    CHECK(exec_future_poll(&t->r.base, cx) == EXEC_READY && t->r.result == -EXEC_EPIPE);
    /* receiver gone: sends fail */
    exec_mpsc_init(&t->ch, t->storage, sizeof(int), 2);
    exec_mpsc_send_init(&t->s[0], &t->ch, &t->vals[0]);
    exec_mpsc_receiver_drop(&t->ch);
    CHECK(exec_future_poll(&t->s[0].base, cx) == EXEC_READY && t->s[0].result == -EXEC_EPIPE);
    return EXEC_READY;
}

static void test_mpsc_backpressure_and_close(void **state)
{
    exec_rt *rt = rt_for(state);
    stepper st = {.base = {stepper_poll, NULL}};
    exec_join *j = exec_rt_spawn(rt, &st.base, sizeof st);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    int line = ((stepper *)exec_join_output(j))->fails;
    if (line)
        fail_msg("check at test_channels.c:%d failed", line);
    exec_join_drop(j);
    rt_free_checked(rt);
}

/* --- oneshot --------------------------------------------------------------------------------- */
typedef struct os_wait {
    exec_future base;
    exec_oneshot_recv r;
} os_wait;

static exec_poll os_wait_poll(exec_future *f, exec_cx *cx)
{
    return exec_future_poll(&((os_wait *)(void *)f)->r.base, cx);
}

static void *os_sender(void *arg)
{
    cmn_sleep_ns(3000000);
    exec_oneshot_send(arg, 0xC0FFEE);
    return NULL;
}

static void test_oneshot_endings(void **state)
{
    exec_rt *rt = rt_for(state);
    exec_oneshot o;
    /* sent from another thread while the receiver waits */
    exec_oneshot_init(&o);
    os_wait w = {.base = {os_wait_poll, NULL}};
    exec_oneshot_recv_init(&w.r, &o);
    pthread_t th;
    pthread_create(&th, NULL, os_sender, &o);
    exec_join *j = exec_rt_spawn(rt, &w.base, sizeof w);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    pthread_join(th, NULL);
    os_wait *out = exec_join_output(j);
    assert_int_equal(out->r.result, 0);
    assert_int_equal(out->r.value, 0xC0FFEE);
    assert_int_equal(exec_oneshot_send(&o, 1), -EXEC_EPIPE); /* only once */
    exec_join_drop(j);
    /* the sender goes away */
    exec_oneshot_init(&o);
    exec_oneshot_recv_init(&w.r, &o);
    exec_oneshot_sender_drop(&o);
    j = exec_rt_spawn(rt, &w.base, sizeof w);
    assert_int_equal(exec_rt_block_on(rt, j), 0);
    assert_int_equal(((os_wait *)exec_join_output(j))->r.result, -EXEC_EPIPE);
    exec_join_drop(j);
    /* the receiver goes away */
    exec_oneshot_init(&o);
    exec_oneshot_receiver_drop(&o);
    assert_int_equal(exec_oneshot_send(&o, 5), -EXEC_EPIPE);
    rt_free_checked(rt);
}

static const struct CMUnitTest tests[] = {
    RT_TESTS_ALL(test_mpsc_many_producers_fifo),
    RT_TESTS_ALL(test_mpsc_backpressure_and_close),
    RT_TESTS_ALL(test_oneshot_endings),
};

CMN_TEST_MAIN(tests)
