/* str.c — immutable UTF-8 strings: allocation, the code-point count and
 * ASCII flag (so len/charAt/substring are O(1) on ASCII text), the lazy
 * hash, comparison and concatenation. */
#include "rt.h"
#include "vm.h"

Str *str_alloc(VM *vm, size_t nbytes) {
    Str *s = mem_alloc(vm, sizeof(Str) + nbytes + 1);
    s->h = (Obj){ .rc = 1, .kind = OBJ_STRING };
    s->hash = 0;
    s->ascii = true;
    s->len = (int64_t)nbytes;
    s->cplen = (int64_t)nbytes;
    s->data[nbytes] = 0;
    return s;
}

/* Counts code points (bytes that are not UTF-8 continuation bytes); eight
 * bytes at a time while the text is ASCII. */
void str_finish(Str *s) {
    const unsigned char *p = (const unsigned char *)s->data;
    size_t n = (size_t)s->len, i = 0;
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ULL) break;
        i += 8;
    }
    int64_t cont = 0;
    bool ascii = true;
    for (; i < n; i++) {
        if (p[i] & 0x80) {
            ascii = false;
            if ((p[i] & 0xC0) == 0x80) cont++;
        }
    }
    s->ascii = ascii;
    s->cplen = s->len - cont;
    s->hash = 0;
}

Str *str_new(VM *vm, const char *s, size_t n) {
    Str *r = str_alloc(vm, n);
    if (n) memcpy(r->data, s, n);
    str_finish(r);
    return r;
}

/* ---- hashing: 8-byte multiply-rotate rounds and a splitmix finaliser ---- */

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t hash_bytes(const unsigned char *p, size_t n) {
    const uint64_t k1 = 0x9E3779B97F4A7C15ULL, k2 = 0xC2B2AE3D27D4EB4FULL;
    uint64_t h = 0x27D4EB2F165667C5ULL ^ ((uint64_t)n * k1);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = rotl64(h ^ (w * k2), 31) * k1;
    }
    uint64_t tail = 0;
    for (size_t j = 0; i + j < n; j++) tail |= (uint64_t)p[i + j] << (8 * j);
    h = rotl64(h ^ (tail * k2), 27) * k1;
    h ^= h >> 30; h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27; h *= 0x94D049BB133111EBULL;
    h ^= h >> 31;
    return h;
}

uint32_t str_hash(Str *s) {
    if (s->hash) return s->hash;
    uint64_t h = hash_bytes((const unsigned char *)s->data, (size_t)s->len);
    uint32_t r = (uint32_t)(h ^ (h >> 32));
    s->hash = r ? r : 1;      /* 0 means "not computed" */
    return s->hash;
}

bool str_eq(const Str *a, const Str *b) {
    if (a == b) return true;
    if (a->len != b->len) return false;
    if (a->hash && b->hash && a->hash != b->hash) return false;
    return memcmp(a->data, b->data, (size_t)a->len) == 0;
}

int str_cmp(const Str *a, const Str *b) {
    size_t n = (size_t)(a->len < b->len ? a->len : b->len);
    int c = memcmp(a->data, b->data, n);
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Concatenation knows the parts' counts, so no rescan is needed. */
Str *str_concat(VM *vm, Str *a, Str *b) {
    if (b->len == 0) { RETAIN(a); return a; }
    if (a->len == 0) { RETAIN(b); return b; }
    Str *r = str_alloc(vm, (size_t)(a->len + b->len));
    memcpy(r->data, a->data, (size_t)a->len);
    memcpy(r->data + a->len, b->data, (size_t)b->len);
    r->ascii = a->ascii && b->ascii;
    r->cplen = a->cplen + b->cplen;
    return r;
}

static size_t grown_size(size_t need) {
    size_t n = 64;
    while (n < need) n *= 2;
    return n;
}

size_t str_block_size(const Str *s) {
    size_t exact = sizeof(Str) + (size_t)s->len + 1;
    return (s->h.flags & STR_GROWN) ? grown_size(exact) : exact;
}

Str *str_append(VM *vm, Str *a, Str *b) {
    if (a->h.rc != 1 || a == b || a->len == 0) {
        Str *r = str_concat(vm, a, b);
        obj_release(vm, &a->h);
        return r;
    }
    if (b->len == 0) return a;
    size_t have = str_block_size(a);
    size_t need = sizeof(Str) + (size_t)(a->len + b->len) + 1;
    if (need > have || !(a->h.flags & STR_GROWN)) {
        size_t nsz = grown_size(need);
        if (nsz != have) a = mem_realloc(vm, a, have, nsz);
        a->h.flags |= STR_GROWN;
    }
    memcpy(a->data + a->len, b->data, (size_t)b->len);
    a->len += b->len;
    a->data[a->len] = 0;
    a->cplen += b->cplen;
    a->ascii = a->ascii && b->ascii;
    a->hash = 0;
    return a;
}

Str *str_concat_n(VM *vm, Str **parts, size_t n) {
    size_t total = 0;
    int64_t cps = 0;
    bool ascii = true;
    for (size_t i = 0; i < n; i++) {
        total += (size_t)parts[i]->len;
        cps += parts[i]->cplen;
        ascii = ascii && parts[i]->ascii;
    }
    Str *r = str_alloc(vm, total);
    char *w = r->data;
    for (size_t i = 0; i < n; i++) {
        memcpy(w, parts[i]->data, (size_t)parts[i]->len);
        w += parts[i]->len;
    }
    r->ascii = ascii;
    r->cplen = cps;
    return r;
}

/* O(1) for ASCII; otherwise walks from whichever end is nearer. */
size_t str_byte_offset(const Str *s, int64_t cp_index) {
    if (s->ascii) return (size_t)cp_index;
    const unsigned char *p = (const unsigned char *)s->data;
    if (cp_index <= s->cplen / 2) {
        size_t i = 0;
        for (int64_t k = 0; k < cp_index; k++) {
            i++;
            while ((p[i] & 0xC0) == 0x80) i++;
        }
        return i;
    }
    size_t i = (size_t)s->len;
    for (int64_t k = s->cplen; k > cp_index; k--) {
        i--;
        while ((p[i] & 0xC0) == 0x80) i--;
    }
    return i;
}

bool utf8_valid(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str, *end = s + n;
    while (s < end) {
        unsigned c = *s;
        if (c < 0x80) { s++; continue; }
        size_t k;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) { k = 1; cp = c & 0x1f; min = 0x80; }
        else if ((c & 0xf0) == 0xe0) { k = 2; cp = c & 0x0f; min = 0x800; }
        else if ((c & 0xf8) == 0xf0) { k = 3; cp = c & 0x07; min = 0x10000; }
        else return false;
        if ((size_t)(end - s) <= k) return false;
        for (size_t i = 1; i <= k; i++) {
            if ((s[i] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        s += k + 1;
    }
    return true;
}
