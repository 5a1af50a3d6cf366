// expect: incompatible|makes integer from pointer
/* Must not compile: assigning a pointer to an int is an error under -Werror. */
#include "sample.h"

int f(void);
int f(void)
{
    int x = &sample_add;
    return x;
}
