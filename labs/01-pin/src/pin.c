/* pin.c — recording pins, the cold half of the move check, heap pinning and drop.
 *
 * The hot half of the check is inline in pin.h (anchor->self == &anchor). Everything
 * here runs only when that compare fails or when a pin starts or ends, so it can
 * afford to classify the failure and say exactly what happened: which type, where it
 * was pinned, where it is now, and which line of code noticed. */
#include "pin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The object that holds an anchor, given the address the anchor is (or was) at. */
static uintptr_t object_at(uintptr_t anchor_addr, const pin_type *type)
{
    return anchor_addr - type->anchor_offset;
}

_Noreturn static void report_and_abort(const char *what, const pin_anchor *anchor, const char *file,
                                       int line)
{
    const pin_type *type = anchor->type;
    fflush(stdout);
    fprintf(stderr, "pin: %s: type %s pinned at %#lx, now at %#lx (checked at %s:%d)\n", what,
            type != NULL ? type->name : "?",
            type != NULL ? (unsigned long)object_at(anchor->self, type) : 0UL,
            type != NULL ? (unsigned long)object_at((uintptr_t)anchor, type)
                         : (unsigned long)(uintptr_t)anchor,
            file, line);
    abort();
}

void pin_check_failed(const pin_anchor *anchor, const char *file, int line)
{
    /* SOLUTION BEGIN: never pinned? dropped? movable: re-record; else report and abort */
    if (anchor->self == 0) {
        fflush(stdout);
        fprintf(stderr,
                "pin: object at %#lx used through a pinned pointer but never pinned "
                "(checked at %s:%d)\n",
                (unsigned long)(uintptr_t)anchor, file, line);
        abort();
    }
    if (anchor->self == PIN_DROPPED) {
        fflush(stdout);
        fprintf(stderr, "pin: type %s at %#lx used after pin_drop (checked at %s:%d)\n",
                anchor->type != NULL ? anchor->type->name : "?",
                anchor->type != NULL ? (unsigned long)object_at((uintptr_t)anchor, anchor->type)
                                     : (unsigned long)(uintptr_t)anchor,
                file, line);
        abort();
    }
    if (anchor->type != NULL && anchor->type->movable) {
        /* Unpin: moving is allowed, the pin follows the value. The anchor is the
         * caller's object; the check's const is only the fast path's promise. */
        ((pin_anchor *)(uintptr_t)anchor)->self = (uintptr_t)anchor;
        return;
    }
    report_and_abort("pinned object moved", anchor, file, line);
    /* SOLUTION END */
}

void *pin_init(const pin_type *type, void *object)
{
    pin_anchor *anchor = (pin_anchor *)((char *)object + type->anchor_offset);
    if (anchor->self == (uintptr_t)anchor)
        return object; /* already pinned here: pinning is idempotent */
    if (anchor->self != 0 && anchor->self != PIN_DROPPED && !type->movable) {
        anchor->type = type;
        report_and_abort("pin_init on a copy of a pinned object", anchor, __FILE__, __LINE__);
    }
    anchor->type = type;
    anchor->self = (uintptr_t)anchor;
    return object;
}

bool pin_is_pinned(const pin_anchor *anchor)
{
    return anchor->self == (uintptr_t)anchor;
}

uintptr_t pin_recorded_address(const pin_anchor *anchor)
{
    if (anchor->self == 0 || anchor->self == PIN_DROPPED || anchor->type == NULL)
        return 0;
    return object_at(anchor->self, anchor->type);
}

void *pin_drop(void *object, const pin_type *type, const char *file, int line)
{
    pin_anchor *anchor = (pin_anchor *)((char *)object + type->anchor_offset);
    pin_check_at(anchor, file, line);
    if (type->drop != NULL)
        type->drop(object);
    anchor->self = PIN_DROPPED;
    return object;
}

void *pin_box(const pin_type *type, const void *value)
{
    const pin_anchor *src = (const pin_anchor *)((const char *)value + type->anchor_offset);
    if (src->self != 0 && src->self != PIN_DROPPED && !type->movable) {
        fflush(stdout);
        fprintf(stderr,
                "pin: pin_box: the %s value at %#lx is already pinned; "
                "a pinned value cannot move into a box\n",
                type->name, (unsigned long)(uintptr_t)value);
        abort();
    }
    void *block = malloc(type->size);
    if (block == NULL)
        return NULL;
    memcpy(block, value, type->size);
    pin_anchor *anchor = (pin_anchor *)((char *)block + type->anchor_offset);
    anchor->self = 0;
    return pin_init(type, block);
}

void pin_box_free(void *object, const pin_type *type, const char *file, int line)
{
    if (object == NULL)
        return;
    free(pin_drop(object, type, file, line));
}
