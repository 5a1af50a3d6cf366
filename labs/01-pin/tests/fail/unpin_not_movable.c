// expect: pin_lines_is_movable
/* Must not compile: PIN_INTO_INNER (the Unpin escape hatch) is only for types declared
 * with PIN_TYPE_MOVABLE; the self-referential future is not one. */
#include "pin_lines.h"

pin_lines *unwrap(pin_lines_pinned f);
pin_lines *unwrap(pin_lines_pinned f)
{
    return PIN_INTO_INNER(pin_lines, f);
}
