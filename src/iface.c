/* iface.c — a module's interface fingerprint, for hot reload (reload.c).
 *
 * A hash of the module's tokens leaving out the bodies of functions and
 * methods that are not generic, property accessor bodies, and the
 * initialisers of `let` and `var` globals.  What remains is everything the
 * code of other files is compiled against: names, signatures, default
 * arguments, type declarations with their fields and defaults, constants,
 * generic code (instantiated by its users) and imports.  When a reload
 * changes one file and its fingerprint stays the same, the rest of its load
 * keeps working with the new code as it is, so only that file is compiled
 * (reload.c checks the globals' types and layouts once more).  A `yield`
 * inside a left-out body still counts: it makes the function a coroutine,
 * which its callers are compiled for. */
#include "iface.h"
#include <stdlib.h>

typedef struct Range { uint32_t off, end; } Range;
typedef struct Ranges { Arena *a; Range *r; uint32_t n, cap; } Ranges;

static void add(Ranges *rs, Span sp) {
    if (sp.end_off <= sp.off) return;
    if (rs->n == rs->cap) {
        uint32_t nc = rs->cap ? rs->cap * 2 : 32;
        Range *r = arena_alloc(rs->a, sizeof(Range) * nc);
        if (rs->n) memcpy(r, rs->r, sizeof(Range) * rs->n);
        rs->r = r;
        rs->cap = nc;
    }
    rs->r[rs->n++] = (Range){sp.off, sp.end_off};
}

static void add_function(Ranges *rs, const FuncDecl *fd) {
    if (fd && !fd->ntparams && fd->body) add(rs, fd->body->span);
}

/* Bodies of the methods and accessors of a type that is not generic (a
 * trait's default methods are compiled into the classes using them). */
static void add_type(Ranges *rs, const Stmt *s) {
    const TypeDecl *td = s->td;
    if (s->kind == S_TRAIT || td->ntparams) return;
    for (uint32_t i = 0; i < td->nmethods; i++) add_function(rs, td->methods[i]);
    for (uint32_t i = 0; i < td->nfields; i++) {
        if (td->fields[i].getter) add(rs, td->fields[i].getter->span);
        if (td->fields[i].setter) add(rs, td->fields[i].setter->span);
    }
}

static int by_offset(const void *a, const void *b) {
    uint32_t x = ((const Range *)a)->off, y = ((const Range *)b)->off;
    return (x > y) - (x < y);
}

static uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0x100000001b3ULL;
}

static uint64_t mix_bytes(uint64_t h, const char *s, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 0x100000001b3ULL;
    return mix(h, n);
}

static uint64_t mix_token(uint64_t h, const Token *t) {
    h = mix(h, (uint64_t)t->kind);
    switch (t->kind) {
    case TK_IDENT: case TK_STRING: case TK_STR_BEGIN: case TK_STR_MID: case TK_STR_END:
        return t->text ? mix_bytes(h, t->text, t->len) : h;
    case TK_INT: return mix(h, (uint64_t)t->num.i);
    case TK_FLOAT: {
        uint64_t bits;
        memcpy(&bits, &t->num.f, sizeof bits);
        return mix(h, bits);
    }
    default: return h;
    }
}

uint64_t iface_fingerprint(Arena *a, const Token *toks, size_t n, const Program *prog) {
    Ranges rs = {a, NULL, 0, 0};
    for (uint32_t i = 0; prog && i < prog->n; i++) {
        const Stmt *s = prog->items[i];
        switch (s->kind) {
        case S_FUNC: add_function(&rs, s->fn); break;
        case S_VAR: if (s->vkind != VK_CONST && s->init) add(&rs, s->init->span); break;
        case S_CLASS: case S_STRUCT: case S_ENUM: case S_TRAIT: add_type(&rs, s); break;
        default: break;
        }
    }
    if (rs.n) qsort(rs.r, rs.n, sizeof(Range), by_offset);
    uint64_t h = 0xcbf29ce484222325ULL;
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const Token *t = &toks[i];
        while (k < rs.n && t->span.off >= rs.r[k].end) k++;
        if (k < rs.n && t->span.off >= rs.r[k].off) {          /* inside a left-out body */
            if (t->kind == TK_KW_YIELD) h = mix(h, 0x59454c44ULL + k);
            continue;
        }
        h = mix_token(h, t);
    }
    return mix(h, prog ? prog->n : 0);
}
