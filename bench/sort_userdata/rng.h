/* The benchmark's random numbers: the same sequence in every host. */
#include <stdint.h>
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static int64_t rng_next(int64_t n) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (int64_t)(rng_state % (uint64_t)n);
}
#include <time.h>
static double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
