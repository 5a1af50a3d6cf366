/* test_list.c — the intrusive pinned list against a reference model (an array of the
 * listed ids in order), under seeded random pushes, removes and pops; plus the
 * sentinel's self-reference, unlink-on-drop and the move check on a moved head. */
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "pin_bug.h"
#include "pin_list.h"

#define NODES 64

typedef struct model {
    int ids[NODES];
    size_t n;
} model;

static void model_remove(model *m, int id)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->ids[i] == id) {
            memmove(&m->ids[i], &m->ids[i + 1], (m->n - i - 1) * sizeof m->ids[0]);
            m->n--;
            return;
        }
}

typedef struct collect {
    int ids[NODES];
    size_t n;
} collect;

static void collect_visit(pin_list_node *node, void *ctx)
{
    collect *c = ctx;
    c->ids[c->n++] = PIN_LIST_ENTRY(node, pin_item, link)->value;
}

static void assert_same(pin_list_pinned l, const model *m)
{
    collect c = {{0}, 0};
    assert_int_equal(pin_list_walk(l, collect_visit, &c), m->n);
    assert_int_equal(c.n, m->n);
    if (m->n > 0)
        assert_memory_equal(c.ids, m->ids, m->n * sizeof m->ids[0]);
    assert_int_equal(pin_list_empty(l), m->n == 0);
}

static void test_matches_model(void **state)
{
    (void)state;
    cmn_rng rng;
    cmn_test_rng(&rng);
    pin_item *items = calloc(NODES, sizeof *items); /* never grown: the nodes stay put */
    assert_non_null(items);
    for (int i = 0; i < NODES; i++)
        items[i] = (pin_item){PIN_UNPINNED, PIN_LIST_NODE_INIT, i};
    PIN_STACK(pin_list, l, PIN_LIST_INIT);
    pin_list_init(l);
    model m = {{0}, 0};
    for (int step = 0; step < 20000; step++) {
        int id = (int)cmn_rng_below(&rng, NODES);
        pin_item_pinned it = PIN_INIT(pin_item, &items[id]);
        pin_list_node_pinned link = pin_item_link(it);
        uint64_t op = cmn_rng_below(&rng, 3);
        if (op == 0 && !pin_list_linked(link)) {
            pin_list_push_back(l, link);
            m.ids[m.n++] = id;
        } else if (op == 1) {
            pin_list_remove(l, link); /* a node in no list is left alone */
            model_remove(&m, id);
        } else if (op == 2) {
            pin_list_node_pinned first = pin_list_pop_front(l);
            if (m.n == 0) {
                assert_null(first.unchecked_);
            } else {
                assert_int_equal(PIN_LIST_ENTRY(first.unchecked_, pin_item, link)->value, m.ids[0]);
                model_remove(&m, m.ids[0]);
            }
        }
        if (step % 97 == 0)
            assert_same(l, &m);
    }
    assert_same(l, &m);
    free(items);
}

static void test_drop_unlinks(void **state)
{
    (void)state;
    PIN_STACK(pin_list, l, PIN_LIST_INIT);
    pin_list_init(l);
    pin_item_pinned a = PIN_BOX(pin_item, ((pin_item){PIN_UNPINNED, PIN_LIST_NODE_INIT, 1}));
    pin_item_pinned b = PIN_BOX(pin_item, ((pin_item){PIN_UNPINNED, PIN_LIST_NODE_INIT, 2}));
    assert_non_null(a.unchecked_);
    assert_non_null(b.unchecked_);
    pin_list_push_back(l, pin_item_link(a));
    pin_list_push_back(l, pin_item_link(b));
    assert_int_equal(pin_list_len(l), 2);
    /* Freeing an item drops its node, which unlinks itself first: no dangling link. */
    pin_drop(&a.unchecked_->link, &pin_list_node_pin_type, __FILE__, __LINE__);
    PIN_BOX_FREE(pin_item, a);
    assert_int_equal(pin_list_len(l), 1);
    assert_ptr_equal(l.unchecked_->head.next, &b.unchecked_->link);
    pin_drop(&b.unchecked_->link, &pin_list_node_pin_type, __FILE__, __LINE__);
    PIN_BOX_FREE(pin_item, b);
    assert_true(pin_list_empty(l));
}

static void use_moved_head(void *arg)
{
    pin_list *orig = arg;
    pin_list copy = *orig; /* the sentinel now points at the old head */
    pin_list_pinned l = {&copy};
    (void)pin_list_empty(l);
}

static void test_moved_head_fires(void **state)
{
    (void)state;
    pin_list l = PIN_LIST_INIT;
    pin_list_init(PIN_INIT(pin_list, &l));
    assert_true(cmn_dies_with(use_moved_head, &l, "pinned object moved: type pin_list "));
}

static void push_twice(void *arg)
{
    pin_list_pinned l = {arg};
    static pin_list_node n;
    n = PIN_LIST_NODE_INIT;
    pin_list_push_back(l, (pin_list_node_pinned){&n});
    pin_list_push_back(l, (pin_list_node_pinned){&n});
}

static void test_push_linked_node_aborts(void **state)
{
    (void)state;
    pin_list l = PIN_LIST_INIT;
    pin_list_init(PIN_INIT(pin_list, &l));
    assert_true(cmn_dies_with(push_twice, &l, "is already in a list"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_matches_model),
    cmocka_unit_test(test_drop_unlinks),
    cmocka_unit_test(test_moved_head_fires),
    cmocka_unit_test(test_push_linked_node_aborts),
};

CMN_TEST_MAIN(tests)
