/* fixtures.c — the type descriptors and helpers of tests/fixtures.h. */
#include "fixtures.h"

int selfref_drops;

static void selfref_drop(void *object)
{
    selfref *s = object;
    s->self = NULL;
    selfref_drops++;
}

PIN_TYPE_DEFINE(selfref, selfref_drop);
PIN_TYPE_DEFINE_MOVABLE(point, NULL);

selfref selfref_make(int value)
{
    return (selfref){PIN_UNPINNED, value, NULL};
}

void selfref_link(selfref_pinned s)
{
    selfref *p = PIN_GET(s);
    p->self = &p->value;
}
