/* parse.c — tokens to AST: the grammar of language.md §2.
 *
 * This file owns the syntax of Writ: declarations, statements, expressions
 * and types (§2.1–§2.4), the precedence table of §2.5, the disambiguation
 * rules of §2.6, the parser-level termination rules of §1.4, the nesting
 * limit, and syntax-error recovery (§23.1).  Names and types mean nothing
 * here; misplaced-but-well-formed constructs that need no type knowledge
 * (`export` in a block, an import after a declaration, `..=` outside a
 * range position, `yield` inside an expression, an oversized literal) are
 * reported here too.
 *
 * Shape, after Lua's lparser.c and clox's compiler.c: one small function per
 * grammar rule and a Pratt loop for the binary levels.  The token cursor has
 * one extra, a split token: inside type arguments a `>>` closes two lists,
 * so it is consumed one `>` at a time.  The one speculative decision of the
 * grammar (is `f<T>(x)` a generic call?) is made by a non-allocating
 * recognizer that scans ahead; only an accepted list is then parsed.
 *
 * Recovery: the first error of a statement sets `panic`, which silences
 * further errors and makes every loop stop consuming; the statement list
 * then skips to the next line that can start a statement (synchronize) and
 * clears it.  So each broken statement is reported once and the rest of the
 * file still parses.
 *
 * Nesting: the limit of §2.6 bounds the depth of the tree built, so later
 * recursive passes are safe too (enter, chain_link).
 *
 * Every node and list lives in the arena.  Lists are built on one scratch
 * byte stack (nested lists finish before their parent resumes, so a stack
 * suffices) and copied into the arena when complete.
 */
#include "parse.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_NESTING 256   /* §2.6: deeper is "expression nested too deeply" */
#define SCAN_LIMIT 256    /* most tokens a type-argument lookahead may span */

typedef struct Parser {
    Arena *arena;
    Diags *diags;
    const Source *src;
    const Token *toks;
    size_t ntoks;
    size_t pos;            /* index of the current token */
    bool split;            /* the current token is split_tok: what is left of toks[pos] */
    Token split_tok;
    Span prev;             /* the last consumed token (or '>' piece of a split token) */
    uint32_t braces;       /* '{' consumed and not yet closed */
    uint32_t parens;       /* '(' and '[' consumed and not yet closed */
    int depth;             /* tree depth of what is being parsed (see enter, chain_link) */
    int peak;              /* deepest level reached in the subtree being measured */
    bool panic;            /* inside a broken statement: errors are silenced */
    bool had_error;
    bool eof_reported;     /* one "found end of file" is enough */
    int lines_end_stmts;   /* brace depth at which a line break ends a statement, or
                            * -1: set after recovery from an unclosed '(' / '[',
                            * inside which the lexer makes no NEWLINEs */
    bool no_dict;          /* in an if/while/for/when header: '{' starts the body */
    uint8_t *scratch;      /* stack of list items under construction */
    size_t slen, scap;
} Parser;

/* Where a statement list item began, for recovery. */
typedef struct Level { uint32_t braces, parens; size_t pos; } Level;

static Expr *parse_expr(Parser *p);
static Expr *parse_postfix(Parser *p);
static TypeExpr *parse_type(Parser *p);
static Block *parse_block(Parser *p);
static Stmt *parse_statement(Parser *p, bool top);
static WhenStmtData *parse_when(Parser *p, bool is_expr, Span *span);

/* ------------------------------------------------------------------ */
/* Token cursor                                                        */
/* ------------------------------------------------------------------ */

static inline const Token *cur(Parser *p) {
    return p->split ? &p->split_tok : &p->toks[p->pos];
}
static inline TokKind peek(Parser *p) { return cur(p)->kind; }

/* The n-th token after the current one (a split token's rest counts as
 * the current token). Clamped to the final EOF. */
static inline const Token *ahead(Parser *p, size_t n) {
    size_t i = p->pos + n;
    return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}

static void advance(Parser *p) {
    const Token *t = cur(p);
    if (t->kind == TK_EOF) return;
    p->prev = t->span;
    switch (t->kind) {
    case TK_LBRACE: p->braces++; break;
    case TK_RBRACE: if (p->braces) p->braces--; break;
    case TK_LPAREN: case TK_LBRACKET: p->parens++; break;
    case TK_RPAREN: case TK_RBRACKET: if (p->parens) p->parens--; break;
    default: break;
    }
    p->split = false;
    p->pos++;
}

static inline bool check(Parser *p, TokKind k) { return peek(p) == k; }

static bool match(Parser *p, TokKind k) {
    if (peek(p) != k) return false;
    advance(p);
    return true;
}

static void skip_newlines(Parser *p) {
    while (check(p, TK_NEWLINE)) advance(p);
}

/* §1.4: blank lines and repeated terminators are ignored. */
static void skip_terminators(Parser *p) {
    while (check(p, TK_NEWLINE) || check(p, TK_SEMI)) advance(p);
}

/* ------------------------------------------------------------------ */
/* Spans and nodes                                                     */
/* ------------------------------------------------------------------ */

/* From the start of `start` to the end of the last consumed token. */
static Span upto_prev(Parser *p, Span start) {
    Span s = start;
    if (p->prev.end_off >= start.off) {
        s.end_line = p->prev.end_line;
        s.end_col = p->prev.end_col;
        s.end_off = p->prev.end_off;
    }
    return s;
}

static Expr *new_expr(Parser *p, ExprKind k, Span sp) {
    Expr *e = arena_alloc(p->arena, sizeof *e);
    e->kind = k;
    e->span = sp;
    return e;
}

static Stmt *new_stmt(Parser *p, StmtKind k, Span sp) {
    Stmt *s = arena_alloc(p->arena, sizeof *s);
    s->kind = k;
    s->span = sp;
    return s;
}

static TypeExpr *new_type(Parser *p, TypeExprKind k, Span sp) {
    TypeExpr *t = arena_alloc(p->arena, sizeof *t);
    t->kind = k;
    t->span = sp;
    return t;
}

/* Placeholders after an error, so no caller has to test for NULL. */
static Expr *error_expr(Parser *p) { return new_expr(p, E_NULL, cur(p)->span); }

static TypeExpr *error_type(Parser *p) {
    TypeExpr *t = new_type(p, TY_NAME, cur(p)->span);
    t->name = "<error>";
    return t;
}

/* ------------------------------------------------------------------ */
/* Scratch lists                                                       */
/* ------------------------------------------------------------------ */

static size_t list_begin(Parser *p) { return p->slen; }

static void list_push(Parser *p, const void *item, size_t size) {
    VEC_GROW(p->arena->vm, p->scratch, p->slen, p->scap, size);
    memcpy(p->scratch + p->slen, item, size);
    p->slen += size;
}
#define PUSH(p, v) list_push((p), &(v), sizeof(v))

/* Copies the items pushed since `base` into the arena and pops them. */
static void *list_end(Parser *p, size_t base, size_t size, uint32_t *count) {
    size_t bytes = p->slen - base;
    void *out = NULL;
    *count = (uint32_t)(bytes / size);
    if (bytes) {
        out = arena_alloc(p->arena, bytes);
        memcpy(out, p->scratch + base, bytes);
    }
    p->slen = base;
    return out;
}

typedef struct NameSpan { const char *name; Span span; } NameSpan;

/* Splits a NameSpan list into the parallel arrays the AST uses. */
static void split_names(Parser *p, size_t base, const char ***names, Span **spans, uint32_t *n) {
    NameSpan *ns = list_end(p, base, sizeof(NameSpan), n);
    *names = NULL;
    *spans = NULL;
    if (!*n) return;
    *names = arena_alloc(p->arena, sizeof(**names) * *n);
    *spans = arena_alloc(p->arena, sizeof(**spans) * *n);
    for (uint32_t i = 0; i < *n; i++) {
        (*names)[i] = ns[i].name;
        (*spans)[i] = ns[i].span;
    }
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

static const char *describe(Parser *p, const Token *t) {
    if (t->kind == TK_IDENT && t->text) return arena_printf(p->arena, "identifier '%s'", t->text);
    return tok_spelling[t->kind];
}

static Diag *emit(Parser *p, Span sp, const char *fmt, va_list ap) {
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    p->had_error = true;
    Diag *d = diag_error(p->diags, p->src, sp, "%s", buf);
    p->diags->syntax_error = true;
    return d;
}

/* A syntax error: reported unless the current statement already has one;
 * enters panic mode. */
static Diag *error_at(Parser *p, Span sp, const char *fmt, ...) WRIT_PRINTF(3, 4);
static Diag *error_at(Parser *p, Span sp, const char *fmt, ...) {
    if (p->panic) return NULL;
    p->panic = true;
    va_list ap;
    va_start(ap, fmt);
    Diag *d = emit(p, sp, fmt, ap);
    va_end(ap);
    return d;
}

/* An error about a well-formed but misplaced construct: reported, but the
 * parse goes on normally (no panic). */
static Diag *report(Parser *p, Span sp, const char *fmt, ...) WRIT_PRINTF(3, 4);
static Diag *report(Parser *p, Span sp, const char *fmt, ...) {
    if (p->panic) return NULL;
    va_list ap;
    va_start(ap, fmt);
    Diag *d = emit(p, sp, fmt, ap);
    va_end(ap);
    return d;
}

/* "expected WHAT, found TOKEN" at the current token.  A file that ends
 * early gets one "found end of file", not one per open construct, and an
 * invalid token was already reported by the lexer. */
static Diag *error_expected(Parser *p, const char *what) {
    const Token *t = cur(p);
    if ((t->kind == TK_EOF && p->eof_reported) || t->kind == TK_ERROR) {
        p->panic = true;
        return NULL;
    }
    Diag *d = error_at(p, t->span, "expected %s, found %s", what, describe(p, t));
    if (d && t->kind == TK_EOF) p->eof_reported = true;
    return d;
}

static bool expect(Parser *p, TokKind k, const char *what) {
    if (match(p, k)) return true;
    error_expected(p, what ? what : tok_spelling[k]);
    return false;
}

/* Consumes the closing bracket of a construct opened at `open`; an
 * unclosed one at end of file says where it was opened. */
static void close_bracket(Parser *p, TokKind close, Span open, const char *what) {
    if (match(p, close)) return;
    bool at_eof = check(p, TK_EOF);
    Diag *d = error_expected(p, what);
    if (d && at_eof)
        diag_note(p->diags, d, "opening %s is at line %u",
                  close == TK_RBRACE ? "brace" : close == TK_RPAREN ? "parenthesis" : "bracket",
                  (unsigned)open.line);
}

/* The nesting limit (§2.6) bounds the depth of the tree, not only the
 * parser's own recursion, so no later pass that walks the tree recursively
 * can overflow the C stack either.  Two mechanisms count levels:
 *
 * - enter/leave around every construct that contains others (brackets,
 *   blocks, lambdas, when, prefix operators, the ternary, types);
 * - chains built by loops (`a + b + c`, `x.f().g`, `v as T as U`): each
 *   operator becomes the parent of everything parsed so far in the chain,
 *   so that whole subtree sinks one level.  `peak` tracks the deepest level
 *   of the subtree being built, which is what sinks. */
static bool too_deep(Parser *p) {
    error_at(p, cur(p)->span, "expression nested too deeply");
    return false;
}

static bool enter(Parser *p) {
    if (p->depth >= MAX_NESTING) return too_deep(p);
    p->depth++;
    if (p->depth > p->peak) p->peak = p->depth;
    return true;
}
static void leave(Parser *p) { p->depth--; }

typedef struct Chain { int base, outer_peak; } Chain;

/* Starts a chain whose first operand is about to be parsed. */
static Chain chain_begin(Parser *p) {
    Chain c = { p->depth, p->peak };
    p->peak = p->depth;
    return c;
}

/* One more operator in the chain: the subtree so far sinks a level and the
 * operator's own operands are parsed one level below it. */
static bool chain_link(Parser *p, const Chain *c) {
    if (p->peak >= MAX_NESTING) return too_deep(p);
    p->peak++;
    p->depth = c->base + 1;
    return true;
}

static void chain_end(Parser *p, Chain c) {
    p->depth = c.base;
    if (c.outer_peak > p->peak) p->peak = c.outer_peak;
}

static Level level_here(Parser *p) {
    Level l = { p->braces, p->parens, p->pos };
    return l;
}

/* Keywords that begin a statement or declaration and can never continue an
 * expression. */
static bool statement_keyword(TokKind k) {
    switch (k) {
    case TK_KW_CONST: case TK_KW_LET: case TK_KW_VAR: case TK_KW_FUNC: case TK_KW_CLASS:
    case TK_KW_STRUCT: case TK_KW_TRAIT: case TK_KW_ENUM: case TK_KW_IMPORT: case TK_KW_EXPORT:
    case TK_KW_IF: case TK_KW_WHILE: case TK_KW_FOR: case TK_KW_RETURN: case TK_KW_BREAK:
    case TK_KW_CONTINUE: case TK_KW_START:
        return true;
    default:
        return false;
    }
}

static bool at_line_start(Parser *p) { return cur(p)->span.line > p->prev.end_line; }

/* Panic-mode recovery (§23.1): skip to the next line that can start a
 * statement — after the next NEWLINE (or ';' outside brackets) at the
 * statement's brace depth, or at a line beginning with a statement keyword
 * (the only way out of an unclosed '(' or '[', inside which the lexer makes
 * no NEWLINEs) — or stop before the '}' that closes the enclosing block.
 * At top level a stray '}' is skipped. */
static void synchronize(Parser *p, Level lv, bool top) {
    while (!check(p, TK_EOF)) {
        TokKind k = peek(p);
        if (p->braces <= lv.braces) {
            if (k == TK_NEWLINE) { advance(p); break; }
            if (statement_keyword(k) && at_line_start(p) && p->pos > lv.pos) {
                if (p->parens > lv.parens) p->lines_end_stmts = (int)lv.braces;
                break;
            }
            if (k == TK_SEMI && p->parens <= lv.parens) { advance(p); break; }
            if (k == TK_RBRACE) {
                if (!top) break;
                p->split = false;   /* stray '}': skip without unbalancing the count */
                p->pos++;
                continue;
            }
        }
        advance(p);
    }
    /* NEWLINE tokens only occur outside '(' '[' (§1.4), so whatever the
     * broken statement left open there is closed now. */
    p->parens = lv.parens;
    p->panic = false;
}

/* After an item of a statement-like list: require a terminator (§1.4: the
 * last item before '}' needs none), then recover from any error. */
static void end_item(Parser *p, Level lv, bool top, const char *what) {
    if (!p->panic) {
        TokKind k = peek(p);
        bool lenient = p->lines_end_stmts == (int)p->braces;
        if (k == TK_NEWLINE || k == TK_SEMI) {
            if (k == TK_NEWLINE && lenient) p->lines_end_stmts = -1;  /* the lexer is back in step */
            advance(p);
        } else if (k != TK_EOF && !(k == TK_RBRACE && !top) && !(lenient && at_line_start(p))) {
            error_expected(p, what);
        }
    }
    if (p->panic) synchronize(p, lv, top);
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

static bool is_keyword(TokKind k) { return k >= TK_FIRST_KEYWORD && k <= TK_LAST_KEYWORD; }

/* A keyword's text is its spelling without the quotes. */
static const char *keyword_text(Parser *p, TokKind k) {
    const char *s = tok_spelling[k];
    return arena_strndup(p->arena, s + 1, strlen(s) - 2);
}

/* Consumes a name: an IDENT, or also a keyword where §1.2 allows one
 * (member names after '.'/'?.', argument labels). */
static const char *expect_name(Parser *p, bool keywords_ok, Span *sp, const char *what) {
    const Token *t = cur(p);
    if (sp) *sp = t->span;
    if (t->kind == TK_IDENT || (keywords_ok && is_keyword(t->kind))) {
        const char *s = t->kind == TK_IDENT ? t->text : keyword_text(p, t->kind);
        advance(p);
        return s;
    }
    error_expected(p, what);
    return "<error>";
}

static bool is_name_tok(const Token *t, const char *s) {
    return t->kind == TK_IDENT && t->text && strcmp(t->text, s) == 0;
}

/* ------------------------------------------------------------------ */
/* Types (§2.4)                                                        */
/* ------------------------------------------------------------------ */

/* Inside type arguments a token starting with '>' is split: its first '>'
 * closes a list and the rest becomes the current token (§2.4). */
static void split_gt(Parser *p) {
    Token rest = *cur(p);
    switch (rest.kind) {
    case TK_SHR: rest.kind = TK_GT; break;
    case TK_USHR: rest.kind = TK_SHR; break;
    case TK_GE: rest.kind = TK_ASSIGN; break;
    case TK_SHREQ: rest.kind = TK_GE; break;
    case TK_USHREQ: rest.kind = TK_SHREQ; break;
    default: return;
    }
    Span piece = rest.span;
    piece.end_line = piece.line;
    piece.end_col = piece.col + 1;
    piece.end_off = piece.off + 1;
    p->prev = piece;
    rest.span.col++;
    rest.span.off++;
    rest.space_before = false;
    p->split_tok = rest;
    p->split = true;
}

static void close_angle(Parser *p) {
    switch (peek(p)) {
    case TK_GT: advance(p); return;
    case TK_SHR: case TK_USHR: case TK_GE: case TK_SHREQ: case TK_USHREQ: split_gt(p); return;
    default: error_expected(p, "',' or '>'");
    }
}

/* typeArgs = "<" type { "," type } ">" */
static void parse_type_args(Parser *p, TypeExpr ***out, uint32_t *n) {
    *out = NULL;
    *n = 0;
    if (!enter(p)) return;
    advance(p); /* < */
    size_t base = list_begin(p);
    for (;;) {
        TypeExpr *t = parse_type(p);
        PUSH(p, t);
        if (p->panic || !match(p, TK_COMMA)) break;
    }
    *out = list_end(p, base, sizeof(TypeExpr *), n);
    close_angle(p);
    leave(p);
}

/* Lookahead for the generic-call rule (§2.6): a recognizer for type syntax
 * over the raw tokens that allocates nothing and reports nothing.  `used`
 * counts the '>'s already taken from a '>'-prefixed token (split as in
 * split_gt).  Bounded by SCAN_LIMIT tokens and MAX_NESTING levels, so each
 * '<' costs O(1) and the parse stays linear. */
typedef struct Scan {
    const Token *toks;
    size_t i, n;
    int used, steps, depth;
    bool failed;
} Scan;

static TokKind scan_kind(const Scan *s) {
    TokKind k = s->toks[s->i].kind;
    for (int u = 0; u < s->used; u++) {
        switch (k) {
        case TK_SHR: k = TK_GT; break;
        case TK_USHR: k = TK_SHR; break;
        case TK_GE: k = TK_ASSIGN; break;
        case TK_SHREQ: k = TK_GE; break;
        case TK_USHREQ: k = TK_SHREQ; break;
        default: return TK_ERROR;
        }
    }
    return k;
}

static void scan_next(Scan *s) {
    if (s->i + 1 < s->n) s->i++;
    s->used = 0;
    if (++s->steps > SCAN_LIMIT) s->failed = true;
}

static bool scan_take(Scan *s, TokKind k) {
    if (s->failed || scan_kind(s) != k) return false;
    scan_next(s);
    return true;
}

static void scan_type(Scan *s);

static void scan_type_list(Scan *s) {
    do scan_type(s);
    while (!s->failed && scan_take(s, TK_COMMA));
}

/* "<" type { "," type } ">" with '>'-prefixed tokens split. */
static void scan_type_args(Scan *s) {
    scan_next(s); /* < */
    scan_type_list(s);
    if (s->failed) return;
    switch (scan_kind(s)) {
    case TK_GT: scan_next(s); return;
    case TK_SHR: case TK_USHR: case TK_GE: case TK_SHREQ: case TK_USHREQ: s->used++; return;
    default: s->failed = true;
    }
}

static void scan_type(Scan *s) {
    if (s->failed) return;
    if (++s->depth > MAX_NESTING) { s->failed = true; return; }
    if (scan_take(s, TK_KW_VOID)) {
        /* done */
    } else if (scan_take(s, TK_IDENT)) {
        if (scan_take(s, TK_COLONCOLON) && !scan_take(s, TK_IDENT)) s->failed = true;
        else if (!s->failed && scan_kind(s) == TK_LT) scan_type_args(s);
    } else if (scan_take(s, TK_LPAREN)) {
        if (!scan_take(s, TK_RPAREN)) {
            scan_type_list(s);
            if (!scan_take(s, TK_RPAREN)) s->failed = true;
        }
        if (scan_take(s, TK_ARROW) || scan_take(s, TK_FATARROW)) scan_type(s);
    } else {
        s->failed = true;
    }
    s->depth--;
}

/* At a '<': parses type arguments if they are there — for a generic call
 * (need_call) only if a '(' follows right after the closing '>'.  Otherwise
 * nothing is consumed and the '<' is a comparison. */
static bool try_type_args(Parser *p, bool need_call, TypeExpr ***out, uint32_t *n) {
    *out = NULL;
    *n = 0;
    if (p->split) return false;
    Scan s = { p->toks, p->pos, p->ntoks, 0, 0, 0, false };
    scan_type_args(&s);
    if (s.failed || (need_call && (s.used != 0 || s.toks[s.i].kind != TK_LPAREN))) return false;
    parse_type_args(p, out, n);
    return true;
}

/* typeName = [ IDENT "::" ] IDENT [ typeArgs ].  In an expression (after
 * `as`/`is`) a '<' is only taken as type arguments if the lookahead accepts
 * a whole list, so `x as float < y` is a comparison rather than an error. */
static TypeExpr *parse_type_name(Parser *p, bool in_expr) {
    Span start = cur(p)->span;
    TypeExpr *t = new_type(p, TY_NAME, start);
    t->name = expect_name(p, false, NULL, "type name");
    if (!p->panic && check(p, TK_COLONCOLON)) {
        advance(p);
        t->ns = t->name;
        t->name = expect_name(p, false, NULL, "type name");
    }
    if (!p->panic && check(p, TK_LT)) {
        if (in_expr) try_type_args(p, false, &t->args, &t->nargs);
        else parse_type_args(p, &t->args, &t->nargs);
    }
    t->span = upto_prev(p, start);
    return t;
}

/* "(" ... ")": a parenthesised type, a tuple type, or a function type. */
static TypeExpr *parse_paren_type(Parser *p) {
    Span start = cur(p)->span;
    if (!enter(p)) return error_type(p);
    advance(p); /* ( */
    size_t base = list_begin(p);
    if (!check(p, TK_RPAREN)) {
        for (;;) {
            TypeExpr *t = parse_type(p);
            PUSH(p, t);
            if (p->panic || !match(p, TK_COMMA)) break;
        }
    }
    uint32_t n;
    TypeExpr **elems = list_end(p, base, sizeof(TypeExpr *), &n);
    close_bracket(p, TK_RPAREN, start, "',' or ')'");
    TypeExpr *t;
    if (check(p, TK_ARROW) || check(p, TK_FATARROW)) {
        advance(p);
        t = new_type(p, TY_FUNC, start);
        t->args = elems;
        t->nargs = n;
        t->ret = parse_type(p);
        t->span = upto_prev(p, start);
    } else if (n == 1) {
        t = elems[0];
    } else if (n == 0) {
        error_expected(p, "'->'");
        t = error_type(p);
    } else {
        t = new_type(p, TY_TUPLE, upto_prev(p, start));
        t->args = elems;
        t->nargs = n;
    }
    leave(p);
    return t;
}

static TypeExpr *parse_type_ex(Parser *p, bool in_expr) {
    const Token *t = cur(p);
    switch (t->kind) {
    case TK_KW_VOID: {
        TypeExpr *ty = new_type(p, TY_VOID, t->span);
        advance(p);
        return ty;
    }
    case TK_IDENT: return parse_type_name(p, in_expr);
    case TK_LPAREN: return parse_paren_type(p);
    default:
        error_expected(p, "type");
        return error_type(p);
    }
}

static TypeExpr *parse_type(Parser *p) { return parse_type_ex(p, false); }

/* ------------------------------------------------------------------ */
/* Expressions (§2.3, §2.5)                                           */
/* ------------------------------------------------------------------ */

static bool starts_expr(TokKind k) {
    switch (k) {
    case TK_INT: case TK_FLOAT: case TK_STRING: case TK_STR_BEGIN: case TK_IDENT:
    case TK_KW_TRUE: case TK_KW_FALSE: case TK_KW_NULL: case TK_KW_SELF: case TK_KW_SUPER:
    case TK_LPAREN: case TK_LBRACKET: case TK_LBRACE: case TK_KW_WHEN:
    case TK_MINUS: case TK_BANG: case TK_BANGBANG: case TK_TILDE: case TK_KW_YIELD:
        return true;
    default:
        return false;
    }
}

/* Binary levels of §2.5 (0: not a binary operator).  Level 1 (the ternary)
 * and levels 14–16 (as, prefix, postfix) have their own functions. */
static int binary_level(TokKind k) {
    switch (k) {
    case TK_OROR: return 2;
    case TK_ANDAND: return 3;
    case TK_EQ: case TK_NE: return 4;
    case TK_LT: case TK_LE: case TK_GT: case TK_GE: case TK_KW_IS: return 5;
    case TK_DOTDOT: case TK_DOTDOTEQ: return 6;
    case TK_QQ: return 7;
    case TK_PIPE: return 8;
    case TK_CARET: return 9;
    case TK_AMP: return 10;
    case TK_SHL: case TK_SHR: case TK_USHR: return 11;
    case TK_PLUS: case TK_MINUS: return 12;
    case TK_STAR: case TK_SLASH: case TK_PERCENT: return 13;
    default: return 0;
    }
}
#define LEVEL_ADDITIVE 12

static void add_piece(Parser *p, const Token *t) {
    if (t->len == 0) return;  /* empty text between holes adds nothing */
    Expr *s = new_expr(p, E_STRING, t->span);
    s->str = t->text;
    s->str_len = t->len;
    PUSH(p, s);
}

/* STR_BEGIN hole { STR_MID hole } STR_END → E_INTERP (text pieces and holes). */
static Expr *parse_interp(Parser *p) {
    Span start = cur(p)->span;
    if (!enter(p)) return error_expr(p);
    bool nd = p->no_dict;
    p->no_dict = false;
    size_t base = list_begin(p);
    add_piece(p, cur(p));
    advance(p);
    for (;;) {
        Expr *hole = parse_expr(p);
        PUSH(p, hole);
        if (p->panic) break;
        TokKind k = peek(p);
        if (k != TK_STR_MID && k != TK_STR_END) {
            error_expected(p, "'}'");
            break;
        }
        add_piece(p, cur(p));
        advance(p);
        if (k == TK_STR_END) break;
    }
    Expr *e = new_expr(p, E_INTERP, upto_prev(p, start));
    e->elems = list_end(p, base, sizeof(Expr *), &e->nelems);
    p->no_dict = nd;
    leave(p);
    return e;
}

/* elem = expr | "..." expr */
static Expr *parse_elem(Parser *p) {
    if (!check(p, TK_ELLIPSIS)) return parse_expr(p);
    Span start = cur(p)->span;
    advance(p);
    Expr *e = new_expr(p, E_SPREAD, start);
    e->lhs = parse_expr(p);
    e->span = upto_prev(p, start);
    return e;
}

/* args = arg { "," arg } [ "," ] ")" — the '(' is already consumed.
 * `name :` at the start of an argument is a label; keywords are allowed as
 * labels (§1.2, §2.6). */
static Arg *parse_args(Parser *p, Span open, uint32_t *n) {
    bool nd = p->no_dict;
    p->no_dict = false;
    size_t base = list_begin(p);
    while (!check(p, TK_RPAREN) && !check(p, TK_EOF)) {
        Arg a = {0};
        const Token *t = cur(p);
        if ((t->kind == TK_IDENT || is_keyword(t->kind)) && ahead(p, 1)->kind == TK_COLON) {
            a.label = expect_name(p, true, &a.label_span, "argument label");
            advance(p); /* : */
        }
        a.value = parse_elem(p);
        PUSH(p, a);
        if (p->panic || !match(p, TK_COMMA)) break;
    }
    Arg *args = list_end(p, base, sizeof(Arg), n);
    close_bracket(p, TK_RPAREN, open, "',' or ')'");
    p->no_dict = nd;
    return args;
}

static Expr *parse_call(Parser *p, Span start, Expr *callee, TypeExpr **targs, uint32_t ntargs) {
    Expr *c = new_expr(p, E_CALL, start);
    c->lhs = callee;
    c->targs = targs;
    c->ntargs = ntargs;
    Span open = cur(p)->span;
    advance(p); /* ( */
    c->args = parse_args(p, open, &c->nargs);
    c->span = upto_prev(p, start);
    return c;
}

/* params = param { "," param } [ "," ] ")" — the '(' is already consumed. */
static void parse_params(Parser *p, FuncDecl *fn, Span open) {
    bool nd = p->no_dict;
    p->no_dict = false;
    size_t base = list_begin(p);
    while (!check(p, TK_RPAREN) && !check(p, TK_EOF)) {
        Param pr = {0};
        if (match(p, TK_ELLIPSIS)) pr.variadic = true;
        pr.name = expect_name(p, false, &pr.span, "parameter name");
        if (!p->panic) expect(p, TK_COLON, "':'");
        if (!p->panic) pr.type = parse_type(p);
        if (!p->panic && match(p, TK_ASSIGN)) pr.def = parse_expr(p);
        PUSH(p, pr);
        if (p->panic || !match(p, TK_COMMA)) break;
    }
    fn->params = list_end(p, base, sizeof(Param), &fn->nparams);
    close_bracket(p, TK_RPAREN, open, "',' or ')'");
    p->no_dict = nd;
}

/* lambda = "(" params ")" "=>" ( block | expr ); a body starting with '{'
 * is always a block (§2.6). */
static Expr *parse_lambda(Parser *p) {
    Span start = cur(p)->span;
    if (!enter(p)) return error_expr(p);
    advance(p); /* ( */
    FuncDecl *fn = arena_alloc(p->arena, sizeof *fn);
    fn->is_lambda = true;
    parse_params(p, fn, start);
    if (!p->panic) expect(p, TK_FATARROW, "'=>'");
    if (!p->panic) {
        if (check(p, TK_LBRACE)) fn->body = parse_block(p);
        else fn->body_expr = parse_expr(p);
    }
    fn->span = upto_prev(p, start);
    Expr *e = new_expr(p, E_LAMBDA, fn->span);
    e->fn = fn;
    leave(p);
    return e;
}

/* "(": a lambda if followed by `) =>` or `IDENT :` (§2.6), else a
 * parenthesised expression or a tuple.  `()` is only a lambda head. */
static Expr *parse_paren(Parser *p) {
    const Token *n1 = ahead(p, 1), *n2 = ahead(p, 2);
    if ((n1->kind == TK_RPAREN && n2->kind == TK_FATARROW) ||
        (n1->kind == TK_IDENT && n2->kind == TK_COLON))
        return parse_lambda(p);
    Span start = cur(p)->span;
    if (!enter(p)) return error_expr(p);
    bool nd = p->no_dict;
    p->no_dict = false;
    advance(p); /* ( */
    Expr *e;
    if (check(p, TK_RPAREN)) {
        advance(p);
        error_expected(p, "'=>' after '()'");  /* there is no empty tuple */
        e = error_expr(p);
    } else {
        Expr *first = parse_expr(p);
        if (!p->panic && check(p, TK_COMMA)) {
            size_t base = list_begin(p);
            PUSH(p, first);
            uint32_t n = 1;
            while (!p->panic && match(p, TK_COMMA)) {
                if (n >= 2 && check(p, TK_RPAREN)) break;  /* trailing comma */
                Expr *x = parse_expr(p);
                PUSH(p, x);
                n++;
            }
            close_bracket(p, TK_RPAREN, start, "',' or ')'");
            e = new_expr(p, E_TUPLE, upto_prev(p, start));
            e->elems = list_end(p, base, sizeof(Expr *), &e->nelems);
        } else {
            close_bracket(p, TK_RPAREN, start, "')'");
            e = first;
        }
    }
    p->no_dict = nd;
    leave(p);
    return e;
}

static Expr *parse_array(Parser *p) {
    Span start = cur(p)->span;
    if (!enter(p)) return error_expr(p);
    bool nd = p->no_dict;
    p->no_dict = false;
    advance(p); /* [ */
    size_t base = list_begin(p);
    while (!check(p, TK_RBRACKET) && !check(p, TK_EOF)) {
        Expr *x = parse_elem(p);
        PUSH(p, x);
        if (p->panic || !match(p, TK_COMMA)) break;
    }
    uint32_t n;
    Expr **elems = list_end(p, base, sizeof(Expr *), &n);
    close_bracket(p, TK_RBRACKET, start, "',' or ']'");
    Expr *e = new_expr(p, E_ARRAY, upto_prev(p, start));
    e->elems = elems;
    e->nelems = n;
    p->no_dict = nd;
    leave(p);
    return e;
}

/* "{" [ entry { "," entry } [ "," ] ] "}" — NEWLINE tokens inside are
 * ignored (§1.4). */
static Expr *parse_dict(Parser *p) {
    typedef struct { Expr *key, *value; } Entry;
    Span start = cur(p)->span;
    if (!enter(p)) return error_expr(p);
    bool nd = p->no_dict;
    p->no_dict = false;
    advance(p); /* { */
    skip_newlines(p);
    size_t base = list_begin(p);
    while (!check(p, TK_RBRACE) && !check(p, TK_EOF)) {
        Entry en = {0};
        if (check(p, TK_ELLIPSIS)) {
            en.value = parse_elem(p);
        } else {
            en.key = parse_expr(p);
            skip_newlines(p);
            if (!p->panic) expect(p, TK_COLON, "':'");
            skip_newlines(p);
            en.value = p->panic ? error_expr(p) : parse_expr(p);
        }
        PUSH(p, en);
        skip_newlines(p);
        if (p->panic || !match(p, TK_COMMA)) break;
        skip_newlines(p);
    }
    uint32_t n;
    Entry *entries = list_end(p, base, sizeof(Entry), &n);
    close_bracket(p, TK_RBRACE, start, "',' or '}'");
    Expr *e = new_expr(p, E_DICT, upto_prev(p, start));
    e->nelems = n;
    if (n) {
        e->keys = arena_alloc(p->arena, sizeof(Expr *) * n);
        e->elems = arena_alloc(p->arena, sizeof(Expr *) * n);
        for (uint32_t i = 0; i < n; i++) {
            e->keys[i] = entries[i].key;
            e->elems[i] = entries[i].value;
        }
    }
    p->no_dict = nd;
    leave(p);
    return e;
}

static Expr *parse_primary(Parser *p) {
    const Token *t = cur(p);
    Span sp = t->span;
    Expr *e;
    switch (t->kind) {
    case TK_INT:
        e = new_expr(p, E_INT, sp);
        e->lit.i = t->num.i;
        if (t->int_min_magnitude) {
            /* 9223372036854775808 is only valid right after unary minus,
             * which folds it before we get here (parse_unary). */
            e->int_min_magnitude = true;
            report(p, sp, "integer literal is too large");
        }
        advance(p);
        return e;
    case TK_FLOAT:
        e = new_expr(p, E_FLOAT, sp);
        e->lit.f = t->num.f;
        advance(p);
        return e;
    case TK_STRING:
        e = new_expr(p, E_STRING, sp);
        e->str = t->text ? t->text : "";
        e->str_len = t->len;
        advance(p);
        return e;
    case TK_STR_BEGIN:
        return parse_interp(p);
    case TK_KW_TRUE: case TK_KW_FALSE:
        e = new_expr(p, E_BOOL, sp);
        e->lit.b = t->kind == TK_KW_TRUE;
        advance(p);
        return e;
    case TK_KW_NULL:
        advance(p);
        return new_expr(p, E_NULL, sp);
    case TK_KW_SELF:
        advance(p);
        return new_expr(p, E_SELF, sp);
    case TK_KW_SUPER:
        e = new_expr(p, E_SUPER, sp);
        advance(p);
        e->str = "<error>";
        if (expect(p, TK_DOT, "'.'")) e->str = expect_name(p, true, &e->op_span, "member name");
        e->str_len = (uint32_t)strlen(e->str);
        e->span = upto_prev(p, sp);
        return e;
    case TK_IDENT:
        advance(p);
        if (check(p, TK_COLONCOLON)) {  /* ns::name */
            advance(p);
            e = new_expr(p, E_NSNAME, sp);
            e->ns = t->text;
            e->str = expect_name(p, false, &e->op_span, "identifier");
            e->str_len = (uint32_t)strlen(e->str);
            e->span = upto_prev(p, sp);
            return e;
        }
        e = new_expr(p, E_NAME, sp);
        e->str = t->text;
        e->str_len = t->len;
        e->op_span = sp;
        return e;
    case TK_LPAREN:
        return parse_paren(p);
    case TK_LBRACKET:
        return parse_array(p);
    case TK_LBRACE:
        if (p->no_dict) break;  /* in a header '{' opens the body (§2.6) */
        return parse_dict(p);
    case TK_KW_WHEN: {
        Span wsp;
        WhenStmtData *w = parse_when(p, true, &wsp);
        e = new_expr(p, E_WHEN, wsp);
        e->when = w;
        return e;
    }
    default:
        break;
    }
    error_expected(p, "expression");
    return error_expr(p);
}

/* Only names can take explicit type arguments (§2.6). */
static bool takes_type_args(const Expr *e) {
    switch (e->kind) {
    case E_NAME: case E_NSNAME: case E_SAFE_MEMBER: case E_SUPER: return true;
    case E_MEMBER: return !e->is_tuple_index;
    default: return false;
    }
}

/* postfix = primary { [ typeArgs ] "(" args ")" | "[" expr "]"
 *                   | "." ( name | INT ) | "?." name | "?" | "!!" } */
static bool postfix_follows(const Token *t);

static Expr *parse_postfix(Parser *p) {
    Span start = cur(p)->span;
    Chain chain = chain_begin(p);
    Expr *e = parse_primary(p);
    for (;;) {
        const Token *t = cur(p);
        Span op = t->span;
        if (p->panic || !(postfix_follows(t) || t->kind == TK_LT)) break;
        TypeExpr **targs = NULL;
        uint32_t ntargs = 0;
        if (t->kind == TK_LT) {  /* generic call `f<T>(x)`, else a comparison */
            if (!takes_type_args(e) || !try_type_args(p, true, &targs, &ntargs)) break;
        }
        if (!chain_link(p, &chain)) break;
        switch (peek(p)) {
        case TK_LPAREN:
            e = parse_call(p, start, e, targs, ntargs);
            break;
        case TK_LBRACKET: {
            Expr *x = new_expr(p, E_INDEX, start);
            x->lhs = e;
            bool nd = p->no_dict;
            p->no_dict = false;
            advance(p);
            x->rhs = parse_expr(p);
            close_bracket(p, TK_RBRACKET, op, "']'");
            p->no_dict = nd;
            x->span = upto_prev(p, start);
            e = x;
            break;
        }
        case TK_DOT: case TK_QDOT: {
            Expr *m = new_expr(p, t->kind == TK_DOT ? E_MEMBER : E_SAFE_MEMBER, start);
            m->lhs = e;
            advance(p);
            if (m->kind == E_MEMBER && check(p, TK_INT)) {  /* tuple element: pair.0 */
                m->str = arena_printf(p->arena, "%lld", (long long)cur(p)->num.i);
                m->is_tuple_index = true;
                m->op_span = cur(p)->span;
                advance(p);
            } else {
                m->str = expect_name(p, true, &m->op_span, "member name");
            }
            m->str_len = (uint32_t)strlen(m->str);
            m->span = upto_prev(p, start);
            e = m;
            break;
        }
        case TK_QUESTION: {  /* no space before: propagate (postfix_follows) */
            advance(p);
            Expr *x = new_expr(p, E_PROPAGATE, upto_prev(p, start));
            x->lhs = e;
            x->op_span = op;
            e = x;
            break;
        }
        case TK_BANGBANG: {
            advance(p);
            Expr *x = new_expr(p, E_UNWRAP, upto_prev(p, start));
            x->lhs = e;
            x->op_span = op;
            e = x;
            break;
        }
        default:
            WRIT_UNREACHABLE();
        }
    }
    chain_end(p, chain);
    return e;
}

static bool postfix_follows(const Token *t) {
    switch (t->kind) {
    case TK_LPAREN: case TK_LBRACKET: case TK_DOT: case TK_QDOT: case TK_BANGBANG: return true;
    case TK_QUESTION: return !t->space_before;
    default: return false;
    }
}

/* yieldExpr = "yield" [ expr ] */
static Expr *parse_yield(Parser *p) {
    Span start = cur(p)->span;
    advance(p);
    Expr *e = new_expr(p, E_YIELD, start);
    if (starts_expr(peek(p))) e->lhs = parse_expr(p);
    e->span = upto_prev(p, start);
    return e;
}

/* unary = ( "-" | "!" | "~" ) unary | postfix */
static Expr *parse_unary(Parser *p) {
    const Token *t = cur(p);
    Span start = t->span;
    TokKind op = t->kind;
    if (op == TK_MINUS || op == TK_BANG || op == TK_TILDE) {
        const Token *lit = ahead(p, 1);
        if (op == TK_MINUS && lit->kind == TK_INT && lit->int_min_magnitude &&
            !postfix_follows(ahead(p, 2))) {
            /* -9223372036854775808: the one literal that needs its sign (§1.5) */
            advance(p);
            advance(p);
            Expr *e = new_expr(p, E_INT, upto_prev(p, start));
            e->lit.i = INT64_MIN;
            return e;
        }
        if (!enter(p)) return error_expr(p);
        advance(p);
        Expr *e = new_expr(p, E_UNARY, start);
        e->op = op;
        e->op_span = start;
        e->lhs = parse_unary(p);
        e->span = upto_prev(p, start);
        leave(p);
        return e;
    }
    if (op == TK_BANGBANG) {
        /* `!!flag` in prefix position is two negations: the lexer's longest
         * match made one token of them (postfix `!!` is parse_postfix's). */
        Span first = start, second = start;
        first.end_line = first.line;
        first.end_col = first.col + 1;
        first.end_off = first.off + 1;
        second.col++;
        second.off++;
        if (!enter(p)) return error_expr(p);
        if (!enter(p)) {
            leave(p);
            return error_expr(p);
        }
        advance(p);
        Expr *inner = new_expr(p, E_UNARY, second);
        inner->op = TK_BANG;
        inner->op_span = second;
        inner->lhs = parse_unary(p);
        inner->span = upto_prev(p, second);
        Expr *outer = new_expr(p, E_UNARY, start);
        outer->op = TK_BANG;
        outer->op_span = first;
        outer->lhs = inner;
        outer->span = upto_prev(p, start);
        leave(p);
        leave(p);
        return outer;
    }
    if (op == TK_KW_YIELD) {
        /* §2.6: yield is a statement, a right-hand side or a return operand only */
        error_at(p, start, "'yield' cannot be used inside an expression");
        return error_expr(p);
    }
    return parse_postfix(p);
}

/* cast = unary { "as" type } */
static Expr *parse_cast(Parser *p) {
    Span start = cur(p)->span;
    Chain chain = chain_begin(p);
    Expr *e = parse_unary(p);
    while (!p->panic && check(p, TK_KW_AS) && chain_link(p, &chain)) {
        Expr *c = new_expr(p, E_AS, start);
        c->op_span = cur(p)->span;
        advance(p);
        c->lhs = e;
        c->type_expr = parse_type_ex(p, true);
        c->span = upto_prev(p, start);
        e = c;
    }
    chain_end(p, chain);
    return e;
}

static Expr *parse_binary(Parser *p, int min_level);

/* The Pratt loop over levels 2–13, continuing a chain whose left operand
 * is already parsed (the for/when range forms parse an additive first). */
static Expr *parse_binary_rest(Parser *p, Chain *chain, Span start, Expr *lhs, int min_level) {
    for (;;) {
        const Token *t = cur(p);
        int level = binary_level(t->kind);
        if (p->panic || level == 0 || level < min_level || !chain_link(p, chain)) return lhs;
        TokKind op = t->kind;
        Span op_span = t->span;
        advance(p);
        Expr *e;
        if (op == TK_KW_IS) {
            e = new_expr(p, E_IS, start);
            e->lhs = lhs;
            e->type_expr = parse_type_ex(p, true);
        } else {
            /* `??` is right-associative: its right operand continues at its level */
            Expr *rhs = parse_binary(p, op == TK_QQ ? level : level + 1);
            if (op == TK_DOTDOTEQ) {
                /* §2.6: outside for/when `..` concatenates and `..=` is an error */
                report(p, op_span, "a range can only appear in a for loop or a when arm");
                e = new_expr(p, E_RANGE, start);
            } else {
                e = new_expr(p, E_BINARY, start);
            }
            e->lhs = lhs;
            e->rhs = rhs;
        }
        e->op = op;
        e->op_span = op_span;
        e->span = upto_prev(p, start);
        lhs = e;
    }
}

static Expr *parse_binary(Parser *p, int min_level) {
    Span start = cur(p)->span;
    Chain chain = chain_begin(p);
    Expr *e = parse_binary_rest(p, &chain, start, parse_cast(p), min_level);
    chain_end(p, chain);
    return e;
}

/* cond = or [ "?" expr ":" expr ] — '?' preceded by whitespace (§1.7). */
static Expr *parse_cond_rest(Parser *p, Span start, Expr *c) {
    if (p->panic || !check(p, TK_QUESTION) || !cur(p)->space_before) return c;
    Expr *e = new_expr(p, E_TERNARY, start);
    e->op_span = cur(p)->span;
    e->cond = c;
    if (!enter(p)) return c;
    advance(p);
    e->lhs = parse_expr(p);
    if (!p->panic) expect(p, TK_COLON, "':'");
    e->rhs = p->panic ? error_expr(p) : parse_expr(p);
    leave(p);
    e->span = upto_prev(p, start);
    return e;
}

static Expr *parse_expr(Parser *p) {
    Span start = cur(p)->span;
    Expr *e = parse_binary(p, 2);
    return parse_cond_rest(p, start, e);
}

/* Finishes a whole expression whose leading operand is already parsed
 * (inside `chain`, begun before that operand). */
static Expr *parse_expr_from(Parser *p, Chain *chain, Span start, Expr *lhs) {
    Expr *e = parse_binary_rest(p, chain, start, lhs, 2);
    p->depth = chain->base;
    return parse_cond_rest(p, start, e);
}

/* An if/while/for/when header: a '{' there starts the body (§2.6). */
static Expr *parse_header_expr(Parser *p) {
    bool nd = p->no_dict;
    p->no_dict = true;
    Expr *e = parse_expr(p);
    p->no_dict = nd;
    return e;
}

/* rhs = expr | yieldExpr */
static Expr *parse_rhs(Parser *p) {
    return check(p, TK_KW_YIELD) ? parse_yield(p) : parse_expr(p);
}

/* range = additive ( ".." | "..=" ) additive — the left side is parsed. */
static Expr *parse_range_rest(Parser *p, Span start, Expr *lhs) {
    Expr *e = new_expr(p, E_RANGE, start);
    e->op = peek(p);
    e->op_span = cur(p)->span;
    advance(p);
    e->lhs = lhs;
    e->rhs = parse_binary(p, LEVEL_ADDITIVE);
    e->span = upto_prev(p, start);
    return e;
}

static bool is_range_op(Parser *p) {
    return check(p, TK_DOTDOT) || check(p, TK_DOTDOTEQ);
}

/* ------------------------------------------------------------------ */
/* when (§2.2, §2.3, §9.5)                                            */
/* ------------------------------------------------------------------ */

static WhenPattern *new_pattern(Parser *p, PatternKind k, Span sp) {
    WhenPattern *w = arena_alloc(p->arena, sizeof *w);
    w->kind = k;
    w->span = sp;
    return w;
}

/* pattern = ( "is" isTarget | range | expr ) [ "if" expr ]
 * `is Enum.Variant` is the value pattern `Enum.Variant` (§9.5), so it is
 * produced as PK_VALUE with an E_MEMBER expression. */
static WhenPattern *parse_when_pattern(Parser *p) {
    Span start = cur(p)->span;
    WhenPattern *w = new_pattern(p, PK_VALUE, start);
    if (match(p, TK_KW_IS)) {
        const Token *t = cur(p);
        TokKind after = ahead(p, 1)->kind;
        bool result_arm = (is_name_tok(t, "Success") || is_name_tok(t, "Error")) &&
                          after != TK_COLONCOLON && after != TK_DOT && after != TK_LT;
        if (result_arm) {
            w->kind = is_name_tok(t, "Success") ? PK_SUCCESS : PK_ERROR;
            advance(p);
            if (check(p, TK_LPAREN)) {
                Span open = cur(p)->span;
                advance(p);
                if (check(p, TK_IDENT)) {
                    w->bind = cur(p)->text;
                    w->bind_span = cur(p)->span;
                    advance(p);
                }
                close_bracket(p, TK_RPAREN, open, "')'");
            }
        } else {
            TypeExpr *ty = parse_type(p);
            if (!p->panic && check(p, TK_DOT) && ty->kind == TY_NAME && ty->nargs == 0) {
                advance(p);
                Expr *base = new_expr(p, ty->ns ? E_NSNAME : E_NAME, ty->span);
                base->ns = ty->ns;
                base->str = ty->name;
                base->str_len = (uint32_t)strlen(ty->name);
                base->op_span = ty->span;
                Expr *m = new_expr(p, E_MEMBER, ty->span);
                m->lhs = base;
                m->str = expect_name(p, false, &m->op_span, "variant name");
                m->str_len = (uint32_t)strlen(m->str);
                m->span = upto_prev(p, ty->span);
                w->expr = m;
            } else {
                w->kind = PK_IS;
                w->type_expr = ty;
            }
        }
    } else {
        Chain chain = chain_begin(p);
        Expr *lhs = parse_binary(p, LEVEL_ADDITIVE);
        if (!p->panic && is_range_op(p)) {
            w->kind = PK_RANGE;
            w->expr = parse_range_rest(p, start, lhs);
        } else {
            w->expr = parse_expr_from(p, &chain, start, lhs);
        }
        chain_end(p, chain);
    }
    if (!p->panic && match(p, TK_KW_IF)) w->guard = parse_expr(p);
    w->span = upto_prev(p, start);
    return w;
}

/* arm = patterns "=>" body, where patterns = "else" | IDENT "if" expr
 * | pattern { "," pattern }.  A statement arm's body is a block or one
 * statement; an expression arm's body is an expression (never a block). */
static WhenArm parse_arm(Parser *p, bool is_expr) {
    WhenArm arm = {0};
    Span start = cur(p)->span;
    size_t base = list_begin(p);
    if (check(p, TK_KW_ELSE)) {
        WhenPattern *w = new_pattern(p, PK_ELSE, start);
        advance(p);
        PUSH(p, w);
    } else if (check(p, TK_IDENT) && ahead(p, 1)->kind == TK_KW_IF) {
        WhenPattern *w = new_pattern(p, PK_BIND, start);
        w->bind = cur(p)->text;
        w->bind_span = start;
        advance(p);
        advance(p); /* if */
        w->guard = parse_expr(p);
        w->span = upto_prev(p, start);
        PUSH(p, w);
    } else {
        for (;;) {
            WhenPattern *w = parse_when_pattern(p);
            PUSH(p, w);
            if (p->panic || !match(p, TK_COMMA)) break;
        }
    }
    arm.pats = list_end(p, base, sizeof(WhenPattern *), &arm.npats);
    if (!p->panic) expect(p, TK_FATARROW, "'=>'");
    if (!p->panic) {
        if (is_expr) {
            if (check(p, TK_LBRACE)) {
                Diag *d = error_expected(p, "expression");
                if (d) diag_help(p->diags, d, "a block cannot be the body of a 'when' expression arm; "
                                              "put a dictionary literal in parentheses");
            } else {
                arm.value = parse_expr(p);
            }
        } else if (check(p, TK_LBRACE)) {
            Span bs = cur(p)->span;
            Stmt *b = new_stmt(p, S_BLOCK, bs);
            b->body = parse_block(p);
            b->span = b->body->span;
            arm.body = b;
        } else {
            arm.body = parse_statement(p, false);
        }
    }
    arm.span = upto_prev(p, start);
    return arm;
}

/* "when" [ expr ] "{" arms "}" — a '{' right after `when` is the
 * subject-less form. */
static WhenStmtData *parse_when(Parser *p, bool is_expr, Span *span) {
    WhenStmtData *w = arena_alloc(p->arena, sizeof *w);
    Span start = cur(p)->span;
    w->kw_span = start;
    w->is_expr = is_expr;
    *span = start;
    if (!enter(p)) return w;
    advance(p); /* when */
    if (!check(p, TK_LBRACE)) w->subject = parse_header_expr(p);
    Span open = cur(p)->span;
    if (!p->panic && expect(p, TK_LBRACE, "'{'")) {
        bool nd = p->no_dict;
        p->no_dict = false;
        size_t base = list_begin(p);
        for (;;) {
            skip_terminators(p);
            if (check(p, TK_RBRACE) || check(p, TK_EOF)) break;
            Level lv = level_here(p);
            WhenArm arm = parse_arm(p, is_expr);
            PUSH(p, arm);
            end_item(p, lv, false, "end of line");
        }
        w->arms = list_end(p, base, sizeof(WhenArm), &w->narms);
        close_bracket(p, TK_RBRACE, open, "'}'");
        p->no_dict = nd;
    }
    leave(p);
    *span = upto_prev(p, start);
    return w;
}

/* ------------------------------------------------------------------ */
/* Statements (§2.2)                                                   */
/* ------------------------------------------------------------------ */

/* block = "{" { T } [ stmt { T { T } stmt } ] { T } "}" */
static Block *parse_block(Parser *p) {
    Block *b = arena_alloc(p->arena, sizeof *b);
    Span open = cur(p)->span;
    b->span = open;
    if (!check(p, TK_LBRACE)) {
        error_expected(p, "'{'");
        return b;
    }
    if (!enter(p)) return b;
    bool nd = p->no_dict;
    p->no_dict = false;
    advance(p);
    size_t base = list_begin(p);
    for (;;) {
        skip_terminators(p);
        if (check(p, TK_RBRACE) || check(p, TK_EOF)) break;
        Level lv = level_here(p);
        Stmt *s = parse_statement(p, false);
        if (s) PUSH(p, s);
        end_item(p, lv, false, "end of line");
    }
    b->stmts = list_end(p, base, sizeof(Stmt *), &b->n);
    close_bracket(p, TK_RBRACE, open, "'}'");
    b->span = upto_prev(p, open);
    p->no_dict = nd;
    leave(p);
    return b;
}

/* binder = IDENT | "_" | tuplePat; tuplePat = "(" patElem "," patElem { "," patElem } ")" */
static Pattern *parse_pattern(Parser *p) {
    Pattern *pat = arena_alloc(p->arena, sizeof *pat);
    Span start = cur(p)->span;
    pat->span = start;
    if (check(p, TK_LPAREN)) {
        pat->kind = PAT_TUPLE;
        if (!enter(p)) return pat;
        advance(p);
        size_t base = list_begin(p);
        for (;;) {
            Pattern *e = parse_pattern(p);
            PUSH(p, e);
            if (p->panic || !match(p, TK_COMMA)) break;
        }
        pat->elems = list_end(p, base, sizeof(Pattern *), &pat->nelems);
        if (!p->panic && pat->nelems < 2) error_expected(p, "','");
        close_bracket(p, TK_RPAREN, start, "',' or ')'");
        pat->span = upto_prev(p, start);
        leave(p);
        return pat;
    }
    pat->name = expect_name(p, false, &pat->span, "identifier");
    pat->kind = strcmp(pat->name, "_") == 0 ? PAT_IGNORE : PAT_NAME;
    return pat;
}

/* varDecl = ( "const" | "let" | "var" ) binder [ ":" type ] [ "=" rhs ] */
static Stmt *parse_var(Parser *p) {
    Span start = cur(p)->span;
    Stmt *s = new_stmt(p, S_VAR, start);
    TokKind k = peek(p);
    s->vkind = k == TK_KW_CONST ? VK_CONST : k == TK_KW_LET ? VK_LET : VK_VAR;
    advance(p);
    s->pat = parse_pattern(p);
    if (!p->panic && match(p, TK_COLON)) s->vtype = parse_type(p);
    if (!p->panic && match(p, TK_ASSIGN)) s->init = parse_rhs(p);
    s->span = upto_prev(p, start);
    return s;
}

/* typeParams = "<" IDENT { "," IDENT } ">" */
static void parse_tparams(Parser *p, const char ***names, Span **spans, uint32_t *n) {
    advance(p); /* < */
    size_t base = list_begin(p);
    for (;;) {
        NameSpan ns;
        ns.name = expect_name(p, false, &ns.span, "type parameter name");
        PUSH(p, ns);
        if (p->panic || !match(p, TK_COMMA)) break;
    }
    split_names(p, base, names, spans, n);
    if (!p->panic) close_angle(p);
}

/* where = "where" IDENT ":" typeName { "," IDENT ":" typeName }.  The bound
 * is stored as its name ("ns::Name" when qualified). */
static void parse_where(Parser *p, const char ***names, const char ***traits, Span **spans, uint32_t *n) {
    typedef struct { const char *name, *trait; Span span; } WhereItem;
    advance(p); /* where */
    size_t base = list_begin(p);
    for (;;) {
        WhereItem w = {0};
        Span start = cur(p)->span;
        w.name = expect_name(p, false, NULL, "type parameter name");
        if (!p->panic) expect(p, TK_COLON, "':'");
        w.trait = "<error>";
        if (!p->panic) w.trait = expect_name(p, false, NULL, "trait name");
        if (!p->panic && match(p, TK_COLONCOLON)) {
            const char *ns = w.trait;
            w.trait = arena_printf(p->arena, "%s::%s", ns, expect_name(p, false, NULL, "trait name"));
        }
        w.span = upto_prev(p, start);
        PUSH(p, w);
        if (p->panic || !match(p, TK_COMMA)) break;
    }
    WhereItem *items = list_end(p, base, sizeof(WhereItem), n);
    *names = NULL;
    *traits = NULL;
    *spans = NULL;
    if (!*n) return;
    *names = arena_alloc(p->arena, sizeof(char *) * *n);
    *traits = arena_alloc(p->arena, sizeof(char *) * *n);
    *spans = arena_alloc(p->arena, sizeof(Span) * *n);
    for (uint32_t i = 0; i < *n; i++) {
        (*names)[i] = items[i].name;
        (*traits)[i] = items[i].trait;
        (*spans)[i] = items[i].span;
    }
}

/* funcDecl = "func" IDENT [ typeParams ] "(" [ params ] ")" [ "->" type ]
 *            [ where ] block — the block is optional in traits.  `start`
 * is where the declaration began (modifiers included). */
/* A method may be named by a keyword (`timer.start()`): it is reached only
 * after '.', where §1.2 allows keywords. */
static FuncDecl *parse_func_decl(Parser *p, bool body_optional, bool method, Span start) {
    FuncDecl *fn = arena_alloc(p->arena, sizeof *fn);
    advance(p); /* func */
    fn->name = expect_name(p, method, &fn->name_span, "function name");
    if (!p->panic && check(p, TK_LT)) parse_tparams(p, &fn->tparams, &fn->tparam_spans, &fn->ntparams);
    if (!p->panic) {
        Span open = cur(p)->span;
        if (expect(p, TK_LPAREN, "'('")) parse_params(p, fn, open);
    }
    if (!p->panic && match(p, TK_ARROW)) fn->ret = parse_type(p);
    if (!p->panic && check(p, TK_KW_WHERE))
        parse_where(p, &fn->where_names, &fn->where_traits, &fn->where_spans, &fn->nwhere);
    if (!p->panic) {
        if (check(p, TK_LBRACE)) fn->body = parse_block(p);
        else if (!body_optional) error_expected(p, "'{'");
    }
    fn->span = upto_prev(p, start);
    return fn;
}

/* get "(" ")" block | set "(" IDENT ")" block */
static bool at_accessor(const Token *t, const Token *next) {
    return next->kind == TK_LPAREN && (is_name_tok(t, "get") || is_name_tok(t, "set"));
}

static void parse_accessor(Parser *p, FieldDecl *f) {
    bool get = is_name_tok(cur(p), "get");
    Span kw = cur(p)->span;
    advance(p);
    Span open = cur(p)->span;
    advance(p); /* ( */
    const char *param = NULL;
    if (!get) param = expect_name(p, false, NULL, "parameter name");
    if (!p->panic) close_bracket(p, TK_RPAREN, open, "')'");
    if ((get && f->getter) || (!get && f->setter))
        report(p, kw, "'%s' is already given for '%s'", get ? "get" : "set", f->name);
    Block *body = p->panic ? NULL : parse_block(p);
    if (get) {
        f->getter = body;
        f->getter_span = kw;
    } else {
        f->setter = body;
        f->setter_span = kw;
        f->setter_param = param;
    }
}

/* field = IDENT ":" type [ "=" expr ] { accessor } — an accessor may start
 * the line after the field (§1.4). */
static FieldDecl parse_field(Parser *p) {
    FieldDecl f = {0};
    f.span = cur(p)->span;
    f.name = expect_name(p, true, NULL, "field name");
    if (expect(p, TK_COLON, "':'")) f.type = parse_type(p);
    if (!p->panic && match(p, TK_ASSIGN)) f.def = parse_expr(p);
    while (!p->panic) {
        if (check(p, TK_NEWLINE) && at_accessor(ahead(p, 1), ahead(p, 2))) advance(p);
        if (!at_accessor(cur(p), ahead(p, 1))) break;
        parse_accessor(p, &f);
    }
    return f;
}

typedef struct Members {
    FieldDecl *fields; size_t nfields, capfields;
    FuncDecl **methods; size_t nmethods, capmethods;
} Members;

/* member = { "public" | "private" | "static" } ( field | funcDecl ) */
static void parse_member(Parser *p, Members *m, TokKind kw) {
    VM *vm = p->arena->vm;
    Span start = cur(p)->span;
    bool pub = false, priv = false, stat = false;
    for (;;) {
        if (match(p, TK_KW_PUBLIC)) pub = true;
        else if (match(p, TK_KW_PRIVATE)) priv = true;
        else if (match(p, TK_KW_STATIC)) stat = true;
        else break;
    }
    if (check(p, TK_KW_FUNC)) {
        FuncDecl *fn = parse_func_decl(p, kw == TK_KW_TRAIT, true, start);
        fn->is_public = pub;
        fn->is_private = priv;
        fn->is_static = stat;
        VEC_PUSH(vm, m->methods, m->nmethods, m->capmethods, fn);
        return;
    }
    /* a field may be named by a keyword (reached only as `x.from`, like any
     * member after '.'; as a constructor label it is an argument label) */
    if (kw != TK_KW_TRAIT && (check(p, TK_IDENT) || (is_keyword(cur(p)->kind) && ahead(p, 1)->kind == TK_COLON))) {
        FieldDecl f = parse_field(p);
        f.is_public = pub;
        f.is_private = priv;
        f.is_static = stat;
        VEC_PUSH(vm, m->fields, m->nfields, m->capfields, f);
        return;
    }
    if (check(p, TK_KW_EXPORT)) {       /* report it, then parse the member it precedes */
        report(p, cur(p)->span, "'export' is only allowed on top-level declarations");
        advance(p);
        parse_member(p, m, kw);
        return;
    }
    error_expected(p, kw == TK_KW_TRAIT ? "'func'" : "field or method");
}

/* variant { "," { T } variant } [ "," ] — a trailing comma may be followed
 * by the members.  Returns whether the list ended with that comma (then
 * no terminator is needed before the members). */
static bool parse_variants(Parser *p, TypeDecl *td) {
    bool trailing_comma = false;
    size_t base = list_begin(p);
    for (;;) {
        Variant v = {0};
        v.name = expect_name(p, false, &v.span, "variant name");
        if (!p->panic && check(p, TK_LPAREN)) {
            Span open = cur(p)->span;
            if (enter(p)) {
                advance(p);
                v.args = parse_args(p, open, &v.nargs);
                leave(p);
            }
        }
        PUSH(p, v);
        if (p->panic || !match(p, TK_COMMA)) break;
        skip_terminators(p);
        if (!check(p, TK_IDENT) || ahead(p, 1)->kind == TK_COLON) {
            trailing_comma = true;
            break;
        }
    }
    td->variants = list_end(p, base, sizeof(Variant), &td->nvariants);
    return trailing_comma;
}

/* body = "{" { T } { member { T } } "}", with the variants first in an enum. */
static void parse_type_body(Parser *p, TypeDecl *td, TokKind kw) {
    Span open = cur(p)->span;
    if (!check(p, TK_LBRACE)) {
        error_expected(p, "'{'");
        return;
    }
    if (!enter(p)) return;
    bool nd = p->no_dict;
    p->no_dict = false;
    advance(p);
    if (kw == TK_KW_ENUM) {
        skip_terminators(p);
        Level lv = level_here(p);
        if (parse_variants(p, td) && !p->panic) skip_terminators(p);
        else end_item(p, lv, false, "',' or end of line");
        if (p->panic) synchronize(p, lv, false);
    }
    Members m = {0};
    for (;;) {
        skip_terminators(p);
        if (check(p, TK_RBRACE) || check(p, TK_EOF)) break;
        Level lv = level_here(p);
        parse_member(p, &m, kw);
        end_item(p, lv, false, "end of line");
    }
    VM *vm = p->arena->vm;
    if (m.nfields) {
        td->fields = arena_alloc(p->arena, sizeof(FieldDecl) * m.nfields);
        memcpy(td->fields, m.fields, sizeof(FieldDecl) * m.nfields);
        td->nfields = (uint32_t)m.nfields;
    }
    if (m.nmethods) {
        td->methods = arena_alloc(p->arena, sizeof(FuncDecl *) * m.nmethods);
        memcpy(td->methods, m.methods, sizeof(FuncDecl *) * m.nmethods);
        td->nmethods = (uint32_t)m.nmethods;
    }
    VEC_FREE(vm, m.fields, m.capfields);
    VEC_FREE(vm, m.methods, m.capmethods);
    close_bracket(p, TK_RBRACE, open, "'}'");
    p->no_dict = nd;
    leave(p);
}

/* classDecl / structDecl / traitDecl / enumDecl.  Structs accept the class
 * clauses so that the checker can say "structs cannot inherit" (§12.3). */
static Stmt *parse_type_decl(Parser *p) {
    Span start = cur(p)->span;
    TokKind kw = peek(p);
    StmtKind sk = kw == TK_KW_CLASS ? S_CLASS : kw == TK_KW_STRUCT ? S_STRUCT
                : kw == TK_KW_TRAIT ? S_TRAIT : S_ENUM;
    Stmt *s = new_stmt(p, sk, start);
    TypeDecl *td = arena_alloc(p->arena, sizeof *td);
    s->td = td;
    advance(p);
    td->name = expect_name(p, false, &td->name_span, "type name");
    bool classlike = kw == TK_KW_CLASS || kw == TK_KW_STRUCT;
    if (classlike && !p->panic && check(p, TK_LT))
        parse_tparams(p, &td->tparams, &td->tparam_spans, &td->ntparams);
    if (classlike && !p->panic && match(p, TK_KW_EXTENDS)) {
        if (check(p, TK_IDENT)) td->extends = parse_type_name(p, false);
        else error_expected(p, "type name");
    }
    if (classlike && !p->panic && match(p, TK_KW_WITH)) {
        size_t base = list_begin(p);
        for (;;) {
            TypeExpr *t = check(p, TK_IDENT) ? parse_type_name(p, false)
                                             : (error_expected(p, "trait name"), error_type(p));
            PUSH(p, t);
            if (p->panic || !match(p, TK_COMMA)) break;
        }
        td->with = list_end(p, base, sizeof(TypeExpr *), &td->nwith);
    }
    if (classlike && !p->panic && check(p, TK_KW_WHERE))
        parse_where(p, &td->where_names, &td->where_traits, &td->where_spans, &td->nwhere);
    if (!p->panic) parse_type_body(p, td, kw);
    s->span = upto_prev(p, start);
    return s;
}

/* import = "import" "{" IDENT { "," IDENT } [ "," ] "}" "from" STRING
 *        | "import" "*" "as" IDENT "from" STRING */
static Stmt *parse_import(Parser *p) {
    Span start = cur(p)->span;
    Stmt *s = new_stmt(p, S_IMPORT, start);
    ImportDecl *im = arena_alloc(p->arena, sizeof *im);
    s->imp = im;
    advance(p);
    if (check(p, TK_LBRACE)) {
        Span open = cur(p)->span;
        advance(p);
        skip_newlines(p);
        size_t base = list_begin(p);
        for (;;) {
            NameSpan ns;
            ns.name = expect_name(p, false, &ns.span, "identifier");
            PUSH(p, ns);
            skip_newlines(p);
            if (p->panic || !match(p, TK_COMMA)) break;
            skip_newlines(p);
            if (check(p, TK_RBRACE)) break;
        }
        split_names(p, base, &im->names, &im->name_spans, &im->nnames);
        if (!p->panic) close_bracket(p, TK_RBRACE, open, "',' or '}'");
    } else if (match(p, TK_STAR)) {
        if (expect(p, TK_KW_AS, "'as'")) im->ns = expect_name(p, false, &im->ns_span, "identifier");
    } else {
        error_expected(p, "'{' or '*'");
    }
    if (!p->panic) expect(p, TK_KW_FROM, "'from'");
    if (!p->panic) {
        if (check(p, TK_STRING)) {
            im->path = cur(p)->text;
            im->path_span = cur(p)->span;
            advance(p);
        } else {
            error_expected(p, "string");
        }
    }
    s->span = upto_prev(p, start);
    return s;
}

static bool is_decl_start(TokKind k) {
    switch (k) {
    case TK_KW_CONST: case TK_KW_LET: case TK_KW_VAR: case TK_KW_FUNC:
    case TK_KW_CLASS: case TK_KW_STRUCT: case TK_KW_TRAIT: case TK_KW_ENUM:
        return true;
    default:
        return false;
    }
}

/* [ "export" ] decl — only at top level (§20). */
static Stmt *parse_export(Parser *p, bool top) {
    Span start = cur(p)->span;
    advance(p);
    if (!top) {
        report(p, start, "'export' is only allowed on top-level declarations");
        return parse_statement(p, false);
    }
    if (!is_decl_start(peek(p))) {
        error_expected(p, "declaration after 'export'");
        return NULL;
    }
    Stmt *s = parse_statement(p, true);
    if (s) {
        s->exported = true;
        s->span = upto_prev(p, start);
    }
    return s;
}

/* ifStmt = "if" expr block [ { T } "else" ( ifStmt | block ) ].  An else-if
 * chain is built iteratively so its length costs no C stack here; each link
 * still nests one level in the tree, so it counts towards the limit. */
static Stmt *parse_if(Parser *p) {
    Stmt *head = NULL, **link = &head;
    int links = 0;
    for (;;) {
        Span start = cur(p)->span;
        advance(p); /* if */
        Stmt *s = new_stmt(p, S_IF, start);
        *link = s;
        s->cond = parse_header_expr(p);
        if (!p->panic) s->then = parse_block(p);
        if (p->panic) break;
        if (check(p, TK_NEWLINE) && ahead(p, 1)->kind == TK_KW_ELSE) advance(p);  /* §1.4 */
        if (!match(p, TK_KW_ELSE)) break;
        if (check(p, TK_KW_IF)) {
            if (!enter(p)) break;
            links++;
            link = &s->els;
            continue;
        }
        Stmt *b = new_stmt(p, S_BLOCK, cur(p)->span);
        b->body = parse_block(p);
        b->span = b->body->span;
        s->els = b;
        break;
    }
    p->depth -= links;
    for (Stmt *s = head; s && s->kind == S_IF; s = s->els) s->span = upto_prev(p, s->span);
    return head;
}

static Stmt *parse_while(Parser *p) {
    Span start = cur(p)->span;
    Stmt *s = new_stmt(p, S_WHILE, start);
    advance(p);
    s->cond = parse_header_expr(p);
    if (!p->panic) s->body = parse_block(p);
    s->span = upto_prev(p, start);
    return s;
}

/* forStmt = "for" binder "in" ( range | expr ) block — a range only at the
 * top of the iterable (§2.6). */
static Stmt *parse_for(Parser *p) {
    Span start = cur(p)->span;
    Stmt *s = new_stmt(p, S_FOR, start);
    advance(p);
    s->pat = parse_pattern(p);
    if (!p->panic) expect(p, TK_KW_IN, "'in'");
    if (!p->panic) {
        bool nd = p->no_dict;
        p->no_dict = true;
        Span is = cur(p)->span;
        Chain chain = chain_begin(p);
        Expr *lhs = parse_binary(p, LEVEL_ADDITIVE);
        s->iter = !p->panic && is_range_op(p) ? parse_range_rest(p, is, lhs)
                                              : parse_expr_from(p, &chain, is, lhs);
        chain_end(p, chain);
        p->no_dict = nd;
    }
    if (!p->panic) s->body = parse_block(p);
    s->span = upto_prev(p, start);
    return s;
}

static bool at_stmt_end(Parser *p) {
    TokKind k = peek(p);
    return k == TK_NEWLINE || k == TK_SEMI || k == TK_RBRACE || k == TK_EOF;
}

static bool is_assign_op(TokKind k) {
    switch (k) {
    case TK_ASSIGN: case TK_PLUSEQ: case TK_MINUSEQ: case TK_STAREQ: case TK_SLASHEQ:
    case TK_PERCENTEQ: case TK_AMPEQ: case TK_PIPEEQ: case TK_CARETEQ: case TK_SHLEQ:
    case TK_SHREQ: case TK_USHREQ:
        return true;
    default:
        return false;
    }
}

/* target = postfix | "(" target "," target { "," target } ")".  Whether a
 * postfix form is assignable is the checker's business; only shapes that
 * cannot be a target at all are syntax errors. */
static bool valid_target(const Expr *e) {
    switch (e->kind) {
    case E_NAME: case E_NSNAME: case E_MEMBER: case E_INDEX: case E_SELF: case E_SUPER:
        return true;
    case E_TUPLE:
        for (uint32_t i = 0; i < e->nelems; i++)
            if (!valid_target(e->elems[i])) return false;
        return true;
    default:
        return false;
    }
}

/* expr | target assignOp rhs — assignment is a statement, never nested. */
static Stmt *parse_simple(Parser *p) {
    Span start = cur(p)->span;
    Expr *e = parse_expr(p);
    if (!p->panic && is_assign_op(peek(p))) {
        Stmt *s = new_stmt(p, S_ASSIGN, start);
        s->op = peek(p);
        s->op_span = cur(p)->span;
        s->target = e;
        if (!valid_target(e)) report(p, e->span, "invalid assignment target");
        advance(p);
        s->value = parse_rhs(p);
        s->span = upto_prev(p, start);
        return s;
    }
    Stmt *s = new_stmt(p, S_EXPR, upto_prev(p, start));
    s->value = e;
    return s;
}

static Stmt *parse_statement(Parser *p, bool top) {
    const Token *t = cur(p);
    Span start = t->span;
    Stmt *s;
    switch (t->kind) {
    case TK_KW_CONST: case TK_KW_LET: case TK_KW_VAR:
        return parse_var(p);
    case TK_KW_FUNC:
        s = new_stmt(p, S_FUNC, start);
        s->fn = parse_func_decl(p, false, false, start);
        s->span = s->fn->span;
        return s;
    case TK_KW_CLASS: case TK_KW_STRUCT: case TK_KW_TRAIT: case TK_KW_ENUM:
        if (!top) report(p, start, "%s declarations are only allowed at the top level", tok_spelling[t->kind]);
        return parse_type_decl(p);
    case TK_KW_IMPORT:
        if (!top) report(p, start, "imports must come before other declarations");
        return parse_import(p);
    case TK_KW_EXPORT:
        return parse_export(p, top);
    case TK_KW_IF:
        return parse_if(p);
    case TK_KW_WHILE:
        return parse_while(p);
    case TK_KW_FOR:
        return parse_for(p);
    case TK_KW_WHEN: {
        Span sp;
        WhenStmtData *w = parse_when(p, false, &sp);
        s = new_stmt(p, S_WHEN, sp);
        s->when = w;
        return s;
    }
    case TK_KW_RETURN:
        s = new_stmt(p, S_RETURN, start);
        advance(p);
        if (!at_stmt_end(p)) s->value = parse_rhs(p);
        s->span = upto_prev(p, start);
        return s;
    case TK_KW_BREAK: case TK_KW_CONTINUE:
        s = new_stmt(p, t->kind == TK_KW_BREAK ? S_BREAK : S_CONTINUE, start);
        advance(p);
        return s;
    case TK_KW_START:
        s = new_stmt(p, S_START, start);
        advance(p);
        s->value = parse_postfix(p);
        if (!p->panic && s->value->kind != E_CALL)
            report(p, s->value->span, "expected a call after 'start'");
        s->span = upto_prev(p, start);
        return s;
    case TK_KW_YIELD:
        s = new_stmt(p, S_YIELD, start);
        s->value = parse_yield(p);
        s->span = s->value->span;
        return s;
    case TK_LBRACE:  /* a '{' at the start of a statement opens a block (§2.6) */
        s = new_stmt(p, S_BLOCK, start);
        s->body = parse_block(p);
        s->span = s->body->span;
        return s;
    default:
        if (!starts_expr(t->kind)) {
            error_expected(p, "statement");
            return NULL;
        }
        return parse_simple(p);
    }
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */
/* ------------------------------------------------------------------ */

static void parser_init(Parser *p, Arena *arena, Diags *diags, const Source *src,
                        const Token *toks, size_t ntoks) {
    static const Token eof_only = { .kind = TK_EOF };
    memset(p, 0, sizeof *p);
    p->arena = arena;
    p->diags = diags;
    p->src = src;
    p->toks = ntoks ? toks : &eof_only;
    p->ntoks = ntoks ? ntoks : 1;
    p->lines_end_stmts = -1;
}

static void parser_free(Parser *p) {
    VEC_FREE(p->arena->vm, p->scratch, p->scap);
}

/* program = { T } [ item { T { T } item } ] { T } EOF */
Program *parse_program(Arena *arena, Diags *diags, const Source *src, Token *toks, size_t ntoks) {
    Parser parser, *p = &parser;
    parser_init(p, arena, diags, src, toks, ntoks);
    Program *prog = arena_alloc(arena, sizeof *prog);
    prog->src = src;
    size_t base = list_begin(p);
    bool past_imports = false;
    for (;;) {
        skip_terminators(p);
        if (check(p, TK_EOF)) break;
        if (!check(p, TK_KW_IMPORT)) past_imports = true;
        else if (past_imports) report(p, cur(p)->span, "imports must come before other declarations");
        Level lv = level_here(p);
        Stmt *s = parse_statement(p, true);
        if (s) PUSH(p, s);
        end_item(p, lv, true, "end of line");
    }
    prog->items = list_end(p, base, sizeof(Stmt *), &prog->n);
    parser_free(p);
    return prog;
}

TypeExpr *parse_type_string(Arena *arena, Diags *diags, const Source *src, Token *toks, size_t ntoks) {
    Parser parser, *p = &parser;
    parser_init(p, arena, diags, src, toks, ntoks);
    skip_newlines(p);
    TypeExpr *t = parse_type(p);
    skip_newlines(p);
    if (!p->panic && !check(p, TK_EOF)) error_expected(p, "end of type");
    bool bad = p->had_error;
    parser_free(p);
    return bad ? NULL : t;
}
