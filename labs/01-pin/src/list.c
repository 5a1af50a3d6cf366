/* list.c — the intrusive pinned list: a circular list around a sentinel node.
 *
 * Circular with a sentinel means no NULL cases in link/unlink: an empty list is a
 * sentinel whose prev and next are itself. Each operation checks the pins of the
 * nodes it is handed (PIN_GET) before following or writing any link; neighbours are
 * reached through links, which are only as good as the pins that protect them. */
#include "pin_list.h"

#include <stdio.h>
#include <stdlib.h>

static void node_drop(void *object)
{
    pin_list_node *n = object;
    /* A node freed while linked would leave its neighbours pointing at freed memory:
     * unlink on drop, the way a Rust Drop impl for an intrusive node does. */
    if (n->next != NULL) {
        n->prev->next = n->next;
        n->next->prev = n->prev;
        n->prev = n->next = NULL;
    }
}

PIN_TYPE_DEFINE(pin_list_node, node_drop);
PIN_TYPE_DEFINE(pin_list, NULL);

void pin_list_init(pin_list_pinned list)
{
    pin_list *l = PIN_GET(list);
    pin_list_node_pinned head = PIN_INIT(pin_list_node, &l->head);
    PIN_GET(head)->prev = head.unchecked_;
    PIN_GET(head)->next = head.unchecked_;
}

pin_list_node_pinned pin_list_head(pin_list_pinned list)
{
    return PIN_PROJECT(pin_list_node, list, head);
}

void pin_list_push_back(pin_list_pinned list, pin_list_node_pinned node)
{
    pin_list_node *head = PIN_GET(pin_list_head(list));
    pin_list_node *n = node.unchecked_;
    if (n->pin.self == 0) /* a node is pinned where it is first linked */
        pin_init(&pin_list_node_pin_type, n);
    PIN_CHECK_PTR(n);
    if (n->next != NULL) {
        fprintf(stderr, "pin_list_push_back: node %p is already in a list\n", (void *)n);
        abort(); /* a broken invariant of the caller, not bad input */
    }
    n->prev = head->prev;
    n->next = head;
    head->prev->next = n;
    head->prev = n;
}

void pin_list_remove(pin_list_pinned list, pin_list_node_pinned node)
{
    PIN_CHECK_PTR(list.unchecked_);
    pin_list_node *n = PIN_GET(node);
    if (n->next == NULL)
        return;
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = NULL;
}

pin_list_node_pinned pin_list_pop_front(pin_list_pinned list)
{
    pin_list_node *head = PIN_GET(pin_list_head(list));
    if (head->next == head)
        return (pin_list_node_pinned){NULL};
    pin_list_node_pinned first = {head->next};
    pin_list_remove(list, first);
    return first;
}

bool pin_list_linked(pin_list_node_pinned node)
{
    return PIN_GET(node)->next != NULL;
}

bool pin_list_empty(pin_list_pinned list)
{
    pin_list_node *head = PIN_GET(pin_list_head(list));
    return head->next == head;
}

size_t pin_list_len(pin_list_pinned list)
{
    return pin_list_walk(list, NULL, NULL);
}

size_t pin_list_walk(pin_list_pinned list, void (*visit)(pin_list_node *node, void *ctx), void *ctx)
{
    pin_list_node *head = PIN_GET(pin_list_head(list));
    size_t n = 0;
    for (pin_list_node *it = head->next; it != head; it = it->next) {
        if (it->next->prev != it) {
            fprintf(stderr, "pin_list_walk: broken link after node %zu (%p)\n", n, (void *)it);
            abort();
        }
        if (visit != NULL)
            visit(it, ctx);
        n++;
    }
    return n;
}
