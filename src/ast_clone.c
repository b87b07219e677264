/* ast_clone.c — deep copies of syntax trees, for generic instantiation:
 * the checker writes types and rewrites into the nodes it checks, so each
 * instantiation of a generic function checks its own copy of the pristine
 * template.  Type expressions and strings are shared (never written). */
#include "ast_clone.h"

static Expr *cl_expr(Arena *a, const Expr *e);
static Block *cl_block(Arena *a, const Block *b);
static Stmt *cl_stmt(Arena *a, const Stmt *s);

static void *dup(Arena *a, const void *p, size_t n) {
    if (!p) return NULL;
    void *d = arena_alloc(a, n);
    memcpy(d, p, n);
    return d;
}

static Pattern *cl_pattern(Arena *a, const Pattern *p) {
    if (!p) return NULL;
    Pattern *c = dup(a, p, sizeof *p);
    c->sym = NULL;
    if (p->nelems) {
        c->elems = arena_alloc(a, sizeof(Pattern *) * p->nelems);
        for (uint32_t i = 0; i < p->nelems; i++) c->elems[i] = cl_pattern(a, p->elems[i]);
    }
    return c;
}

FuncDecl *ast_clone_func(Arena *a, const FuncDecl *f) {
    FuncDecl *c = dup(a, f, sizeof *f);
    c->sym = NULL;
    c->check = NULL;
    if (f->nparams) {
        c->params = dup(a, f->params, sizeof(Param) * f->nparams);
        for (uint32_t i = 0; i < f->nparams; i++) {
            c->params[i].sym = NULL;
            c->params[i].def = cl_expr(a, f->params[i].def);
        }
    }
    c->body = cl_block(a, f->body);
    c->body_expr = cl_expr(a, f->body_expr);
    return c;
}

Expr *ast_clone_expr(Arena *a, const Expr *e) { return cl_expr(a, e); }

/* A generic type's declaration, for one instantiation. */
TypeDecl *ast_clone_type(Arena *a, const TypeDecl *td) {
    TypeDecl *c = dup(a, td, sizeof *td);
    c->sym = NULL;
    c->check = NULL;
    c->ntparams = 0;
    if (td->nfields) {
        c->fields = dup(a, td->fields, sizeof(FieldDecl) * td->nfields);
        for (uint32_t i = 0; i < td->nfields; i++) {
            c->fields[i].def = cl_expr(a, td->fields[i].def);
            c->fields[i].getter = cl_block(a, td->fields[i].getter);
            c->fields[i].setter = cl_block(a, td->fields[i].setter);
        }
    }
    if (td->nmethods) {
        c->methods = arena_alloc(a, sizeof(FuncDecl *) * td->nmethods);
        for (uint32_t i = 0; i < td->nmethods; i++) c->methods[i] = ast_clone_func(a, td->methods[i]);
    }
    return c;
}

static WhenStmtData *cl_when(Arena *a, const WhenStmtData *w) {
    WhenStmtData *c = dup(a, w, sizeof *w);
    c->subject = cl_expr(a, w->subject);
    c->subject_sym = NULL;
    c->arms = dup(a, w->arms, sizeof(WhenArm) * w->narms);
    for (uint32_t i = 0; i < w->narms; i++) {
        WhenArm *arm = &c->arms[i];
        arm->pats = arena_alloc(a, sizeof(WhenPattern *) * (arm->npats ? arm->npats : 1));
        for (uint32_t k = 0; k < arm->npats; k++) {
            WhenPattern *p = dup(a, w->arms[i].pats[k], sizeof(WhenPattern));
            p->expr = cl_expr(a, p->expr);
            p->guard = cl_expr(a, p->guard);
            p->sym = NULL;
            p->check = NULL;
            arm->pats[k] = p;
        }
        arm->body = cl_stmt(a, w->arms[i].body);
        arm->value = cl_expr(a, w->arms[i].value);
    }
    return c;
}

static Expr **cl_list(Arena *a, Expr *const *xs, uint32_t n) {
    if (!xs) return NULL;
    Expr **c = arena_alloc(a, sizeof(Expr *) * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) c[i] = cl_expr(a, xs[i]);
    return c;
}

static Expr *cl_expr(Arena *a, const Expr *e) {
    if (!e) return NULL;
    Expr *c = dup(a, e, sizeof *e);
    c->type = NULL;
    c->sym = NULL;
    c->check = NULL;
    c->lhs = cl_expr(a, e->lhs);
    c->rhs = cl_expr(a, e->rhs);
    switch (e->kind) {
    case E_TERNARY: c->cond = cl_expr(a, e->cond); break;
    case E_TUPLE: case E_ARRAY: case E_INTERP:
        c->elems = cl_list(a, e->elems, e->nelems);
        break;
    case E_DICT:
        c->elems = cl_list(a, e->elems, e->nelems);
        c->keys = cl_list(a, e->keys, e->nelems);
        break;
    case E_CALL:
        if (e->nargs) {
            c->args = dup(a, e->args, sizeof(Arg) * e->nargs);
            for (uint32_t i = 0; i < e->nargs; i++) c->args[i].value = cl_expr(a, e->args[i].value);
        }
        break;
    case E_LAMBDA: c->fn = ast_clone_func(a, e->fn); break;
    case E_WHEN: c->when = cl_when(a, e->when); break;
    default: break;
    }
    return c;
}

static Block *cl_block(Arena *a, const Block *b) {
    if (!b) return NULL;
    Block *c = dup(a, b, sizeof *b);
    c->stmts = arena_alloc(a, sizeof(Stmt *) * (b->n ? b->n : 1));
    for (uint32_t i = 0; i < b->n; i++) c->stmts[i] = cl_stmt(a, b->stmts[i]);
    return c;
}

static Stmt *cl_stmt(Arena *a, const Stmt *s) {
    if (!s) return NULL;
    Stmt *c = dup(a, s, sizeof *s);
    c->check = NULL;
    c->pat = cl_pattern(a, s->pat);
    c->init = cl_expr(a, s->init);
    c->cond = cl_expr(a, s->cond);
    c->then = cl_block(a, s->then);
    c->els = cl_stmt(a, s->els);
    c->body = cl_block(a, s->body);
    c->iter = cl_expr(a, s->iter);
    c->value = cl_expr(a, s->value);
    c->target = cl_expr(a, s->target);
    if (s->kind == S_FUNC) c->fn = ast_clone_func(a, s->fn);
    if (s->kind == S_WHEN) c->when = cl_when(a, s->when);
    return c;
}
