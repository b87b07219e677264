/* lex.c — source text to tokens (language.md §1).  Owns: the token spelling
 * table, UTF-8 validation of the source, comments, the NEWLINE rules of
 * §1.4, number literals, string escapes, interpolation and triple-quoted
 * string processing.
 *
 * Central ideas:
 *
 * - One forward pass over the bytes.  Columns are not counted per byte: the
 *   column of the current position is derived from the line start minus the
 *   UTF-8 continuation bytes seen on the line (non-ASCII can only appear in
 *   strings and comments, where characters are decoded anyway).
 *
 * - NEWLINE is decided lazily.  A line break only marks a newline as
 *   "pending" (unless the innermost open bracket is '(' / '[' or a string
 *   hole); the decision is taken when the next token arrives, which makes
 *   rule 2 (last token of the line continues it), rule 3 (next non-blank
 *   line starts with '.' or '?.'), blank/comment lines and the collapsing
 *   of runs all one check in emit().
 *
 * - Interpolation is a bracket kind.  "${" pushes a HOLE on the bracket
 *   stack together with the suspended string state; the hole's contents are
 *   lexed as ordinary tokens, and the '}' that closes the hole resumes the
 *   string.  Nested strings and nested holes therefore work to any depth
 *   without recursion.
 *
 * - Triple-quoted strings need their indentation before any text is
 *   produced, so they are first pre-scanned (raw, skipping holes and nested
 *   strings) to find the closing quotes and the common indent; the real
 *   scan then strips indentation at each content-line start, before escapes
 *   and interpolation (so escaped or interpolated text is never dedented).
 *
 * - After an error the lexer goes on: a bad character becomes one TK_ERROR
 *   token (already reported — the parser should recover without a second
 *   message), a bad escape is dropped from the text, an unterminated string
 *   still yields its string token, an oversized literal yields INT 0.
 */
#include "lex.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <locale.h>

/* The spelling table declared in token.h (used in "expected A, found B"). */
const char *const tok_spelling[TK__COUNT] = {
#define T(name, sp) [TK_##name] = sp,
    WRIT_TOKENS(T)
#undef T
};

/* ====================================================================
 * Character classes and UTF-8
 * ==================================================================== */

static inline bool is_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool is_ident_start(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static inline bool is_ident_char(int c) { return is_ident_start(c) || is_digit(c); }
static inline bool is_hspace(int c) { return c == ' ' || c == '\t'; }
static inline int hex_val(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Length of the valid UTF-8 sequence at p (2..4, stores the code point), or
 * 0 if the bytes there are not valid UTF-8 (overlongs, surrogates and values
 * above U+10FFFF are invalid). */
static size_t utf8_decode(const unsigned char *p, size_t avail, uint32_t *out) {
    unsigned c = p[0];
    size_t n;
    uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
    else return 0;
    if (avail < n) return 0;
    uint32_t cp = c & (0x3Fu >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    *out = cp;
    return n;
}

static size_t utf8_encode(uint32_t cp, char *out) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ====================================================================
 * Lexer state
 * ==================================================================== */

/* Bracket stack entries.  HOLE is an open "${" of a string. */
enum { BR_PAREN = 1, BR_BRACKET, BR_BRACE, BR_HOLE };

typedef struct Mark {
    uint32_t line, col;
    size_t off;
} Mark;

/* A string being scanned; suspended on the hole stack while a "${...}" hole
 * is lexed as tokens. */
typedef struct StrCtx {
    Mark begin;          /* opening quote (for "unterminated string") */
    Mark piece;          /* start of the text piece being built */
    bool space_before;   /* of the first piece */
    bool started;        /* a piece was emitted: the next is MID/END */
    bool triple;
    /* triple-quoted only, from the pre-scan: */
    bool drop_first;     /* step 1: opening line is blank */
    bool strip_close;    /* step 2: closing line is indentation only */
    bool at_line_start;  /* next text byte begins a content line: dedent it */
    size_t close_off;    /* offset of the closing quotes (SIZE_MAX: none) */
    size_t last_break;   /* offset of the '\n' before the closing line */
    size_t indent;       /* step 3: characters to strip per line */
} StrCtx;

/* Identifier intern table entry (keywords are pre-seeded with their kind). */
typedef struct Intern {
    const char *str;
    uint32_t len, hash;
    TokKind kind;
} Intern;

typedef struct Lexer {
    Arena *arena;
    Diags *diags;
    const Source *src;
    VM *vm;
    const char *s;
    size_t len, pos;
    uint32_t line;
    size_t line_start;   /* byte offset where the current line starts */
    size_t cont;         /* UTF-8 continuation bytes consumed on this line */

    Token *toks;         /* in the arena (the returned array) */
    size_t n, cap;

    uint8_t *br;         /* bracket stack */
    size_t nbr, capbr;
    StrCtx *holes;       /* suspended strings, one per BR_HOLE on br */
    size_t nholes, capholes;
    size_t single_holes; /* holes of single-line strings currently open */
    uint32_t *pstack;    /* scratch stack of the triple-string pre-scan */
    size_t capp;

    bool space;          /* whitespace/comment/line start before the next token */
    bool nl_pending;     /* a line break may become a NEWLINE */
    Mark nl_mark;        /* where that line break was */
    bool bad_utf8;       /* "invalid UTF-8" is reported once per file */

    Buf text;            /* string piece being built */
    Buf num;             /* float literal digits without '_' */

    Intern *itab;
    size_t icap, icount;
} Lexer;

static inline Mark here(const Lexer *L) {
    Mark m = { L->line, (uint32_t)(L->pos - L->line_start - L->cont + 1), L->pos };
    return m;
}

static inline Span span_from(const Lexer *L, Mark m) {
    Mark e = here(L);
    Span sp = { m.line, m.col, e.line, e.col, (uint32_t)m.off, (uint32_t)e.off };
    return sp;
}

static inline Span span_len(Mark m, uint32_t cols, uint32_t bytes) {
    Span sp = { m.line, m.col, m.line, m.col + cols, (uint32_t)m.off, (uint32_t)(m.off + bytes) };
    return sp;
}

static Diag *lex_error(Lexer *L, Span sp, const char *fmt, ...) WRIT_PRINTF(3, 4);
static Diag *lex_error(Lexer *L, Span sp, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    L->diags->syntax_error = true;
    return diag_error(L->diags, L->src, sp, "%s", msg);
}

/* Consumes a '\n' at pos. */
static inline void next_line(Lexer *L) {
    L->pos++;
    L->line++;
    L->line_start = L->pos;
    L->cont = 0;
}

/* Consumes one non-ASCII character at pos (inside a string or comment),
 * appending it to out if out is non-NULL.  Invalid UTF-8 is reported once
 * per file and skipped a byte at a time (each such byte is one column). */
static void take_utf8(Lexer *L, Buf *out) {
    uint32_t cp;
    const unsigned char *p = (const unsigned char *)L->s + L->pos;
    size_t n = utf8_decode(p, L->len - L->pos, &cp);
    if (n == 0) {
        if (!L->bad_utf8) {
            L->bad_utf8 = true;
            lex_error(L, span_len(here(L), 1, 1), "invalid UTF-8 in source");
        }
        L->pos++;
        return;
    }
    if (out) buf_put(out, (const char *)p, n);
    L->pos += n;
    L->cont += n - 1;
}

/* ====================================================================
 * Token output and the NEWLINE rules
 * ==================================================================== */

/* §1.4 rule 2: a line ending in one of these continues on the next line.
 * ('?' is handled separately: only the conditional, space-preceded one.) */
static const bool continues_line[TK__COUNT] = {
    [TK_PLUS] = true, [TK_MINUS] = true, [TK_STAR] = true, [TK_SLASH] = true,
    [TK_PERCENT] = true, [TK_EQ] = true, [TK_NE] = true, [TK_LE] = true,
    [TK_GE] = true, [TK_ANDAND] = true, [TK_OROR] = true, [TK_QQ] = true,
    [TK_DOTDOT] = true, [TK_ASSIGN] = true, [TK_PLUSEQ] = true,
    [TK_MINUSEQ] = true, [TK_STAREQ] = true, [TK_SLASHEQ] = true,
    [TK_PERCENTEQ] = true, [TK_COMMA] = true, [TK_FATARROW] = true,
    [TK_ARROW] = true, [TK_LPAREN] = true, [TK_LBRACKET] = true,
    [TK_LBRACE] = true, [TK_DOT] = true, [TK_QDOT] = true, [TK_COLON] = true,
    [TK_AMP] = true, [TK_PIPE] = true, [TK_CARET] = true, [TK_SHL] = true,
    [TK_AMPEQ] = true, [TK_PIPEEQ] = true, [TK_CARETEQ] = true,
    [TK_SHLEQ] = true, [TK_SHREQ] = true, [TK_USHREQ] = true,
};

bool lex_continues_line(const Token *t) {
    return continues_line[t->kind] || (t->kind == TK_QUESTION && t->space_before);
}

/* The token array is built in place in the arena (sized from the source
 * length, see lex_source), so the result needs no final copy; if the
 * estimate is exceeded it moves to a block twice the size (the old block
 * stays in the arena until it is freed — a bounded, rare waste). */
static void grow_tokens(Lexer *L) {
    size_t ncap = L->cap * 2;
    Token *nt = arena_alloc_raw(L->arena, ncap * sizeof(Token));
    memcpy(nt, L->toks, L->n * sizeof(Token));
    L->toks = nt;
    L->cap = ncap;
}

static Token *push_token(Lexer *L) {
    if (unlikely(L->n == L->cap)) grow_tokens(L);
    Token *t = &L->toks[L->n++];
    memset(t, 0, sizeof *t);   /* the array itself is not pre-zeroed */
    return t;
}

/* Turns a pending line break into a NEWLINE token if §1.4 wants one before
 * a token of kind `next`. */
static void flush_newline(Lexer *L, TokKind next) {
    if (!L->nl_pending) return;
    L->nl_pending = false;
    if (L->n == 0) return;                           /* never first */
    const Token *last = &L->toks[L->n - 1];
    if (last->kind == TK_NEWLINE) return;            /* runs collapse */
    if (continues_line[last->kind]) return;          /* rule 2 */
    if (last->kind == TK_QUESTION && last->space_before) return; /* conditional '?' */
    if (next == TK_DOT || next == TK_QDOT) return;   /* rule 3 */
    Token *t = push_token(L);
    t->kind = TK_NEWLINE;
    t->space_before = true;
    t->span = span_len(L->nl_mark, 1, 1);
}

/* Appends a token spanning from m to the current position. */
static Token *emit(Lexer *L, TokKind kind, Mark m) {
    flush_newline(L, kind);
    Token *t = push_token(L);
    t->kind = kind;
    t->space_before = L->space;
    L->space = false;
    t->span = span_from(L, m);
    return t;
}

static void br_push(Lexer *L, uint8_t kind) {
    VEC_PUSH(L->vm, L->br, L->nbr, L->capbr, kind);
}

static inline uint8_t br_top(const Lexer *L) {
    return L->nbr ? L->br[L->nbr - 1] : 0;
}

/* ')' or ']': pops to the matching opener.  Unmatched openers in between
 * are dropped (the parser reports the mismatch; the stack only has to keep
 * the newline rules sensible).  Never pops a string hole: only '}' closes
 * one.  Each entry is popped at most once, so this stays linear. */
static void br_close(Lexer *L, uint8_t want) {
    while (L->nbr) {
        uint8_t top = L->br[L->nbr - 1];
        if (top == BR_HOLE) return;
        L->nbr--;
        if (top == want) return;
    }
}

/* ====================================================================
 * Identifiers and keywords (one intern table for both)
 * ==================================================================== */

/* In TK_KW_* order (checked against tok_spelling in debug builds). */
static const char *const keyword_names[] = {
    "const", "let", "var", "func", "return", "if", "else", "while", "for", "in",
    "break", "continue", "when", "is", "as", "class", "struct", "trait", "enum",
    "extends", "with", "public", "private", "static", "self", "super", "yield",
    "start", "import", "export", "from", "true", "false", "null", "void", "where",
};

bool lex_is_keyword(const char *name) {
    for (size_t k = 0; k < sizeof keyword_names / sizeof keyword_names[0]; k++)
        if (strcmp(keyword_names[k], name) == 0) return true;
    return false;
}

#define FNV_BASIS 2166136261u
#define FNV_PRIME 16777619u

static uint32_t hash_bytes(const char *s, size_t n) {
    uint32_t h = FNV_BASIS;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * FNV_PRIME;
    return h;
}

static void intern_resize(Lexer *L, size_t ncap) {
    Intern *old = L->itab;
    size_t ocap = L->icap;
    L->itab = arena_alloc(L->arena, ncap * sizeof(Intern));   /* arena blocks are reused: no fresh pages */
    L->icap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].str) continue;
        size_t j = old[i].hash & (ncap - 1);
        while (L->itab[j].str) j = (j + 1) & (ncap - 1);
        L->itab[j] = old[i];
    }
}

/* Finds or adds a name.  New names are copied into the arena, so equal
 * identifiers of one source share one NUL-terminated pointer. */
static const Intern *intern(Lexer *L, const char *s, uint32_t len, uint32_t h, TokKind kind) {
    if ((L->icount + 1) * 2 > L->icap) intern_resize(L, L->icap ? L->icap * 2 : 256);
    size_t mask = L->icap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        Intern *e = &L->itab[i];
        if (!e->str) {
            e->str = kind == TK_IDENT ? arena_strndup(L->arena, s, len) : s;
            e->len = len;
            e->hash = h;
            e->kind = kind;
            L->icount++;
            return e;
        }
        if (e->hash == h && e->len == len && memcmp(e->str, s, len) == 0) return e;
    }
}

static void seed_keywords(Lexer *L) {
    for (int k = TK_FIRST_KEYWORD; k <= TK_LAST_KEYWORD; k++) {
        const char *w = keyword_names[k - TK_FIRST_KEYWORD];
        uint32_t n = (uint32_t)strlen(w);
        WRIT_ASSERT(strncmp(tok_spelling[k] + 1, w, n) == 0 && tok_spelling[k][n + 1] == '\'');
        intern(L, w, n, hash_bytes(w, n), (TokKind)k);
    }
}

/* Identifier or keyword at pos (an identifier start). */
static void lex_ident(Lexer *L, Mark m) {
    const char *s = L->s;
    size_t p = L->pos;
    uint32_t h = FNV_BASIS;
    while (p < L->len && is_ident_char((unsigned char)s[p])) {
        h = (h ^ (uint8_t)s[p]) * FNV_PRIME;
        p++;
    }
    const Intern *e = intern(L, s + L->pos, (uint32_t)(p - L->pos), h, TK_IDENT);
    L->pos = p;
    Token *t = emit(L, e->kind, m);
    t->text = e->str;   /* keywords too: member names after '.' may be keywords */
    t->len = e->len;
}

/* ====================================================================
 * Trivia: whitespace, comments, line breaks
 * ==================================================================== */

static void emit_empty_str_end(Lexer *L) {
    L->space = false;
    Token *t = emit(L, TK_STR_END, here(L));
    t->text = "";
}

/* A line break while a single-line string's "${" hole is open: that string
 * cannot continue, so it is reported unterminated and its holes (and
 * anything opened inside them) are closed with empty STR_END tokens to keep
 * the token stream balanced for the parser. */
static void close_single_holes(Lexer *L) {
    bool reported = false;
    while (L->single_holes && L->nbr) {
        if (L->br[--L->nbr] != BR_HOLE) continue;
        StrCtx cx = L->holes[--L->nholes];
        if (!cx.triple) {
            L->single_holes--;
            if (!reported) {
                lex_error(L, span_from(L, cx.begin), "unterminated string");
                reported = true;
            }
        }
        emit_empty_str_end(L);
    }
}

static void line_break(Lexer *L) {
    if (L->single_holes) close_single_holes(L);
    uint8_t top = br_top(L);
    /* rule 1 (and a "${...}" hole, which holds one expression) */
    if (top != BR_PAREN && top != BR_BRACKET && top != BR_HOLE && !L->nl_pending) {
        L->nl_pending = true;
        L->nl_mark = here(L);
    }
    next_line(L);
}

static void line_comment(Lexer *L) {
    const unsigned char *s = (const unsigned char *)L->s;
    while (L->pos < L->len) {
        unsigned char c = s[L->pos];
        if (c == '\n') return;
        if (c < 0x80) L->pos++;
        else take_utf8(L, NULL);
    }
}

/* Non-nesting block comment.  Its line breaks are real line breaks for the
 * NEWLINE rules (a statement may end inside a multi-line comment). */
static void block_comment(Lexer *L) {
    Mark m = here(L);
    const unsigned char *s = (const unsigned char *)L->s;
    L->pos += 2;
    while (L->pos < L->len) {
        unsigned char c = s[L->pos];
        if (c == '*' && L->pos + 1 < L->len && s[L->pos + 1] == '/') {
            L->pos += 2;
            return;
        }
        if (c == '\n') line_break(L);
        else if (c < 0x80) L->pos++;
        else take_utf8(L, NULL);
    }
    lex_error(L, span_len(m, 2, 2), "unterminated block comment");
}

static void skip_trivia(Lexer *L) {
    const char *s = L->s;
    while (L->pos < L->len) {
        char c = s[L->pos];
        if (c == ' ' || c == '\t' || c == '\r') {
            L->pos++;
        } else if (c == '\n') {
            line_break(L);
        } else if (c == '/' && L->pos + 1 < L->len && s[L->pos + 1] == '/') {
            line_comment(L);
        } else if (c == '/' && L->pos + 1 < L->len && s[L->pos + 1] == '*') {
            block_comment(L);
        } else {
            return;
        }
        L->space = true;
    }
}

/* ====================================================================
 * Numbers
 * ==================================================================== */

static inline int digit_value(int c, int base) {
    int d = base == 16 ? hex_val(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
    return d < base ? d : -1;
}

/* Consumes digits of `base` with '_' separators (only allowed between two
 * digits); returns how many digits there were. */
static size_t digit_run(Lexer *L, int base) {
    const char *s = L->s;
    size_t n = 0;
    while (L->pos < L->len) {
        int c = (unsigned char)s[L->pos];
        if (digit_value(c, base) >= 0) {
            n++;
            L->pos++;
        } else if (c == '_') {
            bool ok = n > 0 && digit_value((unsigned char)s[L->pos - 1], base) >= 0
                      && L->pos + 1 < L->len
                      && digit_value((unsigned char)s[L->pos + 1], base) >= 0;
            if (!ok)
                lex_error(L, span_len(here(L), 1, 1),
                          "'_' in a number literal must be between two digits");
            L->pos++;
        } else {
            break;
        }
    }
    return n;
}

/* A literal running straight into letters or digits ("12ab", "0b102",
 * "1e"): reports it and swallows the rest so it is one bad literal. */
static bool bad_suffix(Lexer *L, Mark m, int base) {
    if (L->pos >= L->len || !is_ident_char((unsigned char)L->s[L->pos])) return false;
    char c = L->s[L->pos];
    while (L->pos < L->len && is_ident_char((unsigned char)L->s[L->pos])) L->pos++;
    if (base == 2 && is_digit(c))
        lex_error(L, span_from(L, m), "invalid digit '%c' in binary literal", c);
    else
        lex_error(L, span_from(L, m), "invalid character '%c' in number literal", c);
    return true;
}

static void emit_int(Lexer *L, Mark m, int64_t v, bool min_magnitude) {
    Token *t = emit(L, TK_INT, m);
    t->num.i = v;
    t->int_min_magnitude = min_magnitude;
}

/* Decimal digits in [a, b) ('_' skipped) to an int; 2^63 is allowed and
 * flagged (only valid after unary minus — the parser decides). */
static void finish_decimal_int(Lexer *L, Mark m, size_t a, size_t b) {
    const uint64_t lim = UINT64_C(1) << 63;
    uint64_t v = 0;
    bool over = false;
    for (size_t i = a; i < b && !over; i++) {
        int c = L->s[i];
        if (c == '_') continue;
        uint64_t d = (uint64_t)(c - '0');
        if (v > (lim - d) / 10) over = true;
        else v = v * 10 + d;
    }
    if (over) {
        lex_error(L, span_from(L, m), "integer literal is too large");
        emit_int(L, m, 0, false);
    } else if (v == lim) {
        emit_int(L, m, INT64_MIN, true);
    } else {
        emit_int(L, m, (int64_t)v, false);
    }
}

/* A number right after '.' or '?.' is a tuple index: plain decimal digits,
 * so "nested.1.0" is DOT INT DOT INT, never a float. */
static void lex_member_index(Lexer *L, Mark m) {
    size_t a = L->pos;
    while (L->pos < L->len && is_digit((unsigned char)L->s[L->pos])) L->pos++;
    if (bad_suffix(L, m, 10)) { emit_int(L, m, 0, false); return; }
    finish_decimal_int(L, m, a, L->pos);
}

/* 0x / 0b literals: up to 64 significant bits, read as two's complement. */
static void lex_radix(Lexer *L, Mark m, int base) {
    L->pos += 2;
    size_t a = L->pos;
    size_t nd = digit_run(L, base);
    if (bad_suffix(L, m, base)) { emit_int(L, m, 0, false); return; }
    if (nd == 0) {
        lex_error(L, span_from(L, m), "missing digits after '0%c'", base == 16 ? 'x' : 'b');
        emit_int(L, m, 0, false);
        return;
    }
    unsigned shift = base == 16 ? 4 : 1;
    uint64_t v = 0;
    for (size_t i = a; i < L->pos; i++) {
        int d = digit_value((unsigned char)L->s[i], base);
        if (d < 0) continue;                  /* '_' */
        if (v >> (64 - shift)) {
            lex_error(L, span_from(L, m), "integer literal is too large");
            emit_int(L, m, 0, false);
            return;
        }
        v = (v << shift) | (uint64_t)d;
    }
    emit_int(L, m, (int64_t)v, false);
}

/* Converts the float literal in [a, b) (without '_') with strtod, using the
 * current locale's decimal point so a host's setlocale cannot break it. */
static void finish_float(Lexer *L, Mark m, size_t a, size_t b) {
    char dp = '.';
    const struct lconv *lc = localeconv();
    if (lc && lc->decimal_point && lc->decimal_point[0]) dp = lc->decimal_point[0];
    Buf *nb = &L->num;
    nb->len = 0;
    for (size_t i = a; i < b; i++) {
        char c = L->s[i];
        if (c == '_') continue;
        buf_putc(nb, c == '.' ? dp : c);
    }
    char *end;
    double v = strtod(nb->data, &end);
    if (isinf(v)) lex_error(L, span_from(L, m), "float literal is too large");
    Token *t = emit(L, TK_FLOAT, m);
    t->num.f = isinf(v) ? 0.0 : v;
}

/* Decimal int or float.  A '.' only belongs to the number when a digit
 * follows it ("0..10", "5.abs()" stay INT DOT...). */
static void lex_decimal(Lexer *L, Mark m) {
    const char *s = L->s;
    size_t a = L->pos;
    bool is_float = false;
    digit_run(L, 10);
    if (L->pos + 1 < L->len && s[L->pos] == '.' && is_digit((unsigned char)s[L->pos + 1])) {
        is_float = true;
        L->pos++;
        digit_run(L, 10);
    }
    if (L->pos < L->len && (s[L->pos] == 'e' || s[L->pos] == 'E')) {
        size_t p = L->pos + 1;
        if (p < L->len && (s[p] == '+' || s[p] == '-')) p++;
        if (p < L->len && is_digit((unsigned char)s[p])) {
            is_float = true;
            L->pos = p;
            digit_run(L, 10);
        }
    }
    if (bad_suffix(L, m, 10)) { emit_int(L, m, 0, false); return; }
    if (is_float) finish_float(L, m, a, L->pos);
    else finish_decimal_int(L, m, a, L->pos);
}

static void lex_number(Lexer *L, Mark m) {
    const char *s = L->s;
    if (L->n && (L->toks[L->n - 1].kind == TK_DOT || L->toks[L->n - 1].kind == TK_QDOT)) {
        lex_member_index(L, m);
    } else if (s[L->pos] == '0' && L->pos + 1 < L->len && (s[L->pos + 1] == 'x' || s[L->pos + 1] == 'b')) {
        lex_radix(L, m, s[L->pos + 1] == 'x' ? 16 : 2);
    } else {
        lex_decimal(L, m);
    }
}

/* ====================================================================
 * Strings
 * ==================================================================== */

static inline bool at_triple_quote(const Lexer *L, size_t p) {
    return p + 2 < L->len && L->s[p] == '"' && L->s[p + 1] == '"' && L->s[p + 2] == '"';
}

static inline bool at_line_end(const Lexer *L, size_t p) {
    return p < L->len && (L->s[p] == '\n' || (L->s[p] == '\r' && p + 1 < L->len && L->s[p + 1] == '\n'));
}

/* Pre-scan stack entries: kind in the low 2 bits, hole brace depth above. */
enum { PS_STR1 = 0, PS_STR3 = 1, PS_HOLE = 2 };

static void ps_push(Lexer *L, size_t *depth, uint32_t v) {
    if (*depth == L->capp) {
        size_t nc = L->capp ? L->capp * 2 : 16;
        L->pstack = mem_realloc(L->vm, L->pstack, L->capp * sizeof(uint32_t), nc * sizeof(uint32_t));
        L->capp = nc;
    }
    L->pstack[(*depth)++] = v;
}

/* Raw scan of a triple-quoted string whose text starts at pos: finds the
 * closing quotes and decides steps 1-3 of §1.6 (first line dropped, closing
 * line dropped, common indentation).  Holes are skipped with brace counting,
 * over nested strings (either form, nested holes) and comments, exactly as
 * the real scan will tokenise them.  Lines that begin inside a hole are
 * code, not string lines, and take no part in the indentation. */
static void triple_prescan(Lexer *L, StrCtx *cx) {
    const char *s = L->s;
    size_t len = L->len, p = L->pos, depth = 0;
    size_t ws = 0, indent = SIZE_MAX;
    bool counting = true, first_line = true;
    while (p < len) {
        char c = s[p];
        if (depth == 0) {                         /* the string's own text */
            if (counting) {
                if (is_hspace(c)) { ws++; p++; continue; }
                counting = false;
                if (at_line_end(L, p)) {
                    if (first_line) cx->drop_first = true;      /* step 1 */
                } else if (at_triple_quote(L, p)) {
                    if (!first_line) {                          /* step 2 */
                        cx->strip_close = true;
                        if (ws < indent) indent = ws;
                    }
                } else if (ws < indent) {
                    indent = ws;
                }
            }
            if (c == '\\') { p += p + 1 < len && s[p + 1] != '\n' ? 2 : 1; continue; }
            if (c == '"' && at_triple_quote(L, p)) { cx->close_off = p; break; }
            if (c == '$' && p + 1 < len && s[p + 1] == '{') { ps_push(L, &depth, PS_HOLE); p += 2; continue; }
            if (c == '\n') {
                cx->last_break = p;
                first_line = false;
                counting = true;
                ws = 0;
            }
            p++;
            continue;
        }
        uint32_t *top = &L->pstack[depth - 1];
        uint32_t kind = *top & 3;
        if (kind != PS_HOLE) {                    /* a string nested in a hole */
            if (c == '\\') { p += p + 1 < len && s[p + 1] != '\n' ? 2 : 1; continue; }
            if (c == '"') {
                if (kind == PS_STR1) { depth--; p++; continue; }
                if (at_triple_quote(L, p)) { depth--; p += 3; continue; }
            } else if (c == '$' && p + 1 < len && s[p + 1] == '{') {
                ps_push(L, &depth, PS_HOLE);
                p += 2;
                continue;
            } else if (c == '\n' && kind == PS_STR1) {
                depth--;                          /* unterminated: the hole goes on */
                continue;
            }
            p++;
            continue;
        }
        if (c == '"') {
            if (at_triple_quote(L, p)) { ps_push(L, &depth, PS_STR3); p += 3; }
            else { ps_push(L, &depth, PS_STR1); p++; }
        } else if (c == '{') {
            *top += 4;
            p++;
        } else if (c == '}') {
            if (*top >> 2) *top -= 4;
            else depth--;
            p++;
        } else if (c == '/' && p + 1 < len && s[p + 1] == '/') {
            while (p < len && s[p] != '\n') p++;
        } else if (c == '/' && p + 1 < len && s[p + 1] == '*') {
            p += 2;
            while (p < len && !(s[p] == '*' && p + 1 < len && s[p + 1] == '/')) p++;
            p = p < len ? p + 2 : len;
        } else {
            p++;
        }
    }
    cx->indent = indent == SIZE_MAX ? 0 : indent;
}

/* At the start of a content line of a triple-quoted string: removes the
 * common indentation, or all of it on a whitespace-only line. */
static void dedent_line(Lexer *L, StrCtx *cx) {
    size_t k = 0;
    while (L->pos + k < L->len && is_hspace(L->s[L->pos + k])) k++;
    size_t after = L->pos + k;
    if (at_line_end(L, after) || after == cx->close_off || after >= L->len)
        L->pos = after;
    else
        L->pos += k < cx->indent ? k : cx->indent;
}

static const char *piece_text(Lexer *L) {
    return L->text.len ? arena_strndup(L->arena, L->text.data, L->text.len) : "";
}

/* Emits the text collected so far as the next string token: STRING or
 * STR_BEGIN for the first piece, STR_MID or STR_END after a hole. */
static void emit_piece(Lexer *L, StrCtx *cx, bool end) {
    TokKind k = cx->started ? (end ? TK_STR_END : TK_STR_MID) : (end ? TK_STRING : TK_STR_BEGIN);
    L->space = cx->started ? false : cx->space_before;
    Token *t = emit(L, k, cx->piece);
    t->text = piece_text(L);
    t->len = (uint32_t)L->text.len;
    L->text.len = 0;
    cx->started = true;
}

static void unterminated_string(Lexer *L, StrCtx *cx) {
    lex_error(L, span_from(L, cx->begin), "unterminated string");
}

/* \u{H...}: 1-6 hex digits naming a scalar value. */
static void unicode_escape(Lexer *L, Mark m) {
    const char *s = L->s;
    size_t p = L->pos + 2;
    uint32_t cp = 0;
    int nd = 0;
    bool ok = p < L->len && s[p] == '{';
    if (ok) {
        p++;
        for (; p < L->len && hex_val((unsigned char)s[p]) >= 0; p++, nd++)
            if (nd < 7) cp = cp * 16 + (uint32_t)hex_val((unsigned char)s[p]);
        ok = nd >= 1 && nd <= 6 && p < L->len && s[p] == '}';
        if (p < L->len && s[p] == '}') p++;
    }
    L->pos = p;
    if (!ok || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        lex_error(L, span_from(L, m), "invalid unicode escape");
        return;
    }
    char u[4];
    buf_put(&L->text, u, utf8_encode(cp, u));
}

/* A backslash escape at pos.  Bad escapes are reported and dropped. */
static void lex_escape(Lexer *L, StrCtx *cx) {
    Mark m = here(L);
    const char *s = L->s;
    char e = L->pos + 1 < L->len ? s[L->pos + 1] : '\0';
    const char *rep = NULL;
    switch (e) {
    case 'n': rep = "\n"; break;
    case 't': rep = "\t"; break;
    case 'r': rep = "\r"; break;
    case '\\': rep = "\\"; break;
    case '"': rep = "\""; break;
    case '$': rep = "$"; break;
    case '0': buf_putc(&L->text, '\0'); L->pos += 2; return;
    case 'u': unicode_escape(L, m); return;
    default: break;
    }
    if (rep) {
        buf_putc(&L->text, rep[0]);
        L->pos += 2;
        return;
    }
    if (L->pos + 1 >= L->len || at_line_end(L, L->pos + 1)) {
        /* the string's own line/end handling reports a single-line string */
        if (cx->triple)
            lex_error(L, span_len(m, 1, 1), "unknown escape sequence '\\' at end of line");
        L->pos++;
        return;
    }
    if ((unsigned char)e >= 0x80) {
        uint32_t cp;
        size_t n = utf8_decode((const unsigned char *)s + L->pos + 1, L->len - L->pos - 1, &cp);
        L->pos++;
        if (n == 0) return;                       /* take_utf8 reports the bad byte */
        L->pos += n;
        L->cont += n - 1;
        lex_error(L, span_from(L, m), "unknown escape sequence '\\%.*s'", (int)n, s + m.off + 1);
        return;
    }
    L->pos += 2;
    lex_error(L, span_from(L, m), "unknown escape sequence '\\%c'", e);
}

static void push_hole(Lexer *L, const StrCtx *cx) {
    br_push(L, BR_HOLE);
    VEC_PUSH(L->vm, L->holes, L->nholes, L->capholes, *cx);
    if (!cx->triple) L->single_holes++;
}

/* Scans string text from pos (after the opening quotes or after the '}' of
 * a hole) and emits the text pieces, "$name" identifiers included, until
 * the string ends (STRING / STR_END emitted) or a "${" hole opens (the
 * string is suspended on the hole stack; the main loop lexes the hole). */
static void string_text(Lexer *L, StrCtx *cx) {
    const char *s = L->s;
    Buf *b = &L->text;
    b->len = 0;
    for (;;) {
        if (cx->at_line_start) {
            dedent_line(L, cx);
            cx->at_line_start = false;
        }
        if (L->pos >= L->len) {
            unterminated_string(L, cx);
            emit_piece(L, cx, true);
            return;
        }
        unsigned char c = (unsigned char)s[L->pos];
        switch (c) {
        case '"':
            if (!cx->triple || L->pos == cx->close_off) {
                L->pos += cx->triple ? 3 : 1;
                emit_piece(L, cx, true);
                return;
            }
            buf_putc(b, '"');
            L->pos++;
            break;
        case '\\':
            lex_escape(L, cx);
            break;
        case '$':
            if (L->pos + 1 < L->len && is_ident_start((unsigned char)s[L->pos + 1])) {
                L->pos++;
                emit_piece(L, cx, false);
                L->space = false;
                lex_ident(L, here(L));
                cx->piece = here(L);
            } else if (L->pos + 1 < L->len && s[L->pos + 1] == '{') {
                L->pos += 2;
                emit_piece(L, cx, false);
                push_hole(L, cx);
                return;
            } else {
                buf_putc(b, '$');
                L->pos++;
            }
            break;
        case '\r':
            if (at_line_end(L, L->pos)) { L->pos++; break; } /* CRLF reads as LF */
            buf_putc(b, '\r');
            L->pos++;
            break;
        case '\n':
            if (!cx->triple) {
                /* the line break stays for the main loop (NEWLINE rules) */
                unterminated_string(L, cx);
                emit_piece(L, cx, true);
                return;
            }
            if (cx->strip_close && L->pos == cx->last_break) {
                next_line(L);                      /* step 2: drop the closing line */
                L->pos = cx->close_off + 3;
                emit_piece(L, cx, true);
                return;
            }
            buf_putc(b, '\n');
            next_line(L);
            cx->at_line_start = true;
            break;
        default:
            if (c >= 0x80) {
                take_utf8(L, b);
            } else {
                size_t p = L->pos + 1;             /* copy a plain ASCII run at once */
                while (p < L->len) {
                    unsigned char d = (unsigned char)s[p];
                    if (d == '"' || d == '\\' || d == '$' || d == '\n' || d == '\r' || d >= 0x80) break;
                    p++;
                }
                buf_put(b, s + L->pos, p - L->pos);
                L->pos = p;
            }
            break;
        }
    }
}

/* Opening quote(s) at pos. */
static void lex_string(Lexer *L, Mark m) {
    StrCtx cx;
    memset(&cx, 0, sizeof cx);
    cx.begin = cx.piece = m;
    cx.space_before = L->space;
    cx.close_off = SIZE_MAX;
    if (at_triple_quote(L, L->pos)) {
        cx.triple = true;
        L->pos += 3;
        triple_prescan(L, &cx);
        if (cx.drop_first) {                       /* step 1 */
            while (is_hspace(L->s[L->pos])) L->pos++;
            if (L->s[L->pos] == '\r') L->pos++;
            next_line(L);
        }
        cx.at_line_start = true;
    } else {
        L->pos++;
    }
    string_text(L, &cx);
}

/* '}': closes the innermost '{' or string hole, dropping unclosed '(' and
 * '[' inside it.  Closing a hole resumes its string (the '}' starts the
 * next text piece); returns true then. */
static bool close_brace(Lexer *L, Mark m) {
    while (L->nbr && (br_top(L) == BR_PAREN || br_top(L) == BR_BRACKET)) L->nbr--;
    if (br_top(L) == BR_HOLE) {
        L->nbr--;
        StrCtx cx = L->holes[--L->nholes];
        if (!cx.triple) L->single_holes--;
        cx.piece = m;
        L->pos++;
        string_text(L, &cx);
        return true;
    }
    if (L->nbr) L->nbr--;
    return false;
}

/* ====================================================================
 * Operators, bad characters, the main loop
 * ==================================================================== */

static void bad_char(Lexer *L, Mark m) {
    const unsigned char *p = (const unsigned char *)L->s + L->pos;
    unsigned char c = *p;
    if (c >= 0x80) {
        uint32_t cp;
        size_t n = utf8_decode(p, L->len - L->pos, &cp);
        if (n == 0) {
            take_utf8(L, NULL);                    /* reports invalid UTF-8 once */
        } else {
            L->pos += n;
            L->cont += n - 1;
            lex_error(L, span_from(L, m), "unexpected character '%.*s'", (int)n, (const char *)p);
        }
    } else {
        L->pos++;
        if (c > 0x20 && c < 0x7F)
            lex_error(L, span_from(L, m), "unexpected character '%c'", c);
        else
            lex_error(L, span_from(L, m), "unexpected character '\\u{%X}'", c);
    }
    emit(L, TK_ERROR, m);
}

static void lex_token(Lexer *L) {
    Mark m = here(L);
    const char *s = L->s + L->pos;
    size_t avail = L->len - L->pos;
    unsigned char c = (unsigned char)s[0];
    if (is_ident_start(c)) { lex_ident(L, m); return; }
    if (is_digit(c)) { lex_number(L, m); return; }
#define AT(i) ((i) < avail ? s[i] : '\0')
    TokKind k;
    size_t n = 1;
    switch (c) {
    case '"': lex_string(L, m); return;
    case '(': br_push(L, BR_PAREN); k = TK_LPAREN; break;
    case ')': br_close(L, BR_PAREN); k = TK_RPAREN; break;
    case '[': br_push(L, BR_BRACKET); k = TK_LBRACKET; break;
    case ']': br_close(L, BR_BRACKET); k = TK_RBRACKET; break;
    case '{': br_push(L, BR_BRACE); k = TK_LBRACE; break;
    case '}': if (close_brace(L, m)) return; k = TK_RBRACE; break;
    case ',': k = TK_COMMA; break;
    case ';': k = TK_SEMI; break;
    case '~': k = TK_TILDE; break;
    case ':': if (AT(1) == ':') { k = TK_COLONCOLON; n = 2; } else k = TK_COLON; break;
    case '.':
        if (AT(1) != '.') k = TK_DOT;
        else if (AT(2) == '.') { k = TK_ELLIPSIS; n = 3; }
        else if (AT(2) == '=') { k = TK_DOTDOTEQ; n = 3; }
        else { k = TK_DOTDOT; n = 2; }
        break;
    case '?':
        if (AT(1) == '.') { k = TK_QDOT; n = 2; }
        else if (AT(1) == '?') { k = TK_QQ; n = 2; }
        else k = TK_QUESTION;
        break;
    case '+': if (AT(1) == '=') { k = TK_PLUSEQ; n = 2; } else k = TK_PLUS; break;
    case '-':
        if (AT(1) == '=') { k = TK_MINUSEQ; n = 2; }
        else if (AT(1) == '>') { k = TK_ARROW; n = 2; }
        else k = TK_MINUS;
        break;
    case '*': if (AT(1) == '=') { k = TK_STAREQ; n = 2; } else k = TK_STAR; break;
    case '/': if (AT(1) == '=') { k = TK_SLASHEQ; n = 2; } else k = TK_SLASH; break;
    case '%': if (AT(1) == '=') { k = TK_PERCENTEQ; n = 2; } else k = TK_PERCENT; break;
    case '=':
        if (AT(1) == '=') { k = TK_EQ; n = 2; }
        else if (AT(1) == '>') { k = TK_FATARROW; n = 2; }
        else k = TK_ASSIGN;
        break;
    case '!':
        if (AT(1) == '=') { k = TK_NE; n = 2; }
        else if (AT(1) == '!') { k = TK_BANGBANG; n = 2; }
        else k = TK_BANG;
        break;
    case '<':
        if (AT(1) == '<') {
            if (AT(2) == '=') { k = TK_SHLEQ; n = 3; } else { k = TK_SHL; n = 2; }
        } else if (AT(1) == '=') { k = TK_LE; n = 2; }
        else k = TK_LT;
        break;
    case '>':
        if (AT(1) == '>') {
            if (AT(2) == '>') {
                if (AT(3) == '=') { k = TK_USHREQ; n = 4; } else { k = TK_USHR; n = 3; }
            } else if (AT(2) == '=') { k = TK_SHREQ; n = 3; }
            else { k = TK_SHR; n = 2; }
        } else if (AT(1) == '=') { k = TK_GE; n = 2; }
        else k = TK_GT;
        break;
    case '&':
        if (AT(1) == '&') { k = TK_ANDAND; n = 2; }
        else if (AT(1) == '=') { k = TK_AMPEQ; n = 2; }
        else k = TK_AMP;
        break;
    case '|':
        if (AT(1) == '|') { k = TK_OROR; n = 2; }
        else if (AT(1) == '=') { k = TK_PIPEEQ; n = 2; }
        else k = TK_PIPE;
        break;
    case '^': if (AT(1) == '=') { k = TK_CARETEQ; n = 2; } else k = TK_CARET; break;
    default: bad_char(L, m); return;
    }
#undef AT
    L->pos += n;
    emit(L, k, m);
}

/* End of input: strings still waiting in a "${" hole are unterminated;
 * a pending line break may still become a NEWLINE; then the one EOF. */
static void finish(Lexer *L) {
    if (L->nholes) {
        lex_error(L, span_from(L, L->holes[L->nholes - 1].begin), "unterminated string");
        while (L->nholes) {
            L->nholes--;
            emit_empty_str_end(L);
        }
    }
    L->nbr = 0;
    L->single_holes = 0;
    flush_newline(L, TK_EOF);
    Token *t = push_token(L);
    t->kind = TK_EOF;
    t->space_before = L->space;
    t->span = span_len(here(L), 0, 0);
}

Token *lex_source(Arena *arena, Diags *diags, const Source *src, size_t *count) {
    Lexer L;
    memset(&L, 0, sizeof L);
    L.arena = arena;
    L.diags = diags;
    L.src = src;
    L.vm = arena->vm;
    L.s = src->text ? src->text : "";
    L.len = src->text ? src->len : 0;
    L.line = 1;
    L.space = true;                              /* file start counts as space */
    buf_init(&L.text, L.vm);
    buf_init(&L.num, L.vm);
    if (L.len >= 3 && memcmp(L.s, "\xEF\xBB\xBF", 3) == 0) L.pos = L.line_start = 3;
    /* Typical code has one token per 4-7 bytes; starting at len/4 means
     * ordinary files never regrow. */
    L.cap = L.len / 3 + 64;
    L.toks = arena_alloc_raw(arena, L.cap * sizeof(Token));
    seed_keywords(&L);

    while (L.pos < L.len) {
        skip_trivia(&L);
        if (L.pos >= L.len) break;
        lex_token(&L);
    }
    finish(&L);

    *count = L.n;
    if (L.br) VEC_FREE(L.vm, L.br, L.capbr);
    if (L.holes) VEC_FREE(L.vm, L.holes, L.capholes);
    if (L.pstack) mem_free(L.vm, L.pstack, L.capp * sizeof(uint32_t));
    buf_free(&L.text);
    buf_free(&L.num);
    return L.toks;
}
