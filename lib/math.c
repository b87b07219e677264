/* lib/math.c — global functions and constants of the math and
 * interpolation modules (stdlib.md §3, §4 without ease/Easing).
 * int/float overloads are two entries with the same name, int first (the
 * checker picks it when every argument is an int).  Int arithmetic goes
 * through uint64_t so wrap-around is defined behaviour. */
#include "rt.h"
#include "vm.h"
#include <math.h>
#include <stdio.h>

#define I(k) (args[k].i)
#define F(k) (args[k].f)

/* ---- int overloads ---- */

static bool abs_i(VM *vm, Value *args, Value *ret) {
    (void)vm;
    uint64_t u = (uint64_t)I(0);
    ret->u = I(0) < 0 ? 0 - u : u;    /* abs(INT_MIN) wraps to INT_MIN */
    return true;
}

static bool sign_i(VM *vm, Value *args, Value *ret) { (void)vm; ret->i = (I(0) > 0) - (I(0) < 0); return true; }
static bool min_i(VM *vm, Value *args, Value *ret) { (void)vm; ret->i = I(0) < I(1) ? I(0) : I(1); return true; }
static bool max_i(VM *vm, Value *args, Value *ret) { (void)vm; ret->i = I(0) > I(1) ? I(0) : I(1); return true; }

static bool clamp_i(VM *vm, Value *args, Value *ret) {
    (void)vm;
    int64_t v = I(0) > I(1) ? I(0) : I(1);
    ret->i = v < I(2) ? v : I(2);     /* hi wins when lo > hi */
    return true;
}

/* ---- float overloads ---- */

static double fmin_nan(double a, double b) { return isnan(a) || isnan(b) ? NAN : a < b ? a : b; }
static double fmax_nan(double a, double b) { return isnan(a) || isnan(b) ? NAN : a > b ? a : b; }

static bool abs_f(VM *vm, Value *args, Value *ret) { (void)vm; ret->f = fabs(F(0)); return true; }

static bool sign_f(VM *vm, Value *args, Value *ret) {
    (void)vm;
    double x = F(0);
    ret->f = isnan(x) ? x : x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
    return true;
}

static bool min_f(VM *vm, Value *args, Value *ret) { (void)vm; ret->f = fmin_nan(F(0), F(1)); return true; }
static bool max_f(VM *vm, Value *args, Value *ret) { (void)vm; ret->f = fmax_nan(F(0), F(1)); return true; }

static double clampf(double v, double lo, double hi) { return fmin_nan(fmax_nan(v, lo), hi); }

static bool clamp_f(VM *vm, Value *args, Value *ret) { (void)vm; ret->f = clampf(F(0), F(1), F(2)); return true; }

/* One-argument float functions: one native per C function. */
#define F1(name, expr) \
    static bool name(VM *vm, Value *args, Value *ret) { (void)vm; double x = F(0); ret->f = (expr); return true; }

F1(floor_f, floor(x))
F1(ceil_f, ceil(x))
F1(trunc_f, trunc(x))
F1(round_f, round(x))          /* C round: halves away from zero */
F1(sqrt_f, sqrt(x))
F1(exp_f, exp(x))
F1(log_f, log(x))
F1(log10_f, log10(x))
F1(log2_f, log2(x))
F1(sin_f, sin(x))
F1(cos_f, cos(x))
F1(tan_f, tan(x))
F1(asin_f, asin(x))
F1(acos_f, acos(x))
F1(atan_f, atan(x))
F1(deg_to_rad, x * 3.14159265358979323846 / 180.0)   /* exact at 180, 90, ... */
F1(rad_to_deg, x * 180.0 / 3.14159265358979323846)

static bool pow_f(VM *vm, Value *args, Value *ret) { (void)vm; ret->f = pow(F(0), F(1)); return true; }
static bool atan2_f(VM *vm, Value *args, Value *ret) { (void)vm; ret->f = atan2(F(0), F(1)); return true; }
static bool is_nan(VM *vm, Value *args, Value *ret) { (void)vm; ret->u = isnan(F(0)) != 0; return true; }
static bool is_finite(VM *vm, Value *args, Value *ret) { (void)vm; ret->u = isfinite(F(0)) != 0; return true; }

/* ---- formatFloat ---- */

/* Fixed notation with `decimals` digits after the point.  The digits come
 * from printf("%.*f"), which rounds the exact binary value (ties to even
 * in glibc); the radix character, which follows the C locale, is replaced
 * by '.', so the result never depends on setlocale. */
static Str *format_fixed(VM *vm, double v, int64_t decimals) {
    if (isnan(v)) return str_cstr(vm, "nan");
    if (isinf(v)) return str_cstr(vm, v < 0 ? "-inf" : "inf");
    int dec = decimals < 0 ? 0 : decimals > 20 ? 20 : (int)decimals;
    char tmp[400];                  /* 309 integer digits + sign + point + 20 */
    snprintf(tmp, sizeof tmp, "%.*f", dec, v);
    char out[400], *w = out;
    const char *p = tmp;
    if (*p == '-') *w++ = *p++;
    else if (signbit(v)) *w++ = '-';          /* "-0.00" on every libc */
    while (*p >= '0' && *p <= '9') *w++ = *p++;
    if (dec > 0) {
        while (*p && (*p < '0' || *p > '9')) p++;     /* the locale's radix, any width */
        *w++ = '.';
        while (*p >= '0' && *p <= '9') *w++ = *p++;
    }
    return str_new(vm, out, (size_t)(w - out));
}

static bool format_float(VM *vm, Value *args, Value *ret) {
    ret->p = format_fixed(vm, F(0), I(1));
    return true;
}

/* ---- interpolation (§4) ---- */

static double inverse_lerp(double a, double b, double v) { return a == b ? 0.0 : (v - a) / (b - a); }
static double lerp(double a, double b, double t) { return a + (b - a) * t; }

static bool lerp_f(VM *vm, Value *args, Value *ret) { (void)vm; ret->f = lerp(F(0), F(1), F(2)); return true; }
static bool inverse_lerp_f(VM *vm, Value *args, Value *ret) { (void)vm; ret->f = inverse_lerp(F(0), F(1), F(2)); return true; }

static bool remap_f(VM *vm, Value *args, Value *ret) {
    (void)vm;
    ret->f = lerp(F(3), F(4), inverse_lerp(F(1), F(2), F(0)));
    return true;
}

/* Shared t of smoothstep/smootherstep; *degenerate set when edge0 == edge1. */
static double smooth_t(double e0, double e1, double x, bool *degenerate) {
    *degenerate = e0 == e1;
    if (*degenerate) return x < e0 ? 0.0 : 1.0;
    return clampf((x - e0) / (e1 - e0), 0.0, 1.0);
}

static bool smoothstep_f(VM *vm, Value *args, Value *ret) {
    (void)vm;
    bool deg;
    double t = smooth_t(F(0), F(1), F(2), &deg);
    ret->f = deg ? t : t * t * (3.0 - 2.0 * t);
    return true;
}

static bool smootherstep_f(VM *vm, Value *args, Value *ret) {
    (void)vm;
    bool deg;
    double t = smooth_t(F(0), F(1), F(2), &deg);
    ret->f = deg ? t : t * t * t * (t * (6.0 * t - 15.0) + 10.0);
    return true;
}

const LibFn lib_functions[] = {
    { "abs", "(x: int) -> int", abs_i },
    { "abs", "(x: float) -> float", abs_f },
    { "sign", "(x: int) -> int", sign_i },
    { "sign", "(x: float) -> float", sign_f },
    { "min", "(a: int, b: int) -> int", min_i },
    { "min", "(a: float, b: float) -> float", min_f },
    { "max", "(a: int, b: int) -> int", max_i },
    { "max", "(a: float, b: float) -> float", max_f },
    { "clamp", "(value: int, lo: int, hi: int) -> int", clamp_i },
    { "clamp", "(value: float, lo: float, hi: float) -> float", clamp_f },
    { "floor", "(x: float) -> float", floor_f },
    { "ceil", "(x: float) -> float", ceil_f },
    { "trunc", "(x: float) -> float", trunc_f },
    { "round", "(x: float) -> float", round_f },
    { "sqrt", "(x: float) -> float", sqrt_f },
    { "pow", "(base: float, exponent: float) -> float", pow_f },
    { "exp", "(x: float) -> float", exp_f },
    { "log", "(x: float) -> float", log_f },
    { "log10", "(x: float) -> float", log10_f },
    { "log2", "(x: float) -> float", log2_f },
    { "sin", "(x: float) -> float", sin_f },
    { "cos", "(x: float) -> float", cos_f },
    { "tan", "(x: float) -> float", tan_f },
    { "asin", "(x: float) -> float", asin_f },
    { "acos", "(x: float) -> float", acos_f },
    { "atan", "(x: float) -> float", atan_f },
    { "atan2", "(y: float, x: float) -> float", atan2_f },
    { "degToRad", "(degrees: float) -> float", deg_to_rad },
    { "radToDeg", "(radians: float) -> float", rad_to_deg },
    { "isNan", "(x: float) -> bool", is_nan },
    { "isFinite", "(x: float) -> bool", is_finite },
    { "formatFloat", "(value: float, decimals: int) -> string", format_float },
    { "lerp", "(a: float, b: float, t: float) -> float", lerp_f },
    { "inverseLerp", "(a: float, b: float, value: float) -> float", inverse_lerp_f },
    { "remap", "(value: float, fromMin: float, fromMax: float, toMin: float, toMax: float) -> float", remap_f },
    { "smoothstep", "(edge0: float, edge1: float, x: float) -> float", smoothstep_f },
    { "smootherstep", "(edge0: float, edge1: float, x: float) -> float", smootherstep_f },
    { NULL, NULL, NULL },
};

const LibConst lib_constants[] = {
    { "PI", "float", { .f = 3.14159265358979323846 } },
    { "TAU", "float", { .f = 6.28318530717958647692 } },
    { "E", "float", { .f = 2.71828182845904523536 } },
    { "INFINITY", "float", { .f = INFINITY } },
    { "NAN", "float", { .f = NAN } },
    { "INT_MAX", "int", { .i = INT64_MAX } },
    { "INT_MIN", "int", { .i = INT64_MIN } },
    { NULL, NULL, { .i = 0 } },
};
