/* sample.h — the fixture lab's contract: two tiny functions with known answers. */
#ifndef SAMPLE_H
#define SAMPLE_H

/* Returns a + b. */
int sample_add(int a, int b);

/* Returns a * b. */
int sample_mul(int a, int b);

#endif
