/* test_projection.c — projection accessors: a structurally pinned field comes back as a
 * pinned pointer to an address inside the pinned object (and is pinned in place); a
 * field that is not structural comes back as a plain pointer or a copy. */
#include <string.h>

#include "common/test.h"
#include "pin_async.h"
#include "pin_bug.h"
#include "pin_lines.h"

/* True when the n bytes at p lie inside the object [obj, obj + size). */
static bool within(const void *p, size_t n, const void *obj, size_t size)
{
    uintptr_t a = (uintptr_t)p, o = (uintptr_t)obj;
    return a >= o && a + n <= o + size;
}

static void test_lines_waiter_is_inside_and_pinned(void **state)
{
    (void)state;
    pin_chan ch_slot = PIN_CHAN_INIT;
    pin_chan_pinned ch = PIN_INIT(pin_chan, &ch_slot);
    pin_chan_init(ch);
    PIN_STACK(pin_lines, f, pin_lines_make(ch));
    assert_false(pin_is_pinned(&pin_slot_f.waiter.pin)); /* not until projected */
    pin_waiter_pinned w = pin_lines_waiter(f);
    assert_ptr_equal(w.unchecked_, &pin_slot_f.waiter);
    assert_true(within(w.unchecked_, sizeof *w.unchecked_, &pin_slot_f, sizeof pin_slot_f));
    assert_true(pin_is_pinned(&w.unchecked_->pin));
    assert_ptr_equal(pin_lines_waiter(f).unchecked_, w.unchecked_); /* same every time */

    pin_list_node_pinned link = pin_waiter_link(w);
    assert_ptr_equal(link.unchecked_, &pin_slot_f.waiter.link);
    assert_true(
        within(link.unchecked_, sizeof *link.unchecked_, w.unchecked_, sizeof *w.unchecked_));
    assert_true(pin_is_pinned(&link.unchecked_->pin));

    pin_waker *k = pin_waiter_waker(w); /* plain pointer, still inside */
    assert_ptr_equal(k, &pin_slot_f.waiter.waker);
    PIN_STACK_DROP(pin_lines, f);
    pin_drop(&ch_slot, &pin_chan_pin_type, __FILE__, __LINE__);
}

static void test_lines_plain_fields_are_copies(void **state)
{
    (void)state;
    pin_chan ch_slot = PIN_CHAN_INIT;
    pin_chan_pinned ch = PIN_INIT(pin_chan, &ch_slot);
    pin_chan_init(ch);
    pin_lines_pinned f = PIN_BOX(pin_lines, pin_lines_make(ch));
    assert_non_null(f.unchecked_);
    assert_ptr_equal(pin_lines_source(f).unchecked_, &ch_slot); /* the channel, not a field */
    assert_int_equal(pin_lines_count(f), 0);
    assert_int_equal(pin_chan_write(ch, "x\ny\n", 4), 0);
    pin_context cx = {{NULL, NULL}};
    pin_line out;
    assert_int_equal(pin_lines_poll(f, &cx, &out), PIN_READY);
    assert_int_equal(pin_lines_count(f), 1);
    size_t len;
    const char *rest = pin_lines_pending(f, &len);
    assert_int_equal(len, 2);
    assert_memory_equal(rest, "y\n", 2);
    assert_true(within(rest, len, f.unchecked_->buf, sizeof f.unchecked_->buf));
    PIN_BOX_FREE(pin_lines, f);
    pin_drop(&ch_slot, &pin_chan_pin_type, __FILE__, __LINE__);
}

static void test_item_projection(void **state)
{
    (void)state;
    pin_item it = {PIN_UNPINNED, PIN_LIST_NODE_INIT, 17};
    pin_item_pinned p = PIN_INIT(pin_item, &it);
    pin_list_node_pinned link = pin_item_link(p);
    assert_ptr_equal(link.unchecked_, &it.link);
    assert_true(within(link.unchecked_, sizeof it.link, &it, sizeof it));
    assert_true(pin_is_pinned(&it.link.pin));
    assert_int_equal(pin_item_value(p), 17);
}

static void project_from_moved(void *arg)
{
    pin_item *it = arg;
    pin_item copy = *it;
    pin_item_pinned p = {&copy};
    (void)pin_item_link(p); /* the container's check runs before the projection */
}

static void test_projection_checks_the_container(void **state)
{
    (void)state;
    pin_item it = {PIN_UNPINNED, PIN_LIST_NODE_INIT, 1};
    (void)PIN_INIT(pin_item, &it);
    assert_true(cmn_dies_with(project_from_moved, &it, "pinned object moved: type pin_item"));
}

static void test_list_head_projection(void **state)
{
    (void)state;
    pin_list l = PIN_LIST_INIT;
    pin_list_pinned lp = PIN_INIT(pin_list, &l);
    pin_list_init(lp);
    pin_list_node_pinned h = pin_list_head(lp);
    assert_ptr_equal(h.unchecked_, &l.head);
    assert_ptr_equal(l.head.next, &l.head); /* an empty sentinel points at itself */
    assert_ptr_equal(l.head.prev, &l.head);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_lines_waiter_is_inside_and_pinned),
    cmocka_unit_test(test_lines_plain_fields_are_copies),
    cmocka_unit_test(test_item_projection),
    cmocka_unit_test(test_projection_checks_the_container),
    cmocka_unit_test(test_list_head_projection),
};

CMN_TEST_MAIN(tests)
