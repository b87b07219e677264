/* lib/random.c — the random module (stdlib.md §10): one xoshiro256**
 * generator per VM, its four state words taken from SplitMix64 started at the
 * seed.  All generator arithmetic is unsigned 64-bit (wrapping), so seeded
 * runs are reproducible across implementations.  shuffle<T> is a native
 * whose T the checker takes from the array argument. */
#include "rt.h"
#include "vm.h"
#include "random.h"
#include <inttypes.h>
#include <time.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_seed(Rng *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

uint64_t rng_next(Rng *r) {
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

/* Uniform in [min, max] (min <= max) without modulo bias. */
int64_t rng_int(Rng *r, int64_t min, int64_t max) {
    uint64_t span = (uint64_t)max - (uint64_t)min + 1;
    if (span == 0) return (int64_t)rng_next(r);        /* the whole int range */
    uint64_t threshold = (0 - span) % span;            /* (2^64 - span) mod span */
    uint64_t x;
    do x = rng_next(r); while (x < threshold);
    return (int64_t)((uint64_t)min + x % span);
}

double rng_float(Rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

void lib_random_init(VM *vm) {
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    rng_seed(&vm->rng, (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)vm);
}

static bool seed_random(VM *vm, Value *args, Value *ret) {
    (void)ret;
    rng_seed(&vm->rng, (uint64_t)args[0].i);
    return true;
}

static bool random_f(VM *vm, Value *args, Value *ret) {
    (void)args;
    ret->f = rng_float(&vm->rng);
    return true;
}

static bool random_int(VM *vm, Value *args, Value *ret) {
    int64_t min = args[0].i, max = args[1].i;
    if (min > max) {
        rt_error(vm, "randomInt: min %" PRId64 " is greater than max %" PRId64, min, max);
        return false;
    }
    ret->i = rng_int(&vm->rng, min, max);
    return true;
}

static bool random_float(VM *vm, Value *args, Value *ret) {
    double min = args[0].f, max = args[1].f;
    ret->f = min + rng_float(&vm->rng) * (max - min);
    return true;
}

/* shuffle<T>(array): Fisher-Yates from the top with randomInt(0, i); swapping
 * slots needs no reference counting whatever T is. */
static bool shuffle(VM *vm, Value *args, Value *ret) {
    (void)ret;
    Arr *a = (Arr *)args[0].p;
    for (int64_t i = a->len - 1; i >= 1; i--) {
        int64_t j = rng_int(&vm->rng, 0, i);
        Value t = a->data[i];
        a->data[i] = a->data[j];
        a->data[j] = t;
    }
    return true;
}

const LibFn lib_random_functions[] = {
    { "seedRandom", "(seed: int)", seed_random },
    { "random", "() -> float", random_f },
    { "randomInt", "(min: int, max: int) -> int", random_int },
    { "randomFloat", "(min: float, max: float) -> float", random_float },
    { "shuffle", "(array: Array<T>)", shuffle },    /* generic over the array's element type (check.c) */
    { NULL, NULL, NULL },
};
