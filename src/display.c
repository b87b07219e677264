/* display.c — the display form (language.md §22), `==` on values (§8.2),
 * typeof, and locale-free number text: shortest round-trip float printing
 * (fmt_float) and correctly rounded decimal parsing (parse_float_text).
 *
 * Display and equality walk nested containers with explicit work stacks,
 * never C recursion, so a deeply nested value cannot overflow the C stack.
 *
 * Number text never goes through the C locale: digits come from
 * snprintf("%.*e") (digit generation is locale-independent; only the radix
 * character varies, and it is skipped), and decimal -> double conversion is
 * done here with an exact big-integer check instead of strtod. */
#include "rt.h"
#include "host.h"
#include "vm.h"
#include <stdio.h>
#include <math.h>

/* ======================================================================
 * Decimal -> double, correctly rounded (round half to even).
 * ====================================================================== */

/* Enough 32-bit limbs for (800 significant digits) * 10^1130 * 2^1076. */
#define BIG_LIMBS 190
#define MAX_SIG_DIGITS 800

typedef struct Big {
    uint32_t d[BIG_LIMBS];   /* little-endian limbs */
    int n;                   /* used limbs; 0 = zero */
} Big;

static void big_set_u64(Big *b, uint64_t v) {
    b->n = 0;
    while (v) { b->d[b->n++] = (uint32_t)v; v >>= 32; }
}

static void big_mul_add(Big *b, uint32_t m, uint32_t add) {
    uint64_t carry = add;
    for (int i = 0; i < b->n; i++) {
        uint64_t t = (uint64_t)b->d[i] * m + carry;
        b->d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry && b->n < BIG_LIMBS) b->d[b->n++] = (uint32_t)carry;
}

static void big_mul_pow10(Big *b, int64_t e) {
    static const uint32_t p10[10] = { 1, 10, 100, 1000, 10000, 100000, 1000000,
                                      10000000, 100000000, 1000000000 };
    for (; e >= 9; e -= 9) big_mul_add(b, p10[9], 0);
    if (e > 0) big_mul_add(b, p10[e], 0);
}

static void big_shl(Big *b, int64_t bits) {
    if (b->n == 0 || bits <= 0) return;
    int words = (int)(bits / 32), r = (int)(bits % 32);
    int n = b->n + words + 1;
    if (n > BIG_LIMBS) n = BIG_LIMBS;    /* cannot happen for clamped inputs */
    for (int i = n - 1; i >= 0; i--) {
        int src = i - words;
        uint64_t hi = src >= 0 && src < b->n ? b->d[src] : 0;
        uint64_t lo = src - 1 >= 0 && src - 1 < b->n ? b->d[src - 1] : 0;
        b->d[i] = r ? (uint32_t)((hi << r) | (lo >> (32 - r))) : (uint32_t)hi;
    }
    b->n = n;
    while (b->n && b->d[b->n - 1] == 0) b->n--;
}

static int big_cmp(const Big *a, const Big *b) {
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

/* Compares digits * 10^e10 with m * 2^e2 exactly. */
static int cmp_dec_bin(const Big *digits, int64_t e10, uint64_t m, int64_t e2) {
    Big l = *digits, r;
    big_set_u64(&r, m);
    if (e10 >= 0) big_mul_pow10(&l, e10); else big_mul_pow10(&r, -e10);
    if (e2 >= 0) big_shl(&r, e2); else big_shl(&l, -e2);
    return big_cmp(&l, &r);
}

/* A positive finite double as m * 2^e (m < 2^53). */
static void decompose(double x, uint64_t *m, int64_t *e) {
    uint64_t bits;
    memcpy(&bits, &x, 8);
    uint64_t frac = bits & ((1ULL << 52) - 1);
    int ef = (int)(bits >> 52) & 0x7ff;
    if (ef == 0) { *m = frac; *e = -1074; }
    else { *m = frac | (1ULL << 52); *e = ef - 1075; }
}

static double step_bits(double x, int dir) {
    uint64_t bits;
    memcpy(&bits, &x, 8);
    bits = dir > 0 ? bits + 1 : bits - 1;
    memcpy(&x, &bits, 8);
    return x;
}

/* Moves the approximation b (>= 0, finite) to the double nearest
 * digits * 10^e10, ties to even, by comparing against the exact halfway
 * points to each neighbour. */
static double refine(const Big *digits, int64_t e10, double b) {
    for (;;) {
        uint64_t m;
        int64_t e;
        if (b == 0) { m = 0; e = -1074; } else decompose(b, &m, &e);
        int c = cmp_dec_bin(digits, e10, 2 * m + 1, e - 1);       /* halfway up */
        if (c > 0 || (c == 0 && (m & 1))) {
            b = step_bits(b, +1);
            if (isinf(b)) return b;
            continue;
        }
        if (b == 0) return b;
        uint64_t hm;
        int64_t he;
        if (m == (1ULL << 52) && e > -1074) { hm = 4 * m - 1; he = e - 2; }  /* binade bottom */
        else { hm = 2 * m - 1; he = e - 1; }
        c = cmp_dec_bin(digits, e10, hm, he);                      /* halfway down */
        if (c < 0 || (c == 0 && (m & 1))) { b = step_bits(b, -1); continue; }
        return b;
    }
}

static double scale10(double x, int64_t e) {
    static const double p[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    if (e >= 0) {
        for (; e > 22; e -= 22) x *= 1e22;
        return x * p[e];
    }
    e = -e;
    /* Repeated division can round more than once; refine() fixes that. */
    for (; e > 22; e -= 22) x /= 1e22;
    return x / p[e];
}

/* value = (decimal digit string dig[0..nd), no leading zeros) * 10^e10. */
static double decimal_to_double(const char *dig, size_t nd, int64_t e10) {
    while (nd && dig[nd - 1] == '0') { nd--; e10++; }
    if (nd == 0) return 0.0;
    int64_t lead = (int64_t)nd + e10 - 1;          /* value in [10^lead, 10^(lead+1)) */
    if (lead > 309) return INFINITY;
    if (lead < -325) return 0.0;

    uint64_t m19 = 0;
    size_t used = nd < 19 ? nd : 19;
    for (size_t i = 0; i < used; i++) m19 = m19 * 10 + (uint64_t)(dig[i] - '0');
    /* Clinger's fast path: both operands exact, one correctly rounded op. */
    if (nd <= 15 && e10 >= -22 && e10 <= 22) return scale10((double)m19, e10);

    double approx = scale10((double)m19, e10 + (int64_t)(nd - used));
    if (isinf(approx)) approx = 1.7976931348623157e308;
    Big big;
    big.n = 0;
    for (size_t i = 0; i < nd; i++) big_mul_add(&big, 10, (uint32_t)(dig[i] - '0'));
    return refine(&big, e10, approx);
}

/* Parses [+-]?(digits[.digits?] | .digits)([eE][+-]?digits)? — the whole
 * text, nothing else — to the nearest double. */
bool parse_float_text(const char *s, size_t n, double *out) {
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    char dig[MAX_SIG_DIGITS + 1];
    size_t nd = 0, ndigits = 0;
    int64_t e10 = 0;
    bool sticky = false;
    for (int part = 0; part < 2; part++) {
        if (part == 1) {
            if (i >= n || s[i] != '.') break;
            i++;
        }
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            ndigits++;
            if (nd == 0 && s[i] == '0') {            /* leading zero: only scales */
                if (part == 1) e10--;
                continue;
            }
            if (nd < MAX_SIG_DIGITS) {
                dig[nd++] = s[i];
                if (part == 1) e10--;
            } else {
                if (s[i] != '0') sticky = true;
                if (part == 0) e10++;
            }
        }
    }
    if (ndigits == 0) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        if (i >= n || s[i] < '0' || s[i] > '9') return false;
        int64_t ev = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (ev < 1000000) ev = ev * 10 + (s[i] - '0');   /* saturate: far out of range */
        e10 += eneg ? -ev : ev;
    }
    if (i != n) return false;
    /* Digits past MAX_SIG_DIGITS only matter as "a little more": a trailing
     * 1 keeps every halfway comparison exact. */
    if (sticky) { dig[nd++] = '1'; e10--; }
    double v = decimal_to_double(dig, nd, e10);
    *out = neg ? -v : v;
    return true;
}

/* ======================================================================
 * Double -> shortest round-trip text.
 * ====================================================================== */

/* Decimal digits of |d| rounded to `prec` significant digits, using the C
 * library's exact conversion; the radix character (locale-dependent) is
 * skipped.  Returns the digit count, sets *exp10 (d = 0.D * 10^(exp10+1)). */
static int sig_digits(double d, int prec, char *dig, int *exp10) {
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
    int nd = 0;
    const char *p = tmp;
    for (; *p && *p != 'e' && *p != 'E'; p++)
        if (*p >= '0' && *p <= '9') dig[nd++] = *p;
    int ex = 0, sign = 1;
    if (*p) {
        p++;
        if (*p == '-') { sign = -1; p++; } else if (*p == '+') p++;
        for (; *p >= '0' && *p <= '9'; p++) ex = ex * 10 + (*p - '0');
    }
    *exp10 = sign * ex;
    return nd;
}

static bool round_trips(const char *dig, int nd, int exp10, double d) {
    return decimal_to_double(dig, (size_t)nd, (int64_t)exp10 - (nd - 1)) == d;
}

/* Adds one unit in the last place to the digit string; returns false if it
 * carried out of the first digit (then the caller bumps the exponent). */
static bool digits_increment(char *dig, int nd) {
    for (int i = nd - 1; i >= 0; i--) {
        if (dig[i] != '9') { dig[i]++; return true; }
        dig[i] = '0';
    }
    dig[0] = '1';
    return false;
}

/* Shortest digits that read back as d (> 0, finite).
 *
 * Any decimal of <= 15 significant digits that rounds to d pads to the
 * unique 15-digit decimal in d's rounding interval (DBL_DIG = 15), so if
 * the correctly rounded 15-digit form reads back, stripping its trailing
 * zeros gives the shortest.  Otherwise 16 or 17 digits are needed — except
 * at a power of two, where the interval below d is half as wide and the
 * nearest p-digit decimal can fall outside it while the one above is
 * inside; that rare case tries both neighbours at every length.
 * Subnormals (below) are searched from one digit up. */
static int shortest_digits(double d, char *dig, int *exp10) {
    uint64_t m;
    int64_t e;
    decompose(d, &m, &e);
    bool subnormal = m < (1ULL << 52), binade_bottom = m == (1ULL << 52);
    int nd;
    if (!subnormal) {
        nd = sig_digits(d, 15, dig, exp10);
        if (round_trips(dig, nd, *exp10, d)) {
            while (nd > 1 && dig[nd - 1] == '0') nd--;
            return nd;
        }
    }
    /* Subnormals have fewer than 53 bits, so the 15-digit argument does not
     * hold for them: search every length (their intervals are symmetric). */
    for (int p = subnormal || binade_bottom ? 1 : 16; p <= 17; p++) {
        nd = sig_digits(d, p, dig, exp10);
        if (round_trips(dig, nd, *exp10, d)) break;
        if (binade_bottom) {
            char up[24];
            int ex = *exp10;
            memcpy(up, dig, (size_t)nd);
            if (!digits_increment(up, nd)) ex++;
            if (round_trips(up, nd, ex, d)) { memcpy(dig, up, (size_t)nd); *exp10 = ex; break; }
        }
    }
    while (nd > 1 && dig[nd - 1] == '0') nd--;
    return nd;
}

/* Lays out digits in fixed or exponent notation per §22. */
static int layout_float(char *out, bool neg, const char *dig, int nd, int x) {
    char *w = out;
    if (neg) *w++ = '-';
    if (x >= -4 && x < 16) {
        if (x < 0) {
            *w++ = '0'; *w++ = '.';
            for (int i = 0; i < -x - 1; i++) *w++ = '0';
            memcpy(w, dig, (size_t)nd); w += nd;
        } else {
            for (int i = 0; i <= x; i++) *w++ = i < nd ? dig[i] : '0';
            *w++ = '.';
            if (nd > x + 1) { memcpy(w, dig + x + 1, (size_t)(nd - x - 1)); w += nd - x - 1; }
            else *w++ = '0';
        }
    } else {
        *w++ = dig[0];
        if (nd > 1) { *w++ = '.'; memcpy(w, dig + 1, (size_t)(nd - 1)); w += nd - 1; }
        *w++ = 'e';
        *w++ = x < 0 ? '-' : '+';
        int ax = x < 0 ? -x : x;
        if (ax >= 100) *w++ = (char)('0' + ax / 100);
        *w++ = (char)('0' + ax / 10 % 10);
        *w++ = (char)('0' + ax % 10);
    }
    *w = 0;
    return (int)(w - out);
}

int fmt_float(char *buf, double d) {
    if (isnan(d)) { memcpy(buf, "nan", 4); return 3; }
    bool neg = signbit(d) != 0;
    if (isinf(d)) {
        const char *s = neg ? "-inf" : "inf";
        size_t n = strlen(s);
        memcpy(buf, s, n + 1);
        return (int)n;
    }
    if (d == 0) return layout_float(buf, neg, "0", 1, 0);
    char dig[24];
    int x;
    int nd = shortest_digits(fabs(d), dig, &x);
    return layout_float(buf, neg, dig, nd, x);
}

/* ======================================================================
 * Display form.
 * ====================================================================== */

static void put_int(Buf *out, int64_t v) {
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
    if (v < 0) *--p = '-';
    buf_put(out, p, (size_t)(tmp + sizeof tmp - p));
}

static void put_quoted(Buf *out, const Str *s) {
    static const char hex[] = "0123456789abcdef";
    buf_putc(out, '"');
    const unsigned char *p = (const unsigned char *)s->data;
    size_t n = (size_t)s->len, run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        const char *esc = NULL;
        switch (c) {
        case '\\': esc = "\\\\"; break;
        case '"': esc = "\\\""; break;
        case '\n': esc = "\\n"; break;
        case '\t': esc = "\\t"; break;
        case '\r': esc = "\\r"; break;
        case 0: esc = "\\0"; break;
        default: if (c >= 0x20 && c != 0x7f) continue;
        }
        buf_put(out, (const char *)p + run, i - run);   /* the safe run before c */
        run = i + 1;
        if (esc) { buf_puts(out, esc); continue; }
        char u[8] = { '\\', 'u', '{' };
        int k = 3;
        if (c >= 16) u[k++] = hex[c >> 4];
        u[k++] = hex[c & 15];
        u[k++] = '}';
        buf_put(out, u, (size_t)k);
    }
    buf_put(out, (const char *)p + run, n - run);
    buf_putc(out, '"');
}

/* Work item: either a value to display, or a container being walked
 * (pos = next element). */
typedef enum { DT_VALUE, DT_ARRAY, DT_DICT, DT_TUPLE, DT_INSTANCE } DispKind;
typedef struct DispTask {
    DispKind kind;
    bool started;      /* an element has been written (separator needed) */
    Type *t;
    Value v;
    int64_t pos;
} DispTask;

typedef struct DispStack {
    VM *vm;
    DispTask *items;
    size_t n, cap;
    DispTask small[16];
} DispStack;

static void ds_push(DispStack *s, DispTask t) {
    if (s->n == s->cap) {
        size_t nc = s->cap * 2;
        DispTask *ni = mem_alloc(s->vm, sizeof(DispTask) * nc);
        memcpy(ni, s->items, sizeof(DispTask) * s->n);
        if (s->items != s->small) mem_free(s->vm, s->items, sizeof(DispTask) * s->cap);
        s->items = ni;
        s->cap = nc;
    }
    s->items[s->n++] = t;
}

static void put_func(Buf *out, Value v) {
    Closure *c = (Closure *)v.p;
    const char *name = c ? proto_display_name(c->proto) : NULL;
    if (!name) { buf_puts(out, "<lambda>"); return; }
    buf_puts(out, "<func ");
    buf_puts(out, name);
    buf_putc(out, '>');
}

/* Writes a scalar directly, or pushes a walker for a container. */
/* A host object: `Name { field: value, ... }` over its registered fields,
 * `<Name>` without fields or once invalidated (runtime.md §7). */
static void put_host(VM *vm, Buf *out, HostObj *o) {
    HostType *ht = o->type->decl;
    if (!ht || !ht->nfields || !o->valid) { buf_printf(out, "<%s>", o->type->name); return; }
    buf_printf(out, "%s { ", o->type->name);
    for (uint32_t i = 0; i < ht->nfields; i++) {
        HostField *f = &ht->fields[i];
        if (i) buf_puts(out, ", ");
        buf_printf(out, "%s: ", f->name);
        Value v;
        if (!f->type || !host_get_field(vm, o, i, &v)) { vm->has_error = false; buf_puts(out, "?"); continue; }
        display_value(vm, out, f->type, v, true);
        val_release(vm, f->type, v);
    }
    buf_puts(out, " }");
}

static void display_one(DispStack *st, Buf *out, Type *t, Value v, bool quoted) {
    switch (t->kind) {
    case T_INT: put_int(out, v.i); return;
    case T_FLOAT: { char tmp[32]; buf_put(out, tmp, (size_t)fmt_float(tmp, v.f)); return; }
    case T_BOOL: buf_puts(out, v.u ? "true" : "false"); return;
    case T_STRING:
        if (quoted) put_quoted(out, (Str *)v.p);
        else buf_put(out, ((Str *)v.p)->data, (size_t)((Str *)v.p)->len);
        return;
    case T_OPTIONAL:
        if (opt_is_null(t->a, v)) buf_puts(out, "null");
        else display_one(st, out, t->a, opt_payload(t->a, v), quoted);  /* one level: collapsed */
        return;
    case T_ARRAY: ds_push(st, (DispTask){ DT_ARRAY, false, t, v, 0 }); buf_putc(out, '['); return;
    case T_DICT: ds_push(st, (DispTask){ DT_DICT, false, t, v, 0 }); buf_putc(out, '{'); return;
    case T_TUPLE: ds_push(st, (DispTask){ DT_TUPLE, false, t, v, 0 }); buf_putc(out, '('); return;
    case T_FUNC: put_func(out, v); return;
    case T_WAIT: buf_puts(out, "<wait>"); return;
    case T_HOST: put_host(st->vm, out, (HostObj *)v.p); return;
    case T_ANY: display_one(st, out, ((AnyBox *)v.p)->type, ((AnyBox *)v.p)->v, quoted); return;
    case T_NATIVE: {
        NativeObj *o = (NativeObj *)v.p;
        if (o->nt->display) { o->nt->display(st->vm, out, o); return; }
        buf_putc(out, '<'); buf_puts(out, o->nt->name); buf_putc(out, '>');
        return;
    }
    case T_NULL: buf_puts(out, "null"); return;
    case T_VOID: return;
    case T_WEAK: {
        WeakRef *w = (WeakRef *)v.p;
        buf_puts(out, "<weak ");
        buf_puts(out, w->target ? ((Instance *)w->target)->type->name : "null");
        buf_putc(out, '>');
        return;
    }
    case T_RESULT: {
        ResultObj *r = (ResultObj *)v.p;
        if (r->err) { buf_puts(out, "Error("); put_quoted(out, r->err); buf_putc(out, ')'); return; }
        buf_puts(out, "Success(");
        if (t->a->kind != T_VOID) display_value(st->vm, out, t->a, r->payload, true);   /* its own walk */
        buf_putc(out, ')');
        return;
    }
    case T_ENUM:
        buf_puts(out, t->name);
        buf_putc(out, '.');
        if (v.i >= 0 && (uint64_t)v.i < t->nom->nvariants) buf_puts(out, t->nom->variant_names[v.i]);
        return;
    case T_STRUCT: case T_CLASS: case T_TRAIT: {
        Instance *o = (Instance *)v.p;
        Type *dt = o->type;                       /* the dynamic class */
        if (dt->nom->lib_display) { dt->nom->lib_display(st->vm, out, dt, v); return; }   /* Matrix3, <Timer>, ... */
        buf_puts(out, dt->nom->display_name ? dt->nom->display_name : dt->name);   /* generics: no arguments */
        /* an instance already being displayed further up is a cycle */
        for (size_t i = 0; i < st->n; i++)
            if (st->items[i].kind == DT_INSTANCE && st->items[i].v.p == v.p) { buf_puts(out, " {...}"); return; }
        if (dt->nom->nfields == 0) { buf_puts(out, " {}"); return; }
        buf_puts(out, " { ");
        ds_push(st, (DispTask){ DT_INSTANCE, false, dt, v, 0 });
        return;
    }
    default:
        buf_putc(out, '<'); buf_puts(out, t->name); buf_putc(out, '>');
        return;
    }
}

/* Advances a container walker by one element; pops it when done. */
static void display_step(DispStack *st, Buf *out) {
    DispTask *w = &st->items[st->n - 1];
    int64_t i = w->pos;
    Type *et = NULL;
    Value ev;
    switch (w->kind) {
    case DT_ARRAY: {
        Arr *a = (Arr *)w->v.p;
        if (i >= a->len) { st->n--; buf_putc(out, ']'); return; }
        et = w->t->a; ev = a->data[i];
        w->pos = i + 1;
        break;
    }
    case DT_TUPLE: {
        Tuple *tp = (Tuple *)w->v.p;
        if (i >= (int64_t)w->t->n) { st->n--; buf_putc(out, ')'); return; }
        et = w->t->args[i]; ev = tp->v[i];
        w->pos = i + 1;
        break;
    }
    case DT_DICT: {
        Dict *d = (Dict *)w->v.p;
        while (i < d->used && d->entries[i].hash == DICT_DEAD) i++;
        if (i >= d->used) { st->n--; buf_putc(out, '}'); return; }
        w->pos = i + 1;
        if (w->started) buf_puts(out, ", ");
        w->started = true;
        Type *kt = w->t->a;
        et = w->t->b; ev = d->entries[i].val;
        display_one(st, out, kt, d->entries[i].key, true);   /* keys are scalars or strings */
        buf_puts(out, ": ");
        display_one(st, out, et, ev, true);
        return;
    }
    case DT_INSTANCE: {
        Instance *o = (Instance *)w->v.p;
        NominalInfo *n = w->t->nom;
        if (i >= (int64_t)n->nfields) { st->n--; buf_puts(out, " }"); return; }
        w->pos = i + 1;
        if (i > 0) buf_puts(out, ", ");
        buf_puts(out, n->field_names[i]);
        buf_puts(out, ": ");
        display_one(st, out, n->field_types[i], o->f[i], true);
        return;
    }
    default: WRIT_UNREACHABLE(); return;
    }
    if (i > 0) buf_puts(out, ", ");
    display_one(st, out, et, ev, true);
}

void display_value(VM *vm, Buf *out, Type *t, Value v, bool quoted) {
    DispStack st = { .vm = vm, .n = 0, .cap = 16 };
    st.items = st.small;
    display_one(&st, out, t, v, quoted);
    while (st.n) display_step(&st, out);
    if (st.items != st.small) mem_free(vm, st.items, sizeof(DispTask) * st.cap);
}

Str *display_to_str(VM *vm, Type *t, Value v) {
    if (t->kind == T_STRING) { RETAIN(v.p); return (Str *)v.p; }
    Buf b;
    buf_init(&b, vm);
    display_value(vm, &b, t, v, false);
    Str *s = str_new(vm, b.data ? b.data : "", b.len);
    buf_free(&b);
    return s;
}

/* ======================================================================
 * Equality (§8.2) and typeof.
 * ====================================================================== */

typedef struct EqItem { Type *t; Value a, b; } EqItem;

typedef struct EqStack {
    VM *vm;
    EqItem *items;
    size_t n, cap;
    EqItem small[16];
} EqStack;

static void eq_push(EqStack *s, Type *t, Value a, Value b) {
    if (s->n == s->cap) {
        size_t nc = s->cap * 2;
        EqItem *ni = mem_alloc(s->vm, sizeof(EqItem) * nc);
        memcpy(ni, s->items, sizeof(EqItem) * s->n);
        if (s->items != s->small) mem_free(s->vm, s->items, sizeof(EqItem) * s->cap);
        s->items = ni;
        s->cap = nc;
    }
    s->items[s->n++] = (EqItem){ t, a, b };
}

/* Could a value of type t contain a float (NaN != NaN defeats the identity shortcut)? */
static bool may_hold_float(const Type *t) {
    switch (t->kind) {
    case T_FLOAT: return true;
    case T_ARRAY: case T_OPTIONAL: return may_hold_float(t->a);
    case T_DICT: return may_hold_float(t->b);
    case T_TUPLE:
        for (uint32_t i = 0; i < t->n; i++) if (may_hold_float(t->args[i])) return true;
        return false;
    case T_STRUCT: return true;     /* conservative: fields are not walked here (no recursion) */
    default: return false;
    }
}

/* Compares a and b if that needs no descent; otherwise queues the pair.
 * Returns false when already known unequal. */
static bool eq_shallow(EqStack *s, Type *t, Value a, Value b) {
    switch (t->kind) {
    case T_INT: return a.i == b.i;
    case T_FLOAT: return a.f == b.f;
    case T_BOOL: return (a.u != 0) == (b.u != 0);
    case T_STRING: return str_eq((Str *)a.p, (Str *)b.p);
    case T_NULL: case T_VOID: return true;
    case T_OPTIONAL: {
        bool na = opt_is_null(t->a, a), nb = opt_is_null(t->a, b);
        if (na || nb) return na == nb;
        return eq_shallow(s, t->a, opt_payload(t->a, a), opt_payload(t->a, b));
    }
    case T_ARRAY: case T_DICT: case T_TUPLE: case T_STRUCT:
        if (a.p == b.p && !may_hold_float(t)) return true;
        eq_push(s, t, a, b);
        return true;
    case T_WEAK: return ((WeakRef *)a.p)->target == ((WeakRef *)b.p)->target;
    case T_ANY: {
        AnyBox *x = (AnyBox *)a.p, *y = (AnyBox *)b.p;
        return x->type == y->type && eq_shallow(s, x->type, x->v, y->v);
    }
    case T_RESULT: {
        ResultObj *x = (ResultObj *)a.p, *y = (ResultObj *)b.p;
        if ((x->err == NULL) != (y->err == NULL)) return false;
        if (x->err) return str_eq(x->err, y->err);
        return t->a->kind == T_VOID || eq_shallow(s, t->a, x->payload, y->payload);
    }
    case T_FUNC: {                  /* bound methods: same receiver, same method */
        Closure *x = (Closure *)a.p, *y = (Closure *)b.p;
        if (x == y) return true;
        return x && y && (x->h.flags & CLOSURE_BOUND) && (y->h.flags & CLOSURE_BOUND) &&
               x->proto == y->proto && x->cap[0].p == y->cap[0].p;
    }
    default: return a.u == b.u;     /* Wait, enums, class identity */
    }
}

static bool eq_expand(EqStack *s, EqItem it) {
    switch (it.t->kind) {
    case T_ARRAY: {
        Arr *x = (Arr *)it.a.p, *y = (Arr *)it.b.p;
        if (x->len != y->len) return false;
        for (int64_t i = 0; i < x->len; i++)
            if (!eq_shallow(s, it.t->a, x->data[i], y->data[i])) return false;
        return true;
    }
    case T_TUPLE: {
        Tuple *x = (Tuple *)it.a.p, *y = (Tuple *)it.b.p;
        for (uint32_t i = 0; i < it.t->n; i++)
            if (!eq_shallow(s, it.t->args[i], x->v[i], y->v[i])) return false;
        return true;
    }
    case T_DICT: {
        Dict *x = (Dict *)it.a.p, *y = (Dict *)it.b.p;
        if (x->count != y->count) return false;
        for (int64_t i = 0; i < x->used; i++) {
            DictEntry *e = &x->entries[i];
            if (e->hash == DICT_DEAD) continue;
            Value other;
            if (!dict_get(s->vm, y, e->key, &other)) return false;
            if (!eq_shallow(s, it.t->b, e->val, other)) return false;
        }
        return true;
    }
    case T_STRUCT: {
        Instance *x = (Instance *)it.a.p, *y = (Instance *)it.b.p;
        NominalInfo *n = it.t->nom;
        for (uint32_t i = 0; i < n->nfields; i++)
            if (!eq_shallow(s, n->field_types[i], x->f[i], y->f[i])) return false;
        return true;
    }
    default: return true;
    }
}

bool val_equal(VM *vm, Type *t, Value a, Value b) {
    EqStack s = { .vm = vm, .n = 0, .cap = 16 };
    s.items = s.small;
    bool eq = eq_shallow(&s, t, a, b);
    while (eq && s.n) eq = eq_expand(&s, s.items[--s.n]);
    if (s.items != s.small) mem_free(vm, s.items, sizeof(EqItem) * s.cap);
    return eq;
}

const char *val_typeof(VM *vm, Type *t, Value v) {
    (void)vm;
    while (t->kind == T_ANY) { AnyBox *b = (AnyBox *)v.p; t = b->type; v = b->v; }
    if (t->kind == T_OPTIONAL) {
        if (opt_is_null(t->a, v)) return "null";
        t = t->a;
    }
    if (t->kind == T_CLASS || t->kind == T_TRAIT) return ((Instance *)v.p)->type->name;
    return t->name;
}
