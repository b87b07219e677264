/* repl.c — the REPL session (repl.h): the names of earlier entries,
 * replaced by name as entries redeclare them, and entry completeness. */
#include "repl.h"
#include "api.h"
#include "check.h"
#include "lex.h"
#include <stdio.h>

struct Repl {
    VM *vm;
    ChkSession session;             /* the session's names, one per name (latest declaration) */
    char *display; size_t display_size;    /* the last value's display form (NUL-terminated) */
};

Repl *repl_new(writ_vm *vm) {
    if (!vm) return NULL;
    Repl *r = mem_calloc(vm, sizeof *r);
    r->vm = vm;
    return r;
}

void repl_free(Repl *r) {
    if (!r) return;
    VM *vm = r->vm;
    chk_session_free(vm, &r->session);
    if (r->display) mem_free(vm, r->display, r->display_size);
    mem_free(vm, r, sizeof *r);
}

writ_status repl_eval(Repl *r, const char *src, size_t len, const char **display, size_t *display_len) {
    if (display) *display = NULL;
    if (display_len) *display_len = 0;
    if (!r || !src) return WRIT_ERROR_MISUSE;
    VM *vm = r->vm;
    LoadHooks h;
    memset(&h, 0, sizeof h);
    h.session = &r->session;
    h.display = true;
    writ_status st = api_load(vm, "<repl>", mem_strndup(vm, src, len), len, true, true, &h);
    if (h.compiled) {
        for (uint32_t i = 0; i < h.ntop; i++) chk_session_put(vm, &r->session, h.top[i]);
        if (h.top) mem_free(vm, h.top, sizeof(Sym *) * h.ntop);
    }
    if (h.has_value) {
        Buf b;
        buf_init(&b, vm);
        display_value(vm, &b, h.value_type, h.value, false);
        buf_putc(&b, 0);
        if (r->display) mem_free(vm, r->display, r->display_size);
        r->display = mem_strndup(vm, b.data, b.len - 1);
        r->display_size = b.len;
        buf_free(&b);
        val_release(vm, h.value_type, h.value);
        if (display) *display = r->display;
        if (display_len) *display_len = r->display_size - 1;
    }
    return st;
}

bool repl_incomplete(writ_vm *vm, const char *text, size_t len) {
    if (!vm || !text) return false;
    Arena a;
    arena_init(&a, vm);
    Diags d;
    diags_init(&d, &a);
    Source src = {"<repl>", text, len};
    size_t n;
    Token *toks = lex_source(&a, &d, &src, &n);
    bool more = false, other_error = false;
    for (size_t i = 0; i < d.n; i++) {
        const Diag *g = &d.items[i];
        if (strcmp(g->msg, "unterminated block comment") == 0) more = true;
        else if (strcmp(g->msg, "unterminated string") == 0 && g->span.off + 3 <= len &&
                 memcmp(text + g->span.off, "\"\"\"", 3) == 0) more = true;
        else other_error = true;
    }
    if (!other_error && !more) {
        int depth = 0;
        bool unbalanced = false;          /* a closer without opener: an error, no more lines */
        const Token *last = NULL;
        for (size_t i = 0; i < n; i++) {
            TokKind k = toks[i].kind;
            if (k == TK_LPAREN || k == TK_LBRACKET || k == TK_LBRACE) depth++;
            else if ((k == TK_RPAREN || k == TK_RBRACKET || k == TK_RBRACE) && --depth < 0) unbalanced = true;
            if (k != TK_NEWLINE && k != TK_EOF) last = &toks[i];
        }
        more = !unbalanced && (depth > 0 || (last && lex_continues_line(last)));
    }
    if (other_error) more = false;      /* reported when the entry is compiled */
    diags_free(&d, vm);
    arena_free(&a);
    return more;
}
