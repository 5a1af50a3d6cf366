/* fixtures.h — small pinnable types shared by the tests.
 *
 * selfref is the smallest self-referential struct (a pointer to its own field), so
 * it must never move once pinned; point has no self-references and is declared
 * movable (the Unpin analogue). */
#ifndef PIN_TEST_FIXTURES_H
#define PIN_TEST_FIXTURES_H

#include "pin.h"

typedef struct selfref {
    pin_anchor pin;
    int value;
    int *self; /* &value once pinned */
} selfref;
PIN_TYPE(selfref);

typedef struct point {
    pin_anchor pin;
    int x, y;
} point;
PIN_TYPE_MOVABLE(point);

/* A selfref by value, not pinned. */
selfref selfref_make(int value);

/* Points self at value; the object must be pinned. */
void selfref_link(selfref_pinned s);

/* Number of times selfref's drop ran (reset by the tests). */
extern int selfref_drops;

#endif
