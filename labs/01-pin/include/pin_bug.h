/* pin_bug.h — the classic bug, on purpose: pinned list nodes kept in a growable array.
 *
 * A C programmer who needs n list nodes puts them in an array and grows it with
 * realloc. The list stores the nodes' addresses; realloc copies the nodes to a new
 * block and frees the old one; every link now points into freed memory. This module
 * builds exactly that so tests and the CLI can show both ways it is caught: the move
 * check, the first time the program uses a node through the array, and
 * AddressSanitizer, the first time anything follows a stale link.
 *
 * Not thread-safe; meant to be run in a child process (it is designed to crash). */
#ifndef PIN_BUG_H
#define PIN_BUG_H

#include <stddef.h>
#include <stdint.h>

#include "pin.h"
#include "pin_list.h"

/* An element of the array: a listed value. */
typedef struct pin_item {
    pin_anchor pin;
    pin_list_node link; /* structural: the list points at it */
    int value;          /* not structural */
} pin_item;
PIN_TYPE(pin_item);

/* Projection: the item's list node (structurally pinned). */
pin_list_node_pinned pin_item_link(pin_item_pinned it);

/* Projection: the item's value (a copy). */
int pin_item_value(pin_item_pinned it);

typedef enum pin_bug_mode {
    PIN_BUG_USE_ARRAY, /* after the move, unlink items[0] through the array: the check fires */
    PIN_BUG_WALK_LINKS /* after the move, walk the list from its head: use-after-free */
} pin_bug_mode;

/* What happened before the crash (filled as the demo goes, for the caller to print). */
typedef struct pin_bug_trace {
    uintptr_t before; /* the array block before growing */
    uintptr_t after;  /* the array block after growing */
    size_t grows;     /* reallocs it took until the block moved */
} pin_bug_trace;

/* Links n items (n >= 1) kept in a realloc-grown array into a list, grows the array
 * until the block moves, then uses the list as `mode` says. With the move check and
 * ASan it does not return. Without ASan, PIN_BUG_WALK_LINKS reads freed memory (undefined
 * behaviour) and may return what it counted; returns SIZE_MAX if the block never
 * moved, or if n is 0 or too large. The trace, if not NULL, is printed to stdout. */
size_t pin_bug_realloc(pin_bug_mode mode, size_t n, int verbose);

#endif
