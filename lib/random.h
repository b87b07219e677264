/* lib/random.h — the xoshiro256** generator (random.c), shared by the random
 * module and noise's permutation. */
#ifndef WRIT_LIB_RANDOM_H
#define WRIT_LIB_RANDOM_H

#include "vm.h"

void rng_seed(Rng *r, uint64_t seed);                  /* state = 4 SplitMix64 outputs */
uint64_t rng_next(Rng *r);
int64_t rng_int(Rng *r, int64_t min, int64_t max);    /* [min, max], min <= max */
double rng_float(Rng *r);                              /* [0, 1) */



#endif
