/* pin_list.h — an intrusive doubly linked list whose nodes and head are pinned.
 *
 * The node lives inside the caller's struct (`pin_list_node link;`), so the list
 * allocates nothing; the price is that every node's address is stored in its
 * neighbours, which makes each node a self-referential structure spread over several
 * objects. The head is a sentinel node that points at itself when empty: a list head
 * moved by struct assignment points at its old self. Every operation takes pinned
 * pointers and runs the move check on each node it is handed, so a node moved by
 * realloc is reported at its first use instead of corrupting memory later.
 *
 * Not thread-safe: one thread owns a list and its nodes. */
#ifndef PIN_LIST_H
#define PIN_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "pin.h"

/* A link, embedded in the struct that is listed. Zero (or PIN_LIST_NODE_INIT) is
 * "not in a list, not pinned". */
typedef struct pin_list_node {
    pin_anchor pin;
    struct pin_list_node *prev;
    struct pin_list_node *next;
} pin_list_node;
PIN_TYPE(pin_list_node);

#define PIN_LIST_NODE_INIT ((pin_list_node){PIN_UNPINNED, NULL, NULL})

/* The list: a pinned sentinel. */
typedef struct pin_list {
    pin_anchor pin;
    pin_list_node head; /* structural: the first and last nodes point at it */
} pin_list;
PIN_TYPE(pin_list);

#define PIN_LIST_INIT ((pin_list){PIN_UNPINNED, PIN_LIST_NODE_INIT})

/* Makes an empty list of a pinned, unpinned-before list (e.g. from PIN_LIST_INIT). The
 * sentinel points at itself only from here on, so call it after pinning. */
void pin_list_init(pin_list_pinned list);

/* The sentinel, structurally pinned (projection). */
pin_list_node_pinned pin_list_head(pin_list_pinned list);

/* Pins node in place if it is not pinned yet and links it at the back. The node must
 * not be in a list. O(1). */
void pin_list_push_back(pin_list_pinned list, pin_list_node_pinned node);

/* Unlinks node from the list it is in; a node in no list is left alone. O(1). */
void pin_list_remove(pin_list_pinned list, pin_list_node_pinned node);

/* Unlinks and returns the first node, or a pinned pointer to NULL if the list is empty. */
pin_list_node_pinned pin_list_pop_front(pin_list_pinned list);

/* True when node is linked into some list. */
bool pin_list_linked(pin_list_node_pinned node);

/* True when the list has no node. O(1). */
bool pin_list_empty(pin_list_pinned list);

/* Number of nodes, O(n): a node may unlink itself when dropped (it does not know its
 * list), so the list keeps no count. */
size_t pin_list_len(pin_list_pinned list);

/* Walks the list front to back and returns the number of nodes reached; aborts with a
 * report if a link is inconsistent (a->next->prev != a). For tests and demos. */
size_t pin_list_walk(pin_list_pinned list, void (*visit)(pin_list_node *node, void *ctx),
                     void *ctx);

/* The struct of type T whose member `member` is the node at `node` (container_of). */
#define PIN_LIST_ENTRY(node, T, member) ((T *)(void *)((char *)(node)-offsetof(T, member)))

#endif
