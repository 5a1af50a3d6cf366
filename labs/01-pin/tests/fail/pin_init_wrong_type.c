// expect: incompatible pointer type|incompatible-pointer-types
/* Must not compile: PIN_INIT checks that the pointer is to the type being pinned, so a
 * channel cannot be recorded under the future's descriptor. */
#include "pin_lines.h"

pin_lines_pinned confuse(pin_chan *ch);
pin_lines_pinned confuse(pin_chan *ch)
{
    return PIN_INIT(pin_lines, ch);
}
