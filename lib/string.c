/* lib/string.c — the methods of `string` (stdlib.md §5).  args[0] is the
 * receiver.  Indexes count code points; on ASCII strings (Str.ascii) they
 * are byte offsets, so the common case is O(1).  Matching is bytewise: a
 * valid UTF-8 needle can only match at code point boundaries. */
#include "rt.h"
#include "vm.h"

#define RECV ((Str *)args[0].p)
#define ARG_STR(i) ((Str *)args[i].p)

/* Refuse sizes that would overflow size arithmetic long before the memory
 * limit could catch them. */
#define STR_MAX_BYTES ((int64_t)1 << 40)

static Str *empty_str(VM *vm) { return str_alloc(vm, 0); }

/* New string from bytes [b0, b1) of s; the receiver itself when whole. */
static Str *sub_bytes(VM *vm, Str *s, size_t b0, size_t b1) {
    if (b0 == 0 && b1 == (size_t)s->len) { RETAIN(s); return s; }
    Str *r = str_alloc(vm, b1 - b0);
    memcpy(r->data, s->data + b0, b1 - b0);
    if (!s->ascii) str_finish(r);   /* ASCII source: str_alloc's counts are right */
    return r;
}

static int64_t cp_index_of_byte(const Str *s, size_t b) {
    if (s->ascii) return (int64_t)b;
    int64_t n = 0;
    for (size_t i = 0; i < b; i++) n += ((unsigned char)s->data[i] & 0xC0) != 0x80;
    return n;
}

static size_t cp_width(unsigned char lead) {
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

/* First byte offset >= from where needle occurs, or -1. */
static int64_t find_bytes(const Str *h, const Str *needle, size_t from) {
    size_t n = (size_t)needle->len, hl = (size_t)h->len;
    if (n == 0) return (int64_t)from;
    if (n > hl) return -1;
    const char *p = h->data + from, *end = h->data + hl - n + 1;
    while (p < end) {
        p = memchr(p, needle->data[0], (size_t)(end - p));
        if (!p) return -1;
        if (memcmp(p, needle->data, n) == 0) return p - h->data;
        p++;
    }
    return -1;
}

static int64_t rfind_bytes(const Str *h, const Str *needle) {
    size_t n = (size_t)needle->len, hl = (size_t)h->len;
    if (n > hl) return -1;
    for (size_t i = hl - n + 1; i-- > 0;)
        if (h->data[i] == needle->data[0] && memcmp(h->data + i, needle->data, n) == 0)
            return (int64_t)i;
    return -1;
}

static bool is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == 0x0C;
}

/* ---- queries ---- */

static bool s_len(VM *vm, Value *args, Value *ret) { (void)vm; ret->i = RECV->cplen; return true; }

static bool s_is_empty(VM *vm, Value *args, Value *ret) { (void)vm; ret->u = RECV->len == 0; return true; }

static bool s_char_at(VM *vm, Value *args, Value *ret) {
    Str *s = RECV;
    int64_t i = args[1].i;
    if (i < 0 || i >= s->cplen) {
        rt_error(vm, "index %lld out of bounds for length %lld", (long long)i, (long long)s->cplen);
        return false;
    }
    size_t b = str_byte_offset(s, i);
    ret->p = sub_bytes(vm, s, b, b + cp_width((unsigned char)s->data[b]));
    return true;
}

static bool s_substring(VM *vm, Value *args, Value *ret) {
    Str *s = RECV;
    int64_t a = args[1].i, b = args[2].i;
    if (a < 0 || a > b || b > s->cplen) {
        rt_error(vm, "substring %lld..%lld out of bounds for length %lld",
                 (long long)a, (long long)b, (long long)s->cplen);
        return false;
    }
    size_t b0 = str_byte_offset(s, a), b1 = (size_t)b;
    if (!s->ascii) {        /* walk on from b0 rather than from the start */
        b1 = b0;
        for (int64_t k = a; k < b; k++) b1 += cp_width((unsigned char)s->data[b1]);
    }
    ret->p = sub_bytes(vm, s, b0, b1);
    return true;
}

static bool s_index_of(VM *vm, Value *args, Value *ret) {
    (void)vm;
    int64_t b = find_bytes(RECV, ARG_STR(1), 0);
    ret->i = b < 0 ? -1 : cp_index_of_byte(RECV, (size_t)b);
    return true;
}

static bool s_last_index_of(VM *vm, Value *args, Value *ret) {
    (void)vm;
    int64_t b = rfind_bytes(RECV, ARG_STR(1));
    ret->i = b < 0 ? -1 : cp_index_of_byte(RECV, (size_t)b);
    return true;
}

static bool s_contains(VM *vm, Value *args, Value *ret) {
    (void)vm;
    ret->u = find_bytes(RECV, ARG_STR(1), 0) >= 0;
    return true;
}

static bool s_starts_with(VM *vm, Value *args, Value *ret) {
    (void)vm;
    Str *s = RECV, *p = ARG_STR(1);
    ret->u = p->len <= s->len && memcmp(s->data, p->data, (size_t)p->len) == 0;
    return true;
}

static bool s_ends_with(VM *vm, Value *args, Value *ret) {
    (void)vm;
    Str *s = RECV, *p = ARG_STR(1);
    ret->u = p->len <= s->len && memcmp(s->data + s->len - p->len, p->data, (size_t)p->len) == 0;
    return true;
}

/* ---- building ---- */

static bool too_large(VM *vm) {
    rt_error(vm, "string too large (more than %lld bytes)", (long long)STR_MAX_BYTES);
    return false;
}

static bool s_replace(VM *vm, Value *args, Value *ret) {
    Str *s = RECV, *t = ARG_STR(1), *r = ARG_STR(2);
    int64_t count = 0;
    if (t->len) {
        for (int64_t at = find_bytes(s, t, 0); at >= 0; at = find_bytes(s, t, (size_t)(at + t->len)))
            count++;
    }
    if (count == 0) { RETAIN(s); ret->p = s; return true; }
    if (r->len > t->len && count > (STR_MAX_BYTES - s->len) / (r->len - t->len)) return too_large(vm);
    int64_t total = s->len + count * (r->len - t->len);
    Str *out = str_alloc(vm, (size_t)total);
    char *w = out->data;
    size_t from = 0;
    for (int64_t at = find_bytes(s, t, 0); at >= 0; at = find_bytes(s, t, from)) {
        memcpy(w, s->data + from, (size_t)at - from); w += (size_t)at - from;
        memcpy(w, r->data, (size_t)r->len); w += r->len;
        from = (size_t)(at + t->len);
    }
    memcpy(w, s->data + from, (size_t)s->len - from);
    out->ascii = s->ascii && r->ascii;
    out->cplen = s->cplen + count * (r->cplen - t->cplen);
    ret->p = out;
    return true;
}

static Arr *chars_of(VM *vm, Str *s) {
    Arr *a = arr_new(vm, ty_array(vm, vm->types.t_string), s->cplen);
    for (size_t b = 0; b < (size_t)s->len;) {
        size_t w = cp_width((unsigned char)s->data[b]);
        arr_push(vm, a, (Value){ .p = sub_bytes(vm, s, b, b + w) });
        b += w;
    }
    return a;
}

static bool s_split(VM *vm, Value *args, Value *ret) {
    Str *s = RECV, *sep = ARG_STR(1);
    if (sep->len == 0) { ret->p = chars_of(vm, s); return true; }
    Arr *a = arr_new(vm, ty_array(vm, vm->types.t_string), 4);
    size_t from = 0;
    for (int64_t at = find_bytes(s, sep, 0); at >= 0; at = find_bytes(s, sep, from)) {
        arr_push(vm, a, (Value){ .p = sub_bytes(vm, s, from, (size_t)at) });
        from = (size_t)(at + sep->len);
    }
    arr_push(vm, a, (Value){ .p = sub_bytes(vm, s, from, (size_t)s->len) });
    ret->p = a;
    return true;
}

static bool s_chars(VM *vm, Value *args, Value *ret) { ret->p = chars_of(vm, RECV); return true; }

static void trim_bounds(const Str *s, bool start, bool end, size_t *b0, size_t *b1) {
    size_t i = 0, j = (size_t)s->len;
    if (start) while (i < j && is_space((unsigned char)s->data[i])) i++;
    if (end) while (j > i && is_space((unsigned char)s->data[j - 1])) j--;
    *b0 = i;
    *b1 = j;
}

static bool trim_impl(VM *vm, Value *args, Value *ret, bool start, bool end) {
    size_t b0, b1;
    trim_bounds(RECV, start, end, &b0, &b1);
    ret->p = sub_bytes(vm, RECV, b0, b1);
    return true;
}
static bool s_trim(VM *vm, Value *args, Value *ret) { return trim_impl(vm, args, ret, true, true); }
static bool s_trim_start(VM *vm, Value *args, Value *ret) { return trim_impl(vm, args, ret, true, false); }
static bool s_trim_end(VM *vm, Value *args, Value *ret) { return trim_impl(vm, args, ret, false, true); }

static bool case_impl(VM *vm, Value *args, Value *ret, bool upper) {
    Str *s = RECV;
    Str *r = str_alloc(vm, (size_t)s->len);
    for (int64_t i = 0; i < s->len; i++) {
        char c = s->data[i];
        if (upper && c >= 'a' && c <= 'z') c = (char)(c - 32);
        else if (!upper && c >= 'A' && c <= 'Z') c = (char)(c + 32);
        r->data[i] = c;
    }
    r->ascii = s->ascii;      /* only ASCII letters change: counts carry over */
    r->cplen = s->cplen;
    ret->p = r;
    return true;
}
static bool s_to_upper(VM *vm, Value *args, Value *ret) { return case_impl(vm, args, ret, true); }
static bool s_to_lower(VM *vm, Value *args, Value *ret) { return case_impl(vm, args, ret, false); }


static bool s_repeat(VM *vm, Value *args, Value *ret) {
    Str *s = RECV;
    int64_t n = args[1].i;
    if (n <= 0 || s->len == 0) { ret->p = empty_str(vm); return true; }
    if (n > STR_MAX_BYTES / s->len) return too_large(vm);
    if (n == 1) { RETAIN(s); ret->p = s; return true; }
    Str *r = str_alloc(vm, (size_t)(s->len * n));
    for (int64_t i = 0; i < n; i++) memcpy(r->data + i * s->len, s->data, (size_t)s->len);
    r->ascii = s->ascii;
    r->cplen = s->cplen * n;
    ret->p = r;
    return true;
}

/* Copies of fill, the last cut short, covering `need` code points. */
static void put_fill(char *w, const Str *fill, int64_t need) {
    int64_t full = need / fill->cplen, rest = need % fill->cplen;
    for (int64_t i = 0; i < full; i++, w += fill->len) memcpy(w, fill->data, (size_t)fill->len);
    memcpy(w, fill->data, str_byte_offset(fill, rest));
}

static int64_t fill_bytes(const Str *fill, int64_t need) {
    return need / fill->cplen * fill->len + (int64_t)str_byte_offset(fill, need % fill->cplen);
}

static bool pad_impl(VM *vm, Value *args, Value *ret, bool at_start) {
    Str *s = RECV, *fill = ARG_STR(2);
    int64_t width = args[1].i;
    if (s->cplen >= width || fill->len == 0) { RETAIN(s); ret->p = s; return true; }
    int64_t need = width - s->cplen;
    if (need / fill->cplen > STR_MAX_BYTES / fill->len) return too_large(vm);
    int64_t pb = fill_bytes(fill, need);
    Str *r = str_alloc(vm, (size_t)(s->len + pb));
    if (at_start) {
        put_fill(r->data, fill, need);
        memcpy(r->data + pb, s->data, (size_t)s->len);
    } else {
        memcpy(r->data, s->data, (size_t)s->len);
        put_fill(r->data + s->len, fill, need);
    }
    r->ascii = s->ascii && fill->ascii;
    r->cplen = width;
    ret->p = r;
    return true;
}
static bool s_pad_start(VM *vm, Value *args, Value *ret) { return pad_impl(vm, args, ret, true); }
static bool s_pad_end(VM *vm, Value *args, Value *ret) { return pad_impl(vm, args, ret, false); }

/* ---- parsing (locale-free) ---- */

/* [+-]?digits, whole text; false on anything else or overflow. */
static bool parse_int_text(const char *p, size_t n, int64_t *out) {
    size_t i = 0;
    bool neg = false;
    if (i < n && (p[i] == '+' || p[i] == '-')) neg = p[i++] == '-';
    if (i == n) return false;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        uint64_t d = (uint64_t)(p[i] - '0');
        if (v > (limit - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool s_parse_int(VM *vm, Value *args, Value *ret) {
    size_t b0, b1;
    trim_bounds(RECV, true, true, &b0, &b1);
    int64_t v;
    ret->p = parse_int_text(RECV->data + b0, b1 - b0, &v) ? intbox_new(vm, v) : NULL;
    return true;
}

static bool s_parse_float(VM *vm, Value *args, Value *ret) {
    (void)vm;
    size_t b0, b1;
    trim_bounds(RECV, true, true, &b0, &b1);
    double v;
    if (parse_float_text(RECV->data + b0, b1 - b0, &v)) ret->f = v;
    else ret->u = OPT_FLOAT_NULL_BITS;
    return true;
}

const LibFn lib_string_methods[] = {
    { "len", "() -> int", s_len },
    { "isEmpty", "() -> bool", s_is_empty },
    { "charAt", "(index: int) -> string", s_char_at },
    { "substring", "(start: int, end: int) -> string", s_substring },
    { "indexOf", "(sub: string) -> int", s_index_of },
    { "lastIndexOf", "(sub: string) -> int", s_last_index_of },
    { "contains", "(sub: string) -> bool", s_contains },
    { "startsWith", "(prefix: string) -> bool", s_starts_with },
    { "endsWith", "(suffix: string) -> bool", s_ends_with },
    { "replace", "(target: string, replacement: string) -> string", s_replace },
    { "split", "(separator: string) -> Array<string>", s_split },
    { "trim", "() -> string", s_trim },
    { "trimStart", "() -> string", s_trim_start },
    { "trimEnd", "() -> string", s_trim_end },
    { "toUpper", "() -> string", s_to_upper },
    { "toLower", "() -> string", s_to_lower },
    { "repeat", "(count: int) -> string", s_repeat },
    { "padStart", "(width: int, fill: string = \" \") -> string", s_pad_start },
    { "padEnd", "(width: int, fill: string = \" \") -> string", s_pad_end },
    { "chars", "() -> Array<string>", s_chars },
    { "parseInt", "() -> Optional<int>", s_parse_int },
    { "parseFloat", "() -> Optional<float>", s_parse_float },
    { NULL, NULL, NULL },
};
