/* json.c — module `json` (stdlib.md §14): Json, JsonKind (prelude),
 * parseJson, toJson, fromJson<T>.
 *
 * Parsing is one pass over the text with an explicit stack (no C recursion;
 * nesting is limited to 512 levels).  parseJson builds a compact immutable
 * tree: a JsonDoc holds every node (16 bytes), the child lists and the
 * decoded string bytes; a Json value is a counted handle (doc, node).
 * fromJson<T> decodes the text straight into Writ values of type T, guided
 * by T (the compiler passes T as a hidden argument); a Json inside T gets a
 * tree for its part of the text.  Long strings, arrays and objects are
 * linear: children are collected on a pending stack and copied once when
 * their container closes; duplicate keys are found with a hash table for
 * large objects. */
#include "rt.h"
#include "vm.h"
#include "host.h"
#include <math.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 512

enum { JK_NULL, JK_BOOL, JK_NUM, JK_STR, JK_ARR, JK_OBJ };   /* JsonKind order */

typedef struct JNode {
    uint8_t kind;
    uint8_t isint;       /* number: exact integer in u.i */
    uint32_t n;          /* string bytes; array elements; object members */
    union { int64_t i; double f; uint64_t off; } u;   /* number; string offset; first child index */
} JNode;

typedef struct JsonDoc {
    uint32_t rc;
    JNode *nodes; size_t nn, capn;
    uint32_t *kids; size_t nk, capk;    /* arrays: element nodes; objects: key node, value node */
    char *str; size_t ns, caps;
} JsonDoc;

typedef struct JsonVal {
    NativeObj h;
    JsonDoc *doc;
    uint32_t node;
} JsonVal;

extern const NativeType json_type;

/* ------------------------------------------------------------------ */
/* documents and Json values */

static void doc_release(VM *vm, JsonDoc *d) {
    if (--d->rc) return;
    if (d->capn) mem_free(vm, d->nodes, sizeof(JNode) * d->capn);
    if (d->capk) mem_free(vm, d->kids, sizeof(uint32_t) * d->capk);
    if (d->caps) mem_free(vm, d->str, d->caps);
    mem_free(vm, d, sizeof(JsonDoc));
}

static JsonVal *jv_new(VM *vm, JsonDoc *d, uint32_t node) {
    JsonVal *j = mem_alloc(vm, sizeof(JsonVal));
    j->h.h = (Obj){ .rc = 1, .kind = OBJ_NATIVE };
    j->h.nt = &json_type;
    j->doc = d;
    d->rc++;
    j->node = node;
    return j;
}

static void jv_free(VM *vm, NativeObj *o) {
    JsonVal *j = (JsonVal *)o;
    doc_release(vm, j->doc);
    mem_free(vm, j, sizeof(JsonVal));
}

#define GROW(vm, p, n, cap, extra) do { \
    if ((n) + (extra) > (cap)) { \
        size_t nc_ = (cap) ? (cap) * 2 : 64; \
        while (nc_ < (n) + (extra)) nc_ *= 2; \
        (p) = mem_realloc((vm), (p), sizeof(*(p)) * (cap), sizeof(*(p)) * nc_); \
        (cap) = nc_; \
    } } while (0)

/* ------------------------------------------------------------------ */
/* the lexer shared by both parsers */

typedef struct Lex {
    VM *vm;
    const char *s;
    size_t n, i;
    const char *err;       /* first error */
    size_t erri;
    char *buf; size_t nb, capb;   /* scratch for decoded strings (fromJson) */
} Lex;

static bool lx_fail(Lex *L, size_t at, const char *msg) {
    if (!L->err) { L->err = msg; L->erri = at; }
    return false;
}

static inline void lx_ws(Lex *L) {
    const char *s = L->s;
    size_t i = L->i, n = L->n;
    while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) i++;
    L->i = i;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool read_hex4(Lex *L, size_t at, uint32_t *out) {
    if (at + 4 > L->n) return lx_fail(L, at, "invalid \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(L->s[at + k]);
        if (h < 0) return lx_fail(L, at, "invalid \\u escape");
        v = v * 16 + (uint32_t)h;
    }
    *out = v;
    return true;
}

static size_t put_utf8(char *o, uint32_t cp) {
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xc0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decodes the string at L->i (on the opening quote) appending its bytes to
 * *dst (grown as needed).  The input is valid UTF-8 (a Writ string), and
 * escapes produce valid UTF-8, so the result is too. */
static bool lx_string(Lex *L, char **dst, size_t *nd, size_t *capd) {
    const char *s = L->s;
    size_t n = L->n, i = L->i + 1;
    for (;;) {
        size_t start = i;
        while (i < n) {
            unsigned char c = (unsigned char)s[i];
            if (c == '"' || c == '\\' || c < 0x20) break;
            i++;
        }
        if (i > start) {
            GROW(L->vm, *dst, *nd, *capd, i - start);
            memcpy(*dst + *nd, s + start, i - start);
            *nd += i - start;
        }
        if (i >= n) return lx_fail(L, n, "unterminated string");
        char c = s[i];
        if (c == '"') { L->i = i + 1; return true; }
        if (c != '\\') return lx_fail(L, i, "control character in string");
        if (i + 1 >= n) return lx_fail(L, n, "unterminated string");
        char e = s[i + 1], out;
        switch (e) {
        case '"': out = '"'; break;
        case '\\': out = '\\'; break;
        case '/': out = '/'; break;
        case 'b': out = '\b'; break;
        case 'f': out = '\f'; break;
        case 'n': out = '\n'; break;
        case 'r': out = '\r'; break;
        case 't': out = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (!read_hex4(L, i + 2, &cp)) return false;
            size_t next = i + 6;
            if (cp >= 0xdc00 && cp <= 0xdfff) return lx_fail(L, i, "lone surrogate in \\u escape");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                uint32_t lo;
                if (next + 1 >= n || s[next] != '\\' || s[next + 1] != 'u') return lx_fail(L, i, "lone surrogate in \\u escape");
                if (!read_hex4(L, next + 2, &lo)) return false;
                if (lo < 0xdc00 || lo > 0xdfff) return lx_fail(L, i, "lone surrogate in \\u escape");
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                next += 6;
            }
            GROW(L->vm, *dst, *nd, *capd, 4);
            *nd += put_utf8(*dst + *nd, cp);
            i = next;
            continue;
        }
        default: return lx_fail(L, i, "invalid escape");
        }
        GROW(L->vm, *dst, *nd, *capd, 1);
        (*dst)[(*nd)++] = out;
        i += 2;
    }
}

static const double pow10_exact[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A number at L->i: exact int64 when it has no fraction or exponent and fits. */
static bool lx_number(Lex *L, bool *isint, int64_t *iv, double *dv) {
    const char *s = L->s;
    size_t n = L->n, i = L->i, start = i;
    bool neg = false;
    if (s[i] == '-') { neg = true; i++; }
    if (i >= n || s[i] < '0' || s[i] > '9') return lx_fail(L, start, "invalid number");
    uint64_t m = 0;
    int nd = 0;              /* significant digits accumulated in m */
    int dropped = 0;         /* integer digits past 19 */
    bool exact = true;
    if (s[i] == '0') {
        i++;
        if (i < n && s[i] >= '0' && s[i] <= '9') return lx_fail(L, start, "invalid number (leading zero)");
    } else {
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (nd < 19) { m = m * 10 + (uint64_t)(s[i] - '0'); if (m) nd++; }
            else { dropped++; exact = false; }
        }
    }
    bool frac = false, expo = false;
    int fd = 0;
    if (i < n && s[i] == '.') {
        frac = true;
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9') return lx_fail(L, i, "invalid number");
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (nd < 19) { m = m * 10 + (uint64_t)(s[i] - '0'); if (m) nd++; fd++; }
            else exact = false;
        }
    }
    int64_t ev = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        expo = true;
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        if (i >= n || s[i] < '0' || s[i] > '9') return lx_fail(L, i, "invalid number");
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) if (ev < 100000) ev = ev * 10 + (s[i] - '0');
        if (eneg) ev = -ev;
    }
    L->i = i;
    if (!frac && !expo && exact) {
        if (!neg && m <= (uint64_t)INT64_MAX) { *isint = true; *iv = (int64_t)m; return true; }
        if (neg && m <= (uint64_t)INT64_MAX + 1) { *isint = true; *iv = (int64_t)(0 - m); return true; }
    }
    *isint = false;
    int64_t e10 = ev - fd + dropped;
    if (exact && m < ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
        double d = (double)m;
        d = e10 < 0 ? d / pow10_exact[-e10] : d * pow10_exact[e10];
        *dv = neg ? -d : d;
        return true;
    }
    double d;
    if (!parse_float_text(s + start, i - start, &d)) return lx_fail(L, start, "invalid number");
    if (isinf(d)) return lx_fail(L, start, "number out of range");
    *dv = d;
    return true;
}

static bool lx_word(Lex *L, const char *w, size_t len) {
    if (L->n - L->i >= len && memcmp(L->s + L->i, w, len) == 0) { L->i += len; return true; }
    return lx_fail(L, L->i, "expected a value");
}

/* "invalid JSON at line L, column C: MSG" (columns count code points). */
static Str *lx_message(Lex *L) {
    size_t line = 1, col = 1;
    size_t at = L->erri > L->n ? L->n : L->erri;
    for (size_t k = 0; k < at; k++) {
        unsigned char c = (unsigned char)L->s[k];
        if (c == '\n') { line++; col = 1; }
        else if ((c & 0xc0) != 0x80) col++;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "invalid JSON at line %zu, column %zu: %s", line, col, L->err);
    return str_cstr(L->vm, buf);
}

/* ------------------------------------------------------------------ */
/* the tree parser */

typedef struct TFrame { uint32_t node; size_t pend0; } TFrame;

typedef struct TP {
    Lex *L;
    JsonDoc *d;
    uint32_t *pend; size_t np, capp;
    TFrame *st; size_t nst, capst;
} TP;

static uint32_t new_node(TP *P, uint8_t kind) {
    JsonDoc *d = P->d;
    GROW(P->L->vm, d->nodes, d->nn, d->capn, 1);
    JNode *x = &d->nodes[d->nn];
    x->kind = kind;
    x->isint = 0;
    x->n = 0;
    x->u.i = 0;
    return (uint32_t)d->nn++;
}

static inline bool key_eq(JsonDoc *d, uint32_t a, uint32_t b) {
    JNode *x = &d->nodes[a], *y = &d->nodes[b];
    return x->n == y->n && memcmp(d->str + x->u.off, d->str + y->u.off, x->n) == 0;
}

static uint64_t key_hash(JsonDoc *d, uint32_t k) {
    JNode *x = &d->nodes[k];
    const unsigned char *p = (const unsigned char *)d->str + x->u.off;
    uint64_t h = 1469598103934665603ULL;
    for (uint32_t i = 0; i < x->n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* Closes the container on top: copies its pending children into kids;
 * an object keeps the first position and the last value of a repeated key. */
static void close_container(TP *P) {
    TFrame f = P->st[--P->nst];
    JsonDoc *d = P->d;
    VM *vm = P->L->vm;
    JNode *x = &d->nodes[f.node];
    size_t cnt = P->np - f.pend0;
    x->u.off = d->nk;
    x->n = 0;
    if (!cnt) return;                 /* [] / {} (the child arrays may still be NULL) */
    uint32_t *src = P->pend + f.pend0;
    GROW(vm, d->kids, d->nk, d->capk, cnt);
    if (x->kind == JK_ARR) {
        memcpy(d->kids + d->nk, src, sizeof(uint32_t) * cnt);
        d->nk += cnt;
        x->n = (uint32_t)cnt;
    } else {
        uint32_t *out = d->kids + d->nk;
        size_t m = 0, pairs = cnt / 2;
        if (pairs <= 16) {
            for (size_t k = 0; k < pairs; k++) {
                size_t j;
                for (j = 0; j < m; j++) if (key_eq(d, out[2 * j], src[2 * k])) break;
                if (j < m) out[2 * j + 1] = src[2 * k + 1];
                else { out[2 * m] = src[2 * k]; out[2 * m + 1] = src[2 * k + 1]; m++; }
            }
        } else {
            size_t cap = 32;
            while (cap < pairs * 2) cap *= 2;
            uint32_t *tab = mem_alloc(vm, sizeof(uint32_t) * cap);
            memset(tab, 0xff, sizeof(uint32_t) * cap);
            for (size_t k = 0; k < pairs; k++) {
                size_t h = (size_t)key_hash(d, src[2 * k]) & (cap - 1);
                while (tab[h] != UINT32_MAX && !key_eq(d, out[2 * tab[h]], src[2 * k])) h = (h + 1) & (cap - 1);
                if (tab[h] != UINT32_MAX) out[2 * tab[h] + 1] = src[2 * k + 1];
                else { tab[h] = (uint32_t)m; out[2 * m] = src[2 * k]; out[2 * m + 1] = src[2 * k + 1]; m++; }
            }
            mem_free(vm, tab, sizeof(uint32_t) * cap);
        }
        d->nk += 2 * m;
        x->n = (uint32_t)m;
    }
    P->np = f.pend0;
}

static bool tp_string_node(TP *P, uint32_t *out) {
    JsonDoc *d = P->d;
    uint32_t k = new_node(P, JK_STR);
    size_t off = d->ns;
    if (!lx_string(P->L, &d->str, &d->ns, &d->caps)) return false;
    if (d->ns - off > UINT32_MAX) return lx_fail(P->L, P->L->i, "string too long");
    d->nodes[k].u.off = off;
    d->nodes[k].n = (uint32_t)(d->ns - off);
    *out = k;
    return true;
}

static inline void push_pend(TP *P, uint32_t k) {
    GROW(P->L->vm, P->pend, P->np, P->capp, 1);
    P->pend[P->np++] = k;
}

/* An object member's `"key":` at L->i (whitespace before it skipped): the
 * key node joins the pending members. */
static bool tp_member_key(TP *P) {
    Lex *L = P->L;
    if (L->i >= L->n) return lx_fail(L, L->i, "unexpected end of input");
    if (L->s[L->i] != '"') return lx_fail(L, L->i, "expected a string key");
    uint32_t key;
    if (!tp_string_node(P, &key)) return false;
    push_pend(P, key);
    lx_ws(L);
    if (L->i >= L->n || L->s[L->i] != ':') return lx_fail(L, L->i, "expected ':'");
    L->i++;
    return true;
}

/* Parses one value at L->i into P->d; *root is its node.  depth0: levels
 * already open around it (fromJson).  Leaves L->i after the value. */
static bool tp_value(TP *P, int depth0, uint32_t *root) {
    Lex *L = P->L;
    size_t base = P->nst;
    uint32_t v;
    for (;;) {
        /* a value */
        lx_ws(L);
        if (L->i >= L->n) return lx_fail(L, L->i, "unexpected end of input");
        char c = L->s[L->i];
        if (c == '{' || c == '[') {
            if ((int)(P->nst - base) + depth0 >= JSON_MAX_DEPTH) return lx_fail(L, L->i, "nesting deeper than 512 levels");
            uint32_t k = new_node(P, c == '{' ? JK_OBJ : JK_ARR);
            GROW(L->vm, P->st, P->nst, P->capst, 1);
            P->st[P->nst++] = (TFrame){ k, P->np };
            L->i++;
            lx_ws(L);
            if (L->i < L->n && L->s[L->i] == (c == '{' ? '}' : ']')) {
                L->i++;
                close_container(P);
                v = k;
                goto after;
            }
            if (c == '{' && !tp_member_key(P)) return false;
            continue;
        }
        if (c == '"') { if (!tp_string_node(P, &v)) return false; }
        else if (c == '-' || (c >= '0' && c <= '9')) {
            v = new_node(P, JK_NUM);
            bool isint; int64_t iv = 0; double dv = 0;
            if (!lx_number(L, &isint, &iv, &dv)) return false;
            P->d->nodes[v].isint = isint;
            if (isint) P->d->nodes[v].u.i = iv; else P->d->nodes[v].u.f = dv;
        } else if (c == 't') { if (!lx_word(L, "true", 4)) return false; v = new_node(P, JK_BOOL); P->d->nodes[v].u.i = 1; }
        else if (c == 'f') { if (!lx_word(L, "false", 5)) return false; v = new_node(P, JK_BOOL); }
        else if (c == 'n') { if (!lx_word(L, "null", 4)) return false; v = new_node(P, JK_NULL); }
        else return lx_fail(L, L->i, "expected a value");
    after:
        /* after a value: close containers or go on to the next element */
        for (;;) {
            if (P->nst == base) { *root = v; return true; }
            push_pend(P, v);
            TFrame *f = &P->st[P->nst - 1];
            bool obj = P->d->nodes[f->node].kind == JK_OBJ;
            lx_ws(L);
            if (L->i >= L->n) return lx_fail(L, L->i, "unexpected end of input");
            char d = L->s[L->i];
            if (d == ',') {
                L->i++;
                if (obj) {
                    lx_ws(L);
                    if (!tp_member_key(P)) return false;
                }
                break;
            }
            if (d == (obj ? '}' : ']')) {
                L->i++;
                v = f->node;
                close_container(P);
                continue;
            }
            return lx_fail(L, L->i, obj ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
}

static JsonDoc *doc_new(VM *vm) {
    JsonDoc *d = mem_calloc(vm, sizeof(JsonDoc));
    d->rc = 1;
    d->caps = 64;                    /* never NULL: empty strings point into it */
    d->str = mem_alloc(vm, d->caps);
    return d;
}

static void tp_free(TP *P) {
    VM *vm = P->L->vm;
    if (P->capp) mem_free(vm, P->pend, sizeof(uint32_t) * P->capp);
    if (P->capst) mem_free(vm, P->st, sizeof(TFrame) * P->capst);
}

/* One value at L->i as a Json (owned), or NULL with L->err set. */
static JsonVal *parse_tree(Lex *L, int depth0) {
    TP P = { .L = L };
    P.d = doc_new(L->vm);
    /* Reserve for a typical document up front (about one node per 8 bytes of
     * text, strings at most the text's size) so that large inputs are not
     * copied again and again while the arrays grow; trimmed at the end. */
    size_t rest = L->n - L->i;
    if (rest > 4096) {
        JsonDoc *d = P.d;
        d->nodes = mem_alloc(L->vm, sizeof(JNode) * (d->capn = rest / 8));
        d->kids = mem_alloc(L->vm, sizeof(uint32_t) * (d->capk = rest / 8));
        d->str = mem_realloc(L->vm, d->str, d->caps, rest / 2);
        d->caps = rest / 2;
    }
    uint32_t root;
    bool ok = tp_value(&P, depth0, &root);
    tp_free(&P);
    if (!ok) { doc_release(L->vm, P.d); return NULL; }
    JsonDoc *d = P.d;                  /* trim the reservations */
    if (d->capn > d->nn + 64) { d->nodes = mem_realloc(L->vm, d->nodes, sizeof(JNode) * d->capn, sizeof(JNode) * (d->nn + 1)); d->capn = d->nn + 1; }
    if (d->capk > d->nk + 64) { d->kids = mem_realloc(L->vm, d->kids, sizeof(uint32_t) * d->capk, sizeof(uint32_t) * (d->nk + 1)); d->capk = d->nk + 1; }
    if (d->caps > d->ns + 64) { d->str = mem_realloc(L->vm, d->str, d->caps, d->ns + 1); d->caps = d->ns + 1; }
    JsonVal *j = jv_new(L->vm, P.d, root);
    doc_release(L->vm, P.d);
    return j;
}

static bool n_parseJson(VM *vm, Value *args, Value *ret) {
    Str *text = (Str *)args[0].p;
    Lex L = { .vm = vm, .s = text->data, .n = (size_t)text->len };
    Type *rt = ty_result(vm, ty_native(vm, &json_type, "Json"));
    JsonVal *j = parse_tree(&L, 0);
    if (j) {
        lx_ws(&L);
        if (L.i < L.n) { lx_fail(&L, L.i, "unexpected text after the value"); RELEASE(vm, j); j = NULL; }
    }
    ret->p = j ? result_new(vm, rt, NULL, (Value){ .p = j }) : result_new(vm, rt, lx_message(&L), (Value){ .u = 0 });
    return true;
}

/* ------------------------------------------------------------------ */
/* writing JSON text */

static void put_json_string(Buf *out, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    buf_putc(out, '"');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (i > start) buf_put(out, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '"': buf_put(out, "\\\"", 2); break;
        case '\\': buf_put(out, "\\\\", 2); break;
        case '\n': buf_put(out, "\\n", 2); break;
        case '\r': buf_put(out, "\\r", 2); break;
        case '\t': buf_put(out, "\\t", 2); break;
        case '\b': buf_put(out, "\\b", 2); break;
        case '\f': buf_put(out, "\\f", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_put(out, u, 6);
        }
        }
    }
    if (n > start) buf_put(out, s + start, n - start);
    buf_putc(out, '"');
}

static void put_i64(Buf *out, int64_t v) {
    char tmp[24];
    char *e = tmp + sizeof tmp, *p = e;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
    if (v < 0) *--p = '-';
    buf_put(out, p, (size_t)(e - p));
}

static void put_f64(Buf *out, double d) {
    char tmp[40];
    buf_put(out, tmp, (size_t)fmt_float(tmp, d));
}

/* The compact text of a node (iterative). */
static void write_node(VM *vm, Buf *out, JsonDoc *d, uint32_t root) {
    typedef struct { uint32_t node; uint32_t pos; } W;
    W small[64], *st = small;
    size_t n = 0, cap = 64;
    uint32_t v = root;
    for (;;) {
        JNode *x = &d->nodes[v];
        switch (x->kind) {
        case JK_NULL: buf_put(out, "null", 4); break;
        case JK_BOOL: if (x->u.i) buf_put(out, "true", 4); else buf_put(out, "false", 5); break;
        case JK_NUM: if (x->isint) put_i64(out, x->u.i); else put_f64(out, x->u.f); break;
        case JK_STR: put_json_string(out, d->str + x->u.off, x->n); break;
        case JK_ARR: case JK_OBJ:
            buf_putc(out, x->kind == JK_ARR ? '[' : '{');
            if (n == cap) {
                W *ns = mem_alloc(vm, sizeof(W) * cap * 2);
                memcpy(ns, st, sizeof(W) * n);
                if (st != small) mem_free(vm, st, sizeof(W) * cap);
                st = ns;
                cap *= 2;
            }
            st[n++] = (W){ v, 0 };
            break;
        }
        /* next node to write */
        for (;;) {
            if (!n) goto done;
            W *w = &st[n - 1];
            JNode *c = &d->nodes[w->node];
            if (w->pos >= c->n) { buf_putc(out, c->kind == JK_ARR ? ']' : '}'); n--; continue; }
            if (w->pos) buf_putc(out, ',');
            if (c->kind == JK_ARR) { v = d->kids[c->u.off + w->pos]; }
            else {
                JNode *k = &d->nodes[d->kids[c->u.off + 2 * w->pos]];
                put_json_string(out, d->str + k->u.off, k->n);
                buf_putc(out, ':');
                v = d->kids[c->u.off + 2 * w->pos + 1];
            }
            w->pos++;
            break;
        }
    }
done:
    if (st != small) mem_free(vm, st, sizeof(W) * cap);
}

static void jv_display(VM *vm, Buf *out, NativeObj *o) {
    JsonVal *j = (JsonVal *)o;
    write_node(vm, out, j->doc, j->node);
}

/* ------------------------------------------------------------------ */
/* Json methods */

#define JN(args) (&((JsonVal *)(args)[0].p)->doc->nodes[((JsonVal *)(args)[0].p)->node])

static bool m_kind(VM *vm, Value *args, Value *ret) { (void)vm; ret->i = JN(args)->kind; return true; }
static bool m_isNull(VM *vm, Value *args, Value *ret) { (void)vm; ret->i = JN(args)->kind == JK_NULL; return true; }
static bool m_asBool(VM *vm, Value *args, Value *ret) {
    (void)vm;
    JNode *x = JN(args);
    ret->u = x->kind == JK_BOOL ? (uint64_t)x->u.i : OPT_BOOL_NULL;
    return true;
}
static bool m_asString(VM *vm, Value *args, Value *ret) {
    JsonVal *j = (JsonVal *)args[0].p;
    JNode *x = JN(args);
    ret->p = x->kind == JK_STR ? str_new(vm, j->doc->str + x->u.off, x->n) : NULL;
    return true;
}
static bool m_asFloat(VM *vm, Value *args, Value *ret) {
    (void)vm;
    JNode *x = JN(args);
    if (x->kind != JK_NUM) ret->u = OPT_FLOAT_NULL_BITS;
    else ret->f = x->isint ? (double)x->u.i : x->u.f;
    return true;
}
/* An integral number inside the int range. */
static bool num_as_int(JNode *x, int64_t *out) {
    if (x->kind != JK_NUM) return false;
    if (x->isint) { *out = x->u.i; return true; }
    double f = x->u.f;
    if (f != floor(f) || !(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) return false;
    *out = (int64_t)f;
    return true;
}
static bool m_asInt(VM *vm, Value *args, Value *ret) {
    int64_t v;
    ret->p = num_as_int(JN(args), &v) ? intbox_new(vm, v) : NULL;
    return true;
}
static bool m_get(VM *vm, Value *args, Value *ret) {
    JsonVal *j = (JsonVal *)args[0].p;
    JsonDoc *d = j->doc;
    JNode *x = JN(args);
    Str *key = (Str *)args[1].p;
    ret->p = NULL;
    if (x->kind != JK_OBJ) return true;
    for (uint32_t k = x->n; k-- > 0;) {       /* members are unique */
        JNode *kn = &d->nodes[d->kids[x->u.off + 2 * k]];
        if (kn->n == (uint64_t)key->len && memcmp(d->str + kn->u.off, key->data, kn->n) == 0) {
            ret->p = jv_new(vm, d, d->kids[x->u.off + 2 * k + 1]);
            return true;
        }
    }
    return true;
}
static bool m_at(VM *vm, Value *args, Value *ret) {
    JsonVal *j = (JsonVal *)args[0].p;
    JNode *x = JN(args);
    int64_t i = args[1].i;
    ret->p = x->kind == JK_ARR && i >= 0 && i < (int64_t)x->n ? jv_new(vm, j->doc, j->doc->kids[x->u.off + i]) : NULL;
    return true;
}
static bool m_len(VM *vm, Value *args, Value *ret) {
    (void)vm;
    JNode *x = JN(args);
    ret->i = x->kind == JK_ARR || x->kind == JK_OBJ ? x->n : 0;
    return true;
}
static bool m_keys(VM *vm, Value *args, Value *ret) {
    JsonVal *j = (JsonVal *)args[0].p;
    JsonDoc *d = j->doc;
    JNode *x = JN(args);
    uint32_t n = x->kind == JK_OBJ ? x->n : 0;
    Arr *a = arr_new(vm, ty_array(vm, vm->types.t_string), n);
    for (uint32_t k = 0; k < n; k++) {
        JNode *kn = &d->nodes[d->kids[x->u.off + 2 * k]];
        arr_push(vm, a, (Value){ .p = str_new(vm, d->str + kn->u.off, kn->n) });
    }
    ret->p = a;
    return true;
}

static const LibFn json_methods[] = {
    {"kind", "() -> JsonKind", m_kind},
    {"isNull", "() -> bool", m_isNull},
    {"asBool", "() -> Optional<bool>", m_asBool},
    {"asString", "() -> Optional<string>", m_asString},
    {"asFloat", "() -> Optional<float>", m_asFloat},
    {"asInt", "() -> Optional<int>", m_asInt},
    {"get", "(key: string) -> Optional<Json>", m_get},
    {"at", "(index: int) -> Optional<Json>", m_at},
    {"len", "() -> int", m_len},
    {"keys", "() -> Array<string>", m_keys},
    {NULL, NULL, NULL},
};

const NativeType json_type = { "Json", NULL, json_methods, jv_free, jv_display };

/* ------------------------------------------------------------------ */
/* toJson: walks a value by its type with an explicit stack */

#define ON_PATH 0x80       /* Obj.flags of a class instance being written (cycle check) */

typedef struct TJ { Type *t; Value v; int64_t pos; } TJ;

static const char *variant_name(Type *t, int64_t i) {
    return i >= 0 && (uint64_t)i < t->nom->nvariants ? t->nom->variant_names[i] : "?";
}

static bool to_json(VM *vm, Buf *out, Type *t0, Value v0) {
    TJ small[32], *st = small;
    size_t n = 0, cap = 32;
    TJ *keep = NULL;                   /* host field values read through getters (owned) */
    size_t nkeep = 0, capkeep = 0;
    bool ok = true;
    Type *t = t0;
    Value v = v0;
    for (;;) {
        /* write (t, v) or open it */
        for (;;) {
            if (t->kind == T_ANY) { AnyBox *b = (AnyBox *)v.p; t = b->type; v = b->v; continue; }
            if (t->kind == T_OPTIONAL) {
                if (opt_is_null(t->a, v)) { t = vm->types.t_null; continue; }
                v = opt_payload(t->a, v);
                t = t->a;
                continue;
            }
            break;
        }
        bool open = false;
        switch (t->kind) {
        case T_NULL: buf_put(out, "null", 4); break;
        case T_INT: put_i64(out, v.i); break;
        case T_FLOAT:
            if (!isfinite(v.f)) { char tmp[40]; fmt_float(tmp, v.f); rt_error(vm, "toJson cannot encode %s", tmp); ok = false; goto done; }
            put_f64(out, v.f);
            break;
        case T_BOOL: if (v.u) buf_put(out, "true", 4); else buf_put(out, "false", 5); break;
        case T_STRING: put_json_string(out, ((Str *)v.p)->data, (size_t)((Str *)v.p)->len); break;
        case T_ENUM: put_json_string(out, variant_name(t, v.i), strlen(variant_name(t, v.i))); break;
        case T_ARRAY: case T_TUPLE: buf_putc(out, '['); open = true; break;
        case T_DICT: buf_putc(out, '{'); open = true; break;
        case T_STRUCT: case T_CLASS: case T_TRAIT: {
            Instance *o = (Instance *)v.p;
            t = o->type;
            if (t->kind == T_CLASS) {
                if (o->h.flags & ON_PATH) { rt_error(vm, "toJson: reference cycle at %s", t->name); ok = false; goto done; }
                o->h.flags |= ON_PATH;
            }
            buf_putc(out, '{');
            open = true;
            break;
        }
        case T_HOST: {                 /* a host type with fields: an object of them */
            HostObj *o = (HostObj *)v.p;
            if (!((HostType *)t->decl)->nfields) { rt_error(vm, "toJson cannot encode %s", t->name); ok = false; goto done; }
            if (!o->valid) { rt_error(vm, "%s object is no longer valid", t->name); ok = false; goto done; }
            buf_putc(out, '{');
            open = true;
            break;
        }
        case T_NATIVE:
            if (((NativeObj *)v.p)->nt == &json_type) { jv_display(vm, out, (NativeObj *)v.p); break; }
            /* fallthrough */
        default:
            rt_error(vm, "toJson cannot encode %s", t->name);
            ok = false;
            goto done;
        }
        if (open) {
            if (n == cap) {
                TJ *ns = mem_alloc(vm, sizeof(TJ) * cap * 2);
                memcpy(ns, st, sizeof(TJ) * n);
                if (st != small) mem_free(vm, st, sizeof(TJ) * cap);
                st = ns;
                cap *= 2;
            }
            st[n++] = (TJ){ t, v, 0 };
        }
        /* the next element */
        for (;;) {
            if (!n) goto done;
            TJ *w = &st[n - 1];
            int64_t i = w->pos;
            bool more = false;
            switch (w->t->kind) {
            case T_ARRAY: {
                Arr *a = (Arr *)w->v.p;
                if (i < a->len) { t = w->t->a; v = a->data[i]; more = true; }
                break;
            }
            case T_TUPLE:
                if (i < (int64_t)w->t->n) { t = w->t->args[i]; v = ((Tuple *)w->v.p)->v[i]; more = true; }
                break;
            case T_DICT: {
                Dict *dct = (Dict *)w->v.p;
                while (i < dct->used && dct->entries[i].hash == DICT_DEAD) i++;
                if (i < dct->used) {
                    if (w->pos) buf_putc(out, ',');
                    Type *kt = w->t->a;
                    Value k = dct->entries[i].key;
                    if (kt->kind == T_STRING) put_json_string(out, ((Str *)k.p)->data, (size_t)((Str *)k.p)->len);
                    else if (kt->kind == T_INT) { buf_putc(out, '"'); put_i64(out, k.i); buf_putc(out, '"'); }
                    else if (kt->kind == T_BOOL) buf_puts(out, k.u ? "\"true\"" : "\"false\"");
                    else put_json_string(out, variant_name(kt, k.i), strlen(variant_name(kt, k.i)));
                    buf_putc(out, ':');
                    t = w->t->b;
                    v = dct->entries[i].val;
                    w->pos = i + 1;
                    goto next_value;
                }
                break;
            }
            case T_HOST: {
                HostType *ht = (HostType *)w->t->decl;
                if (i < (int64_t)ht->nfields) {
                    if (i) buf_putc(out, ',');
                    put_json_string(out, ht->fields[i].name, strlen(ht->fields[i].name));
                    buf_putc(out, ':');
                    t = ht->fields[i].type;
                    if (!host_get_field(vm, (HostObj *)w->v.p, (uint32_t)i, &v)) { ok = false; goto done; }
                    GROW(vm, keep, nkeep, capkeep, 1);
                    keep[nkeep++] = (TJ){ t, v, 0 };
                    w->pos = i + 1;
                    goto next_value;
                }
                break;
            }
            default: {         /* instances */
                NominalInfo *nm = w->t->nom;
                if (i < (int64_t)nm->nfields) {
                    if (i) buf_putc(out, ',');
                    put_json_string(out, nm->field_names[i], strlen(nm->field_names[i]));
                    buf_putc(out, ':');
                    t = nm->field_types[i];
                    v = ((Instance *)w->v.p)->f[i];
                    w->pos = i + 1;
                    goto next_value;
                }
                break;
            }
            }
            if (more) {
                if (i) buf_putc(out, ',');
                w->pos = i + 1;
                goto next_value;
            }
            /* close */
            if (w->t->kind == T_ARRAY || w->t->kind == T_TUPLE) buf_putc(out, ']');
            else buf_putc(out, '}');
            if (w->t->kind == T_CLASS) ((Instance *)w->v.p)->h.flags &= (uint8_t)~ON_PATH;
            n--;
        }
    next_value:;
    }
done:
    for (size_t k = 0; k < n; k++)
        if (st[k].t->kind == T_CLASS) ((Instance *)st[k].v.p)->h.flags &= (uint8_t)~ON_PATH;
    if (st != small) mem_free(vm, st, sizeof(TJ) * cap);
    for (size_t k = 0; k < nkeep; k++) val_release(vm, keep[k].t, keep[k].v);
    if (capkeep) mem_free(vm, keep, sizeof(TJ) * capkeep);
    return ok;
}

static bool n_toJson(VM *vm, Value *args, Value *ret) {
    AnyBox *b = (AnyBox *)args[0].p;
    Buf out;
    buf_init(&out, vm);
    if (!to_json(vm, &out, b->type, b->v)) { buf_free(&out); return false; }
    ret->p = str_new(vm, out.data ? out.data : "", out.len);
    buf_free(&out);
    return true;
}

#include "json_decode.inc"

const LibFn lib_json_functions[] = {
    {"parseJson", "(text: string) -> Result<Json>", n_parseJson},
    {"toJson", "(value: any) -> string", n_toJson},
    {"fromJson", "<T>(text: string) -> Result<T>", n_fromJson},
    {NULL, NULL, NULL},
};

const NativeType *const lib_json_types[] = { &json_type, NULL };
