// expect: incompatible type for argument 1|passing 'pin_lines \*'.* incompatible type
// 'pin_lines_pinned'
/* Must not compile: polling needs a pinned pointer; a plain `pin_lines *` (which could
 * point at a copy that is about to move) is a different type. */
#include "pin_lines.h"

pin_poll poll_plain(pin_lines *l, pin_context *cx, pin_line *out);
pin_poll poll_plain(pin_lines *l, pin_context *cx, pin_line *out)
{
    return pin_lines_poll(l, cx, out);
}
