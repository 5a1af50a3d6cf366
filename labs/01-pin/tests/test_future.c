/* test_future.c — the line-splitter future and its waker protocol.
 *
 * The protocol: a Pending has registered the waker before returning; every event
 * (write or close) wakes a registered waker exactly once and unregisters it; an event
 * with nobody registered wakes nobody. The splitting itself is checked differentially
 * against a reference splitter (strchr over the whole text) on seeded random input
 * fed in random pieces, long lines included. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "pin_lines.h"

typedef struct wake_log {
    int wakes;
    pin_chan_pinned ch;
    size_t waiters_at_wake; /* registrations left when the waker ran (must be 0: taken) */
} wake_log;

static void log_wake(void *data)
{
    wake_log *w = data;
    w->wakes++;
}

typedef struct fixture {
    pin_chan ch_slot;
    pin_chan_pinned ch;
    pin_lines_pinned f;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    fx->ch_slot = PIN_CHAN_INIT;
    fx->ch = PIN_INIT(pin_chan, &fx->ch_slot);
    pin_chan_init(fx->ch);
    fx->f = PIN_BOX(pin_lines, pin_lines_make(fx->ch));
    *state = fx;
    return fx->f.unchecked_ == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    PIN_BOX_FREE(pin_lines, fx->f);
    pin_drop(&fx->ch_slot, &pin_chan_pin_type, __FILE__, __LINE__);
    free(fx);
    return 0;
}

static void test_pending_registers_waker_first(void **state)
{
    fixture *fx = *state;
    wake_log log = {0, fx->ch, 0};
    pin_context cx = {{log_wake, &log}};
    pin_line out;
    assert_int_equal(pin_chan_waiters(fx->ch), 0);
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_PENDING);
    assert_int_equal(pin_chan_waiters(fx->ch), 1); /* registered by the time Pending returned */
    pin_waiter *w = pin_lines_waiter(fx->f).unchecked_;
    assert_ptr_equal(w->waker.data, &log);
    assert_int_equal(log.wakes, 0); /* registering is not waking */
    /* Polling again without an event re-registers, it does not register twice. */
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_PENDING);
    assert_int_equal(pin_chan_waiters(fx->ch), 1);
}

static void test_woken_once_per_event(void **state)
{
    fixture *fx = *state;
    wake_log log = {0, fx->ch, 0};
    pin_context cx = {{log_wake, &log}};
    pin_line out;
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_PENDING);
    assert_int_equal(pin_chan_write(fx->ch, "do", 2), 0); /* event 1 */
    assert_int_equal(log.wakes, 1);
    assert_int_equal(pin_chan_waiters(fx->ch), 0);       /* a wake unregisters */
    assert_int_equal(pin_chan_write(fx->ch, "n", 1), 0); /* event 2, nobody registered */
    assert_int_equal(log.wakes, 1);
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_PENDING); /* "don", no newline */
    assert_int_equal(pin_chan_write(fx->ch, "e\n", 2), 0);           /* event 3 */
    assert_int_equal(log.wakes, 2);
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_READY);
    assert_int_equal(out.status, 0);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.text, "done", 4);
    assert_int_equal(out.lineno, 1);
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_PENDING);
    pin_chan_close(fx->ch); /* event 4: the end */
    assert_int_equal(log.wakes, 3);
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_READY);
    assert_int_equal(out.status, PIN_LINES_EOF);
    assert_int_equal(pin_chan_write(fx->ch, "late", 4), -EPIPE);
}

typedef struct task_state {
    pin_lines_pinned f;
    char got[64];
    size_t len;
    int ready;
} task_state;

static pin_poll task_poll(void *state, pin_context *cx)
{
    task_state *t = state;
    pin_line out;
    if (pin_lines_poll(t->f, cx, &out) == PIN_PENDING)
        return PIN_PENDING;
    t->len = out.len < sizeof t->got ? out.len : sizeof t->got;
    memcpy(t->got, out.text, t->len);
    t->ready = 1;
    return PIN_READY;
}

static void test_executor_pending_then_ready(void **state)
{
    fixture *fx = *state;
    pin_exec ex_slot = PIN_EXEC_INIT;
    pin_exec_pinned ex = PIN_INIT(pin_exec, &ex_slot);
    pin_exec_init(ex);
    task_state ts = {fx->f, {0}, 0, 0};
    pin_task t_slot = PIN_TASK_INIT(task_poll, &ts);
    pin_task_pinned t = PIN_INIT(pin_task, &t_slot);
    pin_exec_spawn(ex, t);
    assert_int_equal(pin_exec_run_until_stalled(ex), 1); /* poll #1: Pending */
    assert_false(t_slot.done);
    assert_int_equal(pin_exec_run_until_stalled(ex), 0); /* not woken: not polled */
    assert_int_equal(pin_chan_write(fx->ch, "done\n", 5), 0);
    assert_int_equal(t_slot.wakes, 1);
    assert_int_equal(pin_exec_run_until_stalled(ex), 1); /* poll #2: Ready */
    assert_true(t_slot.done);
    assert_true(ts.ready);
    assert_int_equal(ts.len, 4);
    assert_memory_equal(ts.got, "done", 4);
    assert_int_equal(t_slot.polls, 2);
}

static void test_executor_dedups_wakes(void **state)
{
    (void)state;
    pin_exec ex_slot = PIN_EXEC_INIT;
    pin_exec_pinned ex = PIN_INIT(pin_exec, &ex_slot);
    pin_exec_init(ex);
    task_state dummy = {{NULL}, {0}, 0, 0};
    pin_task t_slot = PIN_TASK_INIT(task_poll, &dummy);
    pin_task_pinned t = PIN_INIT(pin_task, &t_slot);
    t_slot.exec = &ex_slot;
    pin_waker w = pin_task_waker(t);
    w.wake(w.data);
    w.wake(w.data); /* already queued: no second entry */
    assert_int_equal(t_slot.wakes, 2);
    assert_int_equal(pin_list_len(PIN_PROJECT(pin_list, ex, ready)), 1);
}

/* --- differential: the splitter against a reference over the whole text ---------- */

/* Random text: lines of random length (some longer than the buffer), random bytes
 * other than '\n', sometimes no final newline. */
static char *random_text(cmn_rng *rng, size_t *len)
{
    size_t cap = (size_t)64 * 1024, n = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    while (n < cap - (size_t)2 * PIN_LINES_BUF - 2) {
        uint64_t kind = cmn_rng_below(rng, 100);
        size_t ll = kind < 3 ? (size_t)cmn_rng_range(rng, PIN_LINES_BUF - 2, PIN_LINES_BUF + 40)
                             : (size_t)cmn_rng_below(rng, 80);
        for (size_t i = 0; i < ll; i++)
            t[n++] = (char)(cmn_rng_below(rng, 2) ? 'a' + cmn_rng_below(rng, 26)
                                                  : 1 + cmn_rng_below(rng, 254));
        for (size_t i = n - ll; i < n; i++)
            if (t[i] == '\n')
                t[i] = ' ';
        t[n++] = '\n';
        if (cmn_rng_below(rng, 50) == 0)
            break;
    }
    if (cmn_rng_below(rng, 2))
        n--; /* no final newline */
    *len = n;
    return t;
}

static void check_against_reference(pin_lines_pinned f, pin_chan_pinned ch, const char *t, size_t n,
                                    cmn_rng *rng)
{
    size_t fed = 0, ref = 0, lineno = 0;
    pin_context cx = {{NULL, NULL}};
    for (;;) {
        pin_line out;
        if (pin_lines_poll(f, &cx, &out) == PIN_PENDING) {
            assert_true(fed <= n);
            if (fed == n) {
                pin_chan_close(ch);
                continue;
            }
            size_t piece = (size_t)cmn_rng_range(rng, 1, 3000);
            piece = piece < n - fed ? piece : n - fed;
            assert_int_equal(pin_chan_write(ch, t + fed, piece), 0);
            fed += piece;
            continue;
        }
        if (out.status == PIN_LINES_EOF) {
            assert_int_equal(ref, n);
            return;
        }
        const char *nl = memchr(t + ref, '\n', n - ref);
        size_t want = (size_t)((nl ? nl : t + n) - (t + ref));
        assert_int_equal(out.lineno, ++lineno);
        if (want >= PIN_LINES_BUF) {
            assert_int_equal(out.status, -E2BIG);
        } else {
            assert_int_equal(out.status, 0);
            assert_int_equal(out.len, want);
            assert_memory_equal(out.text, t + ref, want);
        }
        ref += want + (nl != NULL);
    }
}

static void test_splits_like_reference(void **state)
{
    (void)state;
    cmn_rng rng;
    cmn_test_rng(&rng);
    for (int round = 0; round < 20; round++) {
        size_t n;
        char *t = random_text(&rng, &n);
        pin_chan ch_slot = PIN_CHAN_INIT;
        pin_chan_pinned ch = PIN_INIT(pin_chan, &ch_slot);
        pin_chan_init(ch);
        PIN_STACK(pin_lines, f, pin_lines_make(ch));
        check_against_reference(f, ch, t, n, &rng);
        PIN_STACK_DROP(pin_lines, f);
        pin_drop(&ch_slot, &pin_chan_pin_type, __FILE__, __LINE__);
        free(t);
    }
}

static void test_edge_lines(void **state)
{
    fixture *fx = *state;
    static char text[PIN_LINES_BUF + 16];
    memset(text, 'x', PIN_LINES_BUF - 1); /* the longest line that fits */
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result): bytes, not a string
    memcpy(text + PIN_LINES_BUF - 1, "\n\r\n\nlast", 8);
    assert_int_equal(pin_chan_write(fx->ch, text, PIN_LINES_BUF - 1 + 8), 0);
    pin_chan_close(fx->ch);
    pin_context cx = {{NULL, NULL}};
    pin_line out;
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_READY);
    assert_int_equal(out.status, 0);
    assert_int_equal(out.len, PIN_LINES_BUF - 1);
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_READY);
    assert_int_equal(out.len, 1); /* "\r" is kept */
    assert_int_equal(out.text[0], '\r');
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_READY);
    assert_int_equal(out.len, 0); /* an empty line */
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_READY);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.text, "last", 4);
    assert_int_equal(out.lineno, 4);
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_READY);
    assert_int_equal(out.status, PIN_LINES_EOF);
    assert_int_equal(pin_lines_poll(fx->f, &cx, &out), PIN_READY); /* stays at the end */
    assert_int_equal(out.status, PIN_LINES_EOF);
}

static void poll_unpinned(void *arg)
{
    pin_lines_pinned f = {arg}; /* never pinned */
    pin_context cx = {{NULL, NULL}};
    pin_line out;
    (void)pin_lines_poll(f, &cx, &out);
}

static void test_poll_before_pin_fires(void **state)
{
    fixture *fx = *state;
    pin_lines *value = malloc(sizeof *value);
    assert_non_null(value);
    *value = pin_lines_make(fx->ch);
    assert_true(cmn_dies_with(poll_unpinned, value, "never pinned \\(checked at [^ ]*lines\\.c"));
    free(value);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_pending_registers_waker_first, setup, teardown),
    cmocka_unit_test_setup_teardown(test_woken_once_per_event, setup, teardown),
    cmocka_unit_test_setup_teardown(test_executor_pending_then_ready, setup, teardown),
    cmocka_unit_test(test_executor_dedups_wakes),
    cmocka_unit_test(test_splits_like_reference),
    cmocka_unit_test_setup_teardown(test_edge_lines, setup, teardown),
    cmocka_unit_test_setup_teardown(test_poll_before_pin_fires, setup, teardown),
};

CMN_TEST_MAIN(tests)
