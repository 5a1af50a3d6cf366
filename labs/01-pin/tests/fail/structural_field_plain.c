// expect: invalid initializer|initializing .pin_waiter_pinned.* incompatible type
/* Must not compile: a structurally pinned field cannot be handed out as a pinned
 * pointer without projection: a plain address of the field is not a pinned pointer. */
#include "pin_lines.h"

pin_waiter_pinned grab(pin_lines *l);
pin_waiter_pinned grab(pin_lines *l)
{
    pin_waiter_pinned w = &l->waiter;
    return w;
}
