/* regex.c — module `regex` (stdlib.md §11): the Regex type on PCRE2 in
 * UTF mode, JIT-compiled when the library supports it.  Built only when the
 * Makefile finds libpcre2-8 (WRIT_HAVE_PCRE2); otherwise `Regex` is an
 * unknown name.  Subjects are Writ strings, always valid UTF-8, so matching
 * skips PCRE2's UTF check (which would make repeated matching from growing
 * offsets quadratic). */
#include "rt.h"
#include "vm.h"

#ifdef WRIT_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>

typedef struct Regex {
    NativeObj h;
    pcre2_code *code;
    pcre2_match_data *md;    /* reused by every match (natives do not re-enter) */
    bool jit;
    uint32_t ncap;           /* capture groups (not counting group 0) */
} Regex;

static const NativeType regex_type;

static void rx_free(VM *vm, NativeObj *o) {
    Regex *r = (Regex *)o;
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->code);
    mem_free(vm, r, sizeof(Regex));
}

static bool n_Regex(VM *vm, Value *args, Value *ret) {
    Str *pat = (Str *)args[0].p;
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat->data, (PCRE2_SIZE)pat->len, PCRE2_UTF | PCRE2_NO_UTF_CHECK,
                                     &errcode, &erroff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        rt_error(vm, "invalid regex \"%s\": %s at offset %zu", pat->data, (const char *)msg, (size_t)erroff);
        return false;
    }
    Regex *r = mem_alloc(vm, sizeof(Regex));
    r->h.h = (Obj){ .rc = 1, .kind = OBJ_NATIVE };
    r->h.nt = &regex_type;
    r->code = code;
    r->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    r->md = pcre2_match_data_create_from_pattern(code, NULL);
    uint32_t nc = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &nc);
    r->ncap = nc;
    ret->p = r;
    return true;
}

/* Matches at or after byte offset `from`: on a match 1 + the highest group
 * set (ovector in r->md),
 * 0 for no match, <0 after rt_error. */
static int rx_exec(VM *vm, Regex *r, Str *s, size_t from) {
    int rc = r->jit ? pcre2_jit_match(r->code, (PCRE2_SPTR)s->data, (PCRE2_SIZE)s->len, from, 0, r->md, NULL)
                    : pcre2_match(r->code, (PCRE2_SPTR)s->data, (PCRE2_SIZE)s->len, from, PCRE2_NO_UTF_CHECK, r->md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    if (rc < 0) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        rt_error(vm, "regex match failed: %s", (const char *)msg);
        return -1;
    }
    return rc == 0 ? (int)r->ncap + 1 : rc;     /* 1 + the highest group set */
}

/* The next search start after a match [a, b): b, or one code point further
 * for an empty match. */
static size_t rx_next(Str *s, size_t a, size_t b) {
    if (b > a) return b;
    if (b >= (size_t)s->len) return (size_t)s->len + 1;
    b++;
    while (b < (size_t)s->len && (((unsigned char)s->data[b]) & 0xc0) == 0x80) b++;
    return b;
}

#define RX(args) ((Regex *)(args)[0].p)
#define SUBJ(args) ((Str *)(args)[1].p)

static bool m_test(VM *vm, Value *args, Value *ret) {
    int rc = rx_exec(vm, RX(args), SUBJ(args), 0);
    if (rc < 0) return false;
    ret->i = rc > 0;
    return true;
}

static bool m_match(VM *vm, Value *args, Value *ret) {
    Regex *r = RX(args);
    Str *s = SUBJ(args);
    int rc = rx_exec(vm, r, s, 0);
    if (rc < 0) return false;
    ret->p = NULL;
    if (rc) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        ret->p = str_new(vm, s->data + ov[0], ov[1] - ov[0]);
    }
    return true;
}

static bool m_matchAll(VM *vm, Value *args, Value *ret) {
    Regex *r = RX(args);
    Str *s = SUBJ(args);
    Arr *a = arr_new(vm, ty_array(vm, vm->types.t_string), 0);
    size_t at = 0;
    while (at <= (size_t)s->len) {
        int rc = rx_exec(vm, r, s, at);
        if (rc < 0) { RELEASE(vm, a); return false; }
        if (!rc) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        arr_push(vm, a, (Value){ .p = str_new(vm, s->data + ov[0], ov[1] - ov[0]) });
        at = rx_next(s, ov[0], ov[1]);
    }
    ret->p = a;
    return true;
}

static bool m_captures(VM *vm, Value *args, Value *ret) {
    Regex *r = RX(args);
    Str *s = SUBJ(args);
    int rc = rx_exec(vm, r, s, 0);
    if (rc < 0) return false;
    ret->p = NULL;
    if (!rc) return true;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    Arr *a = arr_new(vm, ty_array(vm, vm->types.t_string), r->ncap + 1);
    for (uint32_t g = 0; g <= r->ncap; g++) {
        bool set = (int)g < rc && ov[2 * g] != PCRE2_UNSET;
        arr_push(vm, a, (Value){ .p = set ? str_new(vm, s->data + ov[2 * g], ov[2 * g + 1] - ov[2 * g]) : str_new(vm, "", 0) });
    }
    ret->p = a;
    return true;
}

/* A parsed replacement: literal runs and group references. */
typedef struct Piece { int32_t group; size_t off, len; } Piece;   /* group -1: literal rep[off, off+len) */

static bool parse_replacement(VM *vm, Regex *r, Str *rep, Piece **out, size_t *nout, size_t *cap) {
    const char *p = rep->data;
    size_t n = (size_t)rep->len, i = 0, lit = 0;
    *nout = 0;
#define PUSH(g, o, l) do { \
        if (*nout == *cap) { size_t nc = *cap ? *cap * 2 : 8; *out = mem_realloc(vm, *out, sizeof(Piece) * *cap, sizeof(Piece) * nc); *cap = nc; } \
        (*out)[(*nout)++] = (Piece){ (g), (o), (l) }; } while (0)
    while (i < n) {
        if (p[i] != '$' || i + 1 >= n) { i++; continue; }
        char c = p[i + 1];
        if (c == '$') {
            PUSH(-1, lit, i + 1 - lit);          /* up to and including one '$' */
            i += 2;
            lit = i;
            continue;
        }
        if (c >= '0' && c <= '9') {
            int g = c - '0';
            size_t len = 2;
            if (i + 2 < n && p[i + 2] >= '0' && p[i + 2] <= '9' && (uint32_t)(g * 10 + (p[i + 2] - '0')) <= r->ncap) {
                g = g * 10 + (p[i + 2] - '0');
                len = 3;
            }
            if ((uint32_t)g > r->ncap) {
                rt_error(vm, "replacement refers to group %d, but the regex has %u group%s", g, r->ncap, r->ncap == 1 ? "" : "s");
                return false;
            }
            if (i > lit) PUSH(-1, lit, i - lit);
            PUSH(g, 0, 0);
            i += len;
            lit = i;
            continue;
        }
        if (c == '{') {
            size_t e = i + 2;
            while (e < n && p[e] != '}') e++;
            if (e >= n) { i++; continue; }       /* no closing brace: literal */
            char name[128];
            size_t nl = e - (i + 2);
            if (nl == 0 || nl >= sizeof name) { rt_error(vm, "invalid group reference '%.*s' in replacement", (int)(e + 1 - i), p + i); return false; }
            memcpy(name, p + i + 2, nl);
            name[nl] = 0;
            int g = pcre2_substring_number_from_name(r->code, (PCRE2_SPTR)name);
            if (g < 0) {
                bool digits = true;
                for (size_t k = 0; k < nl; k++) if (name[k] < '0' || name[k] > '9') digits = false;
                if (digits && nl <= 3 && (uint32_t)atoi(name) <= r->ncap) g = atoi(name);
            }
            if (g < 0) { rt_error(vm, "replacement refers to unknown group '%s'", name); return false; }
            if (i > lit) PUSH(-1, lit, i - lit);
            PUSH(g, 0, 0);
            i = e + 1;
            lit = i;
            continue;
        }
        i++;
    }
    if (n > lit) PUSH(-1, lit, n - lit);
#undef PUSH
    return true;
}

static bool replace_common(VM *vm, Value *args, Value *ret, bool all) {
    Regex *r = RX(args);
    Str *s = SUBJ(args), *rep = (Str *)args[2].p;
    Piece *pieces = NULL;
    size_t np = 0, cap = 0;
    if (!parse_replacement(vm, r, rep, &pieces, &np, &cap)) { if (cap) mem_free(vm, pieces, sizeof(Piece) * cap); return false; }
    Buf b;
    buf_init(&b, vm);
    size_t at = 0, copied = 0;
    bool ok = true;
    while (at <= (size_t)s->len) {
        int rc = rx_exec(vm, r, s, at);
        if (rc < 0) { ok = false; break; }
        if (!rc) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        buf_put(&b, s->data + copied, ov[0] - copied);
        for (size_t k = 0; k < np; k++) {
            Piece *pc = &pieces[k];
            if (pc->group < 0) buf_put(&b, rep->data + pc->off, pc->len);
            else if (pc->group < rc && ov[2 * pc->group] != PCRE2_UNSET)
                buf_put(&b, s->data + ov[2 * pc->group], ov[2 * pc->group + 1] - ov[2 * pc->group]);
        }
        copied = ov[1];
        if (!all) break;
        at = rx_next(s, ov[0], ov[1]);
    }
    if (cap) mem_free(vm, pieces, sizeof(Piece) * cap);
    if (!ok) { buf_free(&b); return false; }
    buf_put(&b, s->data + copied, (size_t)s->len - copied);
    ret->p = str_new(vm, b.data ? b.data : "", b.len);
    buf_free(&b);
    return true;
}

static bool m_replace(VM *vm, Value *args, Value *ret) { return replace_common(vm, args, ret, false); }
static bool m_replaceAll(VM *vm, Value *args, Value *ret) { return replace_common(vm, args, ret, true); }

static bool m_split(VM *vm, Value *args, Value *ret) {
    Regex *r = RX(args);
    Str *s = SUBJ(args);
    Arr *a = arr_new(vm, ty_array(vm, vm->types.t_string), 0);
    size_t at = 0, piece = 0;
    while (at <= (size_t)s->len) {
        int rc = rx_exec(vm, r, s, at);
        if (rc < 0) { RELEASE(vm, a); return false; }
        if (!rc) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        arr_push(vm, a, (Value){ .p = str_new(vm, s->data + piece, ov[0] - piece) });
        piece = ov[1];
        at = rx_next(s, ov[0], ov[1]);
    }
    arr_push(vm, a, (Value){ .p = str_new(vm, s->data + piece, (size_t)s->len - piece) });
    ret->p = a;
    return true;
}

static const LibFn regex_ctor = {"Regex", "(pattern: string) -> Regex", n_Regex};

static const LibFn regex_methods[] = {
    {"test", "(input: string) -> bool", m_test},
    {"match", "(input: string) -> Optional<string>", m_match},
    {"matchAll", "(input: string) -> Array<string>", m_matchAll},
    {"captures", "(input: string) -> Optional<Array<string>>", m_captures},
    {"replace", "(input: string, replacement: string) -> string", m_replace},
    {"replaceAll", "(input: string, replacement: string) -> string", m_replaceAll},
    {"split", "(input: string) -> Array<string>", m_split},
    {NULL, NULL, NULL},
};

static const NativeType regex_type = { "Regex", &regex_ctor, regex_methods, rx_free, NULL };
const NativeType *const lib_regex_types[] = { &regex_type, NULL };

#endif
