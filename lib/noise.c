/* lib/noise.c — the noise module (stdlib.md §13): improved Perlin noise with
 * a fractal sum.  Per-VM settings live in a NoiseState made on first use (a
 * VM that never calls noise pays nothing).  The permutation is 0..255
 * shuffled like shuffle() with a private xoshiro256** seeded from the noise
 * seed, then repeated to 512 entries. */
#include "rt.h"
#include "vm.h"
#include "random.h"
#include <math.h>

typedef struct NoiseState {
    int64_t seed;
    double frequency, lacunarity, gain;
    int64_t octaves;
    uint8_t p[512];
} NoiseState;

static void build_perm(NoiseState *n) {
    Rng r;
    rng_seed(&r, (uint64_t)n->seed);
    uint8_t q[256];
    for (int i = 0; i < 256; i++) q[i] = (uint8_t)i;
    for (int i = 255; i >= 1; i--) {
        int j = (int)rng_int(&r, 0, i);
        uint8_t t = q[i]; q[i] = q[j]; q[j] = t;
    }
    for (int i = 0; i < 512; i++) n->p[i] = q[i & 255];
}

static NoiseState *state(VM *vm) {
    if (!vm->noise) {
        NoiseState *n = mem_alloc(vm, sizeof *n);
        n->seed = 0;
        n->frequency = 1.0;
        n->octaves = 1;
        n->lacunarity = 2.0;
        n->gain = 0.5;
        build_perm(n);
        vm->noise = n;
    }
    return vm->noise;
}

void lib_noise_free(VM *vm) {
    if (vm->noise) mem_free(vm, vm->noise, sizeof(NoiseState));
    vm->noise = NULL;
}

static inline double fade(double t) { return t * t * t * (t * (t * 6.0 - 15.0) + 10.0); }
static inline double lerp(double t, double a, double b) { return a + t * (b - a); }

static inline double grad(int h, double x, double y, double z) {
    h &= 15;
    double u = h < 8 ? x : y;
    double v = h < 4 ? y : (h == 12 || h == 14 ? x : z);
    return ((h & 1) ? -u : u) + ((h & 2) ? -v : v);
}

/* The lattice cell of floor value f, mod 256 (as `(int)f & 255` for every
 * representable f, without an out-of-range conversion; non-finite: 0). */
static inline int lattice(double f) {
    if (!isfinite(f)) return 0;
    double w = fmod(f, 256.0);
    if (w < 0) w += 256.0;
    return (int)w & 255;
}

/* Ken Perlin's reference improved noise. */
static double perlin(const uint8_t *p, double x, double y, double z) {
    double fx = floor(x), fy = floor(y), fz = floor(z);
    int X = lattice(fx), Y = lattice(fy), Z = lattice(fz);
    x -= fx; y -= fy; z -= fz;
    double u = fade(x), v = fade(y), w = fade(z);
    int A = p[X] + Y, AA = p[A] + Z, AB = p[A + 1] + Z;
    int B = p[X + 1] + Y, BA = p[B] + Z, BB = p[B + 1] + Z;
    return lerp(w, lerp(v, lerp(u, grad(p[AA], x, y, z), grad(p[BA], x - 1, y, z)),
                           lerp(u, grad(p[AB], x, y - 1, z), grad(p[BB], x - 1, y - 1, z))),
                   lerp(v, lerp(u, grad(p[AA + 1], x, y, z - 1), grad(p[BA + 1], x - 1, y, z - 1)),
                           lerp(u, grad(p[AB + 1], x, y - 1, z - 1), grad(p[BB + 1], x - 1, y - 1, z - 1))));
}

static double fractal(NoiseState *n, double x, double y, double z) {
    int64_t oct = n->octaves < 1 ? 1 : n->octaves;
    double sum = 0.0, norm = 0.0, amp = 1.0, scale = n->frequency;
    for (int64_t i = 0; i < oct; i++) {
        sum += amp * perlin(n->p, x * scale, y * scale, z * scale);
        norm += amp;
        amp *= n->gain;
        scale *= n->lacunarity;
    }
    double r = sum / norm;
    return r < -1.0 ? -1.0 : r > 1.0 ? 1.0 : r;
}

static bool noise3d(VM *vm, Value *args, Value *ret) {
    ret->f = fractal(state(vm), args[0].f, args[1].f, args[2].f);
    return true;
}

static bool noise2d(VM *vm, Value *args, Value *ret) {
    ret->f = fractal(state(vm), args[0].f, args[1].f, 0.0);
    return true;
}

static bool noise_seed(VM *vm, Value *args, Value *ret) {
    (void)ret;
    NoiseState *n = state(vm);
    n->seed = args[0].i;
    build_perm(n);
    return true;
}

static bool noise_frequency(VM *vm, Value *args, Value *ret) {
    (void)ret;
    state(vm)->frequency = args[0].f;
    return true;
}

static bool noise_fractal(VM *vm, Value *args, Value *ret) {
    (void)ret;
    NoiseState *n = state(vm);
    n->octaves = args[0].i < 1 ? 1 : args[0].i;
    n->lacunarity = args[1].f;
    n->gain = args[2].f;
    return true;
}

const LibFn lib_noise_functions[] = {
    { "noise3D", "(x: float, y: float, z: float) -> float", noise3d },
    { "noise2D", "(x: float, y: float) -> float", noise2d },
    { "noiseSeed", "(seed: int)", noise_seed },
    { "noiseFrequency", "(frequency: float)", noise_frequency },
    { "noiseFractal", "(octaves: int, lacunarity: float, gain: float)", noise_fractal },
    { NULL, NULL, NULL },
};
