/* test_address_stability.c — a pinned future stays at one address across polls, on the
 * heap (PIN_BOX) and on the stack (PIN_STACK), and its self-references always point
 * into that one object; moving it before the first poll is fine.
 *
 * The future is polled by hand with a waker that counts, over a channel fed in
 * pieces, so every poll between Pending and Ready is observed. */
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "fixtures.h"
#include "pin_lines.h"

static void count_wake(void *data)
{
    ++*(int *)data;
}

/* True when p lies inside the object [obj, obj + size). */
static bool inside(const void *p, const void *obj, size_t size)
{
    uintptr_t a = (uintptr_t)p, o = (uintptr_t)obj;
    return a >= o && a <= o + size;
}

/* Polls f through "alpha\nbeta\n" fed in 3-byte events and checks, after every poll,
 * that the object is where it was pinned and that its cursors point into it. */
static void poll_and_watch(pin_lines_pinned f, pin_chan_pinned ch)
{
    pin_lines *at = f.unchecked_;
    int wakes = 0;
    pin_context cx = {{count_wake, &wakes}};
    const char *text = "alpha\nbeta\n";
    size_t fed = 0, lines = 0, len = strlen(text);
    for (int polls = 0; polls < 64 && lines < 2; polls++) {
        pin_line out;
        pin_poll r = pin_lines_poll(f, &cx, &out);
        assert_ptr_equal(PIN_GET(f), at);
        assert_int_equal(pin_recorded_address(&at->pin), (uintptr_t)at);
        assert_true(inside(at->cursor, at, sizeof *at));
        assert_true(inside(at->end, at, sizeof *at));
        if (r == PIN_READY) {
            assert_int_equal(out.status, 0);
            assert_true(inside(out.text, at->buf, sizeof at->buf));
            lines++;
        } else if (fed < len) {
            size_t n = len - fed < 3 ? len - fed : 3;
            assert_int_equal(pin_chan_write(ch, text + fed, n), 0);
            fed += n;
        }
    }
    assert_int_equal(lines, 2);
    assert_true(wakes > 0);
}

static void test_heap_pinned_future_is_stable(void **state)
{
    (void)state;
    pin_chan ch_slot = PIN_CHAN_INIT;
    pin_chan_pinned ch = PIN_INIT(pin_chan, &ch_slot);
    pin_chan_init(ch);
    pin_lines value = pin_lines_make(ch);
    pin_lines_pinned f = PIN_BOX(pin_lines, value);
    assert_non_null(f.unchecked_);
    assert_ptr_not_equal(f.unchecked_, &value); /* moved into the box, then pinned */
    assert_false(pin_is_pinned(&value.pin));    /* the original was never pinned */
    poll_and_watch(f, ch);
    PIN_BOX_FREE(pin_lines, f);
    pin_drop(&ch_slot, &pin_chan_pin_type, __FILE__, __LINE__);
}

static void test_stack_pinned_future_is_stable(void **state)
{
    (void)state;
    pin_chan ch_slot = PIN_CHAN_INIT;
    pin_chan_pinned ch = PIN_INIT(pin_chan, &ch_slot);
    pin_chan_init(ch);
    PIN_STACK(pin_lines, f, pin_lines_make(ch));
    assert_ptr_equal(f.unchecked_, &pin_slot_f);
    poll_and_watch(f, ch);
    PIN_STACK_DROP(pin_lines, f);
    pin_drop(&ch_slot, &pin_chan_pin_type, __FILE__, __LINE__);
}

static pin_lines pass_through(pin_lines l)
{
    return l;
}

static void test_moving_before_first_poll_is_fine(void **state)
{
    (void)state;
    pin_chan ch_slot = PIN_CHAN_INIT;
    pin_chan_pinned ch = PIN_INIT(pin_chan, &ch_slot);
    pin_chan_init(ch);
    pin_lines a = pin_lines_make(ch);
    pin_lines b = pass_through(a); /* by value, twice: nothing points into it yet */
    assert_null(b.cursor);
    PIN_STACK(pin_lines, f, b);
    poll_and_watch(f, ch);
    PIN_STACK_DROP(pin_lines, f);
    pin_drop(&ch_slot, &pin_chan_pin_type, __FILE__, __LINE__);
}

typedef struct moved_future {
    pin_lines *from, *to;
    pin_chan_pinned ch;
} moved_future;

static void move_after_first_poll(void *arg)
{
    moved_future *m = arg;
    pin_context cx = {{NULL, NULL}};
    pin_line out;
    pin_lines_pinned f = {m->from};
    if (pin_lines_poll(f, &cx, &out) != PIN_PENDING)
        return;
    memcpy(m->to, m->from, sizeof *m->to); /* the cursors still point into `from` */
    pin_lines_pinned g = {m->to};
    (void)pin_lines_poll(g, &cx, &out);
}

static void test_moving_after_first_poll_fires(void **state)
{
    (void)state;
    pin_chan ch_slot = PIN_CHAN_INIT;
    pin_chan_pinned ch = PIN_INIT(pin_chan, &ch_slot);
    pin_chan_init(ch);
    pin_lines_pinned f = PIN_BOX(pin_lines, pin_lines_make(ch));
    pin_lines *to = malloc(sizeof *to);
    assert_non_null(f.unchecked_);
    assert_non_null(to);
    moved_future m = {f.unchecked_, to, ch};
    assert_true(cmn_dies_with(move_after_first_poll, &m,
                              "pinned object moved: type pin_lines pinned at 0x[0-9a-f]+, now at "
                              "0x[0-9a-f]+ \\(checked at [^ ]*lines\\.c:[0-9]+\\)"));
    free(to);
    PIN_BOX_FREE(pin_lines, f);
    pin_drop(&ch_slot, &pin_chan_pin_type, __FILE__, __LINE__);
}

static void test_pin_box_and_drop_lifecycle(void **state)
{
    (void)state;
    selfref_drops = 0;
    selfref_pinned b = PIN_BOX(selfref, selfref_make(42));
    assert_non_null(b.unchecked_);
    selfref_link(b);
    assert_true(pin_is_pinned(&b.unchecked_->pin));
    assert_ptr_equal(PIN_GET(b)->self, &b.unchecked_->value);
    assert_int_equal(*PIN_GET(b)->self, 42);
    PIN_BOX_FREE(selfref, b);
    assert_int_equal(selfref_drops, 1);
    PIN_BOX_FREE(selfref, ((selfref_pinned){NULL})); /* NULL is a no-op */
}

static void box_a_pinned_value(void *arg)
{
    selfref_pinned b = PIN_BOX(selfref, *(selfref *)arg);
    (void)b;
}

static void test_pin_box_refuses_a_pinned_value(void **state)
{
    (void)state;
    selfref s = selfref_make(1);
    (void)PIN_INIT(selfref, &s);
    assert_true(cmn_dies_with(box_a_pinned_value, &s,
                              "pin_box: the selfref value at 0x[0-9a-f]+ "
                              "is already pinned"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_heap_pinned_future_is_stable),
    cmocka_unit_test(test_stack_pinned_future_is_stable),
    cmocka_unit_test(test_moving_before_first_poll_is_fine),
    cmocka_unit_test(test_moving_after_first_poll_fires),
    cmocka_unit_test(test_pin_box_and_drop_lifecycle),
    cmocka_unit_test(test_pin_box_refuses_a_pinned_value),
};

CMN_TEST_MAIN(tests)
