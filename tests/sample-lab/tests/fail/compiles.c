// expect: this never appears
/* Wrongly compiles: the compile-fail runner must count this file as a failure. */
#include "sample.h"

int g(void);
int g(void)
{
    return sample_add(1, 2);
}
