/* bug.c — pinned list nodes in a growable array: the realloc-dangling bug on purpose.
 *
 * The array is grown the way a vector is (realloc, doubling). realloc may extend a
 * block in place; the demo grows until the block has actually moved, which with glibc
 * happens at the latest when the block crosses the mmap threshold, and always happens
 * under ASan and valgrind (their realloc never grows in place). */
#include "pin_bug.h"

#include <stdio.h>
#include <stdlib.h>

PIN_TYPE_DEFINE(pin_item, NULL);

pin_list_node_pinned pin_item_link(pin_item_pinned it)
{
    return PIN_PROJECT(pin_list_node, it, link);
}

int pin_item_value(pin_item_pinned it)
{
    return PIN_GET(it)->value;
}

/* Grows the array until realloc moves it; returns NULL (array freed) if it never does. */
static pin_item *grow_until_moved(pin_item *items, size_t n, pin_bug_trace *tr)
{
    tr->before = (uintptr_t)items;
    size_t cap = n;
    for (tr->grows = 1; tr->grows <= 24; tr->grows++) {
        cap *= 2;
        pin_item *bigger = realloc(items, cap * sizeof *items);
        if (bigger == NULL)
            break;
        items = bigger;
        if ((uintptr_t)items != tr->before) {
            tr->after = (uintptr_t)items;
            return items;
        }
    }
    free(items);
    return NULL;
}

size_t pin_bug_realloc(pin_bug_mode mode, size_t n, int verbose)
{
    if (n == 0 || n > 1u << 16)
        return SIZE_MAX;
    pin_list list = PIN_LIST_INIT;
    pin_list_pinned l = PIN_INIT(pin_list, &list);
    pin_list_init(l);
    pin_item *items = malloc(n * sizeof *items);
    if (items == NULL)
        return SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        items[i] = (pin_item){PIN_UNPINNED, PIN_LIST_NODE_INIT, (int)i};
        pin_item_pinned it = PIN_INIT(pin_item, &items[i]);
        pin_list_push_back(l, pin_item_link(it));
    }
    pin_bug_trace tr = {0, 0, 0};
    items = grow_until_moved(items, n, &tr); /* the bug: the items moved */
    if (items == NULL)
        return SIZE_MAX;
    if (verbose)
        printf("[bug] %zu list nodes in an array at %#lx; realloc #%zu moved it to %#lx\n", n,
               (unsigned long)tr.before, tr.grows, (unsigned long)tr.after);
    fflush(stdout);
    size_t result;
    if (mode == PIN_BUG_USE_ARRAY) {
        /* The program still treats its array elements as the pinned items they were. */
        pin_item_pinned first = {&items[0]};
        pin_list_remove(l, pin_item_link(first)); /* the move check fires here */
        result = pin_list_len(l);
    } else {
        result = pin_list_walk(l, NULL, NULL); /* follows links into the freed block */
    }
    free(items);
    return result;
}
