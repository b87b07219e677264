/* test_rt.c — unit tests for the runtime core: types, objects, strings,
 * arrays, dictionaries, display / equality / typeof, float text, and the
 * string, array, dictionary and math natives.  Every test checks that the
 * VM's byte count returns to where it started (no leaks). */
#include "rt.h"
#include "chunk.h"
#include "testvm.h"
#include <stdio.h>
#include <stdarg.h>
#include <math.h>
#include <locale.h>

/* ---- stubs for pieces owned by the VM (weak: the real ones win) ---- */

static char last_error[256];
static int error_count;

/* ---- tiny harness ---- */

static int failures, checks;

#define CHECK(c) do { checks++; if (!(c)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); } } while (0)
#define CHECK_STR(got, want) do { checks++; const char *g_ = (got), *w_ = (want); \
    if (strcmp(g_, w_) != 0) { failures++; \
    fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, g_, w_); } } while (0)

static VM *vm;
static Type *T_int, *T_float, *T_bool, *T_str;

/* Display of (t, v) in a scratch buffer (valid until the next call). */
static const char *show_q(Type *t, Value v, bool quoted) {
    static char out[4096];
    Buf b;
    buf_init(&b, vm);
    display_value(vm, &b, t, v, quoted);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    buf_free(&b);
    return out;
}
static const char *show(Type *t, Value v) { return show_q(t, v, false); }

static Value S(const char *s) { return (Value){ .p = str_cstr(vm, s) }; }
static Value I(int64_t i) { return (Value){ .i = i }; }
static Value F(double f) { return (Value){ .f = f }; }
static void rel(Type *t, Value v) { val_release(vm, t, v); }

static const char *ff(double d) {
    static char buf[64];
    fmt_float(buf, d);
    return buf;
}

/* Finds a native in a NULL-terminated table; `nth` picks among overloads. */
static NativeFn native(const LibFn *tab, const char *name, int nth) {
    for (; tab->name; tab++)
        if (strcmp(tab->name, name) == 0 && nth-- == 0) return tab->fn;
    fprintf(stderr, "no native %s\n", name);
    abort();
}

/* Calls a string method; returns the result slot (owned). */
static Value call(const LibFn *tab, const char *name, int nth, Value *args) {
    Value r = { .u = 0 };
    error_count = 0;
    last_error[0] = 0;
    vm->has_error = false;
    bool ok = native(tab, name, nth)(vm, args, &r);
    if (vm->has_error) {          /* the VM's rt_error recorded a message */
        error_count = 1;
        snprintf(last_error, sizeof last_error, "%s", vm->error_msg);
    }
    CHECK(ok == (error_count == 0));
    return r;
}

/* "s".method(args...) returning a string, checked against want. */
static void str_case(const char *s, const char *m, Value a1, Value a2, const char *want) {
    Value args[3] = { S(s), a1, a2 };
    Value r = call(lib_string_methods, m, 0, args);
    CHECK_STR(((Str *)r.p)->data, want);
    rel(T_str, r);
    rel(T_str, args[0]);
}

/* ======================================================================
 * types
 * ====================================================================== */

static void test_types(void) {
    Type *ai = ty_array(vm, T_int);
    CHECK(ai == ty_array(vm, T_int));
    CHECK_STR(ai->name, "Array<int>");
    Type *d = ty_dict(vm, T_str, T_int);
    CHECK(d == ty_dict(vm, T_str, T_int));
    CHECK(d != ty_dict(vm, T_int, T_str));
    CHECK_STR(d->name, "Dictionary<string, int>");
    Type *tp[] = { T_int, T_str };
    Type *tu = ty_tuple(vm, tp, 2);
    CHECK(tu == ty_tuple(vm, tp, 2));
    CHECK_STR(tu->name, "(int, string)");
    Type *oi = ty_optional(vm, T_int);
    CHECK(ty_optional(vm, oi) == oi);
    CHECK_STR(oi->name, "Optional<int>");
    Type *fp[] = { T_int, T_float };
    Type *fn = ty_func(vm, fp, 2, T_str);
    CHECK(fn == ty_func(vm, fp, 2, T_str));
    CHECK_STR(fn->name, "(int, float) -> string");
    CHECK_STR(ty_func(vm, NULL, 0, vm->types.t_void)->name, "() -> void");
    Type *hp[] = { fn };
    CHECK_STR(ty_func(vm, hp, 1, fn)->name, "((int, float) -> string) -> (int, float) -> string");
    CHECK_STR(ty_array(vm, ty_array(vm, oi))->name, "Array<Array<Optional<int>>>");
    CHECK(ty_func(vm, fp, 1, T_str) != fn);

    /* layout */
    CHECK(!T_int->is_ref && !T_float->is_ref && !T_bool->is_ref && !vm->types.t_void->is_ref);
    CHECK(T_str->is_ref && ai->is_ref && d->is_ref && tu->is_ref && fn->is_ref);
    CHECK(oi->is_ref);                                  /* IntBox */
    CHECK(!ty_optional(vm, T_float)->is_ref);
    CHECK(!ty_optional(vm, T_bool)->is_ref);
    CHECK(ty_optional(vm, T_str)->is_ref && ty_optional(vm, ai)->is_ref);
    CHECK(vm->types.t_any->is_ref && !vm->types.t_error->is_ref);   /* any: an AnyBox */
    Type *on = ty_optional(vm, vm->types.t_null);
    CHECK_STR(on->name, "Optional<null>");
    CHECK(!on->is_ref);

    /* many types: the table grows and stays consistent */
    Type *t = T_int;
    for (int i = 0; i < 500; i++) t = ty_array(vm, t);
    Type *u = T_int;
    for (int i = 0; i < 500; i++) u = ty_array(vm, u);
    CHECK(t == u);
}

/* ======================================================================
 * float text
 * ====================================================================== */

static void test_fmt_float(void) {
    struct { double d; const char *s; } tab[] = {
        { 65.0, "65.0" }, { 0.1, "0.1" }, { 1e-05, "1e-05" }, { 1e16, "1e+16" },
        { 1.5e300, "1.5e+300" }, { -0.0, "-0.0" }, { 0.0, "0.0" }, { 0.1 + 0.2, "0.30000000000000004" },
        { 100.0, "100.0" }, { 1e100, "1e+100" }, { 5e-324, "5e-324" }, { 0.0001, "0.0001" },
        { 0.00012345, "0.00012345" }, { 1e15, "1000000000000000.0" }, { 123456789012345680.0, "1.2345678901234568e+17" },
        { 1.7976931348623157e308, "1.7976931348623157e+308" }, { 2.2250738585072014e-308, "2.2250738585072014e-308" },
        { -1.5, "-1.5" }, { 3.5, "3.5" }, { 191.0, "191.0" }, { 95.5, "95.5" }, { 1.0 / 3.0, "0.3333333333333333" },
        { 2.0 / 3.0, "0.6666666666666666" }, { 9007199254740993.0, "9007199254740992.0" }, { 1e-4, "0.0001" },
        { 1.25e-5, "1.25e-05" }, { 123e20, "1.23e+22" }, { 4.35, "4.35" }, { 9.5367431640625e-07, "9.5367431640625e-07" },
        { 5e-310, "5e-310" }, { 1e23, "1e+23" }, { 8.41e21, "8.41e+21" }, { 2e-7, "2e-07" }, { 1234567.0, "1234567.0" },
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) CHECK_STR(ff(tab[i].d), tab[i].s);
    CHECK_STR(ff(INFINITY), "inf");
    CHECK_STR(ff(-INFINITY), "-inf");
    CHECK_STR(ff(NAN), "nan");
    CHECK_STR(ff(-NAN), "nan");
    double z = 0.0;
    CHECK_STR(ff(z / z), "nan");
    /* powers of two: the narrow-interval case */
    CHECK_STR(ff(ldexp(1.0, -1074)), "5e-324");
    CHECK_STR(ff(ldexp(1.0, 1023)), "8.98846567431158e+307");
    CHECK_STR(ff(ldexp(1.0, -1022)), "2.2250738585072014e-308");
    CHECK_STR(ff(ldexp(1.0, 60)), "1.152921504606847e+18");
}

/* Reference: first precision whose %.*e form strtod reads back exactly
 * (the test runs in the C locale). */
static int ref_digits(double d) {
    char tmp[64];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d) return p;
    }
    return 17;
}

static int count_digits(const char *s) {
    /* significant digits of our output: strip sign, exponent, point, and
     * leading/trailing zeros */
    char dig[64];
    int n = 0;
    for (; *s && *s != 'e'; s++) if (*s >= '0' && *s <= '9') dig[n++] = *s;
    int a = 0, b = n;
    while (a < b && dig[a] == '0') a++;
    while (b > a && dig[b - 1] == '0') b--;
    return b - a ? b - a : 1;
}

static uint64_t rng_state = 0x853c49e6748fea9bULL;
static uint64_t rng(void) {
    rng_state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = rng_state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void test_float_roundtrip(void) {
    int bad = 0;
    for (int i = 0; i < 50000 && bad < 5; i++) {
        uint64_t bits = rng();
        if (i % 4 == 1) bits &= 0x800fffffffffffffULL | (rng() % 64) << 52;      /* subnormal / tiny */
        if (i % 4 == 2) bits = (bits & 0xfff0000000000000ULL) | (rng() % 1000); /* near binade bottom */
        if (i % 4 == 3) { double x = (double)(int64_t)(rng() % 2000000) / 1000.0; memcpy(&bits, &x, 8); }
        double d;
        memcpy(&d, &bits, 8);
        if (!isfinite(d)) continue;
        char buf[64];
        int n = fmt_float(buf, d);
        double back;
        bool ok = parse_float_text(buf, (size_t)n, &back) && back == d && signbit(back) == signbit(d);
        double via_c = strtod(buf, NULL);
        bool shortest = count_digits(buf) <= ref_digits(d);
        if (!ok || via_c != d || !shortest || (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL)) {
            fprintf(stderr, "roundtrip: %a -> %s (%s)\n", d, buf, shortest ? "not exact" : "not shortest");
            bad++;
        }
    }
    CHECK(bad == 0);
    checks++;
}

static double pf(const char *s) {
    double d = -12345.0;
    if (!parse_float_text(s, strlen(s), &d)) return -12345.0;
    return d;
}

static void test_parse_float(void) {
    CHECK(pf("0.1") == 0.1);
    CHECK(pf("1") == 1.0 && pf("1.") == 1.0 && pf(".5") == 0.5 && pf("-2.5e3") == -2500.0);
    CHECK(pf("1e-5") == 1e-5 && pf("1E+16") == 1e16 && pf("+3") == 3.0);
    CHECK(pf("5e-324") == 5e-324);
    CHECK(pf("2.4703282292062328e-324") == 5e-324);        /* just above half: rounds up */
    CHECK(pf("2.4703282292062327e-324") == 0.0);           /* just below half */
    CHECK(pf("1.7976931348623157e308") == 1.7976931348623157e308);
    CHECK(isinf(pf("1.7976931348623159e308")));            /* past the max's halfway point */
    CHECK(pf("1.7976931348623158e308") == 1.7976931348623157e308);
    CHECK(isinf(pf("1e400")) && pf("-1e400") == -INFINITY);
    CHECK(pf("1e-400") == 0.0 && signbit(pf("-1e-400")));
    CHECK(pf("9007199254740993") == 9007199254740992.0);   /* tie: even */
    CHECK(pf("9007199254740995") == 9007199254740996.0);
    CHECK(pf("9007199254740993.0000000000000000000000000000001") == 9007199254740994.0);
    CHECK(pf("0.30000000000000004") == 0.1 + 0.2);
    CHECK(pf("123456789012345678901234567890") == 1.2345678901234568e29);
    CHECK(pf("000000000000000000000000000000000001.5") == 1.5);
    CHECK(pf("0.000000000000000000000000000000000000000000001") == 1e-45);
    CHECK(pf("2.2250738585072011e-308") == 2.225073858507201e-308);
    CHECK(pf("1e99999999999999") == INFINITY);
    /* 900 digits: the sticky path */
    char big[1000];
    big[0] = '1';
    for (int i = 1; i < 900; i++) big[i] = i == 899 ? '1' : '0';
    big[900] = 0;
    CHECK(isinf(pf(big)));                                /* 1e899 + 1 */
    memcpy(big, "0.", 2);
    for (int i = 2; i < 900; i++) big[i] = '3';
    big[900] = 0;
    CHECK(pf(big) == 1.0 / 3.0);
    /* malformed */
    const char *badv[] = { "", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "inf", "nan", " 1", "1 ", "0x10", "1_0", "--1" };
    for (size_t i = 0; i < sizeof badv / sizeof badv[0]; i++) CHECK(pf(badv[i]) == -12345.0);
}

/* ======================================================================
 * strings
 * ====================================================================== */

static void test_str_core(void) {
    Str *a = str_cstr(vm, "héllo");
    CHECK(a->len == 6 && a->cplen == 5 && !a->ascii);
    Str *b = str_cstr(vm, "abcdefghijklmnopq");
    CHECK(b->ascii && b->cplen == 17);
    CHECK(str_hash(a) != 0 && str_hash(a) == str_hash(a));
    Str *a2 = str_cstr(vm, "héllo");
    CHECK(str_eq(a, a2) && str_hash(a) == str_hash(a2));
    CHECK(!str_eq(a, b));
    CHECK(str_cmp(a, b) > 0 || str_cmp(a, b) < 0);
    Str *ab = str_cstr(vm, "ab"), *abc = str_cstr(vm, "abc");
    CHECK(str_cmp(ab, abc) < 0 && str_cmp(abc, ab) > 0 && str_cmp(ab, ab) == 0);
    Str *cat = str_concat(vm, a, b);
    CHECK(cat->len == 23 && cat->cplen == 22 && !cat->ascii);
    CHECK_STR(cat->data, "héllo" "abcdefghijklmnopq");
    Str *parts[] = { ab, a, abc };
    Str *n3 = str_concat_n(vm, parts, 3);
    CHECK_STR(n3->data, "abhélloabc");
    CHECK(n3->cplen == 10 && !n3->ascii);
    CHECK(str_byte_offset(a, 0) == 0 && str_byte_offset(a, 1) == 1 && str_byte_offset(a, 2) == 3);
    CHECK(str_byte_offset(a, 4) == 5 && str_byte_offset(a, 5) == 6);
    CHECK(str_byte_offset(b, 7) == 7);
    Str *e = str_cstr(vm, "");
    Str *ce = str_concat(vm, e, ab);
    CHECK(ce == ab);
    /* distinct short strings hash differently (sanity, not a proof) */
    int same = 0;
    char k1[16], k2[16];
    for (int i = 0; i < 1000; i++) {
        snprintf(k1, sizeof k1, "k%d", i);
        snprintf(k2, sizeof k2, "k%d", i + 1);
        Str *x = str_cstr(vm, k1), *y = str_cstr(vm, k2);
        same += str_hash(x) == str_hash(y);
        RELEASE(vm, x); RELEASE(vm, y);
    }
    CHECK(same == 0);
    Str *all[] = { a, b, a2, ab, abc, cat, n3, e, ce };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) RELEASE(vm, all[i]);
}

static int64_t str_int(const char *s, const char *m, Value a1) {
    Value args[3] = { S(s), a1, { 0 } };
    Value r = call(lib_string_methods, m, 0, args);
    rel(T_str, args[0]);
    return r.i;
}

static int64_t str_int_s(const char *s, const char *m, const char *a1) {
    Value arg = S(a1);
    int64_t r = str_int(s, m, arg);
    rel(T_str, arg);
    return r;
}

static void str_case_s(const char *s, const char *m, const char *a1, const char *a2, const char *want) {
    Value x = a1 ? S(a1) : (Value){ 0 }, y = a2 ? S(a2) : (Value){ 0 };
    str_case(s, m, x, y, want);
    if (a1) rel(T_str, x);
    if (a2) rel(T_str, y);
}

/* Joins an Array<string> result as "a|b|c" for comparison. */
static const char *arr_text(Arr *a) {
    static char out[1024];
    out[0] = 0;
    for (int64_t i = 0; i < a->len; i++) {
        if (i) strcat(out, "|");
        strcat(out, ((Str *)a->data[i].p)->data);
    }
    return out;
}

static void split_case(const char *s, const char *sep, int64_t n, const char *want) {
    Value args[2] = { S(s), S(sep) };
    Value r = call(lib_string_methods, "split", 0, args);
    Arr *a = r.p;
    CHECK(a->len == n);
    CHECK_STR(arr_text(a), want);
    CHECK(a->type == ty_array(vm, T_str));
    rel(a->type, r);
    rel(T_str, args[0]);
    rel(T_str, args[1]);
}

static void test_string_methods(void) {
    CHECK(str_int("héllo", "len", I(0)) == 5);
    CHECK(str_int("", "isEmpty", I(0)) == 1 && str_int("x", "isEmpty", I(0)) == 0);
    str_case("héllo", "charAt", I(1), I(0), "é");
    str_case("a😀b", "charAt", I(1), I(0), "😀");
    str_case("abc", "charAt", I(2), I(0), "c");
    {
        Value args[2] = { S("abc"), I(5) };
        call(lib_string_methods, "charAt", 0, args);
        CHECK_STR(last_error, "index 5 out of bounds for length 3");
        args[1] = I(-1);
        call(lib_string_methods, "charAt", 0, args);
        CHECK_STR(last_error, "index -1 out of bounds for length 3");
        rel(T_str, args[0]);
    }
    str_case("héllo wörld", "substring", I(1), I(7), "éllo w");
    str_case("hello", "substring", I(0), I(5), "hello");
    str_case("hello", "substring", I(2), I(2), "");
    {
        Value args[3] = { S("hello"), I(2), I(9) };
        call(lib_string_methods, "substring", 0, args);
        CHECK_STR(last_error, "substring 2..9 out of bounds for length 5");
        args[1] = I(3); args[2] = I(2);
        call(lib_string_methods, "substring", 0, args);
        CHECK_STR(last_error, "substring 3..2 out of bounds for length 5");
        rel(T_str, args[0]);
    }
    CHECK(str_int_s("héllo", "indexOf", "l") == 2);
    CHECK(str_int_s("héllo", "indexOf", "") == 0);
    CHECK(str_int_s("héllo", "indexOf", "z") == -1);
    CHECK(str_int_s("héllo", "lastIndexOf", "l") == 3);
    CHECK(str_int_s("héllo", "lastIndexOf", "") == 5);
    CHECK(str_int_s("aaa", "lastIndexOf", "aa") == 1);
    CHECK(str_int_s("ab", "lastIndexOf", "abc") == -1);
    CHECK(str_int_s("hello", "contains", "ell") == 1 && str_int_s("hello", "contains", "") == 1);
    CHECK(str_int_s("hello", "contains", "elo") == 0);
    CHECK(str_int_s("hello", "startsWith", "he") == 1 && str_int_s("hello", "startsWith", "") == 1);
    CHECK(str_int_s("hello", "startsWith", "hello!") == 0);
    CHECK(str_int_s("hello", "endsWith", "llo") == 1 && str_int_s("hello", "endsWith", "") == 1);
    CHECK(str_int_s("hello", "endsWith", "he") == 0);
    str_case_s("a-b-c", "replace", "-", "+", "a+b+c");
    str_case_s("aaaa", "replace", "aa", "b", "bb");
    str_case_s("aaa", "replace", "aa", "b", "ba");
    str_case_s("abc", "replace", "", "x", "abc");
    str_case_s("héllo", "replace", "l", "ł", "héłło");
    str_case_s("abc", "replace", "b", "", "ac");
    split_case("a,b,,c", ",", 4, "a|b||c");
    split_case("abc", ",", 1, "abc");
    split_case("", ",", 1, "");
    split_case("héy", "", 3, "h|é|y");
    split_case("", "", 0, "");
    split_case(",a,", ",", 3, "|a|");
    split_case("a::b::c", "::", 3, "a|b|c");
    str_case(" \t\n\r\v\fhi there \f\v\r\n\t ", "trim", I(0), I(0), "hi there");
    str_case("  hi  ", "trimStart", I(0), I(0), "hi  ");
    str_case("  hi  ", "trimEnd", I(0), I(0), "  hi");
    str_case("   ", "trim", I(0), I(0), "");
    str_case("Héllo World", "toUpper", I(0), I(0), "HéLLO WORLD");
    str_case("Héllo World", "toLower", I(0), I(0), "héllo world");
    str_case("ab", "repeat", I(3), I(0), "ababab");
    str_case("ab", "repeat", I(0), I(0), "");
    str_case("ab", "repeat", I(-2), I(0), "");
    str_case("é", "repeat", I(2), I(0), "éé");
    {
        Value args[2] = { S("ab"), I(INT64_MAX) };
        call(lib_string_methods, "repeat", 0, args);
        CHECK(error_count == 1);
        rel(T_str, args[0]);
    }
    Value sp = S(" "), dots = S("ab"), uni = S("é😀"), none = S("");
    str_case("5", "padStart", I(3), sp, "  5");
    str_case("5", "padEnd", I(3), sp, "5  ");
    str_case("5", "padStart", I(6), dots, "ababa5");
    str_case("5", "padEnd", I(4), uni, "5é😀é");
    str_case("hello", "padStart", I(3), sp, "hello");
    str_case("5", "padStart", I(3), none, "5");
    str_case("ü", "padStart", I(3), sp, "  ü");
    rel(T_str, sp); rel(T_str, dots); rel(T_str, uni); rel(T_str, none);
    {
        Value args[1] = { S("a😀é") };
        Value r = call(lib_string_methods, "chars", 0, args);
        CHECK_STR(arr_text(r.p), "a|😀|é");
        CHECK(((Arr *)r.p)->len == 3);
        CHECK(((Str *)((Arr *)r.p)->data[1].p)->cplen == 1);
        rel(ty_array(vm, T_str), r);
        rel(T_str, args[0]);
    }
    /* parseInt */
    struct { const char *s; bool ok; int64_t v; } pi[] = {
        { "42", true, 42 }, { "  -17 ", true, -17 }, { "+5", true, 5 }, { "\t0\n", true, 0 },
        { "9223372036854775807", true, INT64_MAX }, { "-9223372036854775808", true, INT64_MIN },
        { "9223372036854775808", false, 0 }, { "-9223372036854775809", false, 0 },
        { "", false, 0 }, { " ", false, 0 }, { "-", false, 0 }, { "1.5", false, 0 }, { "12a", false, 0 },
        { "1 2", false, 0 }, { "0x10", false, 0 }, { "99999999999999999999", false, 0 }, { "007", true, 7 },
    };
    for (size_t i = 0; i < sizeof pi / sizeof pi[0]; i++) {
        Value args[1] = { S(pi[i].s) };
        Value r = call(lib_string_methods, "parseInt", 0, args);
        CHECK((r.p != NULL) == pi[i].ok);
        if (r.p) CHECK(((IntBox *)r.p)->v == pi[i].v);
        rel(ty_optional(vm, T_int), r);
        rel(T_str, args[0]);
    }
    /* parseFloat */
    struct { const char *s; bool ok; double v; } pfl[] = {
        { "3.5", true, 3.5 }, { " -2.5e3 ", true, -2500.0 }, { ".5", true, 0.5 }, { "5.", true, 5.0 },
        { "1e999", true, INFINITY }, { "-1e999", true, -INFINITY }, { "abc", false, 0 }, { "1.2.3", false, 0 },
        { "", false, 0 }, { "nan", false, 0 }, { "inf", false, 0 }, { "0.1", true, 0.1 }, { "+7", true, 7.0 },
    };
    for (size_t i = 0; i < sizeof pfl / sizeof pfl[0]; i++) {
        Value args[1] = { S(pfl[i].s) };
        Value r = call(lib_string_methods, "parseFloat", 0, args);
        CHECK((r.u != OPT_FLOAT_NULL_BITS) == pfl[i].ok);
        if (pfl[i].ok) CHECK(r.f == pfl[i].v);
        rel(T_str, args[0]);
    }
}

/* ======================================================================
 * arrays
 * ====================================================================== */

static Arr *ints(int n, const int64_t *v) {
    Arr *a = arr_new(vm, ty_array(vm, T_int), 0);
    for (int i = 0; i < n; i++) arr_push(vm, a, I(v[i]));
    return a;
}

static Arr *strs(int n, const char **v) {
    Arr *a = arr_new(vm, ty_array(vm, T_str), 0);
    for (int i = 0; i < n; i++) arr_push(vm, a, S(v[i]));
    return a;
}

static Value acall(const char *m, int nth, Arr *a, Value x, Value y) {
    Value args[3] = { { .p = a }, x, y };
    return call(lib_array_methods, m, nth, args);
}

static void test_array_methods(void) {
    Type *ai = ty_array(vm, T_int), *as = ty_array(vm, T_str);
    Arr *a = ints(3, (int64_t[]){ 3, 1, 2 });
    CHECK(acall("len", 0, a, I(0), I(0)).i == 3);
    CHECK(acall("isEmpty", 0, a, I(0), I(0)).u == 0);
    acall("push", 0, a, I(7), I(0));
    CHECK_STR(show(ai, (Value){ .p = a }), "[3, 1, 2, 7]");
    CHECK(acall("pop", 0, a, I(0), I(0)).i == 7);
    acall("insert", 0, a, I(0), I(9));
    acall("insert", 0, a, I(4), I(8));
    CHECK_STR(show(ai, (Value){ .p = a }), "[9, 3, 1, 2, 8]");
    acall("insert", 0, a, I(6), I(1));
    CHECK_STR(last_error, "index 6 out of bounds for length 5");
    CHECK(acall("remove", 0, a, I(1), I(0)).i == 3);
    acall("remove", 0, a, I(4), I(0));
    CHECK_STR(last_error, "index 4 out of bounds for length 4");
    CHECK(acall("contains", 0, a, I(2), I(0)).u == 1 && acall("contains", 0, a, I(5), I(0)).u == 0);
    CHECK(acall("indexOf", 0, a, I(8), I(0)).i == 3 && acall("indexOf", 0, a, I(5), I(0)).i == -1);
    Value f = acall("first", 0, a, I(0), I(0)), l = acall("last", 0, a, I(0), I(0));
    CHECK(((IntBox *)f.p)->v == 9 && ((IntBox *)l.p)->v == 8);
    rel(ty_optional(vm, T_int), f); rel(ty_optional(vm, T_int), l);
    Value s = acall("slice", 0, a, I(1), I(3));
    CHECK_STR(show(ai, s), "[1, 2]");
    rel(ai, s);
    acall("slice", 0, a, I(2), I(5));
    CHECK_STR(last_error, "slice 2..5 out of bounds for length 4");
    Value c = acall("copy", 0, a, I(0), I(0));
    Value r = acall("reverse", 0, a, I(0), I(0));
    CHECK(r.p == a && a->h.rc == 2);
    rel(ai, r);
    CHECK_STR(show(ai, (Value){ .p = a }), "[8, 2, 1, 9]");
    CHECK_STR(show(ai, c), "[9, 1, 2, 8]");
    r = acall("sort", 0, a, I(0), I(0));
    rel(ai, r);
    CHECK_STR(show(ai, (Value){ .p = a }), "[1, 2, 8, 9]");
    Value sep = S(", ");
    Value j = acall("join", 0, a, sep, I(0));
    CHECK_STR(((Str *)j.p)->data, "1, 2, 8, 9");
    rel(T_str, j);
    acall("clear", 0, a, I(0), I(0));
    CHECK(a->len == 0);
    CHECK(acall("first", 0, a, I(0), I(0)).p == NULL);
    acall("pop", 0, a, I(0), I(0));
    CHECK_STR(last_error, "pop from empty array");
    j = acall("join", 0, a, sep, I(0));
    CHECK_STR(((Str *)j.p)->data, "");
    rel(T_str, j);
    rel(ai, (Value){ .p = a });
    rel(ai, c);

    /* strings: retain/release through push, pop, remove, slice, clear */
    Arr *b = strs(4, (const char *[]){ "pear", "apple", "fig", "apple" });
    Value k = S("kiwi");
    acall("push", 0, b, k, I(0));
    CHECK(((Str *)k.p)->h.rc == 2);
    Value popped = acall("pop", 0, b, I(0), I(0));
    CHECK(popped.p == k.p && ((Str *)k.p)->h.rc == 2);
    rel(T_str, popped);
    rel(T_str, k);
    Value apple = S("apple");
    CHECK(acall("indexOf", 0, b, apple, I(0)).i == 1);
    rel(T_str, apple);
    r = acall("sort", 0, b, I(0), I(0));
    rel(as, r);
    j = acall("join", 0, b, sep, I(0));
    CHECK_STR(((Str *)j.p)->data, "apple, apple, fig, pear");
    rel(T_str, j);
    CHECK_STR(show(as, (Value){ .p = b }), "[\"apple\", \"apple\", \"fig\", \"pear\"]");
    Value fs = acall("first", 0, b, I(0), I(0));
    CHECK_STR(((Str *)fs.p)->data, "apple");
    rel(ty_optional(vm, T_str), fs);
    Value rm = acall("remove", 0, b, I(0), I(0));
    rel(T_str, rm);
    s = acall("slice", 0, b, I(0), I(2));
    acall("clear", 0, b, I(0), I(0));
    CHECK_STR(show(as, s), "[\"apple\", \"fig\"]");
    rel(as, s);
    rel(as, (Value){ .p = b });
    rel(T_str, sep);

    /* float sort: NaN last, stable, -0.0/0.0 keep order */
    Type *af = ty_array(vm, T_float);
    Arr *fa = arr_new(vm, af, 0);
    double fv[] = { 3.5, NAN, -1.0, 0.0, -0.0, INFINITY, -INFINITY, 2.0 };
    for (int i = 0; i < 8; i++) arr_push(vm, fa, F(fv[i]));
    rel(af, acall("sort", 0, fa, I(0), I(0)));
    CHECK_STR(show(af, (Value){ .p = fa }), "[-inf, -1.0, 0.0, -0.0, 2.0, 3.5, inf, nan]");
    rel(af, (Value){ .p = fa });

    /* a large sort against a checked order; stability via (key, index) */
    Arr *big = arr_new(vm, ai, 0);
    for (int i = 0; i < 10007; i++) arr_push(vm, big, I((int64_t)(rng() % 1000) - 500));
    rel(ai, acall("sort", 0, big, I(0), I(0)));
    bool sorted = true;
    for (int64_t i = 1; i < big->len; i++) sorted = sorted && big->data[i - 1].i <= big->data[i].i;
    CHECK(sorted);
    rel(ai, (Value){ .p = big });
    Arr *bs = arr_new(vm, as, 0);
    char kbuf[32];
    for (int i = 0; i < 3001; i++) {
        snprintf(kbuf, sizeof kbuf, "k%03d", (int)(rng() % 300));
        arr_push(vm, bs, S(kbuf));
    }
    rel(as, acall("sort", 0, bs, I(0), I(0)));
    sorted = true;
    for (int64_t i = 1; i < bs->len; i++) sorted = sorted && str_cmp(bs->data[i - 1].p, bs->data[i].p) <= 0;
    CHECK(sorted);
    rel(as, (Value){ .p = bs });

    /* bool first/last and array of arrays contains (deep equality) */
    Type *ab = ty_array(vm, T_bool);
    Arr *bb = arr_new(vm, ab, 0);
    CHECK(acall("last", 0, bb, I(0), I(0)).u == OPT_BOOL_NULL);
    arr_push(vm, bb, (Value){ .u = 0 });
    CHECK(acall("last", 0, bb, I(0), I(0)).u == 0);
    rel(ab, (Value){ .p = bb });
    Type *aai = ty_array(vm, ai);
    Arr *outer = arr_new(vm, aai, 0);
    arr_push(vm, outer, (Value){ .p = ints(2, (int64_t[]){ 1, 2 }) });
    arr_push(vm, outer, (Value){ .p = ints(1, (int64_t[]){ 3 }) });
    Arr *probe = ints(1, (int64_t[]){ 3 });
    CHECK(acall("indexOf", 0, outer, (Value){ .p = probe }, I(0)).i == 1);
    Value jo = S("; ");
    j = acall("join", 0, outer, jo, I(0));
    CHECK_STR(((Str *)j.p)->data, "[1, 2]; [3]");
    rel(T_str, j); rel(T_str, jo);
    rel(ai, (Value){ .p = probe });
    rel(aai, (Value){ .p = outer });

    /* the table: callback entries present with NULL fn, names unique per sig */
    int nulls = 0, sorts = 0;
    for (const LibFn *e = lib_array_methods; e->name; e++) {
        nulls += e->fn == NULL;
        sorts += strcmp(e->name, "sort") == 0;
    }
    CHECK(nulls == 7 && sorts == 2);
}

/* ======================================================================
 * dictionaries
 * ====================================================================== */

static Value dcall(const char *m, Dict *d, Value x) {
    Value args[2] = { { .p = d }, x };
    return call(lib_dict_methods, m, 0, args);
}

static void test_dict(void) {
    Type *dt = ty_dict(vm, T_str, T_int);
    Dict *d = dict_new(vm, dt);
    dict_set(vm, d, S("alice"), I(100));
    dict_set(vm, d, S("bob"), I(95));
    dict_set(vm, d, S("carol"), I(88));
    uint64_t v0 = d->version;
    dict_set(vm, d, S("bob"), I(97));                 /* replace keeps position */
    CHECK(d->version == v0);
    CHECK_STR(show(dt, (Value){ .p = d }), "{\"alice\": 100, \"bob\": 97, \"carol\": 88}");
    Value key = S("bob"), out;
    CHECK(dict_get(vm, d, key, &out) && out.i == 97);
    CHECK(dict_remove(vm, d, key, &out) && out.i == 97);
    CHECK(d->version == v0 + 1);
    CHECK(!dict_get(vm, d, key, &out));
    CHECK(!dict_remove(vm, d, key, &out));
    CHECK(d->version == v0 + 1);
    CHECK_STR(show(dt, (Value){ .p = d }), "{\"alice\": 100, \"carol\": 88}");
    dict_set(vm, d, S("bob"), I(1));                  /* re-added: goes last */
    CHECK_STR(show(dt, (Value){ .p = d }), "{\"alice\": 100, \"carol\": 88, \"bob\": 1}");
    rel(T_str, key);

    /* methods */
    CHECK(dcall("len", d, I(0)).i == 3 && dcall("isEmpty", d, I(0)).u == 0);
    Value ka = S("alice"), kz = S("zed");
    CHECK(dcall("has", d, ka).u == 1 && dcall("has", d, kz).u == 0);
    Value g = dcall("get", d, ka);
    CHECK(((IntBox *)g.p)->v == 100);
    rel(ty_optional(vm, T_int), g);
    CHECK(dcall("get", d, kz).p == NULL);
    Value keys = dcall("keys", d, I(0)), vals = dcall("values", d, I(0)), ents = dcall("entries", d, I(0));
    CHECK_STR(show(ty_array(vm, T_str), keys), "[\"alice\", \"carol\", \"bob\"]");
    CHECK_STR(show(ty_array(vm, T_int), vals), "[100, 88, 1]");
    Type *kv[2] = { T_str, T_int };
    Type *aet = ty_array(vm, ty_tuple(vm, kv, 2));
    CHECK(((Arr *)ents.p)->type == aet);
    CHECK_STR(show(aet, ents), "[(\"alice\", 100), (\"carol\", 88), (\"bob\", 1)]");
    rel(ty_array(vm, T_str), keys); rel(ty_array(vm, T_int), vals); rel(aet, ents);

    Dict *o = dict_new(vm, dt);
    dict_set(vm, o, S("carol"), I(5));
    dict_set(vm, o, S("dave"), I(6));
    Value m = dcall("merge", d, (Value){ .p = o });
    CHECK_STR(show(dt, m), "{\"alice\": 100, \"carol\": 5, \"bob\": 1, \"dave\": 6}");
    Value cp = dcall("copy", d, I(0));
    CHECK(val_equal(vm, dt, cp, (Value){ .p = d }));
    CHECK(!val_equal(vm, dt, cp, m));
    Value rm = dcall("remove", d, ka);
    CHECK(((IntBox *)rm.p)->v == 100);
    rel(ty_optional(vm, T_int), rm);
    CHECK(dcall("remove", d, ka).p == NULL);
    CHECK(!val_equal(vm, dt, cp, (Value){ .p = d }));
    dcall("clear", d, I(0));
    CHECK(d->count == 0);
    CHECK_STR(show(dt, (Value){ .p = d }), "{}");
    dict_set(vm, d, S("x"), I(1));
    CHECK_STR(show(dt, (Value){ .p = d }), "{\"x\": 1}");
    rel(T_str, ka); rel(T_str, kz);
    rel(dt, m); rel(dt, cp);
    rel(dt, (Value){ .p = o });
    rel(dt, (Value){ .p = d });

    /* order-insensitive equality */
    Dict *e1 = dict_new(vm, dt), *e2 = dict_new(vm, dt);
    dict_set(vm, e1, S("a"), I(1)); dict_set(vm, e1, S("b"), I(2));
    dict_set(vm, e2, S("b"), I(2)); dict_set(vm, e2, S("a"), I(1));
    CHECK(val_equal(vm, dt, (Value){ .p = e1 }, (Value){ .p = e2 }));
    dict_set(vm, e2, S("a"), I(3));
    CHECK(!val_equal(vm, dt, (Value){ .p = e1 }, (Value){ .p = e2 }));
    rel(dt, (Value){ .p = e1 }); rel(dt, (Value){ .p = e2 });

    /* int keys, many entries, removal + compaction, string values */
    Type *dis = ty_dict(vm, T_int, T_str);
    Dict *n = dict_new(vm, dis);
    char buf[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(buf, sizeof buf, "v%d", i);
        dict_set(vm, n, I(i * 7), S(buf));
    }
    CHECK(n->count == 10000);
    for (int i = 0; i < 10000; i += 2) {
        Value v;
        CHECK(dict_remove(vm, n, I(i * 7), &v));
        rel(T_str, v);
    }
    CHECK(n->count == 5000 && n->used - n->count <= n->used / 2);
    bool ok = true, order = true;
    int64_t prev = -1;
    for (int i = 0; i < 10000; i++) {
        Value v;
        bool has = dict_get(vm, n, I(i * 7), &v);
        ok = ok && has == (i % 2 == 1);
        if (has) { snprintf(buf, sizeof buf, "v%d", i); ok = ok && strcmp(((Str *)v.p)->data, buf) == 0; }
    }
    for (int64_t i = 0; i < n->used; i++) {
        if (n->entries[i].hash == DICT_DEAD) continue;
        order = order && n->entries[i].key.i > prev;
        prev = n->entries[i].key.i;
    }
    CHECK(ok && order);
    /* remove everything: storage shrinks */
    for (int i = 1; i < 10000; i += 2) {
        Value v;
        CHECK(dict_remove(vm, n, I(i * 7), &v));
        rel(T_str, v);
    }
    CHECK(n->count == 0 && n->cap <= 16);
    /* churn: insert/remove with constant size stays bounded */
    for (int i = 0; i < 100000; i++) {
        dict_set(vm, n, I(i), S("x"));
        if (i >= 10) { Value v; CHECK(dict_remove(vm, n, I(i - 10), &v)); rel(T_str, v); }
    }
    CHECK(n->count == 10 && n->cap <= 64);
    rel(dis, (Value){ .p = n });

    /* bool keys */
    Type *db = ty_dict(vm, T_bool, T_float);
    Dict *bd = dict_new(vm, db);
    dict_set(vm, bd, (Value){ .u = 1 }, F(1.5));
    dict_set(vm, bd, (Value){ .u = 0 }, F(-0.5));
    CHECK_STR(show(db, (Value){ .p = bd }), "{true: 1.5, false: -0.5}");
    Value gf = dcall("get", bd, (Value){ .u = 0 });
    CHECK(gf.f == -0.5);
    dict_remove(vm, bd, (Value){ .u = 0 }, NULL);
    CHECK(dcall("get", bd, (Value){ .u = 0 }).u == OPT_FLOAT_NULL_BITS);
    rel(db, (Value){ .p = bd });
}

/* ======================================================================
 * display, equality, typeof
 * ====================================================================== */

static void test_display(void) {
    CHECK_STR(show(T_int, I(-42)), "-42");
    CHECK_STR(show(T_int, I(INT64_MIN)), "-9223372036854775808");
    CHECK_STR(show(T_float, F(65.0)), "65.0");
    CHECK_STR(show(T_bool, (Value){ .u = 1 }), "true");
    CHECK_STR(show(T_bool, (Value){ .u = 0 }), "false");
    Value hi = S("hi \"x\"\n");
    CHECK_STR(show(T_str, hi), "hi \"x\"\n");
    CHECK_STR(show_q(T_str, hi, true), "\"hi \\\"x\\\"\\n\"");
    rel(T_str, hi);
    Value ctl = { .p = str_new(vm, "a\\b\t\r\0\x1b\x7f\x01$é", 12) };
    CHECK_STR(show_q(T_str, ctl, true), "\"a\\\\b\\t\\r\\0\\u{1b}\\u{7f}\\u{1}$é\"");
    rel(T_str, ctl);

    Type *as = ty_array(vm, T_str);
    Arr *a = strs(2, (const char *[]){ "hi", "a\"b" });
    CHECK_STR(show(as, (Value){ .p = a }), "[\"hi\", \"a\\\"b\"]");
    Value empty = { .p = ints(0, NULL) };
    CHECK_STR(show(ty_array(vm, T_int), empty), "[]");
    rel(ty_array(vm, T_int), empty);
    rel(as, (Value){ .p = a });

    /* tuple */
    Type *tp[] = { T_int, T_str };
    Type *tt = ty_tuple(vm, tp, 2);
    Tuple *t = tuple_new(vm, tt);
    t->v[0] = I(1);
    t->v[1] = S("a");
    CHECK_STR(show(tt, (Value){ .p = t }), "(1, \"a\")");
    CHECK_STR(val_typeof(vm, tt, (Value){ .p = t }), "(int, string)");

    /* Optional */
    Type *os = ty_optional(vm, T_str), *oi = ty_optional(vm, T_int);
    Type *of = ty_optional(vm, T_float), *ob = ty_optional(vm, T_bool);
    Value hs = S("hi");
    CHECK_STR(show(os, hs), "hi");
    CHECK_STR(show_q(os, hs, true), "\"hi\"");
    CHECK_STR(show(os, (Value){ .p = NULL }), "null");
    CHECK_STR(val_typeof(vm, os, hs), "string");
    CHECK_STR(val_typeof(vm, os, (Value){ .p = NULL }), "null");
    Value bx = opt_some(vm, T_int, I(5));
    CHECK_STR(show(oi, bx), "5");
    CHECK_STR(val_typeof(vm, oi, bx), "int");
    CHECK_STR(show(of, opt_none(T_float)), "null");
    CHECK_STR(show(of, F(2.5)), "2.5");
    CHECK_STR(show(ob, opt_none(T_bool)), "null");
    CHECK_STR(show(ob, (Value){ .u = 1 }), "true");
    CHECK_STR(show(ty_optional(vm, vm->types.t_null), (Value){ .u = 0 }), "null");
    Type *aos = ty_array(vm, os);
    Arr *ao = arr_new(vm, aos, 0);
    arr_push(vm, ao, opt_some(vm, T_str, hs));
    arr_push(vm, ao, opt_none(T_str));
    CHECK_STR(show(aos, (Value){ .p = ao }), "[\"hi\", null]");
    CHECK_STR(val_typeof(vm, aos, (Value){ .p = ao }), "Array<Optional<string>>");

    /* equality of optionals */
    Value bx2 = opt_some(vm, T_int, I(5)), bx3 = opt_some(vm, T_int, I(6));
    CHECK(val_equal(vm, oi, bx, bx2) && !val_equal(vm, oi, bx, bx3));
    CHECK(!val_equal(vm, oi, bx, (Value){ .p = NULL }) && val_equal(vm, oi, (Value){ .p = NULL }, (Value){ .p = NULL }));
    CHECK(!val_equal(vm, T_float, F(NAN), F(NAN)) && val_equal(vm, T_float, F(0.0), F(-0.0)));
    rel(oi, bx); rel(oi, bx2); rel(oi, bx3);

    /* functions and Wait */
    Type *ft = ty_func(vm, NULL, 0, vm->types.t_void);
    Closure *named = mem_calloc(vm, sizeof(Closure) + sizeof(Value));
    named->h = (Obj){ .rc = 1, .kind = OBJ_CLOSURE };
    static bool cap_ref[1] = { true };
    static Proto pnamed, plam;
    pnamed.name = "update";
    pnamed.cap_is_ref = cap_ref;
    pnamed.ncap = 1;
    plam.is_lambda = true;
    named->proto = &pnamed;
    named->ncap = 1;
    named->cap[0] = S("captured");
    Closure *lam = mem_calloc(vm, sizeof(Closure));
    lam->h = (Obj){ .rc = 1, .kind = OBJ_CLOSURE };
    lam->proto = &plam;
    CHECK_STR(show(ft, (Value){ .p = named }), "<func update>");
    CHECK_STR(show(ft, (Value){ .p = lam }), "<lambda>");
    CHECK(val_equal(vm, ft, (Value){ .p = lam }, (Value){ .p = lam }));
    CHECK(!val_equal(vm, ft, (Value){ .p = lam }, (Value){ .p = named }));
    CHECK_STR(val_typeof(vm, ft, (Value){ .p = lam }), "() -> void");
    CHECK_STR(show(vm->types.t_wait, (Value){ .p = NULL }), "<wait>");
    RELEASE(vm, named);
    RELEASE(vm, lam);

    /* display_to_str */
    Str *ds = display_to_str(vm, tt, (Value){ .p = t });
    CHECK_STR(ds->data, "(1, \"a\")");
    CHECK(ds->cplen == 8);
    RELEASE(vm, ds);
    Str *same = display_to_str(vm, T_str, hs);
    CHECK(same == hs.p);
    RELEASE(vm, same);
    Str *fl = display_to_str(vm, T_float, F(0.1));
    CHECK_STR(fl->data, "0.1");
    RELEASE(vm, fl);

    /* tuple equality and nested containers */
    Tuple *t2 = tuple_new(vm, tt);
    t2->v[0] = I(1);
    t2->v[1] = S("a");
    CHECK(val_equal(vm, tt, (Value){ .p = t }, (Value){ .p = t2 }));
    rel(T_str, t2->v[1]);
    t2->v[1] = S("b");
    CHECK(!val_equal(vm, tt, (Value){ .p = t }, (Value){ .p = t2 }));
    rel(tt, (Value){ .p = t }); rel(tt, (Value){ .p = t2 });
    rel(aos, (Value){ .p = ao });
    rel(T_str, hs);
}

/* Deep nesting must neither recurse on the C stack (display, ==, free)
 * nor leak. */
static void test_deep(void) {
    enum { DEPTH = 2000 };
    Type *types[DEPTH + 1];
    types[0] = T_int;
    for (int i = 1; i <= DEPTH; i++) types[i] = ty_array(vm, types[i - 1]);
    Arr *inner = ints(1, (int64_t[]){ 7 });
    Value v = { .p = inner }, w = { .p = ints(1, (int64_t[]){ 7 }) };
    for (int i = 2; i <= DEPTH; i++) {
        Arr *o = arr_new(vm, types[i], 1), *o2 = arr_new(vm, types[i], 1);
        arr_push(vm, o, v);
        arr_push(vm, o2, w);
        v.p = o;
        w.p = o2;
    }
    Buf b;
    buf_init(&b, vm);
    display_value(vm, &b, types[DEPTH], v, false);
    CHECK(b.len == 2 * DEPTH + 1 && b.data[DEPTH - 1] == '[' && b.data[DEPTH] == '7');
    buf_free(&b);
    CHECK(val_equal(vm, types[DEPTH], v, w));
    inner->data[0].i = 8;
    CHECK(!val_equal(vm, types[DEPTH], v, w));
    rel(types[DEPTH], v);
    rel(types[DEPTH], w);

    /* a million-cell chain frees in a flat loop */
    Cell *head = cell_new(vm, false);
    for (int i = 0; i < 1000000; i++) {
        Cell *c = cell_new(vm, true);
        c->v.p = head;
        head = c;
    }
    RELEASE(vm, head);
    CHECK(vm->nfreeing == 0 && !vm->draining);
}

/* ======================================================================
 * math
 * ====================================================================== */

static double m1(const char *name, int nth, double a) {
    Value args[1] = { F(a) };
    return call(lib_functions, name, nth, args).f;
}
static double m3(const char *name, double a, double b, double c) {
    Value args[3] = { F(a), F(b), F(c) };
    return call(lib_functions, name, 0, args).f;
}
static int64_t mi(const char *name, int64_t a, int64_t b, int64_t c) {
    Value args[3] = { I(a), I(b), I(c) };
    return call(lib_functions, name, 0, args).i;
}

static const char *fmtf(double v, int64_t dec) {
    static char out[512];
    Value args[2] = { F(v), I(dec) };
    Value r = call(lib_functions, "formatFloat", 0, args);
    snprintf(out, sizeof out, "%s", ((Str *)r.p)->data);
    rel(T_str, r);
    return out;
}

static void test_math(void) {
    CHECK(mi("abs", INT64_MIN, 0, 0) == INT64_MIN && mi("abs", -5, 0, 0) == 5);
    CHECK(m1("abs", 1, -2.5) == 2.5);
    CHECK(mi("sign", -9, 0, 0) == -1 && mi("sign", 0, 0, 0) == 0 && mi("sign", 4, 0, 0) == 1);
    CHECK(m1("sign", 1, -3.0) == -1.0 && m1("sign", 1, -0.0) == 0.0 && !signbit(m1("sign", 1, -0.0)));
    CHECK(isnan(m1("sign", 1, NAN)));
    CHECK(mi("min", 3, -2, 0) == -2 && mi("max", 3, -2, 0) == 3);
    {
        Value args[2] = { F(1.0), F(NAN) };
        CHECK(isnan(call(lib_functions, "min", 1, args).f) && isnan(call(lib_functions, "max", 1, args).f));
        Value args2[2] = { F(NAN), F(1.0) };
        CHECK(isnan(call(lib_functions, "min", 1, args2).f));
    }
    CHECK(mi("clamp", 15, 0, 10) == 10 && mi("clamp", -3, 0, 10) == 0 && mi("clamp", 5, 10, 0) == 0);
    {
        Value args[3] = { F(5.0), F(10.0), F(0.0) };
        CHECK(call(lib_functions, "clamp", 1, args).f == 0.0);
    }
    CHECK(m1("round", 0, 2.5) == 3.0 && m1("round", 0, -2.5) == -3.0);
    CHECK(m1("floor", 0, -1.5) == -2.0 && m1("ceil", 0, -1.5) == -1.0 && m1("trunc", 0, -1.7) == -1.0);
    CHECK(isnan(m1("sqrt", 0, -1.0)) && m1("log", 0, 0.0) == -INFINITY && isnan(m1("log", 0, -1.0)));
    CHECK(m1("degToRad", 0, 180.0) == 3.141592653589793 && m1("radToDeg", 0, 3.141592653589793) == 180.0);
    CHECK(m1("isNan", 0, NAN) == m1("isNan", 0, NAN));
    {
        Value args[1] = { F(NAN) };
        CHECK(call(lib_functions, "isNan", 0, args).u == 1 && call(lib_functions, "isFinite", 0, args).u == 0);
    }
    CHECK(m3("lerp", 0.0, 10.0, 0.25) == 2.5 && m3("lerp", 0.0, 10.0, 2.0) == 20.0);
    CHECK(m3("inverseLerp", 0.0, 10.0, 2.5) == 0.25 && m3("inverseLerp", 3.0, 3.0, 7.0) == 0.0);
    {
        Value args[5] = { F(5.0), F(0.0), F(10.0), F(100.0), F(200.0) };
        CHECK(call(lib_functions, "remap", 0, args).f == 150.0);
    }
    CHECK(m3("smoothstep", 0.0, 1.0, 0.5) == 0.5 && m3("smoothstep", 0.0, 1.0, 2.0) == 1.0);
    CHECK(m3("smoothstep", 0.0, 1.0, 0.25) == 0.15625);
    CHECK(m3("smoothstep", 1.0, 1.0, 0.5) == 0.0 && m3("smoothstep", 1.0, 1.0, 1.0) == 1.0);
    CHECK(m3("smootherstep", 0.0, 1.0, 0.5) == 0.5 && m3("smootherstep", 0.0, 1.0, -1.0) == 0.0);

    CHECK_STR(fmtf(0.125, 2), "0.12");
    CHECK_STR(fmtf(2.5, 0), "2");
    CHECK_STR(fmtf(1.005, 2), "1.00");
    CHECK_STR(fmtf(2.0 / 3.0, 2), "0.67");
    CHECK_STR(fmtf(-0.001, 2), "-0.00");
    CHECK_STR(fmtf(INFINITY, 2), "inf");
    CHECK_STR(fmtf(-INFINITY, 2), "-inf");
    CHECK_STR(fmtf(-NAN, 2), "nan");
    CHECK_STR(fmtf(3.14159, 25), "3.14158999999999988262");   /* clamped to 20 */
    CHECK_STR(fmtf(3.7, -1), "4");
    CHECK_STR(fmtf(1e20, 1), "100000000000000000000.0");
    CHECK_STR(fmtf(1.7976931348623157e308, 0),
              "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878"
              "171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075"
              "868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026"
              "184124858368");

    const char *names[] = { "PI", "TAU", "E", "INFINITY", "NAN", "INT_MAX", "INT_MIN" };
    for (size_t i = 0; i < 7; i++) {
        bool found = false;
        for (const LibConst *c = lib_constants; c->name; c++) found = found || strcmp(c->name, names[i]) == 0;
        CHECK(found);
    }
    int n = 0;
    for (const LibFn *f = lib_functions; f->name; f++) { n++; CHECK(f->fn && f->sig && f->sig[0] == '('); }
    CHECK(n == 37);
}

/* The display and parse paths must not follow the C locale.  Only runs if
 * a comma-decimal locale is installed. */
static void test_locale(void) {
    const char *locs[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8", NULL };
    const char *got = NULL;
    for (int i = 0; locs[i] && !got; i++) got = setlocale(LC_ALL, locs[i]);
    if (!got) { fprintf(stderr, "test_rt: no comma-decimal locale installed; locale test skipped\n"); return; }
    CHECK_STR(ff(1.5), "1.5");
    CHECK_STR(ff(0.30000000000000004), "0.30000000000000004");
    CHECK(pf("1.5") == 1.5);
    CHECK_STR(fmtf(2.0 / 3.0, 2), "0.67");
    Value args[1] = { S(" 2.5 ") };
    CHECK(call(lib_string_methods, "parseFloat", 0, args).f == 2.5);
    rel(T_str, args[0]);
    setlocale(LC_ALL, "C");
}

/* Drops the free list's storage (normally the VM's teardown does it). */
static void settle(void) {
    CHECK(vm->nfreeing == 0 && !vm->draining);
    if (vm->freeing) VEC_FREE(vm, vm->freeing, vm->capfreeing);
    if (vm->error_msg) mem_free(vm, vm->error_msg, vm->error_msg_size);
    vm->error_msg = NULL;
}

int main(void) {
    vm = testvm_new();
    T_int = vm->types.t_int; T_float = vm->types.t_float;
    T_bool = vm->types.t_bool; T_str = vm->types.t_string;
    test_types();

    /* Every test must give back every byte it took.  Each runs twice: the
     * first run interns the types it uses (kept until ty_free), the second
     * is measured. */
#define RUN(f) do { f(); settle(); size_t before_ = vm->bytes; f(); settle(); \
        checks++; if (vm->bytes != before_) { failures++; \
            fprintf(stderr, "%s leaked %lld bytes\n", #f, (long long)(vm->bytes - before_)); } } while (0)
    RUN(test_fmt_float);
    RUN(test_float_roundtrip);
    RUN(test_parse_float);
    RUN(test_str_core);
    RUN(test_string_methods);
    RUN(test_array_methods);
    RUN(test_dict);
    RUN(test_deep);
    RUN(test_math);
    RUN(test_locale);
    RUN(test_display);

    if (vm->freeing) VEC_FREE(vm, vm->freeing, vm->capfreeing);
    if (vm->error_msg) mem_free(vm, vm->error_msg, vm->error_msg_size);
    vm->error_msg = NULL;
    ty_free(vm, &vm->types);
    CHECK(vm->bytes == 0);
    mem_free_all(vm);               /* the VM's table of live blocks (mem.c) */
    free(vm);
    if (failures) {
        fprintf(stderr, "test_rt: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("test_rt: %d checks passed\n", checks);
    return 0;
}
