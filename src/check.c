/* check.c — the type checker.  Walks the AST once per function body,
 * resolves every name to a Sym, gives every expression a Type, inserts
 * E_CONVERT nodes where a value changes representation (int literal to
 * float, T to Optional<T>, null), resolves calls into CallInfo, tracks
 * captures for closures and Optional narrowing.  Errors never cascade: a
 * failed expression has the error type, which is accepted everywhere.
 *
 * Order: top-level functions and constants are declared first (hoisting),
 * then top-level statements are checked in order (globals appear as they
 * are declared), and function bodies last, when every global is known. */
#include "check.h"
#include "host.h"
#include "reload.h"
#include "ast_clone.h"
#include "vm.h"
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>

#define MAX_NAMES_BUCKETS 1024
#define MAX_TUPLE 255      /* element index is one instruction byte */
#define MAX_PARAMS 200     /* parameters live in the callee's 250 registers */

typedef struct NameEntry {
    const char *name;
    uint32_t hash;
    Sym *top;
    struct NameEntry *next;
} NameEntry;

typedef struct Narrow {
    Sym *sym;
    Type *type;
} Narrow;

#define MAX_TPARAMS 8
typedef struct Inst {
    struct Sym *templ;
    Type *binds[MAX_TPARAMS];
    uint32_t n;
    struct Sym *inst;
} Inst;

typedef struct Checker {
    VM *vm;
    Arena *A;
    Diags *D;
    const Source *src;
    TypeTable *tt;
    NameEntry **buckets;
    uint32_t nbuckets;
    Sym **declared; uint32_t ndeclared, capdeclared;  /* scope stack of declared symbols */
    struct ScopeMark { uint32_t mark, id; } *scope_marks; uint32_t nscopes, capscopes;
    uint32_t scope_id, next_scope_id;
    FnInfo *fn;
    TypeInfo *cur_type;     /* the type whose body is being checked */
    struct Inst *insts; uint32_t ninsts, capinsts;       /* generic instantiations */
    struct MInst *minsts; uint32_t nminsts, capminsts;   /* generic method instantiations */
    TypeInfo **bounds; uint32_t nbounds, capbounds;      /* template checks: the bound type of each T */
    uint32_t inst_checked;                               /* how many have had their body checked */
    CheckResult *out;
    uint32_t module_scope_id;
    uint32_t lib_scope_id;
    const ChkSession *session;   /* REPL: earlier entries' names, between the library and the module */
    TypeInfo **types; uint32_t ntypes, captypes;
    int loop_depth;
    Expr *coro_ok;          /* the call that may be a coroutine call (operand of start / yield) */
    bool lookup_types;      /* signatures may name types in scope (host signatures) */
    Program *cur_prog;      /* the module being checked */
    Narrow *narrow; uint32_t nnarrow, capnarrow;
    const char **reported; uint32_t nreported, capreported;
    FnInfo **fns; uint32_t nfns, capfns;
    Sym **globals; uint32_t nglobals, capglobals;
    FuncDecl **pending; FnInfo **pending_parent; uint32_t npending, cappending;
    LibSig **libsigs;       /* parsed non-generic signatures by LibFn (open addressing, power-of-two size) */
    const LibFn **libfns; uint32_t nlibfns, caplibfns;
} Checker;

static Type *check_expr(Checker *C, Expr *e, Type *expected);
static Type *check_call(Checker *C, Expr *e, Type *expected);
static bool is_coroutine(FuncDecl *fd);
static Type *host_method_call(Checker *C, Expr *e, Expr *callee, Type *t, CallInfo *ci);
static Type *host_static_call(Checker *C, Expr *e, Expr *callee, HostType *ht, CallInfo *ci);
static Type *host_construct(Checker *C, Expr *e, HostType *ht, CallInfo *ci);
static void resolve_host_fields(Checker *C);
/* push_home's record of what it changed (ids NULL: nothing) */
typedef struct Home { uint32_t *ids; const Source *src; } Home;
static Home push_home(Checker *C, Sym *gs);
static void pop_home(Checker *C, Sym *gs, Home h);
static bool check_block(Checker *C, Block *b);
static bool check_stmt(Checker *C, Stmt *s);
static Type *resolve_type(Checker *C, TypeExpr *te);
static Expr *convert(Checker *C, Expr *e, Type *t);
static void check_func_body(Checker *C, FuncDecl *fd, FnInfo *fi);
static TypeInfo *type_info(Type *t);
static Type *static_member(Checker *C, Expr *e, TypeInfo *ti);
static Type *member_of_user(Checker *C, Expr *e, Type *t);
static Type *call_user_method(Checker *C, Expr *e, Expr *callee, Type *t, CallInfo *ci);
static Type *call_static(Checker *C, Expr *e, Expr *callee, TypeInfo *ti, CallInfo *ci);
static Type *check_construct(Checker *C, Expr *e, TypeInfo *ti, CallInfo *ci);
static Type *operator_method(Checker *C, Expr *e, Type *a);
static Sym *self_sym(Checker *C, Span sp);
static void make_self_member(Checker *C, Expr *e);
static void resolve_type_info(Checker *C, TypeInfo *ti);
static MethodInfo *find_method_in(TypeInfo *ti, const char *name);
static bool is_binary_op_method(const char *name);
static MethodInfo *pick_op_overload(Checker *C, TypeInfo *ti, MethodInfo *first, Type *bt, Expr *arg);
static bool has_op_overloads(TypeInfo *ti, MethodInfo *mi);
static Type *reversed_operator(Checker *C, Expr *e, Type *a, Type *b);
static bool valid_struct_target(Checker *C, Expr *e);
static bool inside_type(Checker *C, TypeInfo *ti);
static Type *call_method_decl(Checker *C, Expr *e, MethodInfo *mi, CallInfo *ci);
static Sym *ns_lookup(Checker *C, Expr *e);
static Sym *find_export(Exports *ex, const char *name);
static Sym *instantiate(Checker *C, Sym *gs, Expr *e, Type *expected);
static TypeInfo *instantiate_type(Checker *C, Sym *ts, Type **binds, Span sp);
static bool where_holds(Checker *C, const char **tparams, uint32_t nt, const char **names, const char **traits,
                        Sym **syms, const Span *spans, uint32_t nwhere, Span decl_span, Type **binds, Span use);
static TypeInfo *named_statics(Sym *ts);
static TypeInfo *statics_owner(TypeInfo *ti);
static CallKind method_kind(TypeInfo *ti, MethodInfo *mi);
static TypeInfo *infer_type_instance(Checker *C, Sym *ts, Expr *e, Type *expected);
static void find_mutating(Checker *C, TypeInfo **types, uint32_t n);
static void push_member_scope(Checker *C, TypeInfo *ti);
static MethodInfo *instantiate_method(Checker *C, TypeInfo *ti, MethodInfo *mi, Expr *e);
static void check_instances(Checker *C);
static bool is_ref(Type *t) { return t->is_ref; }
static bool is_user(Type *t) { return t && (t->kind == T_STRUCT || t->kind == T_CLASS || t->kind == T_ENUM || t->kind == T_TRAIT); }

/* ------------------------------------------------------------------ */
/* diagnostics */

static Diag *err(Checker *C, Span sp, const char *fmt, ...) WRIT_PRINTF(3, 4);
static Diag *err(Checker *C, Span sp, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return diag_error(C->D, C->src, sp, "%s", buf);
}

static bool is_err(Type *t) { return !t || t->kind == T_ERROR; }
static Type *T_err(Checker *C) { return C->tt->t_error; }

/* ------------------------------------------------------------------ */
/* symbol table: hash of names to the innermost symbol, plus a scope stack */

static uint32_t name_hash(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static NameEntry *name_entry(Checker *C, const char *name, bool create) {
    uint32_t h = name_hash(name);
    NameEntry **slot = &C->buckets[h & (C->nbuckets - 1)];
    for (NameEntry *e = *slot; e; e = e->next)
        if (e->name == name || (e->hash == h && strcmp(e->name, name) == 0)) return e;   /* names of one unit are interned */
    if (!create) return NULL;
    NameEntry *e = arena_alloc(C->A, sizeof *e);
    e->name = name;
    e->hash = h;
    e->next = *slot;
    *slot = e;
    return e;
}

static Sym *lookup(Checker *C, const char *name) {
    NameEntry *e = name_entry(C, name, false);
    Sym *s = e ? e->top : NULL;
    if (C->session && (!s || s->scope_id == C->lib_scope_id)) {   /* the session shadows the library */
        Sym *t = chk_session_find(C->session, name);
        if (t) return t;
    }
    return s;
}

/* Each scope gets a fresh id so redeclaration checks compare with the
 * innermost scope only. */
static void push_scope(Checker *C) {
    struct ScopeMark m = {C->ndeclared, C->scope_id};
    VEC_PUSH(C->vm, C->scope_marks, C->nscopes, C->capscopes, m);
    C->scope_id = ++C->next_scope_id;
}

static void pop_scope(Checker *C) {
    struct ScopeMark m = C->scope_marks[--C->nscopes];
    while (C->ndeclared > m.mark) {
        Sym *s = C->declared[--C->ndeclared];
        NameEntry *e = name_entry(C, s->name, false);
        if (e && e->top == s) e->top = s->shadow;
    }
    C->scope_id = m.id;
}

static Sym *new_sym(Checker *C, SymKind k, const char *name, Span sp, Type *t) {
    Sym *s = arena_alloc(C->A, sizeof *s);
    s->kind = k;
    s->name = name;
    s->span = sp;
    s->type = t;
    s->owner = C->fn;
    s->reg = -1;
    s->global = -1;
    s->file = C->src ? C->src->name : NULL;
    s->home = C->cur_prog;
    return s;
}

static bool is_predeclared(const char *n) {
    static const char *const names[] = {"int", "float", "bool", "string", "any", "Array",
        "Dictionary", "Optional", "Result", "Weak", "Success", "Error", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(n, names[i]) == 0) return true;
    return false;
}

/* Declares s in the current scope; reports redeclaration in the same scope. */
static void declare(Checker *C, Sym *s, uint32_t scope_id) {
    if (strcmp(s->name, "_") == 0) return;
    NameEntry *e = name_entry(C, s->name, true);
    if (e->top && e->top->scope_id == scope_id && e->top->kind != SYM_LIB && e->top->kind != SYM_LIBCONST) {
        err(C, s->span, "'%s' is already declared in this scope", s->name);
        return;
    }
    if (scope_id == C->module_scope_id && is_predeclared(s->name)) {
        err(C, s->span, "'%s' is already declared in this scope", s->name);
        return;
    }
    s->scope_id = scope_id;
    s->shadow = e->top;
    e->top = s;
    VEC_PUSH(C->vm, C->declared, C->ndeclared, C->capdeclared, s);
}

/* ------------------------------------------------------------------ */
/* types */

static const char *const builtin_type_names[] = {"int", "float", "bool", "string", "any",
    "Array", "Dictionary", "Optional", "Result", "Weak", NULL};

static bool valid_key(Type *t) {
    return t->kind == T_INT || t->kind == T_BOOL || t->kind == T_STRING || t->kind == T_ENUM ||
           t->kind == T_ERROR;
}

static Type *resolve_type(Checker *C, TypeExpr *te) {
    TypeTable *tt = C->tt;
    switch (te->kind) {
    case TY_VOID: return tt->t_void;
    case TY_TUPLE: {
        Type *el[MAX_TUPLE + 1];
        if (te->nargs > MAX_TUPLE) { err(C, te->span, "a tuple can have at most %d elements", MAX_TUPLE); return T_err(C); }
        uint32_t n = te->nargs;
        bool bad = false;
        for (uint32_t i = 0; i < n; i++) {
            el[i] = resolve_type(C, te->args[i]);
            if (is_err(el[i])) bad = true;
            if (el[i]->kind == T_VOID) { err(C, te->args[i]->span, "'void' is only valid as a return type"); bad = true; }
        }
        return bad ? T_err(C) : ty_tuple(C->vm, el, n);
    }
    case TY_FUNC: {
        Type *ps[MAX_PARAMS + 1];
        if (te->nargs > MAX_PARAMS) { err(C, te->span, "a function type can have at most %d parameters", MAX_PARAMS); return T_err(C); }
        uint32_t n = te->nargs;
        bool bad = false;
        for (uint32_t i = 0; i < n; i++) {
            ps[i] = resolve_type(C, te->args[i]);
            if (is_err(ps[i])) bad = true;
        }
        Type *r = resolve_type(C, te->ret);
        if (is_err(r)) bad = true;
        return bad ? T_err(C) : ty_func(C->vm, ps, n, r);
    }
    case TY_NAME: break;
    }
    const char *n = te->name;
    if (te->ns) {
        Sym *ns = lookup(C, te->ns);
        Sym *ts = ns && ns->kind == SYM_NAMESPACE ? find_export(ns->exports, n) : NULL;
        if (ts && ts->kind == SYM_TYPE && ts->tdecl) {          /* ns::Box<int> */
            if (te->nargs != ts->tdecl->ntparams) {
                err(C, te->span, "type '%s' needs %u type argument%s", n, ts->tdecl->ntparams, ts->tdecl->ntparams == 1 ? "" : "s");
                return T_err(C);
            }
            Type *binds[MAX_TPARAMS];
            for (uint32_t j = 0; j < te->nargs && j < MAX_TPARAMS; j++) {
                binds[j] = resolve_type(C, te->args[j]);
                if (is_err(binds[j])) return binds[j];
            }
            TypeInfo *ti = instantiate_type(C, ts, binds, te->span);
            return ti ? ti->type : T_err(C);
        }
        if (ts && ts->kind == SYM_TYPE) {
            if (te->nargs) { err(C, te->span, "type '%s' takes no type arguments", n); return T_err(C); }
            return ts->ti->type;
        }
        err(C, te->span, "unknown type '%s::%s'", te->ns, n);
        return T_err(C);
    }
    Type *simple = NULL;
    if (strcmp(n, "int") == 0) simple = tt->t_int;
    else if (strcmp(n, "float") == 0) simple = tt->t_float;
    else if (strcmp(n, "bool") == 0) simple = tt->t_bool;
    else if (strcmp(n, "string") == 0) simple = tt->t_string;
    else if (strcmp(n, "Wait") == 0 && !lookup(C, "Wait")) simple = tt->t_wait;   /* the coroutine library's type */
    else if (strcmp(n, "any") == 0) {
        err(C, te->span, "'any' is only for library and host signatures");
        return T_err(C);
    }
    if (simple) {
        if (te->nargs) { err(C, te->span, "type '%s' takes no type arguments", n); return T_err(C); }
        return simple;
    }
    int want = -1;
    if (strcmp(n, "Array") == 0 || strcmp(n, "Optional") == 0) want = 1;
    else if (strcmp(n, "Dictionary") == 0) want = 2;
    if (want > 0) {
        if ((int)te->nargs != want) {
            err(C, te->span, "type '%s' needs %d type argument%s", n, want, want > 1 ? "s" : "");
            return T_err(C);
        }
        Type *a = resolve_type(C, te->args[0]);
        Type *b = want == 2 ? resolve_type(C, te->args[1]) : NULL;
        if (is_err(a) || (b && is_err(b))) return T_err(C);
        if (a->kind == T_VOID || (b && b->kind == T_VOID)) {
            err(C, te->span, "'void' is only valid as a return type");
            return T_err(C);
        }
        if (n[0] == 'A') return ty_array(C->vm, a);
        if (n[0] == 'O') return ty_optional(C->vm, a);
        if (!valid_key(a)) {
            err(C, te->args[0]->span, "dictionary keys must be int, bool, string or an enum, found %s", a->name);
            return T_err(C);
        }
        return ty_dict(C->vm, a, b);
    }
    Sym *ts = lookup(C, n);
    if (ts && ts->kind == SYM_TYPE && ts->tdecl) {           /* Pair<int, string> */
        TypeDecl *gt = ts->tdecl;
        if (te->nargs != gt->ntparams) {
            err(C, te->span, "type '%s' needs %u type argument%s", n, gt->ntparams, gt->ntparams == 1 ? "" : "s");
            return T_err(C);
        }
        Type *binds[MAX_TPARAMS];
        for (uint32_t j = 0; j < te->nargs && j < MAX_TPARAMS; j++) {
            binds[j] = resolve_type(C, te->args[j]);
            if (is_err(binds[j])) return binds[j];
            if (binds[j]->kind == T_VOID) { err(C, te->args[j]->span, "'void' cannot be a type argument"); return T_err(C); }
        }
        TypeInfo *ti = instantiate_type(C, ts, binds, te->span);
        return ti ? ti->type : T_err(C);
    }
    if (ts && ts->kind == SYM_TYPE) {
        if (te->nargs) { err(C, te->span, "type '%s' takes no type arguments", n); return T_err(C); }
        return ts->type;       /* a declared type, or a type parameter's binding */
    }
    if (strcmp(n, "Result") == 0 || strcmp(n, "Weak") == 0) {
        if (te->nargs != 1) { err(C, te->span, "type '%s' needs 1 type argument", n); return T_err(C); }
        Type *a = resolve_type(C, te->args[0]);
        if (is_err(a)) return a;
        if (n[0] == 'W') {
            if (a->kind != T_CLASS && a->kind != T_TRAIT && a->kind != T_HOST) { err(C, te->args[0]->span, "Weak needs a class or trait type, found %s", a->name); return T_err(C); }
            return ty_weak(C->vm, a);
        }
        return ty_result(C->vm, a);
    }
    Diag *g = err(C, te->span, "unknown type '%s'", n);
    const char *sug = diag_suggest(n, builtin_type_names, 10);
    if (sug) diag_help(C->D, g, "did you mean '%s'?", sug);
    return T_err(C);
}

/* ------------------------------------------------------------------ */
/* library signatures: "(name: type = default, ...xs: T) -> ret" with the
 * placeholders T, U, K, V bound by the receiver / call. */

typedef struct SigParser {
    Checker *C;
    const char *s;
    Type *T, *U, *K, *V;
    bool bad;
} SigParser;

static void sp_ws(SigParser *p) { while (*p->s == ' ') p->s++; }
static bool sp_eat(SigParser *p, const char *tok) {
    sp_ws(p);
    size_t n = strlen(tok);
    if (strncmp(p->s, tok, n) == 0) { p->s += n; return true; }
    return false;
}
static const char *sp_ident(SigParser *p) {
    sp_ws(p);
    const char *b = p->s;
    while ((*p->s >= 'a' && *p->s <= 'z') || (*p->s >= 'A' && *p->s <= 'Z') || (*p->s >= '0' && *p->s <= '9') || *p->s == '_') p->s++;
    return arena_strndup(p->C->A, b, (size_t)(p->s - b));
}

/* A type a library prelude exports (Color, Vector2, ...), if the VM has
 * compiled that prelude: host signatures may name it. */
static Type *library_type(VM *vm, const char *id) {
    bool exported = false;
    for (uint32_t m = 0; m < lib_nmodules && !exported; m++)
        for (const char *const *ex = lib_modules[m].exports; lib_modules[m].prelude && ex && *ex; ex++)
            if (!strcmp(*ex, id)) { exported = true; break; }
    if (!exported) return NULL;
    TypeTable *tt = &vm->types;
    for (size_t i = 0; i < tt->nnominals; i++)         /* the prelude's, compiled before any script's */
        if (!strcmp(tt->nominals[i]->name, id)) return tt->nominals[i];
    return NULL;
}

static Type *sp_type(SigParser *p) {
    TypeTable *tt = p->C->tt;
    VM *vm = p->C->vm;
    if (sp_eat(p, "(")) {
        Type *el[16];
        uint32_t n = 0;
        if (!sp_eat(p, ")")) {
            do { el[n++] = sp_type(p); } while (sp_eat(p, ","));
            sp_eat(p, ")");
        }
        if (sp_eat(p, "->")) return ty_func(vm, el, n, sp_type(p));
        if (n == 1) return el[0];
        return ty_tuple(vm, el, n);
    }
    const char *id = sp_ident(p);
    if (!strcmp(id, "int")) return tt->t_int;
    if (!strcmp(id, "float")) return tt->t_float;
    if (!strcmp(id, "bool")) return tt->t_bool;
    if (!strcmp(id, "string")) return tt->t_string;
    if (!strcmp(id, "void")) return tt->t_void;
    if (!strcmp(id, "any")) return tt->t_any;
    if (!strcmp(id, "Wait")) return tt->t_wait;
    if (!strcmp(id, "T")) return p->T ? p->T : (p->bad = true, tt->t_error);
    if (!strcmp(id, "U")) return p->U ? p->U : (p->bad = true, tt->t_error);
    if (!strcmp(id, "K")) return p->K ? p->K : (p->bad = true, tt->t_error);
    if (!strcmp(id, "V")) return p->V ? p->V : (p->bad = true, tt->t_error);
    if (!strcmp(id, "Array") && sp_eat(p, "<")) { Type *a = sp_type(p); sp_eat(p, ">"); return ty_array(vm, a); }
    if (!strcmp(id, "Optional") && sp_eat(p, "<")) { Type *a = sp_type(p); sp_eat(p, ">"); return ty_optional(vm, a); }
    if (!strcmp(id, "Dictionary") && sp_eat(p, "<")) {
        Type *a = sp_type(p); sp_eat(p, ","); Type *b = sp_type(p); sp_eat(p, ">");
        return ty_dict(vm, a, b);
    }
    if (!strcmp(id, "Result") && sp_eat(p, "<")) { Type *a = sp_type(p); if (!sp_eat(p, ">")) p->bad = true; return ty_result(vm, a); }
    if (!strcmp(id, "Weak") && sp_eat(p, "<")) { Type *a = sp_type(p); if (!sp_eat(p, ">")) p->bad = true; return ty_weak(vm, a); }
    if (p->C->lookup_types) {          /* library and host types by name: Json, Regex, JsonKind (prelude), host types */
        Sym *s = lookup(p->C, id);
        if (s && s->kind == SYM_TYPE && !s->tdecl && s->type) return s->type;
    } else {                            /* outside a check: registered host types by name */
        for (size_t i = 0; i < p->C->vm->nhosttypes; i++)
            if (!strcmp(p->C->vm->hosttypes[i]->name, id)) return p->C->vm->hosttypes[i]->type;
        Type *lt = library_type(p->C->vm, id);   /* Color, Vector2, ... once their prelude is compiled */
        if (lt) return lt;
    }
    p->bad = true;
    return tt->t_error;
}

static Expr *sp_default(SigParser *p) {
    sp_ws(p);
    Arena *A = p->C->A;
    Expr *e = arena_alloc(A, sizeof *e);
    if (*p->s == '"') {
        p->s++;
        const char *b = p->s;
        while (*p->s && *p->s != '"') p->s++;
        e->kind = E_STRING;
        e->str = arena_strndup(A, b, (size_t)(p->s - b));
        e->str_len = (uint32_t)(p->s - b);
        if (*p->s) p->s++;
        e->type = p->C->tt->t_string;
        return e;
    }
    if (sp_eat(p, "true")) { e->kind = E_BOOL; e->lit.b = true; e->type = p->C->tt->t_bool; return e; }
    if (sp_eat(p, "false")) { e->kind = E_BOOL; e->lit.b = false; e->type = p->C->tt->t_bool; return e; }
    char *end;
    double d = strtod(p->s, &end);
    bool isf = false;
    for (const char *q = p->s; q < end; q++) if (*q == '.' || *q == 'e') isf = true;
    if (isf) { e->kind = E_FLOAT; e->lit.f = d; e->type = p->C->tt->t_float; }
    else { e->kind = E_INT; e->lit.i = strtoll(p->s, NULL, 10); e->type = p->C->tt->t_int; }
    p->s = end;
    return e;
}

/* Parses a library signature with the given placeholder bindings. */
static LibSig *parse_libsig(Checker *C, const char *sig, Type *T, Type *U, Type *K, Type *V) {
    SigParser p = {C, sig, T, U, K, V, false};
    LibSig *ls = arena_alloc(C->A, sizeof *ls);
    const char *names[16]; Type *types[16]; Expr *defs[16];
    uint32_t n = 0;
    if (sp_eat(&p, "<")) { sp_ident(&p); sp_eat(&p, ">"); }    /* a generic native's <T> */
    sp_eat(&p, "(");
    if (!sp_eat(&p, ")")) {
        do {
            if (n == 16) { p.bad = true; break; }
            bool var = sp_eat(&p, "...");
            if (var) ls->variadic = true;
            const char *save = p.s;
            names[n] = sp_ident(&p);
            if (!*names[n] || !sp_eat(&p, ":")) { p.s = save; names[n] = ""; }   /* "(float, float)": unnamed */
            types[n] = sp_type(&p);
            if (var) types[n] = ty_array(C->vm, types[n]);      /* the parameter holds an Array<T> */
            defs[n] = sp_eat(&p, "=") ? sp_default(&p) : NULL;
            n++;
        } while (sp_eat(&p, ","));
        sp_eat(&p, ")");
    }
    ls->ret = sp_eat(&p, "->") ? sp_type(&p) : C->tt->t_void;
    sp_ws(&p);
    if (*p.s) p.bad = true;              /* trailing text */
    ls->n = n;
    ls->names = arena_alloc(C->A, sizeof(char *) * (n ? n : 1));
    ls->types = arena_alloc(C->A, sizeof(Type *) * (n ? n : 1));
    ls->defaults = arena_alloc(C->A, sizeof(Expr *) * (n ? n : 1));
    memcpy(ls->names, names, sizeof(char *) * n);
    memcpy(ls->types, types, sizeof(Type *) * n);
    memcpy(ls->defaults, defs, sizeof(Expr *) * n);
    if (p.bad) return NULL;
    return ls;
}

/* Does the signature mention the placeholder U (a method's own type parameter)? */
static bool sig_uses_U(const char *sig) {
    for (const char *q = sig; *q; q++)
        if (*q == 'U' && (q == sig || !((q[-1] >= 'a' && q[-1] <= 'z') || (q[-1] >= 'A' && q[-1] <= 'Z'))) &&
            !((q[1] >= 'a' && q[1] <= 'z') || (q[1] >= 'A' && q[1] <= 'Z')))
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* assignability and conversions (language.md §5.2) */

static const char *callee_name(Expr *callee) {
    if (callee->kind == E_NAME || callee->kind == E_MEMBER || callee->kind == E_SAFE_MEMBER) return callee->str;
    return "function";
}

static bool is_int_literal(Expr *e) {
    if (e->kind == E_INT) return true;
    if (e->kind == E_UNARY && e->op == TK_MINUS) return is_int_literal(e->lhs);
    return false;
}

static Expr *mk_expr(Checker *C, ExprKind k, Span sp, Type *t) {
    Expr *e = arena_alloc(C->A, sizeof *e);
    e->kind = k;
    e->span = sp;
    e->type = t;
    return e;
}

/* Rewrites an int literal (possibly negated) into a float literal in place. */
static void literal_to_float(Checker *C, Expr *e) {
    if (e->kind == E_INT) {
        e->kind = E_FLOAT;
        e->lit.f = (double)e->lit.i;
    } else {
        literal_to_float(C, e->lhs);
    }
    e->type = C->tt->t_float;
}

static bool assignable(Checker *C, Type *s, Type *t, Expr *e) {
    if (s == t || is_err(s) || is_err(t)) return true;
    if (t->kind == T_ANY) return s->kind != T_VOID;
    if (t->kind == T_FLOAT && e && s->kind == T_INT && is_int_literal(e)) return true;
    if ((t->kind == T_CLASS || t->kind == T_TRAIT) && (s->kind == T_CLASS || s->kind == T_TRAIT))
        return ty_is_subtype(s, t);      /* upcast: same object */
    if (t->kind == T_OPTIONAL) {
        if (s->kind == T_NULL) return true;
        if (s->kind == T_OPTIONAL) return s->a == t->a || (is_ref(s->a) && (s->a->kind == T_CLASS || s->a->kind == T_TRAIT) && assignable(C, s->a, t->a, NULL));
        return assignable(C, s, t->a, e);
    }
    if (s->kind == T_TUPLE && t->kind == T_TUPLE && s->n == t->n) {
        for (uint32_t i = 0; i < s->n; i++) {
            Expr *ei = e && e->kind == E_TUPLE ? e->elems[i] : NULL;
            if (!assignable(C, s->args[i], t->args[i], ei)) return false;
        }
        return true;
    }
    return false;
}

/* Converts an expression already known assignable to t. */
static Expr *convert(Checker *C, Expr *e, Type *t) {
    Type *s = e->type;
    if (s == t || is_err(s) || is_err(t) || t->kind == T_ANY) return e;
    if (t->kind == T_FLOAT && s->kind == T_INT) {
        if (is_int_literal(e)) { literal_to_float(C, e); return e; }
        Expr *c = mk_expr(C, E_CONVERT, e->span, t);
        c->lhs = e;
        return c;
    }
    if (t->kind == T_OPTIONAL && s->kind != T_OPTIONAL && s->kind != T_NULL) e = convert(C, e, t->a);
    if (e->kind == E_TUPLE && t->kind == T_TUPLE) {
        for (uint32_t i = 0; i < e->nelems; i++) e->elems[i] = convert(C, e->elems[i], t->args[i]);
        e->type = t;
        return e;
    }
    if (e->type == t) return e;
    Expr *c = mk_expr(C, E_CONVERT, e->span, t);
    c->lhs = e;
    return c;
}

static void mismatch(Checker *C, Expr *e, Type *t) {
    Type *s = e->type;
    Expr *call = e->kind == E_YIELD ? e->lhs : e;        /* an awaited call too */
    if (s->kind == T_VOID && call && call->kind == E_CALL) {   /* §10.1 */
        err(C, e->span, "'%s' returns no value", callee_name(call->lhs));
        return;
    }
    Diag *g = err(C, e->span, "type mismatch: expected %s, found %s", t->name, s->name);
    if (s->kind == T_NULL) diag_help(C->D, g, "use Optional<%s> to allow null", t->name);
    else if (s->kind == T_INT && t->kind == T_FLOAT && e->kind == E_NAME)
        diag_help(C->D, g, "convert with '%s as float'", e->str);
    else if (s->kind == T_OPTIONAL && s->a == t)
        diag_help(C->D, g, "use '?\?' or '!!' to get the value");
    else if (s != t && strcmp(s->name, t->name) == 0)    /* REPL redeclaration, or two modules' types */
        diag_note(C->D, g, "two different types are named '%s' (declared twice, or in two modules)", t->name);
}

/* Checks that *slot fits t and inserts the conversion; reports a mismatch. */
static bool coerce(Checker *C, Expr **slot, Type *t) {
    Expr *e = *slot;
    if (e->type && e->type->kind == T_VOID && !is_err(t)) {
        mismatch(C, e, t);               /* "'f' returns no value" for calls */
        return false;
    }
    if (!assignable(C, e->type, t, e)) { mismatch(C, e, t); return false; }
    *slot = convert(C, e, t);
    return true;
}

/* Checks e against an expected type and converts it. */
static Type *check_to(Checker *C, Expr **slot, Type *t) {
    if (t->kind == T_ANY) {     /* library 'any' parameters take the value as it is */
        Type *s = check_expr(C, *slot, NULL);
        if (s->kind == T_VOID) {
            if ((*slot)->kind == E_CALL) err(C, (*slot)->span, "'%s' returns no value", callee_name((*slot)->lhs));
            else err(C, (*slot)->span, "cannot use a void value");
        }
        return s;
    }
    check_expr(C, *slot, t);
    coerce(C, slot, t);
    return t;
}

static void check_cond(Checker *C, Expr *e) {
    Type *t = check_expr(C, e, C->tt->t_bool);
    if (!is_err(t) && t->kind != T_BOOL) err(C, e->span, "condition must be bool, found %s", t->name);
}

/* Common type of two branch types for ternary / when / array literals. */
static Type *unify(Checker *C, Type *a, Expr *ea, Type *b, Expr *eb) {
    if (is_err(a)) return b;
    if (is_err(b)) return a;
    if (a == b) return a;
    if (a->kind == T_FLOAT && b->kind == T_INT && eb && is_int_literal(eb)) return a;
    if (b->kind == T_FLOAT && a->kind == T_INT && ea && is_int_literal(ea)) return b;
    if (a->kind == T_NULL && b->kind != T_VOID) return b->kind == T_OPTIONAL ? b : ty_optional(C->vm, b);
    if (b->kind == T_NULL && a->kind != T_VOID) return a->kind == T_OPTIONAL ? a : ty_optional(C->vm, a);
    if (a->kind == T_OPTIONAL && assignable(C, b, a, eb)) return a;
    if (b->kind == T_OPTIONAL && assignable(C, a, b, ea)) return b;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* names */

static void note_capture(Checker *C, Sym *s) {
    if (s->kind != SYM_LOCAL && s->kind != SYM_LOCALFUNC) return;
    if (s->owner == C->fn) return;
    s->captured = true;
    for (FnInfo *f = C->fn; f && f != s->owner; f = f->parent) {
        bool have = false;
        for (uint32_t i = 0; i < f->ncaps; i++) if (f->caps[i] == s) { have = true; break; }
        if (!have) VEC_PUSH(C->vm, f->caps, f->ncaps, f->capcaps, s);
    }
}

static bool already_reported(Checker *C, const char *name) {
    for (uint32_t i = 0; i < C->nreported; i++) if (strcmp(C->reported[i], name) == 0) return true;
    VEC_PUSH(C->vm, C->reported, C->nreported, C->capreported, name);
    return false;
}

static const char *suggest_name(Checker *C, const char *name) {
    const char **cands = NULL;
    size_t n = 0, cap = 0;
    for (uint32_t i = 0; i < C->ndeclared; i++) {
        Sym *s = C->declared[i];
        if (lookup(C, s->name) == s) VEC_PUSH(C->vm, cands, n, cap, s->name);
    }
    for (uint32_t i = 0; C->session && i < C->session->n; i++) {
        Sym *s = C->session->syms[i];
        if (lookup(C, s->name) == s) VEC_PUSH(C->vm, cands, n, cap, s->name);
    }
    const char *r = diag_suggest(name, cands, n);
    VEC_FREE(C->vm, cands, cap);
    return r;
}

static void unknown_name(Checker *C, Expr *e, bool called) {
    if (already_reported(C, e->str)) return;
    Diag *g = err(C, e->span, "unknown %s '%s'", called ? "function" : "variable", e->str);
    const char *s = suggest_name(C, e->str);
    if (s) diag_help(C->D, g, "did you mean '%s'?", s);
}

static Type *narrowed(Checker *C, Sym *s) {
    for (uint32_t i = C->nnarrow; i-- > 0;)
        if (C->narrow[i].sym == s) return C->narrow[i].type;
    return NULL;
}

static void push_narrow(Checker *C, Sym *s, Type *t) {
    Narrow n = {s, t};
    VEC_PUSH(C->vm, C->narrow, C->nnarrow, C->capnarrow, n);
}

/* Ends every fact about s (an assignment happened). */
static void kill_narrow(Checker *C, Sym *s) {
    /* pushed, not overwritten: a fact ended in one branch still holds in the other */
    if (narrowed(C, s) && narrowed(C, s) != s->type) push_narrow(C, s, s->type);
}

static Type *eval_const(Checker *C, Sym *s);

static Type *sig_type(Checker *C, const char *spelling);
static const char *storage_mismatch(Type *t, int storage);

/* A bound variable's type, resolved at its first use; false after an error. */
static bool bound_resolve(Checker *C, Sym *s, Span sp) {
    HostGlobal *g = s->bound;
    if (!g->type) {
        Type *t = sig_type(C, g->type_spelling);
        const char *why = t ? storage_mismatch(t, g->storage) : NULL;
        if (!t) { err(C, sp, "host variable '%s' has an unknown type '%s'", s->name, g->type_spelling); return false; }
        if (why) { err(C, sp, "host variable '%s': type %s %s", s->name, t->name, why); return false; }
        g->type = t;
    }
    s->type = g->type;
    return true;
}

static Type *check_name(Checker *C, Expr *e, bool called) {
    if (strcmp(e->str, "_") == 0) { err(C, e->span, "'_' cannot be read"); return T_err(C); }
    Sym *s = e->kind == E_NSNAME ? ns_lookup(C, e) : lookup(C, e->str);
    if (!s && e->kind == E_NSNAME) return T_err(C);
    if (s && s->alias_of && s->kind != SYM_TYPE) s = s->alias_of;    /* imported: the exporter's symbol */
    if (s && s->kind == SYM_NAMESPACE) { err(C, e->span, "module namespace '%s' is not a value", s->name); return T_err(C); }
    if (!s) {
        if (is_predeclared(e->str)) { err(C, e->span, "type '%s' is not a value", e->str); return T_err(C); }
        unknown_name(C, e, called);
        return T_err(C);
    }
    e->sym = s;
    s->used = true;
    if (s->bound && !bound_resolve(C, s, e->span)) return T_err(C);
    if ((s->kind == SYM_FUNC || s->kind == SYM_LOCALFUNC) && is_coroutine(s->fn)) {
        err(C, e->span, "coroutine '%s' cannot be used as a value", s->name);
        return T_err(C);
    }
    switch (s->kind) {
    case SYM_LOCAL: case SYM_LOCALFUNC: {
        note_capture(C, s);
        /* a closure may run after the variable changed: outer vars never narrow inside it */
        bool outer_var = s->owner != C->fn && s->vkind == VK_VAR;
        Type *n = s->closure_assigns || outer_var ? NULL : narrowed(C, s);
        return n ? n : s->type;
    }
    case SYM_CONST: return eval_const(C, s);
    case SYM_LIB:
        if (!called) { err(C, e->span, "library function '%s' cannot be used as a value", e->str); return T_err(C); }
        return T_err(C);
    case SYM_TYPE: err(C, e->span, "type '%s' is not a value", e->str); return T_err(C);
    case SYM_FUNC:
        if (s->generic) {
            Diag *g = err(C, e->span, "cannot infer type parameter '%s' of '%s'", s->fn->tparams[0], s->name);
            diag_help(C->D, g, "call it, or wrap it in a lambda with concrete types");
            return T_err(C);
        }
        return s->type;
    case SYM_FIELD: case SYM_METHOD:
        if (s->field && s->field->is_static) { e->sym = s->field->global; return s->field->type; }
        if (s->field && strcmp(s->name, "field") == 0 && strcmp(s->field->name, "field") != 0) {
            make_self_member(C, e);          /* the stored value, bypassing the accessors */
            e->str = s->field->name;
            e->op = TK_ASSIGN;
            return check_expr(C, e, NULL);
        }
        if (s->method && s->method->is_static && s->method->owner->td && s->method->owner->td->sym) {
            TypeInfo *owner = s->method->owner;      /* a static method by its bare name: Type.m */
            Expr *tn = mk_expr(C, E_NAME, e->span, owner->type);
            tn->str = owner->name;
            tn->sym = owner->td->sym;
            e->kind = E_MEMBER;
            e->lhs = tn;
            e->op_span = e->span;
            e->sym = NULL;
            return static_member(C, e, owner);
        }
        /* a member used by its bare name inside the type's body is self.name */
        if (!lookup(C, "self")) { err(C, e->span, "'self' can only be used inside an instance method"); return T_err(C); }
        make_self_member(C, e);
        return check_expr(C, e, NULL);
    default: return s->type;
    }
}

/* ------------------------------------------------------------------ */
/* constants */

static bool const_expr(Checker *C, Expr *e, Value *out, Type **tout);

static Type *eval_const(Checker *C, Sym *s) {
    if (s->const_state == 2) return s->type;
    if (s->const_state == 1) {
        err(C, s->span, "constant '%s' depends on itself", s->name);
        s->const_state = 2;
        s->type = T_err(C);
        return s->type;
    }
    s->const_state = 1;
    FnInfo *saved = C->fn;
    Type *declared = s->type;
    Type *t = check_expr(C, s->const_init, declared);
    if (declared && !is_err(t)) { coerce(C, &s->const_init, declared); t = declared; }
    C->fn = saved;
    if (s->const_state == 2) return s->type;   /* a cycle was reported */
    Value v; Type *vt;
    if (!is_err(t)) {
        if (!const_expr(C, s->const_init, &v, &vt)) {
            if (!is_err(s->const_init->type)) err(C, s->const_init->span, "constant initializer must be a constant expression");
            t = T_err(C);
        } else {
            s->const_val = v;
        }
    }
    s->type = t;
    s->const_state = 2;
    return t;
}

/* Folds a checked constant expression. Strings are arena C strings in v.p. */
static bool const_expr(Checker *C, Expr *e, Value *out, Type **tout) {
    *tout = e->type;
    switch (e->kind) {
    case E_INT: out->i = e->lit.i; return true;
    case E_FLOAT: out->f = e->lit.f; return true;
    case E_BOOL: out->i = e->lit.b; return true;
    case E_STRING: out->p = (void *)e->str; return true;
    case E_NAME:
        if (e->sym && (e->sym->kind == SYM_CONST) && e->sym->const_state == 2 && !is_err(e->sym->type)) {
            *out = e->sym->const_val; return true;
        }
        if (e->sym && e->sym->kind == SYM_LIBCONST) { *out = e->sym->libconst; return true; }
        return false;
    case E_CONVERT: {
        Value v; Type *t;
        if (!const_expr(C, e->lhs, &v, &t)) return false;
        if (e->type->kind == T_FLOAT && t->kind == T_INT) { out->f = (double)v.i; return true; }
        return false;
    }
    case E_AS: {
        Value v; Type *t;
        if (!const_expr(C, e->lhs, &v, &t)) return false;
        if (e->type->kind == T_FLOAT && t->kind == T_INT) { out->f = (double)v.i; return true; }
        if (e->type->kind == T_INT && t->kind == T_FLOAT) {
            if (isnan(v.f) || v.f >= 9223372036854775808.0 || v.f < -9223372036854775808.0) return false;
            out->i = (int64_t)v.f; return true;
        }
        *out = v; return true;
    }
    case E_UNARY: {
        Value v; Type *t;
        if (!const_expr(C, e->lhs, &v, &t)) return false;
        if (e->op == TK_MINUS) { if (t->kind == T_FLOAT) out->f = -v.f; else out->u = 0 - v.u; }
        else if (e->op == TK_BANG) out->i = !v.i;
        else out->i = ~v.i;
        return true;
    }
    case E_TERNARY: {
        Value c, a, b; Type *t;
        if (!const_expr(C, e->cond, &c, &t) || !const_expr(C, e->lhs, &a, &t) || !const_expr(C, e->rhs, &b, &t)) return false;
        *out = c.i ? a : b;
        return true;
    }
    case E_BINARY: {
        Value a, b; Type *ta, *tb;
        if (!const_expr(C, e->lhs, &a, &ta) || !const_expr(C, e->rhs, &b, &tb)) return false;
        bool fl = ta->kind == T_FLOAT || tb->kind == T_FLOAT;
        double fa = ta->kind == T_FLOAT ? a.f : (double)a.i, fb = tb->kind == T_FLOAT ? b.f : (double)b.i;
        switch (e->op) {
        case TK_PLUS:
            if (ta->kind == T_STRING) { out->p = arena_printf(C->A, "%s%s", (char *)a.p, (char *)b.p); return true; }
            if (fl) out->f = fa + fb; else out->u = a.u + b.u; return true;
        case TK_MINUS: if (fl) out->f = fa - fb; else out->u = a.u - b.u; return true;
        case TK_STAR: if (fl) out->f = fa * fb; else out->u = a.u * b.u; return true;
        case TK_SLASH: case TK_PERCENT:
            if (fl) { out->f = e->op == TK_SLASH ? fa / fb : fmod(fa, fb); return true; }
            if (b.i == 0) { err(C, e->span, "division by zero in constant expression"); e->type = T_err(C); return false; }
            if (b.i == -1) out->u = e->op == TK_SLASH ? 0 - a.u : 0;
            else out->i = e->op == TK_SLASH ? a.i / b.i : a.i % b.i;
            return true;
        case TK_AMP: out->i = a.i & b.i; return true;
        case TK_PIPE: out->i = a.i | b.i; return true;
        case TK_CARET: out->i = a.i ^ b.i; return true;
        case TK_SHL: case TK_SHR: case TK_USHR:
            if (b.i < 0 || b.i > 63) return false;
            out->u = e->op == TK_SHL ? a.u << b.i : e->op == TK_USHR ? a.u >> b.i : (uint64_t)(a.i >> b.i);
            return true;
        case TK_DOTDOT: {     /* display forms of constants */
            char buf[2][64];
            const char *txt[2];
            Value vv[2] = {a, b};
            Type *tv[2] = {ta, tb};
            for (int k = 0; k < 2; k++) {
                switch (tv[k]->kind) {
                case T_STRING: txt[k] = (const char *)vv[k].p; break;
                case T_BOOL: txt[k] = vv[k].i ? "true" : "false"; break;
                case T_FLOAT: fmt_float(buf[k], vv[k].f); txt[k] = buf[k]; break;
                default: snprintf(buf[k], sizeof buf[k], "%lld", (long long)vv[k].i); txt[k] = buf[k]; break;
                }
            }
            out->p = arena_printf(C->A, "%s%s", txt[0], txt[1]);
            *tout = C->tt->t_string;
            return true;
        }
        case TK_ANDAND: out->i = a.i && b.i; return true;
        case TK_OROR: out->i = a.i || b.i; return true;
        case TK_EQ: case TK_NE: case TK_LT: case TK_LE: case TK_GT: case TK_GE: {
            int c;
            if (ta->kind == T_STRING) c = strcmp((char *)a.p, (char *)b.p);
            else if (fl) c = fa < fb ? -1 : fa > fb ? 1 : fa == fb ? 0 : 2;
            else c = a.i < b.i ? -1 : a.i > b.i;
            bool r;
            switch (e->op) {
            case TK_EQ: r = c == 0; break;
            case TK_NE: r = c != 0; break;
            case TK_LT: r = c == -1; break;
            case TK_LE: r = c == -1 || c == 0; break;
            case TK_GT: r = c == 1; break;
            default: r = c == 1 || c == 0; break;
            }
            out->i = r;
            return true;
        }
        default: return false;
        }
    }
    default: return false;
    }
}

/* ------------------------------------------------------------------ */
/* operators */

/* An operator's text without the quotes of its spelling ("'+'" -> "+"),
 * into a caller buffer (no static state: the checker is reentrant). */
typedef struct OpText { char s[8]; } OpText;
static OpText op_text(TokKind op) {
    OpText r = {{0}};
    const char *s = tok_spelling[op];
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '\'' && n - 2 < sizeof r.s) memcpy(r.s, s + 1, n - 2);
    else snprintf(r.s, sizeof r.s, "%s", s);
    return r;
}

static bool is_num(Type *t) { return t->kind == T_INT || t->kind == T_FLOAT; }

static Type *bin_error(Checker *C, Expr *e, Type *a, Type *b) {
    Diag *g = err(C, e->op_span.line ? e->op_span : e->span, "cannot apply operator '%s' to %s and %s", op_text(e->op).s, a->name, b->name);
    if (e->op == TK_PLUS && (a->kind == T_STRING || b->kind == T_STRING))
        diag_help(C->D, g, "use '..' to join values of any type");
    return T_err(C);
}

/* Mixed int/float arithmetic: convert the int side to float. */
static void promote(Checker *C, Expr *e) {
    Type *f = C->tt->t_float;
    if (e->lhs->type->kind == T_INT) e->lhs = convert(C, e->lhs, f);
    if (e->rhs->type->kind == T_INT) e->rhs = convert(C, e->rhs, f);
}

static bool comparable(Checker *C, Expr *e) {
    /* a narrowed Optional variable may still be compared with null */
    if (e->rhs->type->kind == T_NULL && e->lhs->kind == E_NAME && e->lhs->sym && e->lhs->sym->type->kind == T_OPTIONAL)
        e->lhs->type = e->lhs->sym->type;
    if (e->lhs->type->kind == T_NULL && e->rhs->kind == E_NAME && e->rhs->sym && e->rhs->sym->type->kind == T_OPTIONAL)
        e->rhs->type = e->rhs->sym->type;
    Type *a = e->lhs->type, *b = e->rhs->type;
    if (a == b) return a->kind != T_VOID && a->kind != T_NULL;
    if (is_num(a) && is_num(b)) { promote(C, e); return true; }
    if (a->kind == T_NULL && b->kind == T_OPTIONAL) return true;
    if (b->kind == T_NULL && a->kind == T_OPTIONAL) return true;
    if (a->kind == T_OPTIONAL && assignable(C, b, a, e->rhs)) { e->rhs = convert(C, e->rhs, a); return true; }
    if (b->kind == T_OPTIONAL && assignable(C, a, b, e->lhs)) { e->lhs = convert(C, e->lhs, b); return true; }
    if ((a->kind == T_CLASS || a->kind == T_TRAIT) && (b->kind == T_CLASS || b->kind == T_TRAIT))
        return ty_is_subtype(a, b) || ty_is_subtype(b, a) || a->kind == T_TRAIT || b->kind == T_TRAIT;
    if (a->kind == T_TUPLE && assignable(C, b, a, e->rhs)) { e->rhs = convert(C, e->rhs, a); return true; }
    if (b->kind == T_TUPLE && assignable(C, a, b, e->lhs)) { e->lhs = convert(C, e->lhs, b); return true; }
    return false;
}

static void narrow_from_cond(Checker *C, Expr *c, bool when_true);

static Type *check_binary(Checker *C, Expr *e, Type *expected) {
    TypeTable *tt = C->tt;
    TokKind op = e->op;
    if (op == TK_ANDAND || op == TK_OROR) {
        check_cond(C, e->lhs);
        uint32_t mark = C->nnarrow;
        narrow_from_cond(C, e->lhs, op == TK_ANDAND);
        check_cond(C, e->rhs);
        C->nnarrow = mark;
        return tt->t_bool;
    }
    if (op == TK_QQ) {
        Type *a = check_expr(C, e->lhs, NULL);
        if (is_err(a)) { check_expr(C, e->rhs, NULL); return T_err(C); }
        if (a->kind != T_OPTIONAL && a->kind != T_RESULT) {
            err(C, e->lhs->span, "'?\?' needs an Optional or a Result on the left, found %s", a->name);
            check_expr(C, e->rhs, NULL);
            return T_err(C);
        }
        Type *inner = a->a;
        Type *b = check_expr(C, e->rhs, expected && expected->kind == T_OPTIONAL ? expected : inner);
        if (is_err(b)) return inner;
        if (assignable(C, b, inner, e->rhs)) { e->rhs = convert(C, e->rhs, inner); return inner; }
        if (assignable(C, b, a, e->rhs)) { e->rhs = convert(C, e->rhs, a); return a; }
        mismatch(C, e->rhs, inner);
        return inner;
    }
    if (op == TK_DOTDOT) {
        Type *a = check_expr(C, e->lhs, NULL), *b = check_expr(C, e->rhs, NULL);
        for (int k = 0; k < 2; k++) {
            Expr *x = k ? e->rhs : e->lhs;
            if (x->type->kind != T_VOID) continue;
            if (x->kind == E_CALL) err(C, x->span, "'%s' returns no value", callee_name(x->lhs));
            else err(C, x->span, "cannot use a void value with '..'");
        }
        (void)a; (void)b;
        return tt->t_string;
    }
    /* int literal operands adapt to a float other side */
    Type *a = check_expr(C, e->lhs, NULL);
    if ((a->kind == T_STRUCT || a->kind == T_CLASS) && op != TK_EQ && op != TK_NE) return operator_method(C, e, a);
    Type *b = check_expr(C, e->rhs, NULL);
    if (is_err(a) || is_err(b)) return (op == TK_EQ || op == TK_NE || op == TK_LT || op == TK_LE || op == TK_GT || op == TK_GE) ? tt->t_bool : T_err(C);
    switch (op) {
    case TK_PLUS: case TK_MINUS: case TK_STAR: case TK_SLASH: case TK_PERCENT:
        if (a->kind == T_INT && b->kind == T_INT) return tt->t_int;
        if (is_num(a) && is_num(b)) { promote(C, e); return tt->t_float; }
        if (op == TK_PLUS && a->kind == T_STRING && b->kind == T_STRING) return tt->t_string;
        if (b->kind == T_STRUCT || b->kind == T_CLASS) {       /* 2.0 * v calls v.reverseMultiply(2.0) */
            Type *r = reversed_operator(C, e, a, b);
            if (r) return r;
        }
        return bin_error(C, e, a, b);
    case TK_AMP: case TK_PIPE: case TK_CARET: case TK_SHL: case TK_SHR: case TK_USHR:
        if (a->kind == T_INT && b->kind == T_INT) return tt->t_int;
        return bin_error(C, e, a, b);
    case TK_LT: case TK_LE: case TK_GT: case TK_GE:
        if (is_num(a) && is_num(b)) { if (a != b) promote(C, e); return tt->t_bool; }
        if (a->kind == T_STRING && b->kind == T_STRING) return tt->t_bool;
        bin_error(C, e, a, b);
        return tt->t_bool;
    case TK_EQ: case TK_NE:
        if (!comparable(C, e)) err(C, e->span, "cannot compare %s with %s", a->name, b->name);
        return tt->t_bool;
    default:
        err(C, e->span, "unsupported operator %s", tok_spelling[op]);
        return T_err(C);
    }
}

static Type *check_unary(Checker *C, Expr *e, Type *expected) {
    Type *t = check_expr(C, e->lhs, e->op == TK_MINUS && expected && expected->kind == T_FLOAT && is_int_literal(e->lhs) ? expected : NULL);
    if (is_err(t)) return t;
    if (e->op == TK_MINUS && (t->kind == T_STRUCT || t->kind == T_CLASS)) {      /* -a calls a.negate() */
        MethodInfo *mi = find_method_in(type_info(t), "negate");
        if (mi && !mi->is_static && mi->fd->nparams == 0 && (mi->is_public || inside_type(C, mi->owner))) {
            CallInfo *ci = arena_alloc(C->A, sizeof *ci);
            ci->receiver = e->lhs;
            ci->ti = type_info(t);
            ci->mi = mi;
            ci->ftype = mi->fi->type;
            ci->kind = method_kind(type_info(t), mi);
            e->check = ci;
            if (is_coroutine(mi->fd)) {           /* an operator is a plain call */
                err(C, e->op_span.line ? e->op_span : e->span, "coroutine 'negate' must be called with start or yield");
                return T_err(C);
            }
            return mi->fi->ret;
        }
    }
    switch (e->op) {
    case TK_MINUS: if (is_num(t)) return t; break;
    case TK_BANG: if (t->kind == T_BOOL) return t; break;
    case TK_TILDE: if (t->kind == T_INT) return t; break;
    default: break;
    }
    err(C, e->span, "cannot apply operator '%s' to %s", op_text(e->op).s, t->name);
    return T_err(C);
}

/* ------------------------------------------------------------------ */
/* narrowing (language.md §17.3) */

static Sym *narrowable(Checker *C, Expr *e) {
    if (e->kind != E_NAME || !e->sym) return NULL;
    Sym *s = e->sym;
    if (s->kind != SYM_LOCAL || s->closure_assigns) return NULL;
    if (s->type->kind != T_OPTIONAL && s->type->kind != T_CLASS && s->type->kind != T_TRAIT) return NULL;
    return s;
}

/* Pushes the facts that hold when c evaluates to when_true. */
static void narrow_from_cond(Checker *C, Expr *c, bool when_true) {
    if (c->kind == E_UNARY && c->op == TK_BANG) { narrow_from_cond(C, c->lhs, !when_true); return; }
    if (c->kind == E_BINARY && c->op == TK_ANDAND && when_true) {
        narrow_from_cond(C, c->lhs, true);
        narrow_from_cond(C, c->rhs, true);
        return;
    }
    if (c->kind == E_BINARY && c->op == TK_OROR && !when_true) {
        narrow_from_cond(C, c->lhs, false);
        narrow_from_cond(C, c->rhs, false);
        return;
    }
    Sym *s = NULL;
    bool present = false;
    if (c->kind == E_IS && c->lhs->type && c->lhs->type->kind == T_ANY) {
        return;                   /* an any value stays boxed: convert it with 'as' */
    } else if (c->kind == E_IS && c->lhs->type && c->lhs->type->kind != T_OPTIONAL) {
        s = narrowable(C, c->lhs);
        if (s && when_true) {
            Type *t = resolve_type(C, c->type_expr);
            if (!is_err(t)) push_narrow(C, s, t);
        }
        return;
    } else if (c->kind == E_IS && c->lhs->type && c->lhs->type->kind == T_OPTIONAL) {
        s = narrowable(C, c->lhs);
        present = when_true;
        Type *t = resolve_type(C, c->type_expr);
        if (s && present && !is_err(t) && t != s->type->a && (t->kind == T_CLASS || t->kind == T_TRAIT)) { push_narrow(C, s, t); return; }
    } else if (c->kind == E_MEMBER && !c->is_tuple_index && strcmp(c->str, "hasValue") == 0) {
        s = narrowable(C, c->lhs);
        if (s && s->type->kind != T_OPTIONAL) s = NULL;
        present = when_true;
    } else if (c->kind == E_BINARY && (c->op == TK_EQ || c->op == TK_NE)) {
        Expr *other = NULL;
        if (c->rhs->kind == E_NULL) { s = narrowable(C, c->lhs); other = c->rhs; }
        else if (c->lhs->kind == E_NULL) { s = narrowable(C, c->rhs); other = c->lhs; }
        if (s && s->type->kind != T_OPTIONAL) s = NULL;
        (void)other;
        present = (c->op == TK_NE) == when_true;
    }
    if (s && present) push_narrow(C, s, s->type->a);
}

/* Does stmt/expr tree assign to s?  Used to end facts over loops. */
static bool assigns_in_block(Block *b, Sym *s);
static bool assigns_in_stmt(Stmt *st, Sym *s) {
    if (!st) return false;
    switch (st->kind) {
    case S_ASSIGN:
        if (st->target->kind == E_NAME && strcmp(st->target->str, s->name) == 0) return true;
        if (st->target->kind == E_TUPLE)
            for (uint32_t i = 0; i < st->target->nelems; i++)
                if (st->target->elems[i]->kind == E_NAME && strcmp(st->target->elems[i]->str, s->name) == 0) return true;
        return false;
    case S_IF: return assigns_in_block(st->then, s) || assigns_in_stmt(st->els, s);
    case S_WHILE: case S_FOR: return assigns_in_block(st->body, s);
    case S_BLOCK: return assigns_in_block(st->body, s);
    case S_WHEN:
        for (uint32_t i = 0; i < st->when->narms; i++) if (assigns_in_stmt(st->when->arms[i].body, s)) return true;
        return false;
    default: return false;
    }
}
static bool assigns_in_block(Block *b, Sym *s) {
    if (!b) return false;
    for (uint32_t i = 0; i < b->n; i++) if (assigns_in_stmt(b->stmts[i], s)) return true;
    return false;
}

/* Before a loop: facts about variables the loop assigns end for the loop. */
static void kill_for_loop(Checker *C, Block *body, Expr *cond) {
    (void)cond;
    uint32_t n = C->nnarrow;
    for (uint32_t i = 0; i < n; i++) {
        Sym *s = C->narrow[i].sym;
        if (narrowed(C, s) != s->type && assigns_in_block(body, s)) push_narrow(C, s, s->type);
    }
}

/* ------------------------------------------------------------------ */
/* calls */

static const LibFn lib_print = {"print", "(value: any = \"\")", NULL};
static const LibFn lib_typeof = {"typeof", "(value: any) -> string", NULL};
static const LibFn lib_assert = {"assert", "(condition: bool, message: string = \"\")", NULL};

/* Binds call arguments to parameters (positional, then named) and checks
 * each against its parameter type. */
static bool bind_args(Checker *C, Expr *call, const char *fname, uint32_t np, const char *const *names,
                      Type **types, Expr **defaults, bool variadic, CallInfo *ci) {
    ci->nparams = np;
    ci->argv = arena_alloc(C->A, sizeof(Expr *) * (np ? np : 1));
    ci->defaults = defaults;
    ci->has_variadic = variadic;
    uint32_t nfixed = variadic ? np - 1 : np;
    Expr **var = arena_alloc(C->A, sizeof(Expr *) * (call->nargs ? call->nargs : 1));
    uint32_t nvar = 0, npos = 0;
    bool seen_named = false, ok = true;
    for (uint32_t i = 0; i < call->nargs; i++) {
        Arg *a = &call->args[i];
        if (!a->label) {
            if (seen_named) {
                err(C, a->value->span, "positional argument after named argument");
                check_expr(C, a->value, NULL);
                ok = false;
                continue;
            }
            if (a->value->kind == E_SPREAD) {
                if (!variadic || npos < nfixed) {
                    err(C, a->value->span, "spread '...' can only fill a variadic parameter");
                    check_expr(C, a->value->lhs, NULL);
                    ok = false;
                    continue;
                }
                var[nvar++] = a->value;
                ci->spread = true;
                npos++;
                continue;
            }
            if (npos < nfixed) ci->argv[npos] = a->value;
            else if (variadic) var[nvar++] = a->value;
            else {
                uint32_t total = 0;
                for (uint32_t k = 0; k < call->nargs; k++) total++;
                err(C, a->value->span, "too many arguments in call to '%s': expected %u, found %u", fname, np, total);
                for (uint32_t k = i; k < call->nargs; k++) check_expr(C, call->args[k].value, NULL);
                return false;
            }
            npos++;
        } else {
            seen_named = true;
            uint32_t k;
            for (k = 0; k < np; k++) if (strcmp(names[k], a->label) == 0) break;
            if (k == np) {
                Diag *g = err(C, a->label_span.line ? a->label_span : a->value->span, "unknown parameter '%s' in call to '%s'", a->label, fname);
                const char *s = diag_suggest(a->label, names, np);
                if (s) diag_help(C->D, g, "did you mean '%s'?", s);
                check_expr(C, a->value, NULL);
                ok = false;
                continue;
            }
            if (ci->argv[k] || (variadic && k == nfixed && nvar)) {
                err(C, a->label_span.line ? a->label_span : a->value->span, "argument '%s' is given twice", a->label);
                check_expr(C, a->value, NULL);
                ok = false;
                continue;
            }
            if (variadic && k == nfixed) var[nvar++] = a->value;
            else ci->argv[k] = a->value;
        }
    }
    if (ci->spread && nvar > 1) { err(C, call->span, "a spread argument must be the only variadic argument"); ok = false; }
    for (uint32_t k = 0; k < nfixed; k++) {
        if (!ci->argv[k] && !(defaults && defaults[k])) {
            if (ok) err(C, call->span, "missing argument for parameter '%s' in call to '%s'", names[k], fname);
            ok = false;
        }
    }
    ci->varargs = var;
    ci->nvarargs = nvar;
    /* check the arguments against the parameter types */
    for (uint32_t k = 0; k < nfixed; k++) {
        if (!ci->argv[k]) continue;
        check_to(C, &ci->argv[k], types[k]);
    }
    if (variadic) {
        Type *at = types[np - 1];      /* Array<T> */
        ci->vararg_type = at;
        for (uint32_t k = 0; k < nvar; k++) {
            if (ci->spread) check_to(C, &ci->varargs[k]->lhs, at);
            else check_to(C, &ci->varargs[k], at->a);
        }
    }
    return ok;
}

static FnInfo *fn_info(FuncDecl *fd) { return (FnInfo *)fd->check; }

static Type *call_decl(Checker *C, Expr *e, Sym *s, CallInfo *ci) {
    FuncDecl *fd = s->fn;
    FnInfo *fi = fn_info(fd);
    if (!fi || is_err(fi->type)) {
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    const char *names[256];
    Expr *defs[256];
    uint32_t np = fd->nparams > 256 ? 256 : fd->nparams;
    bool variadic = false;
    for (uint32_t i = 0; i < np; i++) {
        names[i] = fd->params[i].name;
        defs[i] = fd->params[i].def;
        if (fd->params[i].variadic) variadic = true;
    }
    Expr **defcopy = arena_alloc(C->A, sizeof(Expr *) * (np ? np : 1));
    memcpy(defcopy, defs, sizeof(Expr *) * np);
    bind_args(C, e, fd->name, np, names, fi->type->args, defcopy, variadic, ci);
    ci->ftype = fi->type;
    return fi->ret;
}

/* A library or host function's parsed signature.  Without type bindings it
 * is the same at every call, so it is parsed once per load. */
static LibSig *lib_sig(Checker *C, const LibFn *f, Type *T, Type *U, Type *K, Type *V) {
    if (T || U || K || V) return parse_libsig(C, f->sig, T, U, K, V);
    if (C->nlibfns * 2 >= C->caplibfns) {             /* grow: rehash into a table twice the size */
        uint32_t nc = C->caplibfns ? C->caplibfns * 2 : 64;
        const LibFn **fs = arena_alloc(C->A, sizeof(LibFn *) * nc);
        LibSig **ss = arena_alloc(C->A, sizeof(LibSig *) * nc);
        for (uint32_t i = 0; i < C->caplibfns; i++) {
            if (!C->libfns[i]) continue;
            uint32_t h = ((uint32_t)((uintptr_t)C->libfns[i] >> 4) * 2654435761u) & (nc - 1);
            while (fs[h]) h = (h + 1) & (nc - 1);
            fs[h] = C->libfns[i];
            ss[h] = C->libsigs[i];
        }
        C->libfns = fs;
        C->libsigs = ss;
        C->caplibfns = nc;
    }
    uint32_t h = ((uint32_t)((uintptr_t)f >> 4) * 2654435761u) & (C->caplibfns - 1);
    for (; C->libfns[h]; h = (h + 1) & (C->caplibfns - 1))
        if (C->libfns[h] == f) return C->libsigs[h];
    LibSig *ls = parse_libsig(C, f->sig, NULL, NULL, NULL, NULL);
    C->libfns[h] = f;
    C->libsigs[h] = ls;
    C->nlibfns++;
    return ls;
}

static Type *call_lib(Checker *C, Expr *e, const LibFn *f, const char *fname, Type *T, Type *U, Type *K, Type *V, CallInfo *ci) {
    LibSig *ls = lib_sig(C, f, T, U, K, V);
    if (!ls) { err(C, e->span, "internal: bad library signature for '%s'", fname); return T_err(C); }
    bind_args(C, e, fname, ls->n, ls->names, ls->types, ls->defaults, ls->variadic, ci);
    Type *ps[16];
    for (uint32_t i = 0; i < ls->n; i++) ps[i] = ls->types[i];
    ci->ftype = ty_func(C->vm, ps, ls->n, ls->ret);
    ci->lib = f;
    return ls->ret;
}

/* Picks the int or float overload: int when every argument is an int. */
static const LibFn *pick_overload(Checker *C, Sym *s, Expr *e) {
    if (s->nlib == 1) return s->lib[0];
    bool all_int = true;
    for (uint32_t i = 0; i < e->nargs; i++) {
        Type *t = check_expr(C, e->args[i].value, NULL);
        if (t->kind != T_INT) all_int = false;
    }
    const LibFn *fi = strstr(s->lib[0]->sig, "int") && !strstr(s->lib[0]->sig, "float") ? s->lib[0] : s->lib[1];
    const LibFn *ff = fi == s->lib[0] ? s->lib[1] : s->lib[0];
    return all_int ? fi : ff;
}

static const LibFn *find_method(const LibFn *table, const char *name, uint32_t nargs, const LibFn **second) {
    const LibFn *first = NULL;
    *second = NULL;
    for (const LibFn *f = table; f->name; f++) {
        if (f->name[0] != name[0] || strcmp(f->name, name) != 0) continue;
        if (!first) first = f; else *second = f;
    }
    (void)nargs;
    return first;
}

static void unknown_method(Checker *C, Expr *callee, Type *t, const LibFn *table) {
    Diag *g = err(C, callee->op_span.line ? callee->op_span : callee->span, "unknown method '%s' on %s", callee->str, t->name);
    const char *cands[128];
    size_t n = 0;
    for (const LibFn *f = table; f && f->name && n < 128; f++) cands[n++] = f->name;
    const char *s = diag_suggest(callee->str, cands, n);
    if (s) diag_help(C->D, g, "did you mean '%s'?", s);
}

static Type *check_lambda(Checker *C, Expr *e, Type *expected);

/* A method of string, Array<T> or Dictionary<K, V> (receiver type t). */
static const LibFn *method_table(Type *t) {
    return t->kind == T_STRING ? lib_string_methods : t->kind == T_ARRAY ? lib_array_methods :
           t->kind == T_DICT ? lib_dict_methods : t->kind == T_NATIVE ? ((const NativeType *)t->decl)->methods : NULL;
}

static Type *call_method(Checker *C, Expr *e, Expr *callee, Type *t, CallInfo *ci) {
    const LibFn *table = method_table(t);
    if (!table) {
        if (t->kind == T_OPTIONAL) {
            Diag *g = err(C, callee->span, "cannot access '%s' on %s; the value may be null", callee->str, t->name);
            diag_help(C->D, g, "use '?.', '?\?' or check 'hasValue' first");
        } else {
            err(C, callee->span, "unknown method '%s' on %s", callee->str, t->name);
        }
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    const LibFn *second;
    const LibFn *f = find_method(table, callee->str, e->nargs, &second);
    if (!f) {
        unknown_method(C, callee, t, table);
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    if (second && e->nargs > 0) f = strstr(f->sig, "()") ? second : f;   /* sort(compare) */
    Type *T = t->kind == T_ARRAY ? t->a : NULL, *K = t->kind == T_DICT ? t->a : NULL, *V = t->kind == T_DICT ? t->b : NULL;
    Type *U = NULL;
    if (sig_uses_U(f->sig) && e->nargs > 0) {
        /* infer U: map's transform result, reduce's initial value (the first
         * parameter's argument, written positionally or by name) */
        const char *first = strcmp(f->name, "map") == 0 ? "transform" : "initial";
        Expr *a0 = NULL;
        for (uint32_t i = 0; i < e->nargs && !a0; i++)
            if (e->args[i].label && strcmp(e->args[i].label, first) == 0) a0 = e->args[i].value;
        if (!a0) a0 = e->args[0].label ? NULL : e->args[0].value;
        if (!a0) {
            err(C, e->span, "missing argument for parameter '%s' in call to '%s'", first, f->name);
            for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
            return T_err(C);
        }
        if (strcmp(f->name, "map") == 0) {
            Type *ft = check_expr(C, a0, NULL);
            if (ft->kind == T_FUNC && ft->n == 1 && ft->a->kind == T_VOID) {
                err(C, a0->span, "type mismatch: 'map' needs a transform that returns a value, found %s", ft->name);
                return T_err(C);
            }
            if (ft->kind == T_FUNC && ft->n == 1) U = ft->a;
            else if (!is_err(ft)) { err(C, a0->span, "type mismatch: expected (%s) -> U, found %s", T->name, ft->name); return T_err(C); }
            else return T_err(C);
        } else {
            U = check_expr(C, a0, NULL);
            if (is_err(U)) return T_err(C);
            if (U->kind == T_NULL) { err(C, a0->span, "cannot infer the type of null; add a type annotation"); return T_err(C); }
        }
    }
    if (strcmp(f->name, "sort") == 0 && e->nargs == 0 && T && !is_err(T) &&
        T->kind != T_INT && T->kind != T_FLOAT && T->kind != T_STRING) {
        err(C, callee->span, "sort() without a comparator needs int, float or string elements, found %s", T->name);
        return T_err(C);
    }
    Type *r = call_lib(C, e, f, callee->str, T, U, K, V, ci);
    ci->kind = f->fn ? CALL_METHOD : CALL_HOF;
    ci->receiver = callee->lhs;
    return r;
}

/* Weak(obj), Success(v), Error(msg): their types come from the argument or
 * the expected type (language.md §18, §19). */
static Type *check_builtin_ctor(Checker *C, Expr *e, const char *name, Type *expected, CallInfo *ci) {
    TypeTable *tt = C->tt;
    if (e->nargs > 1 || (e->nargs == 1 && e->args[0].label)) {
        err(C, e->span, "'%s' takes one positional argument", name);
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    ci->nparams = e->nargs;
    ci->argv = arena_alloc(C->A, sizeof(Expr *));
    if (e->nargs) ci->argv[0] = e->args[0].value;
    Type *rt = expected && expected->kind == T_OPTIONAL ? expected->a : expected;
    if (name[0] == 'W') {
        if (!e->nargs) { err(C, e->span, "missing argument for parameter 'target' in call to 'Weak'"); return T_err(C); }
        Type *t = check_expr(C, ci->argv[0], NULL);
        if (is_err(t)) return t;
        if (t->kind != T_CLASS && t->kind != T_TRAIT && t->kind != T_HOST) { err(C, ci->argv[0]->span, "Weak needs a class or trait value, found %s", t->name); return T_err(C); }
        Type *wt = rt && rt->kind == T_WEAK && ty_is_subtype(t, rt->a) ? rt : ty_weak(C->vm, t);
        ci->kind = CALL_WEAKNEW;
        return wt;
    }
    if (name[0] == 'S') {
        ci->kind = CALL_RESOK;
        if (rt && rt->kind == T_RESULT) {
            if (rt->a->kind == T_VOID) {
                if (e->nargs) { err(C, ci->argv[0]->span, "Success() of Result<void> takes no value"); check_expr(C, ci->argv[0], NULL); }
                return rt;
            }
            if (!e->nargs) { err(C, e->span, "missing value in Success(...) for %s", rt->name); return T_err(C); }
            check_to(C, &ci->argv[0], rt->a);
            return rt;
        }
        if (!e->nargs) return ty_result(C->vm, tt->t_void);
        Type *t = check_expr(C, ci->argv[0], NULL);
        if (is_err(t)) return t;
        if (t->kind == T_NULL || t->kind == T_VOID) { err(C, ci->argv[0]->span, "cannot infer the type of Success(...); add a type annotation"); return T_err(C); }
        return ty_result(C->vm, t);
    }
    ci->kind = CALL_RESERR;
    if (!e->nargs) { err(C, e->span, "missing argument for parameter 'msg' in call to 'Error'"); return T_err(C); }
    check_to(C, &ci->argv[0], tt->t_string);
    if (rt && rt->kind == T_RESULT) return rt;
    err(C, e->span, "cannot infer the type of Error(...); add a type annotation");
    return T_err(C);
}

static Type *no_targs(Checker *C, Expr *e);

/* Regex("...") and other native reference types with a constructor. */
static Type *call_native_ctor(Checker *C, Expr *e, Sym *s, CallInfo *ci) {
    const NativeType *nt = (const NativeType *)s->type->decl;
    if (e->ntargs) return no_targs(C, e);
    if (!nt->ctor) {
        err(C, e->lhs->span, "%s has no constructor", nt->name);
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    e->lhs->type = s->type;
    ci->kind = CALL_NATIVE;
    call_lib(C, e, nt->ctor, nt->name, NULL, NULL, NULL, NULL, ci);
    return s->type;
}

/* A generic native "<T>(...)": T is written (f<T>(...)) or comes from the
 * expected type (the T in an expected Result<T> / Optional<T>, or T itself);
 * the module's type_arg hook may reject it.  The compiler passes T to the
 * native as a hidden trailing argument (rt.h). */
static Type *call_generic_lib(Checker *C, Expr *e, Sym *s, Type *expected, CallInfo *ci) {
    const LibFn *f = s->lib[0];
    Type *T = NULL;
    if (e->ntargs > 1) {
        err(C, e->span, "'%s' takes one type argument", s->name);
    } else if (e->ntargs == 1) {
        T = resolve_type(C, e->targs[0]);
        if (T->kind == T_VOID) { err(C, e->targs[0]->span, "'void' cannot be a type argument"); T = T_err(C); }
    } else if (expected && !is_err(expected)) {
        /* match the declared return type against the expected one */
        LibSig *probe = lib_sig(C, f, C->tt->t_null, NULL, NULL, NULL);
        Type *r = probe ? probe->ret : NULL, *x = expected;
        while (r && r->kind != T_NULL && x && r->kind == x->kind && (r->kind == T_RESULT || r->kind == T_OPTIONAL || r->kind == T_ARRAY)) { r = r->a; x = x->a; }
        if (r && r->kind == T_NULL && x) T = x;
    }
    if (!T) {
        if (!e->ntargs) err(C, e->span, "cannot infer the type argument of '%s'; write %s<T>(...)", s->name, s->name);
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    if (is_err(T)) {
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T;
    }
    for (const LibModule *m = lib_modules; m->name; m++) {
        bool mine = false;
        for (const LibFn *g = m->fns; g && g->name && !mine; g++) mine = g == f;
        if (!mine || !m->type_arg_ok) continue;
        const char *why = m->type_arg_ok(f, T);
        if (why) {
            err(C, e->ntargs ? e->targs[0]->span : e->span, why, T->name);
            for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
            return T_err(C);
        }
    }
    ci->kind = CALL_NATIVE;
    ci->targ = T;
    return call_lib(C, e, f, s->name, T, NULL, NULL, NULL, ci);
}

/* Explicit type arguments on a call of something not generic. */
static Type *no_targs(Checker *C, Expr *e) {
    err(C, e->span, "'%s' takes no type arguments", callee_name(e->lhs));
    for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
    return T_err(C);
}

/* ------------------------------------------------------------------ */
/* coroutines (§21): a function whose body yields (not counting nested
 * functions and lambdas) is a coroutine, decided syntactically so that
 * calls checked before the body know it. */

static bool block_yields(Block *b);
static bool is_yield(Expr *e) {          /* the checker may have wrapped it in a conversion */
    while (e && e->kind == E_CONVERT) e = e->lhs;
    return e && e->kind == E_YIELD;
}
static bool stmt_yields(Stmt *s) {
    if (!s) return false;
    switch (s->kind) {
    case S_YIELD: return true;
    case S_VAR: return is_yield(s->init);
    case S_ASSIGN: case S_RETURN: return is_yield(s->value);
    case S_IF: return block_yields(s->then) || stmt_yields(s->els);
    case S_WHILE: case S_FOR: case S_BLOCK: return block_yields(s->body);
    case S_WHEN:
        for (uint32_t i = 0; i < s->when->narms; i++)
            if (stmt_yields(s->when->arms[i].body)) return true;
        return false;
    default: return false;
    }
}
static bool block_yields(Block *b) {
    if (!b) return false;
    for (uint32_t i = 0; i < b->n; i++) if (stmt_yields(b->stmts[i])) return true;
    return false;
}

static bool is_coroutine(FuncDecl *fd) {
    if (!fd) return false;
    if (!fd->coro) fd->coro = !fd->is_lambda && block_yields(fd->body) ? 2 : 1;
    return fd->coro == 2;
}

bool chk_is_coroutine(FuncDecl *fd) { return is_coroutine(fd); }

uint32_t chk_dispatch_count(void *typeinfo) {
    TypeInfo *ti = typeinfo;
    if (!ti) return 0;
    return ti->kind == T_CLASS ? ti->nvtable : ti->kind == T_TRAIT ? ti->nmethods : 0;
}

const char *chk_dispatch_name(void *typeinfo, uint32_t i) {
    TypeInfo *ti = typeinfo;
    return ti->kind == T_CLASS ? ti->vtable[i]->name : ti->methods[i]->name;
}

Type *chk_dispatch_sig(void *typeinfo, uint32_t i, bool *coroutine) {
    TypeInfo *ti = typeinfo;
    MethodInfo *mi = ti->kind == T_CLASS ? ti->vtable[i] : ti->methods[i];
    *coroutine = mi->fd && is_coroutine(mi->fd);
    return mi->fi ? mi->fi->type : NULL;
}

/* A checker with no scopes, enough to parse a host or library signature. */
static void sig_checker(Checker *C, Arena *A, VM *vm) {
    arena_init(A, vm);
    memset(C, 0, sizeof *C);
    C->vm = vm;
    C->tt = &vm->types;
    C->A = A;
}

Type *chk_signature_type(VM *vm, const char *sig, uint32_t max, Value *defaults, bool *has) {
    Arena A;
    Checker C;
    sig_checker(&C, &A, vm);
    LibSig *ls = parse_libsig(&C, sig, NULL, NULL, NULL, NULL);
    Type *ft = NULL;
    if (ls && ls->n <= max && ls->n <= 16) {
        Type *ps[16];
        for (uint32_t i = 0; i < ls->n; i++) {
            ps[i] = ls->types[i];
            Expr *d = ls->defaults[i];
            has[i] = d != NULL;
            defaults[i].u = 0;
            if (!d) continue;
            switch (d->kind) {
            case E_INT: if (ps[i]->kind == T_FLOAT) defaults[i].f = (double)d->lit.i; else defaults[i].i = d->lit.i; break;
            case E_FLOAT: defaults[i].f = d->lit.f; break;
            case E_BOOL: defaults[i].i = d->lit.b; break;
            case E_STRING: defaults[i].p = str_new(vm, d->str, d->str_len); break;
            default: has[i] = false; break;
            }
        }
        ft = ty_func(vm, ps, ls->n, ls->ret);
    }
    arena_free(&A);
    return ft;
}

bool chk_valid_signature(VM *vm, const char *sig, char *why, size_t n) {
    Arena A;
    Checker C;
    sig_checker(&C, &A, vm);
    LibSig *ls = parse_libsig(&C, sig, NULL, NULL, NULL, NULL);
    bool ok = ls != NULL;
    if (!ok) snprintf(why, n, "cannot parse \"%s\" (types: int, float, bool, string, Array<T>, Dictionary<K, V>, Optional<T>, Result<T>, tuples, functions)", sig);
    for (uint32_t i = 0; ok && i < ls->n; i++) {
        for (uint32_t k = 0; k < i && ok; k++)
            if (*ls->names[i] && strcmp(ls->names[i], ls->names[k]) == 0) {
                snprintf(why, n, "parameter '%s' is declared twice", ls->names[i]);
                ok = false;
            }
        Expr *d = ls->defaults[i];
        Type *t = ls->types[i];
        if (ok && d) {             /* a constant of the parameter's type (an int literal fits a float) */
            bool fits = (d->kind == E_INT && (t->kind == T_INT || t->kind == T_FLOAT)) || (d->kind == E_FLOAT && t->kind == T_FLOAT) ||
                        (d->kind == E_BOOL && t->kind == T_BOOL) || (d->kind == E_STRING && t->kind == T_STRING);
            if (!fits) { snprintf(why, n, "the default of parameter %u does not fit its type %s", i + 1, t->name); ok = false; }
        }
        if (ok && d && i + 1 < ls->n && !ls->defaults[i + 1] && !(ls->variadic && i + 2 == ls->n)) {
            snprintf(why, n, "parameters with defaults must come after required parameters");
            ok = false;
        }
    }
    if (ok && ls->variadic) {     /* only the last parameter may be variadic */
        const char *dots = strstr(sig, "...");
        const char *comma = dots ? strchr(dots, ',') : NULL;
        if (comma) { snprintf(why, n, "a variadic parameter must be the last parameter"); ok = false; }
    }
    arena_free(&A);
    return ok;
}

/* The declaration a resolved call runs, when it is a script function. */
static FuncDecl *call_target(CallInfo *ci) {
    if (!ci) return NULL;
    switch (ci->kind) {
    case CALL_DIRECT: case CALL_LOCALFN: return ci->fn ? ci->fn->fn : NULL;
    case CALL_SMETHOD: case CALL_VMETHOD: case CALL_TMETHOD: return ci->mi ? ci->mi->fd : NULL;
    default: return NULL;
    }
}

static bool is_coroutine_call(Expr *e) {
    return e && e->kind == E_CALL && is_coroutine(call_target((CallInfo *)e->check));
}

/* A call checked outside start / yield must not be a coroutine. */
static Type *check_plain_call(Checker *C, Expr *e, Type *expected) {
    Expr *allowed = C->coro_ok;
    C->coro_ok = NULL;
    Type *t = check_call(C, e, expected);
    if (e != allowed && is_coroutine_call(e)) {
        FuncDecl *fd = call_target((CallInfo *)e->check);
        err(C, e->span, "coroutine '%s' must be called with start or yield", fd->name);
        return T_err(C);
    }
    return t;
}

/* yield [operand]: the wait or awaited call; returns the value's type
 * (void for waits). */
static Type *check_yield(Checker *C, Expr *operand, Span sp) {
    FnInfo *f = C->fn;
    const char *bad = f->is_script ? "'yield' is only allowed inside a function"
                    : f->decl && f->decl->is_lambda ? "a lambda cannot yield"
                    : f->method && f->method->accessor_of ? "a property accessor cannot yield" : NULL;
    if (bad) {
        err(C, sp, "%s", bad);
        if (operand) check_expr(C, operand, NULL);
        return T_err(C);
    }
    if (!operand) return C->tt->t_void;
    if (operand->kind == E_CALL) C->coro_ok = operand;
    Type *t = check_expr(C, operand, NULL);
    C->coro_ok = NULL;
    if (is_err(t) || is_coroutine_call(operand)) return t;
    if (t->kind == T_WAIT) return C->tt->t_void;
    err(C, operand->span, "yield expects a Wait or a coroutine call, found %s", t->name);
    return T_err(C);
}

/* start f(args): the call must be a coroutine; inside a class instance
 * method (or a lambda in one) `self` becomes the task's owner. */
static void check_start(Checker *C, Stmt *s) {
    Expr *call = s->value;
    if (call->kind != E_CALL) { check_expr(C, call, NULL); return; }
    C->coro_ok = call;
    Type *t = check_expr(C, call, NULL);
    C->coro_ok = NULL;
    if (is_err(t)) return;
    if (!is_coroutine_call(call)) {
        err(C, call->span, "'start' needs a coroutine call; '%s' never yields", callee_name(call->lhs));
        return;
    }
    Sym *self = lookup(C, "self");
    if (self && self->type && (self->type->kind == T_CLASS || self->type->kind == T_TRAIT)) {   /* traits: only classes */
        self->used = true;
        note_capture(C, self);
        s->check = self;
    }
}

static Type *check_call(Checker *C, Expr *e, Type *expected) {
    CallInfo *ci = arena_alloc(C->A, sizeof *ci);
    e->check = ci;
    Expr *callee = e->lhs;
    Sym *tsym = callee->kind == E_NAME ? lookup(C, callee->str) : NULL;
    if (callee->kind == E_NSNAME && e->ntargs) {
        Sym *ns = lookup(C, callee->ns);
        tsym = ns && ns->kind == SYM_NAMESPACE ? find_export(ns->exports, callee->str) : NULL;
    }
    bool on_member = callee->kind == E_MEMBER || callee->kind == E_SAFE_MEMBER;   /* checked per method */
    bool generic_lib = tsym && tsym->kind == SYM_LIB && tsym->lib[0]->sig[0] == '<';
    if (e->ntargs && !on_member && !(tsym && (tsym->generic || tsym->tdecl)) && !generic_lib) {
        err(C, e->span, "'%s' takes no type arguments", callee_name(callee));
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    if (callee->kind == E_NSNAME) {
        Sym *s = ns_lookup(C, callee);
        if (!s) {
            for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
            return T_err(C);
        }
        callee->kind = E_NAME;
        callee->check = s;                   /* pre-resolved for the branch below */
    }
    if (callee->kind == E_NAME) {
        Sym *s = callee->check ? (Sym *)callee->check : lookup(C, callee->str);
        callee->check = NULL;
        if (s && s->alias_of && s->kind != SYM_TYPE) s = s->alias_of;
        if (!s && (!strcmp(callee->str, "Weak") || !strcmp(callee->str, "Success") || !strcmp(callee->str, "Error")))
            return check_builtin_ctor(C, e, callee->str, expected, ci);
        if (!s) {
            if (is_predeclared(callee->str)) err(C, callee->span, "'%s' is not supported yet", callee->str);
            else unknown_name(C, callee, true);
            for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
            return T_err(C);
        }
        callee->sym = s;
        s->used = true;
        if (s->kind == SYM_TYPE && s->tdecl) {
            TypeInfo *ti = infer_type_instance(C, s, e, expected);
            if (!ti) { for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL); return T_err(C); }
            callee->type = ti->type;
            return check_construct(C, e, ti, ci);
        }
        if (s->kind == SYM_TYPE && s->type && s->type->kind == T_HOST) { callee->type = s->type; return host_construct(C, e, s->type->decl, ci); }
        if (s->kind == SYM_TYPE && s->type && s->type->kind == T_NATIVE) return call_native_ctor(C, e, s, ci);
        if (s->kind == SYM_TYPE) { callee->type = s->type; return check_construct(C, e, s->ti, ci); }
        if (s->kind == SYM_METHOD || s->kind == SYM_FIELD) {
            MethodInfo *mi = s->method;
            if (mi && mi->is_static) {
                Expr tmp = *callee;
                return call_static(C, e, &tmp, mi->owner, ci);
            }
            if (!mi && !s->field && s->ti) {         /* values() inside an enum's body */
                Expr tmp = *callee;
                return call_static(C, e, &tmp, s->ti, ci);
            }
            if (!lookup(C, "self")) {
                err(C, callee->span, "'self' can only be used inside an instance method");
                for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
                return T_err(C);
            }
            make_self_member(C, callee);   /* m(args) inside the type is self.m(args) */
        }
        else if (s->kind == SYM_FUNC && s->generic) {
            Sym *is = instantiate(C, s, e, expected);
            if (!is) {
                for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
                return T_err(C);
            }
            ci->kind = CALL_DIRECT;
            ci->fn = is;
            callee->sym = is;
            callee->type = is->type;
            return call_decl(C, e, is, ci);
        }
        else if (s->kind == SYM_FUNC || s->kind == SYM_LOCALFUNC) {
            if (s->kind == SYM_LOCALFUNC) note_capture(C, s);
            ci->kind = s->kind == SYM_FUNC ? CALL_DIRECT : CALL_LOCALFN;
            ci->fn = s;
            callee->type = fn_info(s->fn) ? fn_info(s->fn)->type : T_err(C);
            return call_decl(C, e, s, ci);
        }
        if (s->kind == SYM_LIB) {
            const LibFn *f = s->lib[0];
            if (f == &lib_print || f == &lib_typeof || f == &lib_assert) {
                Type *r = call_lib(C, e, f, s->name, NULL, NULL, NULL, NULL, ci);
                ci->kind = f == &lib_print ? CALL_PRINT : f == &lib_typeof ? CALL_TYPEOF : CALL_ASSERT;
                return r;
            }
            if (f->sig[0] == '<') return call_generic_lib(C, e, s, expected, ci);
            f = pick_overload(C, s, e);
            ci->kind = CALL_NATIVE;
            Type *T = NULL;
            if (strncmp(f->sig, "(array: Array<T>", 16) == 0 && e->nargs == 0) {
                err(C, e->span, "missing argument for parameter 'array' in call to '%s'", s->name);
                return T_err(C);
            }
            if (strncmp(f->sig, "(array: Array<T>", 16) == 0) {
                /* a native generic over its array argument (shuffle): T is that array's element type */
                Type *at = check_expr(C, e->args[0].value, NULL);
                if (is_err(at)) { for (uint32_t i = 1; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL); return T_err(C); }
                if (at->kind != T_ARRAY) {
                    err(C, e->args[0].value->span, "type mismatch: '%s' needs an array, found %s", s->name, at->name);
                    return T_err(C);
                }
                T = at->a;
            }
            return call_lib(C, e, f, s->name, T, NULL, NULL, NULL, ci);
        }
    }
    if (callee->kind == E_MEMBER && !callee->is_tuple_index && (callee->lhs->kind == E_NAME || callee->lhs->kind == E_NSNAME)) {
        Sym *ts = callee->lhs->kind == E_NSNAME ? ns_lookup(C, callee->lhs) : lookup(C, callee->lhs->str);
        if (ts && ts->kind == SYM_TYPE && ts->type && ts->type->kind == T_HOST) {
            callee->lhs->kind = E_NAME;
            callee->lhs->sym = ts;
            callee->lhs->type = ts->type;
            return host_static_call(C, e, callee, ts->type->decl, ci);
        }
        if (ts && ts->kind == SYM_TYPE) {
            callee->lhs->kind = E_NAME;
            callee->lhs->sym = ts;
            TypeInfo *sti = named_statics(ts);
            callee->lhs->type = sti ? sti->type : ts->type;
            return call_static(C, e, callee, sti, ci);
        }
    }
    if (callee->kind == E_SUPER) {
        FnInfo *mf = C->fn;
        while (mf && !mf->self_type) mf = mf->parent;
        TypeInfo *ti = mf ? mf->self_type : NULL;
        if (!ti || !ti->parent) {
            err(C, callee->span, "'super' used in a class without a parent");
            for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
            return T_err(C);
        }
        MethodInfo *mi = find_method_in(ti->parent, callee->str);
        if (!mi || mi->is_static || !mi->is_public) {
            err(C, callee->span, mi ? "'%s' in %s is not a public instance method" : "unknown method '%s' on %s", callee->str, ti->parent->name);
            for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
            return T_err(C);
        }
        Expr *self = mk_expr(C, E_SELF, callee->span, NULL);
        check_expr(C, self, NULL);
        ci->receiver = self;
        ci->ti = ti->parent;
        Type *r = call_method_decl(C, e, mi, ci);
        ci->kind = CALL_SMETHOD;     /* the parent's implementation, directly */
        return r;
    }
    if (callee->kind == E_MEMBER && !callee->is_tuple_index) {
        Type *t = check_expr(C, callee->lhs, NULL);
        if (t->kind == T_TYPEPARAM) {
            err(C, callee->op_span.line ? callee->op_span : callee->span, "unknown method '%s' on %s", callee->str, t->name);
            for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
            return T_err(C);
        }
        if (t->kind == T_WEAK || t->kind == T_RESULT) {
            if (t->kind == T_WEAK && strcmp(callee->str, "get") == 0 && e->nargs == 0) {
                ci->kind = CALL_WEAKGET;
                ci->receiver = callee->lhs;
                return ty_optional(C->vm, t->a);
            }
            err(C, callee->op_span.line ? callee->op_span : callee->span, "unknown method '%s' on %s", callee->str, t->name);
            for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
            return T_err(C);
        }
        if (t->kind == T_HOST) return host_method_call(C, e, callee, t, ci);
        if (is_user(t)) {
            Type *r = call_user_method(C, e, callee, t, ci);
            if (r) return r;
            /* a field holding a function: fall through to a call of the value */
            callee->type = NULL;
            goto value_call;
        }
        if (is_err(t)) {
            for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
            return T_err(C);
        }
        if (e->ntargs) return no_targs(C, e);
        if (t->kind == T_STRING || t->kind == T_ARRAY || t->kind == T_DICT || t->kind == T_OPTIONAL || t->kind == T_INT ||
            t->kind == T_FLOAT || t->kind == T_BOOL || t->kind == T_FUNC || t->kind == T_NATIVE)
            return call_method(C, e, callee, t, ci);
    }
    if (callee->kind == E_SAFE_MEMBER) {
        Type *t = check_expr(C, callee->lhs, NULL);
        if (is_err(t)) {
            for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
            return T_err(C);
        }
        if (t->kind != T_OPTIONAL) {
            if (t->kind == T_RESULT) err(C, callee->span, "'?.' needs an Optional; write (r?).%s(...)", callee->str);
            else err(C, callee->span, "'?.' needs an Optional, found %s", t->name);
            for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
            return T_err(C);
        }
        Expr tmp = *callee;
        tmp.kind = E_MEMBER;
        Type *r;
        if (t->a->kind == T_WEAK && strcmp(callee->str, "get") == 0 && e->nargs == 0) {
            ci->kind = CALL_WEAKGET;
            ci->receiver = callee->lhs;
            ci->safe = true;
            return ty_optional(C->vm, t->a->a);
        }
        if (is_user(t->a)) {
            r = call_user_method(C, e, &tmp, t->a, ci);
            if (!r) { err(C, callee->span, "a function-valued field cannot be called through '?.'"); return T_err(C); }
            ci->safe = true;
        } else if (e->ntargs) return no_targs(C, e);
        else r = call_method(C, e, &tmp, t->a, ci);
        ci->receiver = callee->lhs;
        if (is_err(r) || r->kind == T_VOID) return r;
        return ty_optional(C->vm, r);
    }
    /* a call through a function value */
value_call:;
    if (e->ntargs) return no_targs(C, e);
    Type *ft = check_expr(C, callee, NULL);
    if (is_err(ft)) {
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    if (ft->kind != T_FUNC) {
        err(C, callee->span, "cannot call a value of type %s", ft->name);
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    ci->kind = CALL_VALUE;
    ci->ftype = ft;
    ci->nparams = ft->n;
    ci->argv = arena_alloc(C->A, sizeof(Expr *) * (ft->n ? ft->n : 1));
    uint32_t k = 0;
    for (uint32_t i = 0; i < e->nargs; i++) {
        Arg *a = &e->args[i];
        if (a->label) { err(C, a->label_span, "a call through a function value takes positional arguments only"); check_expr(C, a->value, NULL); continue; }
        if (k >= ft->n) {
            err(C, a->value->span, "too many arguments in call to '%s': expected %u, found %u", callee_name(callee), ft->n, e->nargs);
            break;
        }
        ci->argv[k] = a->value;
        check_to(C, &ci->argv[k], ft->args[k]);
        k++;
    }
    if (k < ft->n && k == e->nargs)
        err(C, e->span, "missing argument %u in call to '%s': expected %u arguments", k + 1, callee_name(callee), ft->n);
    (void)expected;
    return ft->a;
}

/* ------------------------------------------------------------------ */
/* literals, lambdas, members, indexing */

static Type *check_array(Checker *C, Expr *e, Type *expected) {
    Type *el = expected && expected->kind == T_ARRAY ? expected->a : NULL;
    if (el) {
        for (uint32_t i = 0; i < e->nelems; i++) {
            Expr *x = e->elems[i];
            if (x->kind == E_SPREAD) { check_to(C, &x->lhs, expected); x->type = expected; }
            else check_to(C, &e->elems[i], el);
        }
        return expected;
    }
    if (e->nelems == 0) {
        err(C, e->span, "cannot infer the type of an empty array literal; add a type annotation");
        return T_err(C);
    }
    Type *common = NULL;
    Expr *cexpr = NULL;
    bool bad = false;
    for (uint32_t i = 0; i < e->nelems; i++) {
        Expr *x = e->elems[i];
        Type *t;
        /* empty literals take the type of their siblings: [["a"], []] */
        if ((x->kind == E_ARRAY || x->kind == E_DICT) && x->nelems == 0 && e->nelems > 1) continue;
        if (x->kind == E_SPREAD) {
            Type *at = check_expr(C, x->lhs, NULL);
            if (is_err(at)) { bad = true; continue; }
            if (at->kind != T_ARRAY) { err(C, x->lhs->span, "spread needs an array, found %s", at->name); bad = true; continue; }
            x->type = at;
            t = at->a;
        } else {
            t = check_expr(C, x, NULL);
        }
        if (is_err(t)) { bad = true; continue; }
        if (!common) { common = t; cexpr = x; continue; }
        Type *u = unify(C, common, cexpr, t, x->kind == E_SPREAD ? NULL : x);
        if (!u) {
            if (!bad) err(C, x->span, "cannot infer a common element type; add a type annotation");
            return T_err(C);
        }
        common = u;
        cexpr = x;
    }
    if (bad) return T_err(C);
    if (!common) {
        err(C, e->span, "cannot infer the type of an empty array literal; add a type annotation");
        return T_err(C);
    }
    if (common->kind == T_NULL) { err(C, e->span, "cannot infer the type of null; add a type annotation"); return T_err(C); }
    for (uint32_t i = 0; i < e->nelems; i++) {
        Expr *x = e->elems[i];
        if (!x->type && (x->kind == E_ARRAY || x->kind == E_DICT) && x->nelems == 0) {
            if ((x->kind == E_ARRAY && common->kind != T_ARRAY) || (x->kind == E_DICT && common->kind != T_DICT)) {
                err(C, x->span, "cannot infer a common element type; add a type annotation");
                return T_err(C);
            }
            check_expr(C, x, common);
        }
    }
    Type *at = ty_array(C->vm, common);
    for (uint32_t i = 0; i < e->nelems; i++) {
        Expr *x = e->elems[i];
        if (x->kind == E_SPREAD) {
            if (x->type != at) { err(C, x->span, "cannot infer a common element type; add a type annotation"); return T_err(C); }
        } else if (assignable(C, x->type, common, x)) e->elems[i] = convert(C, x, common);
        else { err(C, x->span, "cannot infer a common element type; add a type annotation"); return T_err(C); }
    }
    return at;
}

static Type *check_dict(Checker *C, Expr *e, Type *expected) {
    if (expected && expected->kind == T_DICT) {
        for (uint32_t i = 0; i < e->nelems; i++) {
            if (!e->keys[i]) { Expr *x = e->elems[i]; check_to(C, &x->lhs, expected); x->type = expected; continue; }
            check_to(C, &e->keys[i], expected->a);
            check_to(C, &e->elems[i], expected->b);
        }
        return expected;
    }
    if (e->nelems == 0) {
        err(C, e->span, "cannot infer the type of an empty dictionary literal; add a type annotation");
        return T_err(C);
    }
    Type *kt = NULL, *vt = NULL;
    Expr *ke = NULL, *ve = NULL;
    for (uint32_t i = 0; i < e->nelems; i++) {
        Type *k, *v;
        Expr *kx = e->keys[i], *vx = e->elems[i];
        if (!kx) {
            Type *dt = check_expr(C, vx->lhs, NULL);
            if (is_err(dt)) return T_err(C);
            if (dt->kind != T_DICT) { err(C, vx->span, "spread needs a dictionary, found %s", dt->name); return T_err(C); }
            vx->type = dt;
            k = dt->a; v = dt->b; kx = NULL; vx = NULL;
        } else {
            k = check_expr(C, kx, NULL);
            if ((vx->kind == E_ARRAY || vx->kind == E_DICT) && vx->nelems == 0 && e->nelems > 1) {
                if (is_err(k)) return T_err(C);
                /* an empty literal value takes the type of its siblings (checked below) */
                if (!kt) { kt = k; ke = kx; }
                else { Type *uk = unify(C, kt, ke, k, kx); if (!uk) { err(C, kx->span, "cannot infer a common key type; add a type annotation"); return T_err(C); } kt = uk; ke = kx; }
                continue;
            }
            v = check_expr(C, vx, NULL);
            if (is_err(k) || is_err(v)) return T_err(C);
        }
        if (!vt) { Type *uk = kt ? unify(C, kt, ke, k, kx) : k; if (!uk) { err(C, kx ? kx->span : e->span, "cannot infer a common key type; add a type annotation"); return T_err(C); } kt = uk; vt = v; ke = kx; ve = vx; continue; }
        Type *uk = unify(C, kt, ke, k, kx), *uv = unify(C, vt, ve, v, vx);
        if (!uk) { err(C, e->keys[i] ? e->keys[i]->span : e->elems[i]->span, "cannot infer a common key type; add a type annotation"); return T_err(C); }
        if (!uv) { err(C, e->elems[i]->span, "cannot infer a common element type; add a type annotation"); return T_err(C); }
        kt = uk; vt = uv; ke = kx; ve = vx;
    }
    if (!vt) { err(C, e->span, "cannot infer the type of an empty array literal; add a type annotation"); return T_err(C); }
    if (vt->kind == T_NULL || kt->kind == T_NULL) { err(C, e->span, "cannot infer the type of null; add a type annotation"); return T_err(C); }
    for (uint32_t i = 0; i < e->nelems; i++) {
        Expr *vx = e->elems[i];
        if (e->keys[i] && !vx->type && (vx->kind == E_ARRAY || vx->kind == E_DICT) && vx->nelems == 0) {
            if ((vx->kind == E_ARRAY) != (vt->kind == T_ARRAY) || (vx->kind == E_DICT) != (vt->kind == T_DICT)) {
                err(C, vx->span, "cannot infer a common element type; add a type annotation");
                return T_err(C);
            }
            check_expr(C, vx, vt);
        }
    }
    if (!valid_key(kt)) { err(C, e->span, "dictionary keys must be int, bool, string or an enum, found %s", kt->name); return T_err(C); }
    Type *dt = ty_dict(C->vm, kt, vt);
    for (uint32_t i = 0; i < e->nelems; i++) {
        if (!e->keys[i]) {
            if (e->elems[i]->type != dt) { err(C, e->elems[i]->span, "cannot infer a common element type; add a type annotation"); return T_err(C); }
            continue;
        }
        e->keys[i] = convert(C, e->keys[i], kt);
        e->elems[i] = convert(C, e->elems[i], vt);
    }
    return dt;
}

static Type *check_tuple(Checker *C, Expr *e, Type *expected) {
    Type *el[MAX_TUPLE + 1];
    if (e->nelems > MAX_TUPLE) {
        err(C, e->span, "a tuple can have at most %d elements", MAX_TUPLE);
        for (uint32_t i = 0; i < e->nelems; i++) check_expr(C, e->elems[i], NULL);
        return T_err(C);
    }
    uint32_t n = e->nelems;
    bool bad = false;
    for (uint32_t i = 0; i < n; i++) {
        Type *ex = expected && expected->kind == T_TUPLE && expected->n == n ? expected->args[i] : NULL;
        el[i] = check_expr(C, e->elems[i], ex);
        if (ex && assignable(C, el[i], ex, e->elems[i])) { e->elems[i] = convert(C, e->elems[i], ex); el[i] = ex; }
        if (is_err(el[i])) bad = true;
        else if (el[i]->kind == T_VOID) { err(C, e->elems[i]->span, "a tuple element cannot be void"); bad = true; }
        else if (el[i]->kind == T_NULL) { err(C, e->elems[i]->span, "cannot infer the type of null; add a type annotation"); bad = true; }
    }
    return bad ? T_err(C) : ty_tuple(C->vm, el, n);
}

static FnInfo *new_fninfo(Checker *C, FuncDecl *fd, const char *name) {
    FnInfo *fi = arena_alloc(C->A, sizeof *fi);
    fi->decl = fd;
    fi->name = name;
    fi->parent = C->fn;
    if (fd) fd->check = fi;
    VEC_PUSH(C->vm, C->fns, C->nfns, C->capfns, fi);
    return fi;
}

/* Resolves parameter and return types of a declaration into fi->type. */
static void resolve_signature(Checker *C, FuncDecl *fd, FnInfo *fi) {
    Type *ps[256];
    bool bad = false, seen_default = false;
    if (fd->nparams > MAX_PARAMS) {
        err(C, fd->name_span, "a function can have at most %d parameters", MAX_PARAMS);
        fi->ret = T_err(C);
        fi->type = T_err(C);
        return;
    }
    uint32_t np = fd->nparams;
    for (uint32_t i = 0; i < np; i++) {
        Param *p = &fd->params[i];
        Type *t = p->type ? resolve_type(C, p->type) : T_err(C);
        if (!p->type) { err(C, p->span, "parameter '%s' needs a type", p->name); }
        if (!is_err(t) && t->kind == T_VOID) { err(C, p->type->span, "'void' is only valid as a return type"); t = T_err(C); }
        if (p->variadic) {
            if (i != np - 1) err(C, p->span, "a variadic parameter must be the last parameter");
            if (!is_err(t)) t = ty_array(C->vm, t);
        } else if (p->def) {
            seen_default = true;
        } else if (seen_default) {
            err(C, p->span, "parameters with defaults must come after required parameters");
        }
        if (is_err(t)) bad = true;
        ps[i] = t;
    }
    Type *r = fd->ret ? resolve_type(C, fd->ret) : C->tt->t_void;
    if (is_err(r)) bad = true;
    fi->ret = r;
    fi->type = bad ? T_err(C) : ty_func(C->vm, ps, np, r);
}

static Type *check_lambda(Checker *C, Expr *e, Type *expected) {
    FuncDecl *fd = e->fn;
    FnInfo *fi = new_fninfo(C, fd, "<lambda>");
    Type *ps[256];
    bool bad = false;
    if (fd->nparams > MAX_PARAMS) { err(C, fd->span, "a lambda can have at most %d parameters", MAX_PARAMS); bad = true; }
    uint32_t np = fd->nparams > MAX_PARAMS ? MAX_PARAMS : fd->nparams;
    for (uint32_t i = 0; i < np; i++) {
        Param *p = &fd->params[i];
        if (p->def || p->variadic) err(C, p->span, "lambda parameters cannot have defaults or be variadic");
        ps[i] = p->type ? resolve_type(C, p->type) : T_err(C);
        if (is_err(ps[i])) bad = true;
    }
    Type *ret = NULL;
    if (fd->ret) ret = resolve_type(C, fd->ret);
    else if (expected && expected->kind == T_FUNC && expected->n == np) ret = expected->a;
    if (ret) fi->ret = ret;
    else { fi->infer_ret = true; fi->ret = NULL; }
    /* provisional type so recursive references fail cleanly */
    fi->type = T_err(C);
    Type *ptmp = bad ? T_err(C) : NULL;
    if (!bad) fi->type = ty_func(C->vm, ps, np, ret ? ret : C->tt->t_void);
    check_func_body(C, fd, fi);
    if (fi->infer_ret) {
        fi->ret = fi->inferred ? fi->inferred : C->tt->t_void;
        /* every return now converts to the common type (int literal -> float, T -> Optional<T>) */
        for (uint32_t i = 0; i < fi->nrets; i++) {
            Stmt *r = fi->rets[i];
            if (r->value && !is_err(r->value->type) && fi->ret->kind != T_VOID &&
                assignable(C, r->value->type, fi->ret, r->value))
                r->value = convert(C, r->value, fi->ret);
        }
        if (fd->body_expr && fi->ret->kind != T_VOID && assignable(C, fd->body_expr->type, fi->ret, fd->body_expr))
            fd->body_expr = convert(C, fd->body_expr, fi->ret);
        for (uint32_t i = 0; i < fi->nprops; i++) {
            if (fi->ret->kind == T_RESULT) fi->props[i]->check = fi->ret;
            else err(C, fi->props[i]->span, "'?' can only be used inside a function that returns Result");
        }
    }
    VEC_FREE(C->vm, fi->rets, fi->caprets);
    VEC_FREE(C->vm, fi->props, fi->capprops);
    if (ptmp) return ptmp;
    if (fi->ret->kind == T_NULL) { err(C, e->span, "cannot infer the type of null; add a type annotation"); return T_err(C); }
    fi->type = ty_func(C->vm, ps, np, fi->ret);
    return fi->type;
}

/* ------------------------------------------------------------------ */
/* host types (runtime.md §7): fields, methods, statics, constructors */

static Type *sig_type(Checker *C, const char *spelling) {
    SigParser p = {C, spelling, NULL, NULL, NULL, NULL, false};
    Type *t = sp_type(&p);
    sp_ws(&p);
    return p.bad || *p.s ? NULL : t;
}

/* Does Writ type t fit a C storage kind?  why: what is wrong, else NULL. */
static const char *storage_mismatch(Type *t, int storage) {
    if (storage == WRIT_STORE_FLOATS32 || storage == WRIT_STORE_FLOATS64) {   /* a struct of floats only */
        bool ok = t->kind == T_STRUCT && t->nom && t->nom->nfields;
        for (uint32_t i = 0; ok && i < t->nom->nfields; i++) ok = t->nom->field_types[i]->kind == T_FLOAT;
        return ok ? NULL : "is not a struct of floats";
    }
    bool ok = storage == WRIT_STORE_BOOL ? t->kind == T_BOOL
            : storage == WRIT_STORE_F32 || storage == WRIT_STORE_F64 ? t->kind == T_FLOAT : t->kind == T_INT;
    return ok ? NULL : "does not match its storage";
}

/* A host bound variable (runtime.md §8): a global whose loads and stores go
 * to the C variable.  Its type resolves at the first use (it may name a
 * library type whose prelude is declared after the host names); one that
 * does not resolve or fit the storage is an error there (bound_resolve). */
static void declare_bound(Checker *C, HostGlobal *g, uint32_t index) {
    Sym *s = new_sym(C, SYM_GLOBAL, g->name, (Span){0}, g->type ? g->type : T_err(C));
    s->vkind = g->read_only ? VK_LET : VK_VAR;
    s->bound = g;
    s->bound_index = index;
    declare(C, s, C->scope_id);
}

/* A host field's Writ type, resolved on first use (it may name library types). */
static Type *host_field_type(Checker *C, HostType *ht, HostField *f, Span sp) {
    if (f->type) return f->type;
    Type *t = sig_type(C, f->type_spelling);
    const char *why = t && f->storage >= 0 ? storage_mismatch(t, f->storage) : NULL;
    if (why) { err(C, sp, "host field '%s' of %s: %s%s %s", f->name, ht->name, why[0] == 'i' ? "" : "type ", t->name, why); return T_err(C); }
    if (!t) { err(C, sp, "host field '%s' of %s has an unknown type '%s'", f->name, ht->name, f->type_spelling); return T_err(C); }
    f->type = t;
    return t;
}

/* Host fields no script mentioned still display: resolve what resolves. */
static void resolve_host_fields(Checker *C) {
    for (size_t i = 0; i < C->vm->nhosttypes; i++) {
        HostType *ht = C->vm->hosttypes[i];
        for (uint32_t k = 0; k < ht->nfields; k++) {
            HostField *f = &ht->fields[k];
            if (f->type) continue;
            size_t nd = C->D->n;
            Type *t = host_field_type(C, ht, f, (Span){0});
            if (C->D->n != nd) { C->D->n = nd; f->type = NULL; }   /* not resolvable here: no error */
            else f->type = t;
        }
    }
}

static Type *host_member(Checker *C, Expr *e, Type *t) {
    HostType *ht = t->decl;
    Span sp = e->op_span.line ? e->op_span : e->span;
    uint32_t idx;
    HostField *f = host_find_field(ht, e->str, &idx);
    if (f) {
        e->check = (void *)(uintptr_t)(idx + 1);
        return host_field_type(C, ht, f, sp);
    }
    if (host_find_method(ht, e->str)) { err(C, sp, "method '%s' of %s must be called", e->str, ht->name); return T_err(C); }
    Diag *g = err(C, sp, "unknown field '%s' on %s", e->str, ht->name);
    const char *cands[128];
    size_t n = 0;
    for (uint32_t i = 0; i < ht->nfields && n < 128; i++) cands[n++] = ht->fields[i].name;
    const char *sug = diag_suggest(e->str, cands, n);
    if (sug) diag_help(C->D, g, "did you mean '%s'?", sug);
    return T_err(C);
}

static Type *host_call(Checker *C, Expr *e, HostFn *h, const char *fname, CallInfo *ci) {
    bool was = C->lookup_types;
    C->lookup_types = true;
    Type *r = call_lib(C, e, &h->lib, fname, NULL, NULL, NULL, NULL, ci);
    C->lookup_types = was;
    return r;
}

static Type *host_method_call(Checker *C, Expr *e, Expr *callee, Type *t, CallInfo *ci) {
    HostType *ht = t->decl;
    HostFn *h = host_find_method(ht, callee->str);
    if (!h) {
        Span sp = callee->op_span.line ? callee->op_span : callee->span;
        if (host_find_field(ht, callee->str, NULL)) err(C, sp, "'%s' is a field of %s, not a method", callee->str, ht->name);
        else err(C, sp, "unknown method '%s' on %s", callee->str, ht->name);
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    if (e->ntargs) return no_targs(C, e);
    ci->kind = CALL_METHOD;
    ci->receiver = callee->lhs;
    return host_call(C, e, h, callee->str, ci);
}

static Type *host_static_call(Checker *C, Expr *e, Expr *callee, HostType *ht, CallInfo *ci) {
    HostFn *h = host_find_static(ht, callee->str);
    if (!h) {
        err(C, callee->op_span.line ? callee->op_span : callee->span, "unknown static function '%s' on %s", callee->str, ht->name);
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    ci->kind = CALL_NATIVE;
    return host_call(C, e, h, callee->str, ci);
}

static Type *host_construct(Checker *C, Expr *e, HostType *ht, CallInfo *ci) {
    if (!ht->ctor) {
        err(C, e->lhs->span, "host type '%s' has no constructor", ht->name);
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    ci->kind = CALL_NATIVE;
    return host_call(C, e, ht->ctor, ht->name, ci);
}

static Type *check_member(Checker *C, Expr *e) {
    if (!e->is_tuple_index && (e->lhs->kind == E_NAME || e->lhs->kind == E_NSNAME)) {
        Sym *ts = e->lhs->kind == E_NSNAME ? ns_lookup(C, e->lhs) : lookup(C, e->lhs->str);
        if (ts && ts->kind == SYM_TYPE && ts->type && ts->type->kind == T_HOST) {
            err(C, e->op_span.line ? e->op_span : e->span, "host type '%s' has no static field '%s'", ts->name, e->str);
            return T_err(C);
        }
        if (ts && ts->kind == SYM_TYPE) {
            e->lhs->kind = E_NAME;
            e->lhs->sym = ts;
            TypeInfo *sti = named_statics(ts);
            e->lhs->type = sti ? sti->type : ts->type;
            return static_member(C, e, sti);
        }
        if (!ts && e->lhs->kind == E_NSNAME) return T_err(C);
    }
    Type *t = check_expr(C, e->lhs, NULL);
    if (is_err(t)) return t;
    if (!e->is_tuple_index && is_user(t)) return member_of_user(C, e, t);
    if (!e->is_tuple_index && t->kind == T_HOST) return host_member(C, e, t);
    if (!e->is_tuple_index && t->kind == T_RESULT && (!strcmp(e->str, "isSuccess") || !strcmp(e->str, "isError")))
        return C->tt->t_bool;
    if (e->is_tuple_index) {
        if (t->kind != T_TUPLE) { err(C, e->span, "cannot access element %s of %s", e->str, t->name); return T_err(C); }
        long idx = strtol(e->str, NULL, 10);
        if (idx < 0 || (uint32_t)idx >= t->n) { err(C, e->span, "tuple %s has no element %s", t->name, e->str); return T_err(C); }
        return t->args[idx];
    }
    if (t->kind == T_OPTIONAL) {
        if (strcmp(e->str, "hasValue") == 0) return C->tt->t_bool;
        Diag *g = err(C, e->span, "cannot access '%s' on %s; the value may be null", e->str, t->name);
        diag_help(C->D, g, "use '?.', '?\?' or check 'hasValue' first");
        return T_err(C);
    }
    const LibFn *table = method_table(t);
    if (table) {
        const LibFn *second;
        if (find_method(table, e->str, 0, &second)) { err(C, e->op_span.line ? e->op_span : e->span, "method '%s' of %s must be called", e->str, t->name); return T_err(C); }
    }
    Diag *g = err(C, e->op_span.line ? e->op_span : e->span, "unknown field '%s' on %s", e->str, t->name);
    if (table) {
        const char *cands[128];
        size_t n = 0;
        for (const LibFn *f = table; f->name && n < 128; f++) cands[n++] = f->name;
        const char *s = diag_suggest(e->str, cands, n);
        if (s) diag_help(C->D, g, "did you mean '%s'?", s);
    }
    return T_err(C);
}

static Type *check_index(Checker *C, Expr *e) {
    Type *t = check_expr(C, e->lhs, NULL);
    if (is_err(t)) { check_expr(C, e->rhs, NULL); return t; }
    if (t->kind == T_ARRAY) {
        Type *it = check_expr(C, e->rhs, C->tt->t_int);
        if (!is_err(it) && it->kind != T_INT) err(C, e->rhs->span, "index must be int, found %s", it->name);
        return t->a;
    }
    if (t->kind == T_DICT) {
        check_to(C, &e->rhs, t->a);
        return t->b;
    }
    check_expr(C, e->rhs, NULL);
    if (t->kind == T_STRING) err(C, e->span, "cannot index a string; use charAt");
    else err(C, e->span, "cannot index %s", t->name);
    return T_err(C);
}

/* A type parameter as the operand of is / as (language.md §16). */
static bool is_type_param(Checker *C, TypeExpr *te) {
    if (te->kind != TY_NAME || te->ns) return false;
    Sym *s = lookup(C, te->name);
    if (!s || s->kind != SYM_TYPE || !s->generic || s->tdecl) return false;
    err(C, te->span, "cannot use type parameter '%s' here; a concrete type is needed", te->name);
    return true;
}

static Type *check_as(Checker *C, Expr *e) {
    Type *s = check_expr(C, e->lhs, NULL);
    if (is_type_param(C, e->type_expr)) return T_err(C);
    Type *t = resolve_type(C, e->type_expr);
    if (is_err(s) || is_err(t)) return is_err(t) ? t : t;
    if (s == t) return t;
    if (s->kind == T_ANY) {                /* checked at run time */
        if (t->kind == T_VOID) { err(C, e->span, "cannot convert any to void"); return T_err(C); }
        return t;
    }
    if (is_num(s) && is_num(t)) return t;
    if ((s->kind == T_CLASS || s->kind == T_TRAIT) && (t->kind == T_CLASS || t->kind == T_TRAIT)) {
        if (ty_is_subtype(s, t) || ty_is_subtype(t, s) || t->kind == T_TRAIT || s->kind == T_TRAIT) return t;
    }
    err(C, e->span, "cannot convert %s to %s", s->name, t->name);
    return T_err(C);
}


/* ------------------------------------------------------------------ */
/* user types: structs, classes, enums (language.md §12, §13, §15).
 * Declared first (names), then resolved (parents, fields, methods, vtables,
 * runtime layout), then their bodies are checked with the other functions. */

static TypeInfo *type_info(Type *t) {
    return t && (t->kind == T_STRUCT || t->kind == T_CLASS || t->kind == T_ENUM || t->kind == T_TRAIT) ? (TypeInfo *)t->decl : NULL;
}

static FieldInfo *find_field(TypeInfo *ti, const char *name) {
    for (uint32_t i = 0; i < ti->nfields; i++) if (strcmp(ti->fields[i]->name, name) == 0) return ti->fields[i];
    return NULL;
}

static FieldInfo *find_static(TypeInfo *ti, const char *name) {
    ti = statics_owner(ti);
    for (uint32_t i = 0; i < ti->nstatics; i++) if (strcmp(ti->statics[i]->name, name) == 0) return ti->statics[i];
    return NULL;
}

/* How a call of mi on a ti value dispatches. A trait default taken by a class
 * goes through the trait's table: a subclass may override it (§13, §14). */
static CallKind method_kind(TypeInfo *ti, MethodInfo *mi) {
    if (ti->kind == T_TRAIT || (ti->kind == T_CLASS && mi->owner->kind == T_TRAIT)) return CALL_TMETHOD;
    if (ti->kind == T_CLASS && mi->vslot >= 0) return CALL_VMETHOD;
    return CALL_SMETHOD;
}

/* A method of ti or an ancestor (nearest first). */
static MethodInfo *find_method_in(TypeInfo *ti, const char *name) {
    for (TypeInfo *t = ti; t; t = t->parent)
        for (uint32_t i = 0; i < t->nmethods; i++) if (strcmp(t->methods[i]->name, name) == 0) return t->methods[i];
    for (uint32_t k = 0; k < ti->ntraits; k++) {      /* trait default methods */
        TypeInfo *tr = ti->traits[k];
        for (uint32_t i = 0; i < tr->nmethods; i++) if (strcmp(tr->methods[i]->name, name) == 0) return tr->methods[i];
    }
    return NULL;
}

/* Member candidates for did-you-mean. */
static const char *suggest_member(Checker *C, TypeInfo *ti, const char *name, bool methods) {
    const char *cands[256];
    size_t n = 0;
    if (!methods) for (uint32_t i = 0; i < ti->nfields && n < 256; i++) cands[n++] = ti->fields[i]->name;
    for (TypeInfo *t = ti; t && n < 256; t = t->parent)
        for (uint32_t i = 0; i < t->nmethods && n < 256; i++) cands[n++] = t->methods[i]->name;
    (void)C;
    return diag_suggest(name, cands, n);
}

/* t is ti, or an instance of the generic type whose statics holder is ti. */
static bool same_type(TypeInfo *t, const TypeInfo *ti) {
    return t && (t == ti || statics_owner(t) == ti);
}

static bool inside_type(Checker *C, TypeInfo *ti) {
    for (FnInfo *f = C->fn; f; f = f->parent)
        if (same_type(f->self_type, ti) || (f->method && same_type(f->method->owner, ti))) return true;
    return same_type(C->cur_type, ti);
}

static bool check_visible(Checker *C, Span sp, const char *name, bool is_public, TypeInfo *owner) {
    if (is_public || inside_type(C, owner)) return true;
    err(C, sp, "'%s' is private in %s", name, owner->name);
    return false;
}

/* The type parameter a type expression mentions, or NULL. */
static const char *mentions_tparam(const TypeExpr *te, const TypeDecl *gt) {
    if (!te) return NULL;
    if (te->kind == TY_NAME && !te->ns)
        for (uint32_t i = 0; i < gt->ntparams; i++) if (strcmp(te->name, gt->tparams[i]) == 0) return gt->tparams[i];
    for (uint32_t i = 0; i < te->nargs; i++) { const char *n = mentions_tparam(te->args[i], gt); if (n) return n; }
    return mentions_tparam(te->ret, gt);
}

/* Static members of a generic type are shared by all its instantiations: they
 * live once, on a holder type declared with only the static members (§16).
 * Instantiations have none of their own; statics_owner() leads to the holder. */
static TypeInfo *statics_holder(Checker *C, TypeDecl *gt, TypeKind k) {
    TypeDecl *td = ast_clone_type(C->A, gt);
    td->tparams = NULL; td->tparam_spans = NULL; td->ntparams = 0;
    td->extends = NULL; td->with = NULL; td->nwith = 0; td->nwhere = 0;
    uint32_t nf = 0, nm = 0;
    for (uint32_t i = 0; i < td->nfields; i++) {
        if (!td->fields[i].is_static) continue;
        const char *tp = mentions_tparam(td->fields[i].type, gt);
        if (tp) {
            err(C, td->fields[i].span, "static member '%s' of '%s' cannot use type parameter '%s'", td->fields[i].name, gt->name, tp);
            continue;
        }
        td->fields[nf++] = td->fields[i];
    }
    for (uint32_t i = 0; i < td->nmethods; i++) {
        FuncDecl *fd = td->methods[i];
        if (!fd->is_static) continue;
        const char *tp = mentions_tparam(fd->ret, gt);
        for (uint32_t j = 0; j < fd->nparams && !tp; j++) tp = mentions_tparam(fd->params[j].type, gt);
        if (tp) {
            err(C, fd->name_span, "static member '%s' of '%s' cannot use type parameter '%s'", fd->name, gt->name, tp);
            continue;
        }
        td->methods[nm++] = fd;
    }
    td->nfields = nf;
    td->nmethods = nm;
    TypeInfo *ti = arena_alloc(C->A, sizeof *ti);
    ti->td = td;
    ti->kind = k;
    ti->name = gt->name;
    ti->type = ty_nominal(C->vm, k, gt->name);
    ti->type->decl = ti;
    td->check = ti;
    gt->check = ti;
    return ti;
}

/* Where ti's static fields live: a generic instance shares its template's holder. */
static TypeInfo *statics_owner(TypeInfo *ti) {
    if (ti->templ && ti->templ->tdecl && ti->templ->tdecl->check) return ti->templ->tdecl->check;
    return ti;
}

/* The type whose static members `Name.member` reaches: for a generic template, its holder. */
static TypeInfo *named_statics(Sym *ts) {
    if (ts->ti) return ts->ti;
    return ts->generic && ts->tdecl ? (TypeInfo *)ts->tdecl->check : NULL;
}

static TypeInfo *declare_type(Checker *C, Stmt *s) {
    TypeDecl *td = s->td;
    TypeKind k = s->kind == S_CLASS ? T_CLASS : s->kind == S_STRUCT ? T_STRUCT : s->kind == S_ENUM ? T_ENUM : T_TRAIT;
    if (td->ntparams && (k == T_STRUCT || k == T_CLASS)) {     /* a template: instantiated per use */
        Sym *sym = new_sym(C, SYM_TYPE, td->name, td->name_span, T_err(C));
        sym->generic = true;
        sym->tdecl = td;
        sym->tkind = (int)k;
        td->sym = sym;
        declare(C, sym, C->scope_id);
        return statics_holder(C, td, k);
    }
    TypeInfo *ti = arena_alloc(C->A, sizeof *ti);
    ti->td = td;
    ti->kind = k;
    ti->name = td->name;
    ti->file = C->src ? C->src->name : NULL;
    ti->type = reload_reuse_type(C->vm, td->name, k, ti->file);       /* hot reload: the same type lives on */
    if (ti->type && k == T_ENUM) reload_order_variants(C->vm, ti->type, td);   /* its variants keep their values */
    if (!ti->type) ti->type = ty_nominal(C->vm, k, td->name);
    ti->type->decl = ti;
    ti->library = C->src && lib_module_of_prelude(C->src->name) != NULL;
    td->check = ti;
    if (td->ntparams) err(C, td->name_span, "traits and enums cannot have type parameters");
    Sym *sym = new_sym(C, SYM_TYPE, td->name, td->name_span, ti->type);
    sym->ti = ti;
    td->sym = sym;
    declare(C, sym, C->scope_id);
    return ti;
}

static FnInfo *method_fninfo(Checker *C, TypeInfo *ti, MethodInfo *mi);

/* A property's get()/set(v) become hidden methods of the type. */
static void make_accessors(Checker *C, TypeInfo *ti, FieldInfo *f) {
    FieldDecl *fd = f->decl;
    for (int k = 0; k < 2; k++) {
        Block *body = k == 0 ? fd->getter : fd->setter;
        if (!body) continue;
        FuncDecl *d = arena_alloc(C->A, sizeof *d);
        d->name = f->name;
        d->name_span = k == 0 ? fd->getter_span : fd->setter_span;
        d->span = body->span;
        d->body = body;
        d->is_public = true;
        if (k == 0) d->ret = fd->type;
        else {
            d->nparams = 1;
            d->params = arena_alloc(C->A, sizeof(Param));
            d->params[0].name = fd->setter_param ? fd->setter_param : "value";
            d->params[0].span = fd->setter_span;
            d->params[0].type = fd->type;
        }
        MethodInfo *mi = arena_alloc(C->A, sizeof *mi);
        mi->name = f->name;
        mi->fd = d;
        mi->owner = ti;
        mi->is_public = true;
        mi->vslot = -1;
        mi->tslot = -1;
        mi->accessor_of = f;
        mi->fi = method_fninfo(C, ti, mi);
        mi->fi->name = arena_printf(C->A, "%s.%s", ti->name, f->name);
        if (k == 0) f->getter = mi; else f->setter = mi;
        if (k == 1 && ti->kind == T_STRUCT) { mi->mutating = true; mi->fi->inout_self = true; }
    }
}

static FnInfo *method_fninfo(Checker *C, TypeInfo *ti, MethodInfo *mi) {
    FuncDecl *fd = mi->fd;
    FnInfo *saved = C->fn;
    C->fn = NULL;             /* methods hang off no function */
    FnInfo *fi = new_fninfo(C, fd, arena_printf(C->A, "%s.%s", ti->name, fd->name));
    C->fn = saved;
    fi->method = mi;
    fi->self_type = mi->is_static ? NULL : ti;
    resolve_signature(C, fd, fi);
    return fi;
}

static void resolve_type_info(Checker *C, TypeInfo *ti);

/* Parent first, then own fields and methods; vtable and runtime layout. */
static void resolve_type_info(Checker *C, TypeInfo *ti) {
    if (ti->state == 2) return;
    if (ti->state == 1) {
        err(C, ti->td->name_span, "class '%s' inherits from itself", ti->name);
        ti->state = 2;
        return;
    }
    ti->state = 1;
    TypeDecl *td = ti->td;
    VM *vm = C->vm;
    if (td->extends) {
        if (ti->kind == T_STRUCT) err(C, td->extends->span, "structs cannot inherit");
        else {
            Type *pt = resolve_type(C, td->extends);
            TypeInfo *pi = type_info(pt);
            if (pi && pi->kind == T_CLASS) {
                resolve_type_info(C, pi);
                if (pi->state == 2 && ti->state == 2) { /* cycle reported */ }
                else if (ti->state == 1) ti->parent = pi;
            } else if (!is_err(pt)) err(C, td->extends->span, "a class can only extend a class, found %s", pt->name);
        }
    }
    if (td->nwith && ti->kind != T_CLASS) err(C, td->with[0]->span, "structs cannot implement traits");
    if (ti->state == 2) return;   /* inheritance cycle */
    if (ti->kind == T_CLASS) {
        if (ti->parent)         /* inherited traits first */
            for (uint32_t i = 0; i < ti->parent->ntraits; i++)
                VEC_PUSH(vm, ti->traits, ti->ntraits, ti->captraits, ti->parent->traits[i]);
        for (uint32_t i = 0; i < td->nwith; i++) {
            Type *tt = resolve_type(C, td->with[i]);
            TypeInfo *tr = type_info(tt);
            if (!tr || tr->kind != T_TRAIT) {
                if (!is_err(tt)) err(C, td->with[i]->span, "'%s' is not a trait", tt->name);
                continue;
            }
            resolve_type_info(C, tr);
            bool have = false;
            for (uint32_t k = 0; k < ti->ntraits; k++) if (ti->traits[k] == tr) have = true;
            if (!have) VEC_PUSH(vm, ti->traits, ti->ntraits, ti->captraits, tr);
        }
    }
    if (ti->kind == T_TRAIT && td->nfields) err(C, td->fields[0].span, "a trait has methods only");
    TypeInfo *saved_type = C->cur_type;
    C->cur_type = ti;
    /* fields: inherited first */
    if (ti->parent)
        for (uint32_t i = 0; i < ti->parent->nfields; i++)
            VEC_PUSH(vm, ti->fields, ti->nfields, ti->capfields, ti->parent->fields[i]);
    for (uint32_t i = 0; i < td->nfields; i++) {
        FieldDecl *fd = &td->fields[i];
        FieldInfo *f = arena_alloc(C->A, sizeof *f);
        f->name = fd->name;
        f->span = fd->span;
        f->decl = fd;
        f->owner = ti;
        f->is_static = fd->is_static;
        f->is_public = fd->is_public || (ti->kind == T_ENUM && !fd->is_private);
        f->type = fd->type ? resolve_type(C, fd->type) : T_err(C);
        f->def = fd->def;
        if (!is_err(f->type) && f->type->kind == T_VOID) { err(C, fd->type->span, "'void' is only valid as a return type"); f->type = T_err(C); }
        if ((fd->getter || fd->setter) && (fd->is_static || ti->kind == T_ENUM)) err(C, fd->span, "only instance fields can have accessors");
        bool dup = find_field(ti, f->name) || (statics_owner(ti) == ti && find_static(ti, f->name));
        for (uint32_t k = 0; k < td->nmethods && !dup; k++) if (strcmp(td->methods[k]->name, f->name) == 0) dup = true;
        if (dup) {
            FieldInfo *old = find_field(ti, f->name);
            if (old && old->owner != ti) err(C, fd->span, "'%s' is already declared in %s", f->name, old->owner->name);
            else err(C, fd->span, "'%s' is already declared in this scope", f->name);
            continue;
        }
        if (ti->kind == T_ENUM && (!strcmp(f->name, "values") || !strcmp(f->name, "ordinal")))
            err(C, fd->span, "enum '%s' cannot declare '%s'", ti->name, f->name);
        if (!f->is_static && ti->kind != T_ENUM && (fd->getter || fd->setter)) make_accessors(C, ti, f);
        if (f->is_static && statics_owner(ti) != ti) continue;   /* shared: on the template's holder */
        if (f->is_static) {
            Sym *g = new_sym(C, SYM_GLOBAL, arena_printf(C->A, "%s.%s", ti->name, f->name), f->span, f->type);
            g->vkind = VK_VAR;
            VEC_PUSH(vm, C->globals, C->nglobals, C->capglobals, g);
            f->global = g;
            VEC_PUSH(vm, ti->statics, ti->nstatics, ti->capstatics, f);
        } else {
            f->slot = ti->nfields;
            VEC_PUSH(vm, ti->fields, ti->nfields, ti->capfields, f);
        }
    }
    /* methods */
    if (ti->parent)
        for (uint32_t i = 0; i < ti->parent->nvtable; i++)
            VEC_PUSH(vm, ti->vtable, ti->nvtable, ti->capvtable, ti->parent->vtable[i]);
    for (uint32_t i = 0; i < td->nmethods; i++) {
        FuncDecl *fd = td->methods[i];
        MethodInfo *mi = arena_alloc(C->A, sizeof *mi);
        mi->name = fd->name;
        mi->fd = fd;
        mi->owner = ti;
        mi->is_static = fd->is_static;
        mi->is_public = fd->is_public || (ti->kind == T_ENUM && !fd->is_private);
        mi->vslot = -1;
        mi->tslot = -1;
        if (ti->kind == T_ENUM && (!strcmp(mi->name, "values") || !strcmp(mi->name, "ordinal")))
            err(C, fd->name_span, "enum '%s' cannot declare '%s'", ti->name, mi->name);
        bool dup = false, overload = false;
        for (uint32_t k = 0; k < ti->nmethods; k++) {
            if (strcmp(ti->methods[k]->name, mi->name) != 0) continue;
            /* a struct may overload a binary operator method on its parameter type */
            if (ti->kind == T_STRUCT && is_binary_op_method(mi->name) && fd->nparams == 1 && !fd->ntparams &&
                ti->methods[k]->fd->nparams == 1 && !ti->methods[k]->is_template && !fd->is_static &&
                !ti->methods[k]->is_static) overload = true;
            else dup = true;
        }
        if (dup) { err(C, fd->name_span, "'%s' is already declared in this scope", mi->name); continue; }
        if (overload) {
            mi->fi = method_fninfo(C, ti, mi);
            for (uint32_t k = 0; k < ti->nmethods; k++)
                if (strcmp(ti->methods[k]->name, mi->name) == 0 && ti->methods[k]->fi &&
                    ti->methods[k]->fi->type->args[0] == mi->fi->type->args[0]) dup = true;
            if (dup) { err(C, fd->name_span, "'%s' is already declared in this scope", mi->name); continue; }
            VEC_PUSH(vm, ti->methods, ti->nmethods, ti->capmethods, mi);
            continue;
        }
        if (fd->ntparams && ti->kind != T_TRAIT) {      /* a template: instantiated per call, never virtual */
            mi->is_template = true;
            VEC_PUSH(vm, ti->methods, ti->nmethods, ti->capmethods, mi);
            continue;
        }
        if (fd->ntparams) err(C, fd->name_span, "trait methods cannot have type parameters");
        if (ti->kind == T_TRAIT) { mi->is_public = true; mi->is_static = false; mi->tslot = (int)ti->nmethods; }
        mi->fi = method_fninfo(C, ti, mi);
        VEC_PUSH(vm, ti->methods, ti->nmethods, ti->capmethods, mi);
        if (ti->kind != T_CLASS || mi->is_static) continue;
        /* implementing a trait method makes it public */
        for (uint32_t k = 0; k < ti->ntraits; k++)
            for (uint32_t q = 0; q < ti->traits[k]->nmethods; q++)
                if (strcmp(ti->traits[k]->methods[q]->name, mi->name) == 0) {
                    if (fd->is_private) err(C, fd->name_span, "'%s' implements a trait method and cannot be private", mi->name);
                    mi->is_public = true;
                }
        /* overriding an inherited public method takes its vtable slot */
        MethodInfo *base = ti->parent ? find_method_in(ti->parent, mi->name) : NULL;
        if (base && base->owner->kind == T_TRAIT) base = NULL;     /* a trait default is not a class slot */
        FieldInfo *basef = ti->parent ? find_field(ti->parent, mi->name) : NULL;
        if (basef) { err(C, fd->name_span, "'%s' is already declared in %s", mi->name, basef->owner->name); continue; }
        if (base && !base->is_static && base->is_public) {
            if (fd->is_private) err(C, fd->name_span, "'%s' overrides a public method and cannot be private", mi->name);
            mi->is_public = true;
            if (!is_err(base->fi->type) && !is_err(mi->fi->type) && base->fi->type != mi->fi->type)
                err(C, fd->name_span, "'%s' overrides %s.%s with a different signature: expected %s, found %s",
                    mi->name, base->owner->name, base->name, base->fi->type->name, mi->fi->type->name);
            else if (is_coroutine(fd) != is_coroutine(base->fd))
                err(C, fd->name_span, "'%s' in %s and %s.%s must both be coroutines or neither",
                    mi->name, ti->name, base->owner->name, mi->name);
            mi->vslot = base->vslot;
            ti->vtable[mi->vslot] = mi;
        } else if (base) {
            err(C, fd->name_span, "'%s' is already declared in %s", mi->name, base->owner->name);
        } else {
            mi->vslot = (int)ti->nvtable;
            VEC_PUSH(vm, ti->vtable, ti->nvtable, ti->capvtable, mi);
        }
    }
    /* trait conformance: every required method, with the exact signature */
    if (ti->kind == T_CLASS) {
        for (uint32_t k = 0; k < ti->ntraits; k++) {
            TypeInfo *tr = ti->traits[k];
            for (uint32_t q = 0; q < tr->nmethods; q++) {
                MethodInfo *tm = tr->methods[q];
                MethodInfo *impl = NULL;
                for (TypeInfo *t = ti; t && !impl; t = t->parent)
                    for (uint32_t i = 0; i < t->nmethods; i++) if (strcmp(t->methods[i]->name, tm->name) == 0) impl = t->methods[i];
                if (!impl) {
                    if (!tm->fd->body) err(C, td->name_span, "class '%s' does not implement '%s' required by trait '%s'", ti->name, tm->name, tr->name);
                    continue;
                }
                if (!is_err(impl->fi->type) && !is_err(tm->fi->type) && impl->fi->type != tm->fi->type)
                    err(C, impl->owner == ti ? impl->fd->name_span : td->name_span, "'%s' in %s does not match trait '%s': expected %s, found %s",
                        tm->name, ti->name, tr->name, tm->fi->type->name, impl->fi->type->name);
                else if (is_coroutine(impl->fd) != is_coroutine(tm->fd))
                    err(C, impl->owner == ti ? impl->fd->name_span : td->name_span, "'%s' in %s and %s.%s must both be coroutines or neither",
                        tm->name, impl->owner->name, tr->name, tm->name);
            }
            for (uint32_t k2 = k + 1; k2 < ti->ntraits; k2++) {
                TypeInfo *tr2 = ti->traits[k2];
                for (uint32_t q = 0; q < tr->nmethods; q++)
                    for (uint32_t q2 = 0; q2 < tr2->nmethods; q2++)
                        if (strcmp(tr->methods[q]->name, tr2->methods[q2]->name) == 0) {
                            MethodInfo *a = tr->methods[q], *b = tr2->methods[q2];
                            if (a->fi->type != b->fi->type)
                                err(C, td->name_span, "traits '%s' and '%s' declare '%s' with different signatures", tr->name, tr2->name, a->name);
                            else if (a->fd->body && b->fd->body) {
                                bool own = false;
                                for (TypeInfo *t = ti; t && !own; t = t->parent)
                                    for (uint32_t i = 0; i < t->nmethods; i++) if (strcmp(t->methods[i]->name, a->name) == 0) own = true;
                                if (!own)
                                    err(C, td->name_span, "class '%s' must declare its own '%s': traits '%s' and '%s' both give a default",
                                        ti->name, a->name, tr->name, tr2->name);
                            }
                        }
            }
        }
    }
    /* enum variants */
    if (ti->kind == T_ENUM) ti->nvariants = td->nvariants;
    /* runtime layout */
    NominalInfo *n = ti->type->nom;
    n->parent = ti->parent ? ti->parent->type : NULL;
    n->depth = ti->parent ? ti->parent->type->nom->depth + 1 : 0;
    if (ti->kind == T_TRAIT) n->nvtable = ti->nmethods;     /* itable size */
    /* counts are set once their arrays are complete: an allocation failure leaves none half-filled */
    if (ti->kind == T_CLASS && ti->ntraits) {                 /* `is`, upcasts and dispatch need these */
        Type **traits = mem_alloc(vm, sizeof(Type *) * ti->ntraits);
        n->itables = mem_calloc(vm, sizeof(struct Proto **) * ti->ntraits);
        n->itable_len = mem_calloc(vm, sizeof(uint32_t) * ti->ntraits);
        n->traits = traits;
        for (uint32_t k = 0; k < ti->ntraits; k++) n->traits[k] = ti->traits[k]->type;
        n->ntraits = ti->ntraits;
    }
    if (ti->kind == T_ENUM) {
        if (td->nvariants) n->variant_names = mem_alloc(vm, sizeof(char *) * td->nvariants);
        for (uint32_t i = 0; i < td->nvariants; i++) n->variant_names[i] = mem_strndup(vm, td->variants[i].name, strlen(td->variants[i].name));
        n->nvariants = td->nvariants;
    } else {
        if (ti->nfields) {
            n->field_names = mem_alloc(vm, sizeof(char *) * ti->nfields);
            n->field_types = mem_alloc(vm, sizeof(Type *) * ti->nfields);
            n->field_flags = mem_alloc(vm, ti->nfields);
            n->nfield_meta = ti->nfields;
        }
        n->scalar_fields = true;
        for (uint32_t i = 0; i < ti->nfields; i++) {
            n->field_names[i] = mem_strndup(vm, ti->fields[i]->name, strlen(ti->fields[i]->name));
            n->field_types[i] = ti->fields[i]->type;
            n->field_flags[i] = (uint8_t)((ti->fields[i]->is_public ? NF_PUBLIC : 0) | (ti->fields[i]->def ? NF_DEFAULT : 0));
            if (ti->fields[i]->type->is_ref || is_err(ti->fields[i]->type)) n->scalar_fields = false;
        }
        n->nfields = ti->nfields;
    }
    C->cur_type = saved_type;
    ti->state = 2;
}

/* Does struct s contain struct target by value (directly or through
 * structs, tuples or Optional)? */
static bool contains_by_value(Type *t, TypeInfo *target, int depth) {
    if (depth > 64) return false;
    switch (t->kind) {
    case T_STRUCT: {
        TypeInfo *ti = (TypeInfo *)t->decl;
        if (ti == target && depth > 0) return true;
        if (ti == target && depth == 0) { /* start */ }
        for (uint32_t i = 0; i < ti->nfields; i++) if (contains_by_value(ti->fields[i]->type, target, depth + 1)) return true;
        return false;
    }
    case T_TUPLE:
        for (uint32_t i = 0; i < t->n; i++) if (contains_by_value(t->args[i], target, depth + 1)) return true;
        return false;
    case T_OPTIONAL: return contains_by_value(t->a, target, depth + 1);
    default: return false;
    }
}

/* Enum fields: constant values per variant, stored in the type's runtime info. */
static void resolve_enum_values(Checker *C, TypeInfo *ti) {
    TypeDecl *td = ti->td;
    NominalInfo *n = ti->type->nom;
    VM *vm = C->vm;
    uint32_t nf = 0;
    for (uint32_t i = 0; i < td->nfields; i++) if (!td->fields[i].is_static) nf++;
    if (!nf) {
        for (uint32_t v = 0; v < td->nvariants; v++)
            if (td->variants[v].nargs) err(C, td->variants[v].span, "enum '%s' has no fields", ti->name);
        return;
    }
    n->nenum_fields = nf;
    n->enum_field_names = mem_alloc(vm, sizeof(char *) * nf);
    n->enum_field_types = mem_alloc(vm, sizeof(Type *) * nf);
    n->enum_values = mem_calloc(vm, sizeof(Value) * nf * (td->nvariants ? td->nvariants : 1));
    for (uint32_t f = 0; f < nf; f++) {
        n->enum_field_names[f] = mem_strndup(vm, ti->fields[f]->name, strlen(ti->fields[f]->name));
        n->enum_field_types[f] = ti->fields[f]->type;
    }
    for (uint32_t v = 0; v < td->nvariants; v++) {
        Variant *var = &td->variants[v];
        Expr *given[64] = {0};
        uint32_t npos = 0;
        for (uint32_t a = 0; a < var->nargs; a++) {
            Arg *arg = &var->args[a];
            uint32_t f = npos;
            if (arg->label) {
                for (f = 0; f < nf; f++) if (strcmp(ti->fields[f]->name, arg->label) == 0) break;
                if (f == nf) { err(C, arg->label_span, "unknown field '%s' in %s", arg->label, ti->name); continue; }
            } else npos++;
            if (f >= nf || f >= 64) { err(C, arg->value->span, "too many values for variant '%s'", var->name); break; }
            given[f] = arg->value;
        }
        for (uint32_t f = 0; f < nf; f++) {
            Expr *e = given[f] ? given[f] : ti->fields[f]->def;
            if (!e) { err(C, var->span, "missing argument for field '%s' of %s", ti->fields[f]->name, ti->name); continue; }
            Type *ft = ti->fields[f]->type;
            check_to(C, given[f] ? &given[f] : &ti->fields[f]->def, ft);
            e = given[f] ? given[f] : ti->fields[f]->def;
            Value val; Type *vt;
            if (is_err(e->type)) continue;
            if (!const_expr(C, e, &val, &vt)) { err(C, e->span, "constant initializer must be a constant expression"); continue; }
            if (ft->kind == T_FLOAT && vt->kind == T_INT) val.f = (double)val.i;
            if (ft->kind == T_STRING) val.p = str_new(vm, (const char *)val.p, strlen((const char *)val.p));
            n->enum_values[f * td->nvariants + v] = val;
        }
    }
}

/* ---- expressions on user types ---- */

static Sym *self_sym(Checker *C, Span sp) {
    Sym *s = lookup(C, "self");
    if (!s) { err(C, sp, "'self' can only be used inside an instance method"); return NULL; }
    s->used = true;
    note_capture(C, s);
    return s;
}

/* Rewrites a bare member name used inside a type's body into self.name. */
static void make_self_member(Checker *C, Expr *e) {
    Expr *self = mk_expr(C, E_SELF, e->span, NULL);
    e->kind = E_MEMBER;
    e->lhs = self;
    e->op_span = e->span;
    e->sym = NULL;
    (void)C;
}

/* Binds constructor arguments to fields (positional in field order, then
 * named); fields with a default or an Optional type may be omitted. */
static Type *check_construct(Checker *C, Expr *e, TypeInfo *ti, CallInfo *ci) {
    resolve_type_info(C, ti);
    if (ti->kind == T_ENUM || ti->kind == T_TRAIT) {
        err(C, e->lhs->span, "type '%s' is not a value", ti->name);
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    uint32_t nf = ti->nfields;
    ci->kind = CALL_CONSTRUCT;
    ci->ti = ti;
    ci->nparams = nf;
    ci->argv = arena_alloc(C->A, sizeof(Expr *) * (nf ? nf : 1));
    bool seen_named = false;
    uint32_t npos = 0;
    for (uint32_t i = 0; i < e->nargs; i++) {
        Arg *a = &e->args[i];
        uint32_t f;
        if (!a->label) {
            if (seen_named) { err(C, a->value->span, "positional argument after named argument"); check_expr(C, a->value, NULL); continue; }
            f = npos++;
            if (f >= nf) {
                err(C, a->value->span, "too many arguments in call to '%s': expected %u, found %u", ti->name, nf, e->nargs);
                for (uint32_t k = i; k < e->nargs; k++) check_expr(C, e->args[k].value, NULL);
                return ti->type;
            }
        } else {
            seen_named = true;
            FieldInfo *fi = find_field(ti, a->label);
            if (!fi) {
                Diag *g = err(C, a->label_span.line ? a->label_span : a->value->span, "unknown field '%s' in %s constructor", a->label, ti->name);
                const char *sug = suggest_member(C, ti, a->label, false);
                if (sug) diag_help(C->D, g, "did you mean '%s'?", sug);
                check_expr(C, a->value, NULL);
                continue;
            }
            f = fi->slot;
            if (ci->argv[f]) { err(C, a->label_span, "argument '%s' is given twice", a->label); check_expr(C, a->value, NULL); continue; }
        }
        ci->argv[f] = a->value;
        check_to(C, &ci->argv[f], ti->fields[f]->type);
    }
    for (uint32_t f = 0; f < nf; f++) {
        FieldInfo *fi = ti->fields[f];
        if (!ci->argv[f] && !fi->def && fi->type->kind != T_OPTIONAL && !is_err(fi->type))
            err(C, e->span, "missing argument for field '%s' of %s", fi->name, ti->name);
    }
    return ti->type;
}

/* Arguments of a method call against the method's declaration. */
static Type *call_method_decl(Checker *C, Expr *e, MethodInfo *mi, CallInfo *ci) {
    FuncDecl *fd = mi->fd;
    FnInfo *fi = mi->fi;
    if (e->kind == E_CALL && e->ntargs && !mi->from_template) return no_targs(C, e);
    if (is_err(fi->type)) { for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL); return T_err(C); }
    const char *names[256];
    uint32_t np = fd->nparams;
    bool variadic = false;
    Expr **defs = arena_alloc(C->A, sizeof(Expr *) * (np ? np : 1));
    for (uint32_t i = 0; i < np; i++) {
        names[i] = fd->params[i].name;
        defs[i] = fd->params[i].def;
        if (fd->params[i].variadic) variadic = true;
    }
    bind_args(C, e, fd->name, np, names, fi->type->args, defs, variadic, ci);
    ci->ftype = fi->type;
    ci->mi = mi;
    return fi->ret;
}

/* Is e a valid assignment target for a struct value (language.md §8.6)? */
/* A static field of a library type (Vector2.ZERO, Color.RED) seen from outside
 * its prelude: a constant. */
static bool library_constant(Checker *C, FieldInfo *f) {
    return f->is_static && f->owner && f->owner->library && !(C->src && lib_module_of_prelude(C->src->name));
}

static bool valid_struct_target(Checker *C, Expr *e) {
    switch (e->kind) {
    case E_NAME:
        return e->sym && (e->sym->kind == SYM_LOCAL || e->sym->kind == SYM_GLOBAL) && e->sym->vkind == VK_VAR && !e->sym->is_param;
    case E_SELF: return C->fn && C->fn->inout_self;
    case E_INDEX: return true;
    case E_MEMBER:
        if (e->is_tuple_index) return valid_struct_target(C, e->lhs);
        if (e->lhs->type && (e->lhs->type->kind == T_CLASS || e->lhs->type->kind == T_TRAIT)) return true;
        if (e->lhs->type && e->lhs->type->kind == T_HOST)             /* stored back into the host's memory */
            return !((HostType *)e->lhs->type->decl)->fields[(uintptr_t)e->check - 1].read_only;
        if (e->lhs->kind == E_NAME && e->lhs->sym && e->lhs->sym->kind == SYM_TYPE)    /* static field */
            return !(e->check && library_constant(C, (FieldInfo *)e->check));
        return valid_struct_target(C, e->lhs);
    default: return false;
    }
}

/* obj.m(args) on a struct, class or enum value (or self). */
static Type *call_user_method(Checker *C, Expr *e, Expr *callee, Type *t, CallInfo *ci) {
    TypeInfo *ti = type_info(t);
    MethodInfo *mi = find_method_in(ti, callee->str);
    if (mi && e->nargs == 1 && has_op_overloads(ti, mi)) {      /* v.multiply(2.0): by the argument's type */
        Type *bt = check_expr(C, e->args[0].value, NULL);
        MethodInfo *o = is_err(bt) ? NULL : pick_op_overload(C, ti, mi, bt, e->args[0].value);
        if (o) mi = o;
    }
    if (!mi) {
        if (ti->kind == T_ENUM && strcmp(callee->str, "values") == 0) {
            err(C, callee->span, "values() must be called on the type: %s.values()", ti->name);
            return T_err(C);
        }
        FieldInfo *f = find_field(ti, callee->str);
        if (f && f->type->kind == T_FUNC) {       /* a field holding a function */
            return NULL;
        }
        Diag *g = err(C, callee->op_span.line ? callee->op_span : callee->span, "unknown method '%s' on %s", callee->str, ti->name);
        const char *sug = suggest_member(C, ti, callee->str, true);
        if (sug) diag_help(C->D, g, "did you mean '%s'?", sug);
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    check_visible(C, callee->op_span.line ? callee->op_span : callee->span, mi->name, mi->is_public, mi->owner);
    if (mi->is_template && !mi->is_static) {
        MethodInfo *inst = instantiate_method(C, mi->owner, mi, e);
        if (!inst) { for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL); return T_err(C); }
        ci->receiver = callee->lhs;
        ci->ti = ti;
        Type *r = call_method_decl(C, e, inst, ci);
        ci->kind = CALL_SMETHOD;
        return r;
    }
    if (mi->is_static) {
        err(C, callee->span, "static method '%s' must be called on the type", mi->name);
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    ci->receiver = callee->lhs;
    ci->ti = ti;
    Type *r = call_method_decl(C, e, mi, ci);
    ci->kind = method_kind(ti, mi);
    if (mi->mutating && !valid_struct_target(C, callee->lhs)) {
        Diag *g = err(C, callee->op_span.line ? callee->op_span : callee->span, "cannot call mutating method '%s' on an immutable value", mi->name);
        diag_help(C->D, g, "declare it with var");
    }
    return r;
}

/* Type.member(...): static methods, enum values(). */
static Type *call_static(Checker *C, Expr *e, Expr *callee, TypeInfo *ti, CallInfo *ci) {
    if (!ti) {                   /* a generic template from a module that failed to check */
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    resolve_type_info(C, ti);
    if (ti->kind == T_ENUM && strcmp(callee->str, "values") == 0) {
        if (e->nargs) err(C, e->span, "too many arguments in call to 'values': expected 0, found %u", e->nargs);
        ci->kind = CALL_SMETHOD;
        ci->ti = ti;
        ci->mi = NULL;        /* the built-in values() */
        return ty_array(C->vm, ti->type);
    }
    MethodInfo *mi = NULL;
    for (uint32_t i = 0; i < ti->nmethods; i++) if (strcmp(ti->methods[i]->name, callee->str) == 0) mi = ti->methods[i];
    if (!mi || !mi->is_static) {
        if (mi) err(C, callee->op_span.line ? callee->op_span : callee->span, "'%s' is not a static method of %s", callee->str, ti->name);
        else {
            Diag *g = err(C, callee->op_span.line ? callee->op_span : callee->span, "unknown method '%s' on %s", callee->str, ti->name);
            const char *sug = suggest_member(C, ti, callee->str, true);
            if (sug) diag_help(C->D, g, "did you mean '%s'?", sug);
        }
        for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL);
        return T_err(C);
    }
    check_visible(C, callee->span, mi->name, mi->is_public, mi->owner);
    if (mi->is_template) {                 /* a generic static method: one instance per type list */
        mi = instantiate_method(C, mi->owner, mi, e);
        if (!mi) { for (uint32_t i = 0; i < e->nargs; i++) check_expr(C, e->args[i].value, NULL); return T_err(C); }
    }
    ci->kind = CALL_DIRECT;
    ci->ti = ti;
    Sym tmp = {0};
    Sym *fs = arena_alloc(C->A, sizeof *fs);
    *fs = tmp;
    fs->kind = SYM_FUNC;
    fs->name = mi->name;
    fs->fn = mi->fd;
    fs->type = mi->fi->type;
    ci->fn = fs;
    return call_method_decl(C, e, mi, ci);
}

/* Member read on a user-type value or type name. */
static Type *member_of_user(Checker *C, Expr *e, Type *t) {
    TypeInfo *ti = type_info(t);
    Span sp = e->op_span.line ? e->op_span : e->span;
    if (ti->kind == T_ENUM) {
        if (strcmp(e->str, "ordinal") == 0) return C->tt->t_int;
        FieldInfo *f = find_field(ti, e->str);
        if (f) return f->type;
        Diag *g = err(C, sp, "unknown field '%s' on %s", e->str, ti->name);
        const char *sug = suggest_member(C, ti, e->str, false);
        if (sug) diag_help(C->D, g, "did you mean '%s'?", sug);
        return T_err(C);
    }
    FieldInfo *f = find_field(ti, e->str);
    if (f) {
        check_visible(C, sp, f->name, f->is_public, f->owner);
        e->check = f;
        if (e->op != TK_ASSIGN && (f->getter || f->setter)) {
            for (FnInfo *fn = C->fn; fn; fn = fn->parent)
                if (fn->method && fn->method->accessor_of == f) {
                    err(C, sp, "use 'field' inside the accessors of '%s'", f->name);
                    break;
                }
        }
        return f->type;
    }
    MethodInfo *mi = find_method_in(ti, e->str);
    if (mi) {                      /* a bound method value: obj.m */
        check_visible(C, sp, mi->name, mi->is_public, mi->owner);
        if (mi->is_static) { err(C, sp, "static method '%s' must be called on the type", mi->name); return T_err(C); }
        if (mi->mutating) { err(C, sp, "mutating method '%s' cannot be used as a value", mi->name); return T_err(C); }
        if (is_coroutine(mi->fd)) { err(C, sp, "coroutine '%s' cannot be used as a value", mi->name); return T_err(C); }
        Sym *ms = new_sym(C, SYM_METHOD, mi->name, sp, mi->fi->type);
        ms->method = mi;
        e->sym = ms;
        return mi->fi->type;
    }
    Diag *g = err(C, sp, "unknown field '%s' on %s", e->str, ti->name);
    const char *sug = suggest_member(C, ti, e->str, false);
    if (sug) diag_help(C->D, g, "did you mean '%s'?", sug);
    return T_err(C);
}

/* Type.name: enum variant or static field. */
static Type *static_member(Checker *C, Expr *e, TypeInfo *ti) {
    if (!ti) return T_err(C);
    resolve_type_info(C, ti);
    Span sp = e->op_span.line ? e->op_span : e->span;
    if (ti->kind == T_ENUM) {
        for (uint32_t i = 0; i < ti->td->nvariants; i++)
            if (strcmp(ti->td->variants[i].name, e->str) == 0) { e->lit.i = i; e->check = NULL; return ti->type; }
    }
    FieldInfo *f = find_static(ti, e->str);
    if (f) {
        check_visible(C, sp, f->name, f->is_public, f->owner);
        e->check = f;
        return f->type;
    }
    for (uint32_t i = 0; i < ti->nmethods; i++) {
        MethodInfo *mi = ti->methods[i];
        if (strcmp(mi->name, e->str) != 0 || !mi->is_static) continue;
        check_visible(C, sp, mi->name, mi->is_public, mi->owner);
        if (is_coroutine(mi->fd)) { err(C, sp, "coroutine '%s' cannot be used as a value", mi->name); return T_err(C); }
        Sym *ms = new_sym(C, SYM_METHOD, mi->name, sp, mi->fi->type);   /* Type.f as a value */
        ms->method = mi;
        e->sym = ms;
        return mi->fi->type;
    }
    Diag *g = err(C, sp, ti->kind == T_ENUM ? "unknown variant '%s' of %s" : "unknown static member '%s' of %s", e->str, ti->name);
    const char *cands[256];
    size_t n = 0;
    if (ti->kind == T_ENUM) for (uint32_t i = 0; i < ti->td->nvariants && n < 256; i++) cands[n++] = ti->td->variants[i].name;
    TypeInfo *sh = statics_owner(ti);
    for (uint32_t i = 0; i < sh->nstatics && n < 256; i++) cands[n++] = sh->statics[i]->name;
    const char *sug = diag_suggest(e->str, cands, n);
    if (sug) diag_help(C->D, g, "did you mean '%s'?", sug);
    return T_err(C);
}

/* Operator methods: a + b calls a.add(b) when a's type declares it. */
static bool is_binary_op_method(const char *name) {
    return !strcmp(name, "add") || !strcmp(name, "subtract") || !strcmp(name, "multiply") ||
           !strcmp(name, "divide") || !strcmp(name, "modulo");
}

/* Overloads of a struct's operator method `first` (docs/decisions.md): the
 * one whose parameter is exactly bt, else the first (in declaration order)
 * that accepts an argument of type bt; NULL when none does. */
static MethodInfo *pick_op_overload(Checker *C, TypeInfo *ti, MethodInfo *first, Type *bt, Expr *arg) {
    MethodInfo *accept = NULL;
    for (uint32_t k = 0; k < ti->nmethods; k++) {
        MethodInfo *m = ti->methods[k];
        if (strcmp(m->name, first->name) != 0 || !m->fi || m->fd->nparams != 1) continue;
        Type *pt = m->fi->type->args[0];
        if (pt == bt) return m;
        if (!accept && assignable(C, bt, pt, arg)) accept = m;
    }
    return accept;
}

static bool has_op_overloads(TypeInfo *ti, MethodInfo *mi) {
    if (ti->kind != T_STRUCT || !is_binary_op_method(mi->name)) return false;
    uint32_t n = 0;
    for (uint32_t k = 0; k < ti->nmethods; k++) if (strcmp(ti->methods[k]->name, mi->name) == 0) n++;
    return n > 1;
}

static const char *op_method_name(TokKind op) {
    switch (op) {
    case TK_PLUS: return "add";
    case TK_MINUS: return "subtract";
    case TK_STAR: return "multiply";
    case TK_SLASH: return "divide";
    case TK_PERCENT: return "modulo";
    case TK_LT: return "lt";
    case TK_LE: return "le";
    case TK_GT: return "gt";
    case TK_GE: return "ge";
    default: return NULL;
    }
}

static Type *operator_method(Checker *C, Expr *e, Type *a) {
    TypeInfo *ti = type_info(a);
    const char *mname = op_method_name(e->op);
    MethodInfo *mi = mname ? find_method_in(ti, mname) : NULL;
    if (!mi || mi->is_static || (!mi->is_public && !inside_type(C, mi->owner)) || mi->fd->nparams != 1) {
        check_expr(C, e->rhs, NULL);
        return bin_error(C, e, a, e->rhs->type);
    }
    Type *bt;
    if (has_op_overloads(ti, mi)) {            /* picked by the right operand's type */
        bt = check_expr(C, e->rhs, NULL);
        if (is_err(bt)) return T_err(C);
        MethodInfo *o = pick_op_overload(C, ti, mi, bt, e->rhs);
        if (!o) return bin_error(C, e, a, bt);
        mi = o;
    } else {
        bt = check_expr(C, e->rhs, mi->fi->type->args[0]);
    }
    CallInfo *ci = arena_alloc(C->A, sizeof *ci);
    ci->receiver = e->lhs;
    ci->ti = ti;
    ci->mi = mi;
    ci->nparams = 1;
    ci->argv = arena_alloc(C->A, sizeof(Expr *));
    ci->argv[0] = e->rhs;
    ci->ftype = mi->fi->type;
    ci->kind = method_kind(ti, mi);
    if (!assignable(C, bt, mi->fi->type->args[0], e->rhs)) return bin_error(C, e, a, bt);
    ci->argv[0] = convert(C, e->rhs, mi->fi->type->args[0]);
    e->rhs = ci->argv[0];
    e->check = ci;
    if ((e->op == TK_LT || e->op == TK_LE || e->op == TK_GT || e->op == TK_GE) && mi->fi->ret->kind != T_BOOL)
        err(C, e->op_span, "operator method '%s' must return bool", mname);
    if (is_coroutine(mi->fd)) {          /* an operator is a plain call */
        err(C, e->op_span, "coroutine '%s' must be called with start or yield", mname);
        return T_err(C);
    }
    return mi->fi->ret;
}

/* Reflected operator methods (docs/decisions.md): when the left operand has
 * no operator method, `a OP b` with b a struct or class calls
 * b.reverseOP(a) (`reverseAdd`, `reverseSubtract`, `reverseMultiply`,
 * `reverseDivide`, `reverseModulo`); a is still evaluated first.  NULL when
 * b's type declares no such method accepting a. */
static Type *reversed_operator(Checker *C, Expr *e, Type *a, Type *b) {
    const char *base = op_method_name(e->op);
    if (!base) return NULL;
    char name[32];
    snprintf(name, sizeof name, "reverse%c%s", base[0] - 'a' + 'A', base + 1);
    TypeInfo *ti = type_info(b);
    MethodInfo *mi = find_method_in(ti, name);
    if (!mi || mi->is_static || mi->is_template || (!mi->is_public && !inside_type(C, mi->owner)) ||
        mi->fd->nparams != 1 || !mi->fi || !assignable(C, a, mi->fi->type->args[0], e->lhs)) return NULL;
    CallInfo *ci = arena_alloc(C->A, sizeof *ci);
    ci->receiver = e->rhs;
    ci->ti = ti;
    ci->mi = mi;
    ci->nparams = 1;
    ci->argv = arena_alloc(C->A, sizeof(Expr *));
    ci->argv[0] = convert(C, e->lhs, mi->fi->type->args[0]);
    e->lhs = ci->argv[0];
    ci->ftype = mi->fi->type;
    ci->kind = method_kind(ti, mi);
    ci->reversed = true;
    e->check = ci;
    return mi->fi->ret;
}

/* ---- mutating struct methods (language.md §12.3), found syntactically
 * before bodies are checked so every call site knows: a method that assigns
 * to a field of self (through fields only), or calls a mutating method on
 * self or on one of its struct fields, is mutating. */

static bool is_field_name(TypeInfo *ti, const char *name) { return find_field(ti, name) != NULL; }

/* The struct field chain root: self.a.b or a.b with a a field of ti. */
static bool target_roots_in_self(TypeInfo *ti, Expr *t) {
    while (t->kind == E_MEMBER) {
        if (t->lhs->kind == E_SELF) return true;
        t = t->lhs;
    }
    if (t->kind == E_SELF) return true;
    return t->kind == E_NAME && is_field_name(ti, t->str);
}

/* The struct type of a self field chain used as a method receiver, or NULL. */
static TypeInfo *self_chain_struct(TypeInfo *ti, Expr *r) {
    if (r->kind == E_SELF) return ti;
    const char *name = NULL;
    if (r->kind == E_NAME) name = r->str;
    else if (r->kind == E_MEMBER && !r->is_tuple_index && r->lhs->kind == E_SELF) name = r->str;
    if (!name) return NULL;
    FieldInfo *f = find_field(ti, name);
    return f && f->type->kind == T_STRUCT ? (TypeInfo *)f->type->decl : NULL;
}

static bool mut_expr(TypeInfo *ti, Expr *e);
static bool mut_block(TypeInfo *ti, Block *b);
static bool mut_stmt(TypeInfo *ti, Stmt *s) {
    if (!s) return false;
    switch (s->kind) {
    case S_ASSIGN: {
        if (s->target->kind == E_TUPLE) {
            for (uint32_t i = 0; i < s->target->nelems; i++) if (target_roots_in_self(ti, s->target->elems[i])) return true;
        } else if (target_roots_in_self(ti, s->target)) return true;
        return mut_expr(ti, s->value);
    }
    case S_IF: return mut_expr(ti, s->cond) || mut_block(ti, s->then) || mut_stmt(ti, s->els);
    case S_WHILE: return mut_expr(ti, s->cond) || mut_block(ti, s->body);
    case S_FOR: return mut_expr(ti, s->iter) || mut_block(ti, s->body);
    case S_BLOCK: return mut_block(ti, s->body);
    case S_WHEN:
        for (uint32_t i = 0; i < s->when->narms; i++) if (mut_stmt(ti, s->when->arms[i].body)) return true;
        return s->when->subject && mut_expr(ti, s->when->subject);
    case S_VAR: return s->init && mut_expr(ti, s->init);
    case S_RETURN: case S_EXPR: return s->value && mut_expr(ti, s->value);
    default: return false;
    }
}
static bool mut_block(TypeInfo *ti, Block *b) {
    if (!b) return false;
    for (uint32_t i = 0; i < b->n; i++) if (mut_stmt(ti, b->stmts[i])) return true;
    return false;
}
static bool mut_expr(TypeInfo *ti, Expr *e) {
    if (!e) return false;
    if (e->kind == E_CALL) {
        Expr *c = e->lhs;
        TypeInfo *rt = NULL;
        const char *m = NULL;
        if (c->kind == E_NAME) { rt = ti; m = c->str; }
        else if (c->kind == E_MEMBER && !c->is_tuple_index) { rt = self_chain_struct(ti, c->lhs); m = c->str; }
        if (rt && m) {
            MethodInfo *mi = find_method_in(rt, m);
            if (mi && mi->mutating && !mi->is_static) return true;
        }
        for (uint32_t i = 0; i < e->nargs; i++) if (mut_expr(ti, e->args[i].value)) return true;
        return false;
    }
    switch (e->kind) {
    case E_UNARY: case E_MEMBER: case E_UNWRAP: case E_AS: case E_IS: return mut_expr(ti, e->lhs);
    case E_BINARY: case E_INDEX: return mut_expr(ti, e->lhs) || mut_expr(ti, e->rhs);
    case E_TERNARY: return mut_expr(ti, e->cond) || mut_expr(ti, e->lhs) || mut_expr(ti, e->rhs);
    default: return false;     /* lambdas work on their own copy of self */
    }
}

static void find_mutating(Checker *C, TypeInfo **types, uint32_t n) {
    bool changed = true;
    while (changed) {
        changed = false;
        for (uint32_t k = 0; k < n; k++) {
            TypeInfo *ti = types[k];
            if (ti->kind != T_STRUCT) continue;
            for (uint32_t i = 0; i < ti->nmethods; i++) {
                MethodInfo *mi = ti->methods[i];
                if (mi->mutating || mi->is_static || !mi->fd->body) continue;
                if (mut_block(ti, mi->fd->body)) { mi->mutating = true; mi->fi->inout_self = true; changed = true; }
            }
        }
    }
    (void)C;
}

/* ------------------------------------------------------------------ */
/* when (language.md §9.5) */

static Type *check_when(Checker *C, WhenStmtData *w, Type *expected, bool *leaves);

static void check_pattern(Checker *C, WhenPattern *p, Type *subj) {
    TypeTable *tt = C->tt;
    switch (p->kind) {
    case PK_ELSE: break;
    case PK_VALUE:
        if (!subj) { check_cond(C, p->expr); break; }
        {
            Type *t = check_expr(C, p->expr, subj);
            if (is_err(t) || is_err(subj)) break;
            if (assignable(C, t, subj, p->expr)) p->expr = convert(C, p->expr, subj);
            else if (is_num(t) && is_num(subj)) { /* compared as float */ }
            else if (subj->kind == T_OPTIONAL && t->kind == T_NULL) {}
            else err(C, p->expr->span, "cannot compare %s with %s", subj->name, t->name);
        }
        break;
    case PK_RANGE: {
        Expr *r = p->expr;
        Type *a = check_expr(C, r->lhs, NULL), *b = check_expr(C, r->rhs, NULL);
        if (!subj) { err(C, r->span, "a range pattern needs a when subject"); break; }
        if (is_err(a) || is_err(b) || is_err(subj)) break;
        if (!is_num(a) || !is_num(b) || !is_num(subj))
            err(C, r->span, "a range pattern needs int or float bounds and subject, found %s", !is_num(subj) ? subj->name : !is_num(a) ? a->name : b->name);
        break;
    }
    case PK_BIND: {
        if (!subj) { err(C, p->span, "a binding pattern needs a when subject"); break; }
        Sym *s = new_sym(C, SYM_LOCAL, p->bind, p->bind_span, subj);
        s->vkind = VK_LET;
        p->sym = s;
        declare(C, s, C->scope_id);
        break;
    }
    case PK_IS: {
        Type *t = resolve_type(C, p->type_expr);
        p->check = t;
        if (!subj || is_err(t) || is_err(subj)) break;
        Type *base = subj->kind == T_OPTIONAL ? subj->a : subj;
        if ((base->kind == T_CLASS || base->kind == T_TRAIT) && (t->kind == T_CLASS || t->kind == T_TRAIT)) {
            if (!ty_is_subtype(t, base) && !ty_is_subtype(base, t) && t->kind != T_TRAIT && base->kind != T_TRAIT)
                err(C, p->span, "'is' test can never succeed: %s is not related to %s", base->name, t->name);
        } else if (!(subj->kind == T_OPTIONAL && t == subj->a)) {
            err(C, p->span, "'is' needs a class, trait, Optional or any value, found %s", subj->name);
        }
        break;
    }
    case PK_SUCCESS: case PK_ERROR: {
        if (!subj || is_err(subj)) break;
        if (subj->kind != T_RESULT) { err(C, p->span, "'is %s' needs a Result subject, found %s", p->kind == PK_SUCCESS ? "Success" : "Error", subj->name); break; }
        if (p->bind && strcmp(p->bind, "_") != 0) {
            Type *bt = p->kind == PK_SUCCESS ? subj->a : C->tt->t_string;
            if (bt->kind == T_VOID) { err(C, p->bind_span, "Success of Result<void> has no value to bind"); break; }
            Sym *s = new_sym(C, SYM_LOCAL, p->bind, p->bind_span, bt);
            s->vkind = VK_LET;
            p->sym = s;
            declare(C, s, C->scope_id);
        }
        break;
    }
    }
    if (p->guard) check_cond(C, p->guard);
    (void)tt;
}

/* Checks a when statement or expression; returns the expression type. */
static Type *check_when(Checker *C, WhenStmtData *w, Type *expected, bool *leaves) {
    Type *subj = NULL;
    if (w->subject) {
        subj = check_expr(C, w->subject, NULL);
        if (subj->kind == T_VOID) { err(C, w->subject->span, "when subject cannot be void"); subj = T_err(C); }
    }
    bool has_else = false, seen_true = false, seen_false = false, seen_ok = false, seen_err = false;
    TypeInfo *eti = subj && subj->kind == T_ENUM ? type_info(subj) : NULL;
    bool *seen_variant = eti ? arena_alloc(C->A, sizeof(bool) * (eti->nvariants + 1)) : NULL;
    bool all_leave = true;
    Type *common = expected;
    Expr *cexpr = NULL;
    bool bad_type = false;
    for (uint32_t i = 0; i < w->narms; i++) {
        WhenArm *arm = &w->arms[i];
        if (has_else) {
            err(C, arm->pats[0]->span, "unreachable arm after 'else'");
        }
        push_scope(C);
        uint32_t nmark = C->nnarrow;
        for (uint32_t k = 0; k < arm->npats; k++) {
            WhenPattern *p = arm->pats[k];
            if (p->kind == PK_ELSE) has_else = true;
            check_pattern(C, p, subj);
            if (p->kind == PK_SUCCESS && !p->guard) seen_ok = true;
            if (p->kind == PK_ERROR && !p->guard) seen_err = true;
            if (subj && subj->kind == T_BOOL && p->kind == PK_VALUE && !p->guard && p->expr->kind == E_BOOL) {
                if (p->expr->lit.b) seen_true = true; else seen_false = true;
            }
            if (eti && p->kind == PK_VALUE && !p->guard && p->expr->kind == E_MEMBER && p->expr->type == subj &&
                p->expr->lhs->kind == E_NAME && p->expr->lhs->sym && p->expr->lhs->sym->kind == SYM_TYPE &&
                !p->expr->check && (uint64_t)p->expr->lit.i < eti->nvariants)
                seen_variant[p->expr->lit.i] = true;
            /* `is T` on a local narrows it in the arm */
            if (p->kind == PK_IS && !p->guard && w->subject && p->check && !is_err((Type *)p->check)) {
                Sym *ns = narrowable(C, w->subject);
                if (ns) push_narrow(C, ns, (Type *)p->check);
            }
            if (!subj && arm->npats == 1 && !p->guard && p->kind == PK_VALUE) narrow_from_cond(C, p->expr, true);
        }
        if (w->is_expr) {
            Type *t = check_expr(C, arm->value, common);
            if (!is_err(t)) {
                if (expected) {
                    if (assignable(C, t, expected, arm->value)) arm->value = convert(C, arm->value, expected);
                    else mismatch(C, arm->value, expected);
                } else if (!common) { common = t; cexpr = arm->value; }
                else {
                    Type *u = unify(C, common, cexpr, t, arm->value);
                    if (!u) {
                        if (!bad_type) err(C, arm->value->span, "when arms have incompatible types: %s and %s", common->name, t->name);
                        bad_type = true;
                    } else { common = u; cexpr = arm->value; }
                }
            }
        } else {
            bool l = check_stmt(C, arm->body);
            if (!l) all_leave = false;
        }
        C->nnarrow = nmark;
        pop_scope(C);
    }
    bool exhaustive = has_else || (seen_true && seen_false) || (seen_ok && seen_err);
    if (subj && subj->kind == T_RESULT && !exhaustive) {
        Diag *g = err(C, w->kw_span, "non-exhaustive when: missing 'is %s'", seen_ok ? "Error" : "Success");
        diag_help(C->D, g, "add the missing arms or an else arm");
        exhaustive = true;
    }
    if (eti && !has_else) {
        char buf[1024];
        size_t off = 0;
        bool all = true;
        for (uint32_t v = 0; v < eti->nvariants; v++) {
            if (seen_variant[v]) continue;
            all = false;
            int k = snprintf(buf + off, sizeof buf - off, "%s%s.%s", off ? ", " : "", eti->name, eti->td->variants[v].name);
            if (k > 0 && off + (size_t)k < sizeof buf) off += (size_t)k;
        }
        if (all) exhaustive = true;
        else {
            Diag *g = err(C, w->kw_span, "non-exhaustive when: missing %s", buf);
            diag_help(C->D, g, "add the missing arms or an else arm");
            exhaustive = true;     /* reported: no second message */
        }
    }
    if (w->is_expr) {
        if (!exhaustive) err(C, w->kw_span, "when used as a value must be exhaustive; add an else arm");
        if (bad_type || !common) return T_err(C);
        /* convert every arm to the common type */
        for (uint32_t i = 0; i < w->narms; i++) {
            Expr *v = w->arms[i].value;
            if (!is_err(v->type) && assignable(C, v->type, common, v)) w->arms[i].value = convert(C, v, common);
        }
        if (common->kind == T_NULL) { err(C, w->kw_span, "cannot infer the type of null; add a type annotation"); return T_err(C); }
        return common;
    }
    if (leaves) *leaves = exhaustive && all_leave;
    return C->tt->t_void;
}

/* ------------------------------------------------------------------ */
/* expressions */

static Type *check_expr_inner(Checker *C, Expr *e, Type *expected) {
    TypeTable *tt = C->tt;
    /* an Optional<T> expectation reaches literals and lambdas as T (converted afterwards) */
    if (expected && expected->kind == T_OPTIONAL &&
        (e->kind == E_ARRAY || e->kind == E_DICT || e->kind == E_TUPLE || e->kind == E_LAMBDA))
        expected = expected->a;
    switch (e->kind) {
    case E_INT:
        if (e->int_min_magnitude) { err(C, e->span, "integer literal is too large"); return T_err(C); }
        if (expected && (expected->kind == T_FLOAT || (expected->kind == T_OPTIONAL && expected->a->kind == T_FLOAT))) {
            e->kind = E_FLOAT;
            e->lit.f = (double)e->lit.i;
            return tt->t_float;
        }
        return tt->t_int;
    case E_FLOAT: return tt->t_float;
    case E_BOOL: return tt->t_bool;
    case E_STRING: return tt->t_string;
    case E_NULL: return expected && expected->kind == T_OPTIONAL ? expected : tt->t_null;
    case E_INTERP:
        for (uint32_t i = 0; i < e->nelems; i++) {
            Type *t = check_expr(C, e->elems[i], NULL);
            if (t->kind == T_VOID) {
                if (e->elems[i]->kind == E_CALL) err(C, e->elems[i]->span, "'%s' returns no value", callee_name(e->elems[i]->lhs));
                else err(C, e->elems[i]->span, "cannot interpolate a void value");
            }
        }
        return tt->t_string;
    case E_NAME: return check_name(C, e, false);
    case E_UNARY: return check_unary(C, e, expected);
    case E_BINARY: return check_binary(C, e, expected);
    case E_TERNARY: {
        check_cond(C, e->cond);
        uint32_t mark = C->nnarrow;
        narrow_from_cond(C, e->cond, true);
        Type *a = check_expr(C, e->lhs, expected);
        C->nnarrow = mark;
        narrow_from_cond(C, e->cond, false);
        Type *b = check_expr(C, e->rhs, expected);
        C->nnarrow = mark;
        if (is_err(a) || is_err(b)) return T_err(C);
        Type *t = NULL;
        if (expected && assignable(C, a, expected, e->lhs) && assignable(C, b, expected, e->rhs)) t = expected;
        else t = unify(C, a, e->lhs, b, e->rhs);
        if (!t || t->kind == T_VOID) {
            err(C, e->span, "ternary branches have incompatible types: %s and %s", a->name, b->name);
            return T_err(C);
        }
        if (t->kind == T_NULL) { err(C, e->span, "cannot infer the type of null; add a type annotation"); return T_err(C); }
        e->lhs = convert(C, e->lhs, t);
        e->rhs = convert(C, e->rhs, t);
        return t;
    }
    case E_AS: return check_as(C, e);
    case E_CALL: return check_plain_call(C, e, expected);
    case E_INDEX: return check_index(C, e);
    case E_MEMBER: return check_member(C, e);
    case E_SAFE_MEMBER: {
        Type *t = check_expr(C, e->lhs, NULL);
        if (is_err(t)) return t;
        if (t->kind == T_RESULT) { err(C, e->span, "'?.' needs an Optional; write (r?).%s", e->str); return T_err(C); }
        if (t->kind != T_OPTIONAL) { err(C, e->span, "'?.' needs an Optional, found %s", t->name); return T_err(C); }
        if (e->is_tuple_index && t->a->kind == T_TUPLE) {
            long idx = strtol(e->str, NULL, 10);
            if (idx >= 0 && (uint32_t)idx < t->a->n) return ty_optional(C->vm, t->a->args[idx]);
        }
        if (!e->is_tuple_index && t->a->kind == T_RESULT && (!strcmp(e->str, "isSuccess") || !strcmp(e->str, "isError")))
            return ty_optional(C->vm, C->tt->t_bool);
        if (!e->is_tuple_index && is_user(t->a)) {
            Type *ft = member_of_user(C, e, t->a);
            if (is_err(ft)) return ft;
            if (e->sym) { err(C, e->span, "a method value cannot be taken through '?.'"); return T_err(C); }
            return ft->kind == T_OPTIONAL ? ft : ty_optional(C->vm, ft);
        }
        err(C, e->span, "unknown field '%s' on %s", e->str, t->a->name);
        return T_err(C);
    }
    case E_UNWRAP: {
        Type *t = check_expr(C, e->lhs, NULL);
        if (is_err(t)) return t;
        if (t->kind != T_OPTIONAL) { err(C, e->span, "'!!' needs an Optional, found %s", t->name); return T_err(C); }
        return t->a;
    }
    case E_TUPLE: return check_tuple(C, e, expected);
    case E_ARRAY: return check_array(C, e, expected);
    case E_DICT: return check_dict(C, e, expected);
    case E_LAMBDA: return check_lambda(C, e, expected);
    case E_WHEN: return check_when(C, e->when, expected, NULL);
    case E_RANGE:
        check_expr(C, e->lhs, NULL);
        check_expr(C, e->rhs, NULL);
        err(C, e->span, "a range can only appear in a for loop or a when arm");
        return T_err(C);
    case E_SPREAD:
        check_expr(C, e->lhs, NULL);
        err(C, e->span, "spread '...' is only allowed in array and dictionary literals and as a call's last argument");
        return T_err(C);
    case E_SELF: {
        Sym *ss = self_sym(C, e->span);
        if (!ss) return T_err(C);
        e->sym = ss;
        return ss->type;
    }
    case E_SUPER: err(C, e->span, "'super' used in a class without a parent"); return T_err(C);
    case E_NSNAME: {
        Type *t = check_name(C, e, false);
        if (e->sym) e->kind = E_NAME;        /* resolved: compiles like any name */
        return t;
    }
    case E_IS: {
        Type *s = check_expr(C, e->lhs, NULL);
        if (is_type_param(C, e->type_expr)) return tt->t_bool;
        Type *t = resolve_type(C, e->type_expr);
        if (is_err(s) || is_err(t)) return tt->t_bool;
        Type *base = s->kind == T_OPTIONAL ? s->a : s;
        e->check = t;             /* the tested type, for the compiler */
        if (s->kind == T_ANY) return tt->t_bool;
        if ((base->kind == T_CLASS || base->kind == T_TRAIT) && (t->kind == T_CLASS || t->kind == T_TRAIT)) {
            if (!ty_is_subtype(t, base) && !ty_is_subtype(base, t) && t->kind != T_TRAIT && base->kind != T_TRAIT)
                err(C, e->span, "'is' test can never succeed: %s is not related to %s", base->name, t->name);
            return tt->t_bool;
        }
        if (s->kind == T_OPTIONAL) {
            if (t != s->a && t != s) err(C, e->span, "'is' test can never succeed: %s is not related to %s", s->name, t->name);
            return tt->t_bool;
        }
        err(C, e->span, "'is' needs a class, trait, Optional or any value, found %s", s->name);
        return tt->t_bool;
    }
    case E_PROPAGATE: {
        Type *t = check_expr(C, e->lhs, NULL);
        FnInfo *f = C->fn;
        Type *fr = f ? (f->infer_ret ? f->inferred : f->ret) : NULL;
        if (f && f->infer_ret && !f->is_script && (!fr || fr->kind == T_RESULT)) {
            /* a lambda still inferring its return type: checked when it is known */
            VEC_PUSH(C->vm, f->props, f->nprops, f->capprops, e);
            fr = NULL;
        } else if (!fr || fr->kind != T_RESULT || f->is_script) {
            err(C, e->span, "'?' can only be used inside a function that returns Result");
            return T_err(C);
        }
        if (is_err(t)) return t;
        if (t->kind != T_RESULT) {
            Diag *g = err(C, e->span, "'?' needs a Result, found %s", t->name);
            if (t->kind == T_OPTIONAL) diag_help(C->D, g, "use '?\?' for Optional values");
            return T_err(C);
        }
        e->check = fr;        /* the function's Result type, for the early return */
        return t->a;
    }
    case E_YIELD: return check_yield(C, e->lhs, e->span);
    case E_CONVERT: return e->type;
    }
    return T_err(C);
}

static Type *check_expr(Checker *C, Expr *e, Type *expected) {
    if (e->type) return e->type;
    Type *t = check_expr_inner(C, e, expected);
    if (!t) t = T_err(C);
    if (!e->type || e->kind != E_CONVERT) e->type = t;
    return e->type;
}

/* ------------------------------------------------------------------ */
/* statements.  check_stmt returns true when the statement always leaves
 * (return, break, continue, or a loop that never ends). */

static bool at_top_level(Checker *C) {
    return C->fn->is_script && C->nscopes == 2;  /* lib scope + module scope */
}

static bool has_default(Type *t) {
    switch (t->kind) {
    case T_INT: case T_FLOAT: case T_BOOL: case T_STRING: case T_OPTIONAL: case T_ARRAY: case T_DICT: return true;
    default: return false;
    }
}

static void bind_pattern(Checker *C, Pattern *p, Type *t, VarKind vk, bool global) {
    if (p->kind == PAT_IGNORE) return;
    if (p->kind == PAT_NAME) {
        Sym *s = new_sym(C, global ? SYM_GLOBAL : SYM_LOCAL, p->name, p->span, t);
        s->vkind = vk;
        p->sym = s;
        if (global) VEC_PUSH(C->vm, C->globals, C->nglobals, C->capglobals, s);
        declare(C, s, C->scope_id);
        return;
    }
    if (!is_err(t) && (t->kind != T_TUPLE || t->n != p->nelems)) {
        if (t->kind == T_TUPLE) err(C, p->span, "tuple pattern has %u elements but the value has %u", p->nelems, t->n);
        else err(C, p->span, "cannot destructure %s with a tuple pattern", t->name);
        t = T_err(C);
    }
    for (uint32_t i = 0; i < p->nelems; i++) bind_pattern(C, p->elems[i], is_err(t) ? t : t->args[i], vk, global);
}

static void check_var(Checker *C, Stmt *s) {
    bool global = at_top_level(C);
    if (s->vkind == VK_CONST) {
        if (s->pat->kind != PAT_NAME) { err(C, s->pat->span, "a constant needs a plain name"); return; }
        if (!s->init) { err(C, s->pat->span, "constant '%s' needs an initial value", s->pat->name); return; }
        Sym *sym = s->pat->sym;
        if (!sym) {   /* block-level constant: declared here */
            sym = new_sym(C, SYM_CONST, s->pat->name, s->pat->span, s->vtype ? resolve_type(C, s->vtype) : NULL);
            sym->const_init = s->init;
            s->pat->sym = sym;
            eval_const(C, sym);
            declare(C, sym, C->scope_id);
        } else {
            eval_const(C, sym);
        }
        return;
    }
    Type *decl = s->vtype ? resolve_type(C, s->vtype) : NULL;
    Type *t = decl;
    if (s->init) {
        if (decl) check_to(C, &s->init, decl);
        else {
            t = check_expr(C, s->init, NULL);
            if (t->kind == T_NULL) { err(C, s->init->span, "cannot infer the type of null; add a type annotation"); t = T_err(C); }
            else if (t->kind == T_VOID) {
                Expr *c = s->init->kind == E_YIELD ? s->init->lhs : s->init;     /* an awaited call too */
                if (c && c->kind == E_CALL) err(C, s->init->span, "'%s' returns no value", callee_name(c->lhs));
                else err(C, s->init->span, "cannot use a void value");
                t = T_err(C);
            }
        }
    } else {
        if (s->vkind == VK_LET || !decl) {
            err(C, s->pat->span, "variable '%s' needs an initial value", s->pat->kind == PAT_NAME ? s->pat->name : "_");
            if (!decl) t = T_err(C);
        } else if (!is_err(decl) && !has_default(decl)) {
            err(C, s->pat->span, "variable '%s' needs an initial value", s->pat->kind == PAT_NAME ? s->pat->name : "_");
        }
    }
    bind_pattern(C, s->pat, t ? t : T_err(C), s->vkind, global);
    /* an Optional variable initialised with a plain value is narrowed */
    if (!global && s->pat->kind == PAT_NAME && s->pat->sym && s->init && t && t->kind == T_OPTIONAL &&
        s->init->kind == E_CONVERT && s->init->lhs->type->kind != T_NULL && s->init->lhs->type->kind != T_OPTIONAL)
        push_narrow(C, s->pat->sym, t->a);
}


/* Checks an assignment target; returns its type. */
static Type *check_target(Checker *C, Expr *t) {
    switch (t->kind) {
    case E_NAME: {
        Sym *s = lookup(C, t->str);
        if (!s) { unknown_name(C, t, false); t->type = T_err(C); return t->type; }
        t->sym = s;
        switch (s->kind) {
        case SYM_LOCAL: case SYM_GLOBAL:
            if (s->imported) { err(C, t->span, "cannot assign to imported variable '%s'", s->name); break; }
            if (s->bound && !bound_resolve(C, s, t->span)) break;
            if (s->bound && s->vkind == VK_LET) { err(C, t->span, "cannot assign to read-only host variable '%s'", s->name); break; }
            if (s->is_param) err(C, t->span, "cannot assign to parameter '%s'", s->name);
            else if (s->vkind == VK_LET) err(C, t->span, "cannot assign to '%s': it is declared with let", s->name);
            s->reassigned = true;
            if (s->kind == SYM_LOCAL && s->owner != C->fn) { s->closure_assigns = true; note_capture(C, s); }
            t->type = s->type;
            return s->type;
        case SYM_CONST: case SYM_LIBCONST:
            err(C, t->span, "cannot assign to constant '%s'", s->name);
            break;
        case SYM_FUNC: case SYM_LOCALFUNC: case SYM_LIB:
            err(C, t->span, "cannot assign to function '%s'", s->name);
            break;
        case SYM_TYPE: case SYM_NAMESPACE:
            err(C, t->span, "type '%s' is not a value", s->name);
            break;
        case SYM_FIELD: case SYM_METHOD:
            if (s->field && s->field->is_static) { t->sym = s->field->global; s->field->global->reassigned = true; t->type = s->type; return s->type; }
            if (s->field && strcmp(s->name, "field") == 0 && strcmp(s->field->name, "field") != 0) {
                make_self_member(C, t);
                t->str = s->field->name;
                t->op = TK_ASSIGN;
                return check_target(C, t);
            }
            if (!lookup(C, "self")) { err(C, t->span, "'self' can only be used inside an instance method"); break; }
            make_self_member(C, t);
            return check_target(C, t);
        }
        t->type = T_err(C);
        return t->type;
    }
    case E_NSNAME: {
        Sym *s = ns_lookup(C, t);
        if (s && (s->kind == SYM_GLOBAL || s->kind == SYM_LOCAL)) err(C, t->span, "cannot assign to imported variable '%s'", t->str);
        else if (s) err(C, t->span, "cannot assign to '%s'", t->str);
        t->type = T_err(C);
        return t->type;
    }
    case E_SELF:
        check_expr(C, t, NULL);
        err(C, t->span, "cannot assign to self");
        t->type = T_err(C);
        return t->type;
    case E_INDEX: return check_expr(C, t, NULL);
    case E_TUPLE: {           /* nested tuple of targets */
        Type *el[MAX_TUPLE + 1];
        bool bad = t->nelems > MAX_TUPLE;
        for (uint32_t i = 0; i < t->nelems && i < MAX_TUPLE; i++) {
            el[i] = check_target(C, t->elems[i]);
            if (is_err(el[i])) bad = true;
        }
        t->type = bad ? T_err(C) : ty_tuple(C->vm, el, t->nelems);
        return t->type;
    }
    case E_MEMBER:
        if (t->is_tuple_index) {
            /* the tuple itself must be a valid target */
            Expr *base = t->lhs;
            if (base->kind == E_NAME || (base->kind == E_MEMBER && base->is_tuple_index) || base->kind == E_INDEX) {
                Type *bt = check_target(C, base);
                if (is_err(bt)) { t->type = bt; return bt; }
                if (bt->kind != T_TUPLE) { err(C, t->span, "cannot access element %s of %s", t->str, bt->name); t->type = T_err(C); return t->type; }
                long idx = strtol(t->str, NULL, 10);
                if (idx < 0 || (uint32_t)idx >= bt->n) { err(C, t->span, "tuple %s has no element %s", bt->name, t->str); t->type = T_err(C); return t->type; }
                t->type = bt->args[idx];
                return t->type;
            }
        }
        {
            Type *r = check_expr(C, t, NULL);
            if (is_err(r)) return T_err(C);
            Type *lt = t->lhs->type;
            if (!t->is_tuple_index && lt && lt->kind == T_ENUM) {
                err(C, t->op_span.line ? t->op_span : t->span, "cannot assign to enum field '%s'", t->str);
                return T_err(C);
            }
            if (!t->is_tuple_index && lt && lt->kind == T_HOST) {
                HostType *ht = lt->decl;
                HostField *hf = &ht->fields[(uintptr_t)t->check - 1];
                if (hf->read_only) { err(C, t->op_span.line ? t->op_span : t->span, "field '%s' of %s is read-only", t->str, ht->name); return T_err(C); }
                return r;
            }
            FieldInfo *f = !t->is_tuple_index ? (FieldInfo *)t->check : NULL;
            if (!f) { err(C, t->span, "cannot assign to this expression"); return T_err(C); }
            if (f->is_static && library_constant(C, f)) {
                err(C, t->span, "cannot assign to constant '%s.%s'", f->owner->name, f->name);
                return T_err(C);
            }
            if (f->is_static) { f->global->reassigned = true; return r; }
            if (lt->kind == T_STRUCT && !valid_struct_target(C, t->lhs)) {
                Diag *g = err(C, t->op_span.line ? t->op_span : t->span, "cannot assign to field '%s' of an immutable value", t->str);
                diag_help(C->D, g, "declare it with var");
            }
            return r;
        }
    default:
        check_expr(C, t, NULL);
        err(C, t->span, "cannot assign to this expression");
        t->type = T_err(C);
        return t->type;
    }
}

static void check_assign(Checker *C, Stmt *s) {
    if (s->target->kind == E_TUPLE) {
        if (s->op != TK_ASSIGN) { err(C, s->op_span, "compound assignment needs a single target"); return; }
        Type *el[MAX_TUPLE + 1];
        if (s->target->nelems > MAX_TUPLE) { err(C, s->target->span, "a tuple can have at most %d elements", MAX_TUPLE); return; }
        uint32_t n = s->target->nelems;
        for (uint32_t i = 0; i < n; i++) el[i] = check_target(C, s->target->elems[i]);
        bool bad = false;
        for (uint32_t i = 0; i < n; i++) if (is_err(el[i])) bad = true;
        Type *tt = bad ? T_err(C) : ty_tuple(C->vm, el, n);
        s->target->type = tt;
        Type *vt = check_expr(C, s->value, tt);
        if (!bad && !is_err(vt)) {
            if (vt->kind == T_TUPLE && vt->n != n) err(C, s->value->span, "tuple pattern has %u elements but the value has %u", n, vt->n);
            else coerce(C, &s->value, tt);
        }
        for (uint32_t i = 0; i < n; i++) if (s->target->elems[i]->sym) kill_narrow(C, s->target->elems[i]->sym);
        return;
    }
    Type *tt = check_target(C, s->target);
    Sym *sym = s->target->kind == E_NAME ? s->target->sym : NULL;
    if (s->op == TK_ASSIGN) {
        check_expr(C, s->value, tt);
        if (!is_err(tt)) coerce(C, &s->value, tt);
    } else {
        /* x op= v is checked as x = x op v with the target evaluated once */
        static const TokKind map[][2] = {{TK_PLUSEQ, TK_PLUS}, {TK_MINUSEQ, TK_MINUS}, {TK_STAREQ, TK_STAR},
            {TK_SLASHEQ, TK_SLASH}, {TK_PERCENTEQ, TK_PERCENT}, {TK_AMPEQ, TK_AMP}, {TK_PIPEEQ, TK_PIPE},
            {TK_CARETEQ, TK_CARET}, {TK_SHLEQ, TK_SHL}, {TK_SHREQ, TK_SHR}, {TK_USHREQ, TK_USHR}};
        TokKind bop = TK_PLUS;
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) if (map[i][0] == s->op) bop = map[i][1];
        Expr *b = mk_expr(C, E_BINARY, s->span, NULL);
        b->op = bop;
        b->op_span = s->op_span;
        Expr *lhs = mk_expr(C, E_NAME, s->target->span, NULL);
        *lhs = *s->target;   /* a read of the target, same resolution */
        if (sym && narrowed(C, sym)) lhs->type = narrowed(C, sym);
        b->lhs = lhs;
        b->rhs = s->value;
        Type *r = is_err(tt) ? (check_expr(C, s->value, NULL), T_err(C)) : check_binary(C, b, NULL);
        b->type = r;
        if (!is_err(r) && !is_err(tt)) {
            if (!assignable(C, r, tt, NULL)) err(C, s->value->span, "type mismatch: expected %s, found %s", tt->name, r->name);
        }
        s->check = b;
        s->value = b->rhs;
    }
    if (sym && (sym->kind == SYM_LOCAL)) {
        kill_narrow(C, sym);
        if (s->op == TK_ASSIGN && sym->type->kind == T_OPTIONAL && !sym->closure_assigns && s->value->kind == E_CONVERT &&
            s->value->lhs->type->kind != T_NULL && s->value->lhs->type->kind != T_OPTIONAL)
            push_narrow(C, sym, sym->type->a);
    }
}

static bool check_for(Checker *C, Stmt *s) {
    Type *et = NULL, *kt = NULL;
    Expr *it = s->iter;
    bool is_dict = false;
    if (it->kind == E_RANGE) {
        Type *a = check_expr(C, it->lhs, C->tt->t_int), *b = check_expr(C, it->rhs, C->tt->t_int);
        if (!is_err(a) && a->kind != T_INT) err(C, it->lhs->span, "range bounds must be int, found %s", a->name);
        if (!is_err(b) && b->kind != T_INT) err(C, it->rhs->span, "range bounds must be int, found %s", b->name);
        it->type = C->tt->t_int;
        et = C->tt->t_int;
    } else {
        Type *t = check_expr(C, it, NULL);
        if (is_err(t)) et = t;
        else if (t->kind == T_ARRAY) et = t->a;
        else if (t->kind == T_DICT) { is_dict = true; kt = t->a; et = t->b; }
        else { err(C, it->span, "cannot iterate over %s", t->name); et = T_err(C); }
    }
    kill_for_loop(C, s->body, NULL);
    push_scope(C);
    uint32_t nmark = C->nnarrow;
    if (is_dict) {
        if (s->pat->kind == PAT_TUPLE) {
            if (s->pat->nelems != 2) err(C, s->pat->span, "tuple pattern has %u elements but the value has 2", s->pat->nelems);
            else { Type *kv[2] = {kt, et}; bind_pattern(C, s->pat, ty_tuple(C->vm, kv, 2), VK_LET, false); }
        } else bind_pattern(C, s->pat, kt, VK_LET, false);
    } else {
        bind_pattern(C, s->pat, et, VK_LET, false);
    }
    C->loop_depth++;
    check_block(C, s->body);
    C->loop_depth--;
    C->nnarrow = nmark;
    pop_scope(C);
    return false;
}

static bool contains_break(Block *b);
static bool stmt_has_break(Stmt *s) {
    if (!s) return false;
    switch (s->kind) {
    case S_BREAK: return true;
    case S_IF: return contains_break(s->then) || stmt_has_break(s->els);
    case S_BLOCK: return contains_break(s->body);
    case S_WHEN:
        for (uint32_t i = 0; i < s->when->narms; i++) if (stmt_has_break(s->when->arms[i].body)) return true;
        return false;
    default: return false;   /* loops own their breaks */
    }
}
static bool contains_break(Block *b) {
    for (uint32_t i = 0; i < b->n; i++) if (stmt_has_break(b->stmts[i])) return true;
    return false;
}

static void declare_local_func(Checker *C, Stmt *s) {
    FuncDecl *fd = s->fn;
    if (fd->ntparams) { err(C, fd->name_span, "generic functions are not supported yet"); }
    FnInfo *fi = new_fninfo(C, fd, fd->name);
    resolve_signature(C, fd, fi);
    Sym *sym = new_sym(C, SYM_LOCALFUNC, fd->name, fd->name_span, fi->type);
    sym->fn = fd;
    sym->vkind = VK_LET;
    fd->sym = sym;
    declare(C, sym, C->scope_id);
    check_func_body(C, fd, fi);
}

static bool check_return(Checker *C, Stmt *s) {
    FnInfo *f = C->fn;
    if (f->is_script) {
        if (s->value) {
            Type *t = check_expr(C, s->value, f->inferred);
            if (f->inferred && !is_err(t) && !is_err(f->inferred)) coerce(C, &s->value, f->inferred);
            else if (!f->inferred) f->inferred = t;
        }
        return true;
    }
    if (f->infer_ret) {
        Type *t = s->value ? check_expr(C, s->value, NULL) : C->tt->t_void;
        if (is_err(t)) return true;
        VEC_PUSH(C->vm, f->rets, f->nrets, f->caprets, s);
        if (!f->inferred) f->inferred = t;
        else {
            /* the common type as for array elements: each earlier return may be an int literal */
            Type *u = f->inferred;
            for (uint32_t i = 0; i + 1 < f->nrets && u; i++) {
                Expr *pv = f->rets[i]->value;
                u = unify(C, u, pv, pv ? pv->type : C->tt->t_void, pv);
            }
            if (u) u = unify(C, u, NULL, t, s->value);
            if (!u && f->nrets >= 2) {
                Expr *pv = f->rets[0]->value;
                u = unify(C, pv ? pv->type : C->tt->t_void, pv, t, s->value);
                for (uint32_t i = 1; u && i + 1 < f->nrets; i++) {
                    Expr *qv = f->rets[i]->value;
                    u = unify(C, u, NULL, qv ? qv->type : C->tt->t_void, qv);
                }
            }
            if (!u) err(C, s->span, "lambda returns incompatible types: %s and %s", f->inferred->name, t->name);
            else f->inferred = u;
        }
        return true;
    }
    const char *fname = f->decl && f->decl->name ? f->decl->name : "<lambda>";
    if (f->ret->kind == T_VOID) {
        if (s->value) {
            check_expr(C, s->value, NULL);
            if (f->decl && f->decl->is_lambda) err(C, s->value->span, "cannot return a value from a lambda that returns void");
            else err(C, s->value->span, "cannot return a value from '%s': it returns void", fname);
        }
        return true;
    }
    if (!s->value) {
        if (!is_err(f->ret)) err(C, s->span, "missing return value: '%s' must return %s", fname, f->ret->name);
        return true;
    }
    check_to(C, &s->value, f->ret);
    return true;
}

static bool check_stmt(Checker *C, Stmt *s) {
    switch (s->kind) {
    case S_VAR: check_var(C, s); return false;
    case S_FUNC:
        if (at_top_level(C)) return false;  /* declared and checked by the driver */
        if (s->exported) err(C, s->span, "'export' is only allowed on top-level declarations");
        declare_local_func(C, s);
        return false;
    case S_CLASS: case S_STRUCT: case S_TRAIT: case S_ENUM:
        if (!at_top_level(C))
            err(C, s->td->name_span, "type declarations are only allowed at the top level");
        return false;     /* declared and checked by the driver */
    case S_IMPORT: return false;        /* resolved before the module's declarations */
    case S_IF: {
        check_cond(C, s->cond);
        uint32_t mark = C->nnarrow;
        narrow_from_cond(C, s->cond, true);
        bool l1 = check_block(C, s->then);
        C->nnarrow = mark;
        narrow_from_cond(C, s->cond, false);
        bool l2 = s->els ? check_stmt(C, s->els) : false;
        C->nnarrow = mark;
        /* facts of the rest of the block: the other branch always left */
        for (uint32_t i = 0; i < mark; i++) {
            Sym *sym = C->narrow[i].sym;
            if (narrowed(C, sym) != sym->type && (assigns_in_block(s->then, sym) || assigns_in_stmt(s->els, sym)))
                push_narrow(C, sym, sym->type);
        }
        if (l1 && !l2) narrow_from_cond(C, s->cond, false);
        else if (l2 && !l1) narrow_from_cond(C, s->cond, true);
        return l1 && l2;
    }
    case S_WHILE: {
        kill_for_loop(C, s->body, s->cond);
        check_cond(C, s->cond);
        uint32_t mark = C->nnarrow;
        narrow_from_cond(C, s->cond, true);
        C->loop_depth++;
        check_block(C, s->body);
        C->loop_depth--;
        C->nnarrow = mark;
        bool forever = s->cond->kind == E_BOOL && s->cond->lit.b && !contains_break(s->body);
        return forever;
    }
    case S_FOR: return check_for(C, s);
    case S_WHEN: {
        bool leaves = false;
        check_when(C, s->when, NULL, &leaves);
        return leaves;
    }
    case S_RETURN: return check_return(C, s);
    case S_BREAK: case S_CONTINUE:
        if (!C->loop_depth) err(C, s->span, "'%s' outside of a loop", s->kind == S_BREAK ? "break" : "continue");
        return true;
    case S_START: check_start(C, s); return false;
    case S_YIELD: check_yield(C, s->value->lhs, s->value->span); return false;
    case S_ASSIGN: check_assign(C, s); return false;
    case S_BLOCK: return check_block(C, s->body);
    case S_EXPR: check_expr(C, s->value, NULL); return false;
    }
    return false;
}

static bool check_block(Checker *C, Block *b) {
    push_scope(C);
    uint32_t mark = C->nnarrow;
    bool leaves = false;
    for (uint32_t i = 0; i < b->n; i++)
        if (check_stmt(C, b->stmts[i])) leaves = true;
    C->nnarrow = mark;
    pop_scope(C);
    return leaves;
}

/* Checks a function or lambda body in the current scope chain. */
static void check_func_body(Checker *C, FuncDecl *fd, FnInfo *fi) {
    FnInfo *saved = C->fn;
    int saved_loop = C->loop_depth;
    uint32_t nmark = C->nnarrow;
    C->fn = fi;
    C->loop_depth = 0;
    push_scope(C);
    Type *ft = fi->type;
    /* defaults first: in the declaration's scope, where no parameter is visible */
    uint32_t ndefaults = 0;
    for (uint32_t i = 0; i < fd->nparams; i++) {
        Param *p = &fd->params[i];
        if (p->def && !is_err(ft)) { check_to(C, &p->def, ft->args[i]); ndefaults++; }
    }
    if (ndefaults && fd->sym && fd->sym->kind == SYM_LOCALFUNC) {
        fi->callee_defaults = true;
        if (ndefaults > 62) err(C, fd->name_span, "a nested function can have at most 62 parameters with defaults");
    }
    if (fi->self_type) {       /* methods: the receiver is the hidden first parameter */
        Sym *ss = new_sym(C, SYM_LOCAL, "self", fd->name_span, fi->self_type->type);
        ss->is_param = true;
        ss->vkind = VK_LET;
        fi->self_sym = ss;
        declare(C, ss, C->scope_id);
    }
    for (uint32_t i = 0; i < fd->nparams; i++) {
        Param *p = &fd->params[i];
        Sym *s = new_sym(C, SYM_LOCAL, p->name, p->span, is_err(ft) ? T_err(C) : ft->args[i]);
        s->is_param = true;
        s->vkind = VK_LET;
        p->sym = s;
        declare(C, s, C->scope_id);
    }
    bool leaves;
    if (fd->body_expr) {
        Type *t;
        if (fi->infer_ret) { t = check_expr(C, fd->body_expr, NULL); fi->inferred = t; }
        else {
            t = check_expr(C, fd->body_expr, fi->ret);
            if (fi->ret->kind != T_VOID) coerce(C, &fd->body_expr, fi->ret);
        }
        leaves = true;
    } else {
        leaves = check_block(C, fd->body);
    }
    if (!leaves && !fi->infer_ret && fi->ret && fi->ret->kind != T_VOID && !is_err(fi->ret)) {
        if (fd->is_lambda || !fd->name) err(C, fd->span, "missing return: lambda must return %s on every path", fi->ret->name);
        else err(C, fd->name_span, "missing return: '%s' must return %s on every path", fd->name, fi->ret->name);
    }
    pop_scope(C);
    C->nnarrow = nmark;
    C->fn = saved;
    C->loop_depth = saved_loop;
}

/* ------------------------------------------------------------------ */
/* driver */

/* Natives of a library table in the current scope (int/float overloads share a name). */
static void declare_natives(Checker *C, const LibFn *table) {
    for (const LibFn *f = table; f->name; f++) {
        Sym *s = lookup(C, f->name);
        if (s && s->kind == SYM_LIB && s->nlib < 2 && s->scope_id == C->scope_id) { s->lib[s->nlib++] = f; continue; }
        s = new_sym(C, SYM_LIB, f->name, (Span){0}, T_err(C));
        s->lib[0] = f;
        s->nlib = 1;
        declare(C, s, C->scope_id);
    }
}

static void declare_lib(Checker *C) {
    static const LibFn *const special[] = {&lib_print, &lib_typeof, &lib_assert};
    for (int i = 0; i < 3; i++) {
        Sym *s = new_sym(C, SYM_LIB, special[i]->name, (Span){0}, T_err(C));
        s->lib[0] = special[i];
        s->nlib = 1;
        declare(C, s, C->scope_id);
    }
    for (uint32_t m = 0; lib_modules[m].name; m++) {
        if (!(C->vm->lib_on & ((uint64_t)1 << m))) continue;     /* a disabled module: undeclared */
        if (lib_modules[m].fns) declare_natives(C, lib_modules[m].fns);
        for (const NativeType *const *nt = lib_modules[m].types; nt && *nt; nt++) {   /* Json, Regex */
            Sym *s = new_sym(C, SYM_TYPE, (*nt)->name, (Span){0}, ty_native(C->vm, *nt, (*nt)->name));
            declare(C, s, C->scope_id);
        }
    }
    for (size_t i = 0; i < C->vm->nhosttypes; i++) {        /* host types (runtime.md §7) */
        HostType *ht = C->vm->hosttypes[i];
        Sym *s = new_sym(C, SYM_TYPE, ht->name, (Span){0}, ht->type);
        declare(C, s, C->scope_id);
    }
    for (size_t i = 0; i < C->vm->nhostfns; i++) {          /* host functions (runtime.md §6) */
        const LibFn *f = &C->vm->hostfns[i]->lib;
        Sym *s = new_sym(C, SYM_LIB, f->name, (Span){0}, T_err(C));
        s->lib[0] = f;
        s->nlib = 1;
        declare(C, s, C->scope_id);
    }
    for (size_t i = 0; i < C->vm->nhostglobals; i++) {      /* host constants and globals (§8) */
        HostGlobal *g = C->vm->hostglobals[i];
        if (g->ptr) { declare_bound(C, g, (uint32_t)i); continue; }
        Sym *s = new_sym(C, g->is_const ? SYM_LIBCONST : SYM_GLOBAL, g->name, (Span){0}, g->type);
        if (g->is_const) s->libconst = g->type->kind == T_STRING ? (Value){ .p = ((Str *)g->value.p)->data } : g->value;
        s->vkind = g->read_only ? VK_LET : VK_VAR;
        s->global = g->slot;
        declare(C, s, C->scope_id);
    }
    for (const LibConst *k = lib_constants; k->name; k++) {
        Type *t = strcmp(k->type, "int") == 0 ? C->tt->t_int : C->tt->t_float;
        Sym *s = new_sym(C, SYM_LIBCONST, k->name, (Span){0}, t);
        s->libconst = k->value;
        declare(C, s, C->scope_id);
    }
}

/* Field defaults and method bodies, with the type's members in scope. */
static void check_type_body(Checker *C, TypeInfo *ti) {
    if (ti->state != 2 || ti->checked) return;
    if (ti->ntb) {                       /* an instantiation: its type parameters in scope */
        Home home = push_home(C, ti->templ);   /* its module's names */
        push_scope(C);
        for (uint32_t j = 0; j < ti->ntb; j++) {
            Sym *ts = new_sym(C, SYM_TYPE, ti->tnames[j], ti->td->name_span, ti->tbinds[j]);
            ts->ti = type_info(ti->tbinds[j]);
            ts->generic = true;
            declare(C, ts, C->scope_id);
        }
        ti->ntb = 0;
        check_type_body(C, ti);
        pop_scope(C);
        pop_home(C, ti->templ, home);
        return;
    }
    ti->checked = true;
    TypeInfo *saved = C->cur_type;
    C->cur_type = ti;
    for (uint32_t i = 0; i < ti->td->nfields; i++) {
        FieldDecl *fd = &ti->td->fields[i];
        FieldInfo *f = NULL;
        for (uint32_t k = 0; k < ti->nfields && !f; k++) if (ti->fields[k]->decl == fd) f = ti->fields[k];
        for (uint32_t k = 0; k < ti->nstatics && !f; k++) if (ti->statics[k]->decl == fd) f = ti->statics[k];
        if (!f || !f->def || is_err(f->type) || ti->kind == T_ENUM) continue;
        check_to(C, &f->def, f->type);
    }
    push_member_scope(C, ti);
    for (uint32_t i = 0; i < ti->nmethods; i++) {
        MethodInfo *mi = ti->methods[i];
        if (mi->is_template) continue;
        if (!mi->fd->body) {
            if (ti->kind != T_TRAIT) err(C, mi->fd->name_span, "method '%s' needs a body", mi->name);
            continue;
        }
        check_func_body(C, mi->fd, mi->fi);
    }
    for (uint32_t i = 0; i < ti->nfields; i++) {
        FieldInfo *f = ti->fields[i];
        if (f->owner != ti) continue;
        for (int k = 0; k < 2; k++) {
            MethodInfo *acc = k == 0 ? f->getter : f->setter;
            if (!acc) continue;
            push_scope(C);
            Sym *raw = new_sym(C, SYM_FIELD, "field", f->span, f->type);   /* the stored value */
            raw->field = f;
            declare(C, raw, C->scope_id);
            check_func_body(C, acc->fd, acc->fi);
            pop_scope(C);
        }
    }
    pop_scope(C);
    C->cur_type = saved;
}

/* Pushes a scope with the members visible inside ti's body: own and
 * inherited public fields and methods, statics, trait methods. */
static void push_member_scope(Checker *C, TypeInfo *ti) {
    push_scope(C);
    for (uint32_t i = 0; i < ti->nfields; i++) {
        FieldInfo *f = ti->fields[i];
        if (f->owner != ti && !f->is_public) continue;
        Sym *m = new_sym(C, SYM_FIELD, f->name, f->span, f->type);
        m->field = f;
        declare(C, m, C->scope_id);
    }
    TypeInfo *sh = statics_owner(ti);
    for (uint32_t i = 0; i < sh->nstatics; i++) {
        Sym *m = new_sym(C, SYM_FIELD, sh->statics[i]->name, sh->statics[i]->span, sh->statics[i]->type);
        m->field = sh->statics[i];
        declare(C, m, C->scope_id);
    }
    if (ti->kind == T_ENUM) {             /* the built-ins: ordinal is self.ordinal, values() is E.values() */
        declare(C, new_sym(C, SYM_FIELD, "ordinal", ti->td->name_span, C->tt->t_int), C->scope_id);
        Sym *v = new_sym(C, SYM_METHOD, "values", ti->td->name_span, ty_array(C->vm, ti->type));
        v->ti = ti;
        declare(C, v, C->scope_id);
    }
    for (TypeInfo *t = ti; t; t = t->parent)
        for (uint32_t i = 0; i < t->nmethods; i++) {
            MethodInfo *mi = t->methods[i];
            if (t != ti && (!mi->is_public || mi->is_static)) continue;
            if (lookup(C, mi->name) && lookup(C, mi->name)->scope_id == C->scope_id) continue;   /* overridden */
            Sym *m = new_sym(C, SYM_METHOD, mi->name, mi->fd->name_span, mi->fi ? mi->fi->type : T_err(C));
            m->method = mi;
            declare(C, m, C->scope_id);
        }
    for (uint32_t k = 0; k < ti->ntraits; k++)            /* trait methods the class did not declare */
        for (uint32_t i = 0; i < ti->traits[k]->nmethods; i++) {
            MethodInfo *mi = ti->traits[k]->methods[i];
            if (lookup(C, mi->name) && lookup(C, mi->name)->scope_id == C->scope_id) continue;
            Sym *m = new_sym(C, SYM_METHOD, mi->name, mi->fd->name_span, mi->fi->type);
            m->method = mi;
            declare(C, m, C->scope_id);
        }
}

/* ---- generic functions (language.md §16): one instantiation per list of
 * type arguments, each a checked copy of the template. */

/* Binds type parameters by matching a parameter's declared type with an argument's type. */
static void unify_tparams(FuncDecl *t, TypeExpr *p, Type *a, Type **binds) {
    if (!p || !a || is_err(a) || a->kind == T_NULL) return;
    switch (p->kind) {
    case TY_NAME:
        if (!p->ns && !p->nargs)
            for (uint32_t j = 0; j < t->ntparams; j++)
                if (strcmp(p->name, t->tparams[j]) == 0) { if (!binds[j]) binds[j] = a; return; }
        if (p->nargs == 1 && !strcmp(p->name, "Array") && a->kind == T_ARRAY) unify_tparams(t, p->args[0], a->a, binds);
        else if (p->nargs == 2 && !strcmp(p->name, "Dictionary") && a->kind == T_DICT) {
            unify_tparams(t, p->args[0], a->a, binds);
            unify_tparams(t, p->args[1], a->b, binds);
        } else if (p->nargs == 1 && !strcmp(p->name, "Optional"))
            unify_tparams(t, p->args[0], a->kind == T_OPTIONAL ? a->a : a, binds);
        else if (p->nargs == 1 && (!strcmp(p->name, "Result") || !strcmp(p->name, "Weak")) &&
                 (a->kind == T_RESULT || a->kind == T_WEAK))
            unify_tparams(t, p->args[0], a->a, binds);
        else if (p->nargs && (a->kind == T_STRUCT || a->kind == T_CLASS)) {     /* Box<T> against Box<int> */
            TypeInfo *ti = (TypeInfo *)a->decl;
            if (ti && ti->templ && strcmp(ti->templ->name, p->name) == 0 && ti->tbinds)
                for (uint32_t i = 0; i < p->nargs && i < ti->templ->tdecl->ntparams; i++)
                    unify_tparams(t, p->args[i], ti->tbinds[i], binds);
        }
        return;
    case TY_TUPLE:
        if (a->kind == T_TUPLE && a->n == p->nargs)
            for (uint32_t i = 0; i < p->nargs; i++) unify_tparams(t, p->args[i], a->args[i], binds);
        return;
    case TY_FUNC:
        if (a->kind == T_FUNC && a->n == p->nargs) {
            for (uint32_t i = 0; i < p->nargs; i++) unify_tparams(t, p->args[i], a->args[i], binds);
            unify_tparams(t, p->ret, a->a, binds);
        }
        return;
    default: return;
    }
}

static void push_tparam_scope(Checker *C, FuncDecl *t, Type **binds) {
    push_scope(C);
    for (uint32_t j = 0; j < t->ntparams; j++) {
        Sym *ts = new_sym(C, SYM_TYPE, t->tparams[j], t->tparam_spans ? t->tparam_spans[j] : t->name_span, binds[j]);
        ts->ti = type_info(binds[j]);
        ts->generic = true;          /* a type parameter: not allowed in is / as */
        declare(C, ts, C->scope_id);
    }
}

/* The instantiation of generic `gs` for the call e (explicit or inferred type arguments). */
/* A generic body sees the names of the module that declared it, not those
 * of the module instantiating it: its module's top level is made visible
 * again around the check (after the fact, as an inner scope). */
static Home push_home(Checker *C, Sym *gs) {
    Home h = {NULL, C->src};
    Program *home = gs ? gs->home : NULL;
    if (!home || home == C->cur_prog || !home->toplevel) return h;
    h.ids = arena_alloc(C->A, sizeof(uint32_t) * (home->ntoplevel + 1));
    push_scope(C);
    h.ids[home->ntoplevel] = 0;
    C->src = home->src;                  /* errors point into the declaring file */
    for (uint32_t i = 0; i < home->ntoplevel; i++) {
        h.ids[i] = home->toplevel[i]->scope_id;
        declare(C, home->toplevel[i], C->scope_id);
    }
    return h;
}

static void pop_home(Checker *C, Sym *gs, Home h) {
    if (!h.ids) return;
    pop_scope(C);
    C->src = h.src;
    for (uint32_t i = 0; i < gs->home->ntoplevel; i++) gs->home->toplevel[i]->scope_id = h.ids[i];
}

static Sym *instantiate(Checker *C, Sym *gs, Expr *e, Type *expected) {
    FuncDecl *t = gs->fn;
    uint32_t nt = t->ntparams > MAX_TPARAMS ? MAX_TPARAMS : t->ntparams;
    Type *binds[MAX_TPARAMS] = {0};
    if (e->ntargs) {
        if (e->ntargs != t->ntparams) {
            err(C, e->span, "'%s' takes %u type argument%s, found %u", t->name, t->ntparams, t->ntparams == 1 ? "" : "s", e->ntargs);
            return NULL;
        }
        for (uint32_t j = 0; j < nt; j++) {
            binds[j] = resolve_type(C, e->targs[j]);
            if (is_err(binds[j])) return NULL;
        }
    } else {
        uint32_t npos = 0;
        for (uint32_t i = 0; i < e->nargs; i++) {
            Arg *a = &e->args[i];
            uint32_t k = npos;
            if (a->label) {
                for (k = 0; k < t->nparams; k++) if (strcmp(t->params[k].name, a->label) == 0) break;
            } else npos++;
            if (k >= t->nparams) continue;
            Param *p = &t->params[k];
            Expr *v = a->value->kind == E_SPREAD ? a->value->lhs : a->value;
            if (((v->kind == E_ARRAY || v->kind == E_DICT) && v->nelems == 0) || v->kind == E_NULL) continue;
            Type *at = check_expr(C, v, NULL);
            /* a variadic parameter's declared type is its element type */
            bool spread_array = p->variadic && a->value->kind == E_SPREAD && at->kind == T_ARRAY;
            unify_tparams(t, p->type, spread_array ? at->a : at, binds);
        }
        if (expected && t->ret) unify_tparams(t, t->ret, expected, binds);
        for (uint32_t j = 0; j < nt; j++) {
            if (binds[j]) continue;
            err(C, e->span, "cannot infer type parameter '%s' of '%s'; write %s<%s>(...)", t->tparams[j], t->name, t->name, t->tparams[j]);
            return NULL;
        }
    }
    for (uint32_t j = 0; j < nt; j++)
        if (binds[j]->kind == T_VOID) { err(C, e->span, "'void' cannot be a type argument"); return NULL; }
    if (!where_holds(C, t->tparams, nt, t->where_names, t->where_traits, t->where_syms, t->where_spans, t->nwhere, t->name_span, binds, e->span))
        return NULL;
    uint32_t count = 0;
    for (uint32_t i = 0; i < C->ninsts; i++) {
        Inst *in = &C->insts[i];
        if (in->templ != gs) continue;
        count++;
        bool same = true;
        for (uint32_t j = 0; j < nt; j++) if (in->binds[j] != binds[j]) same = false;
        if (same) return in->inst;
    }
    if (count >= 64) {
        if (gs->const_state != 4) err(C, t->name_span, "generic instantiation of '%s' never ends", t->name);
        gs->const_state = 4;
        return NULL;
    }
    FuncDecl *clone = ast_clone_func(C->A, t);
    clone->ntparams = 0;
    FnInfo *saved = C->fn;
    C->fn = NULL;
    FnInfo *fi = new_fninfo(C, clone, t->name);
    C->fn = saved;
    Home home = push_home(C, gs);
    push_tparam_scope(C, t, binds);
    resolve_signature(C, clone, fi);
    pop_scope(C);
    pop_home(C, gs, home);
    Sym *is = new_sym(C, SYM_FUNC, t->name, t->name_span, fi->type);
    is->fn = clone;
    clone->sym = is;
    Inst in = {gs, {0}, nt, is};
    memcpy(in.binds, binds, sizeof(Type *) * nt);
    VEC_PUSH(C->vm, C->insts, C->ninsts, C->capinsts, in);
    VEC_PUSH(C->vm, C->out->instances, C->out->ninstances, C->out->capinstances, fi);
    return is;
}

/* Bodies of the instantiations made so far (which may make more); a
 * template that failed its own check is not checked again per instance. */
static void check_instances(Checker *C) {
    while (C->inst_checked < C->ninsts) {
        Inst in = C->insts[C->inst_checked++];
        FuncDecl *t = in.templ->fn;
        FuncDecl *clone = in.inst->fn;
        if (in.templ->const_state == 3) continue;
        size_t before = C->D->n;
        Home home = push_home(C, in.templ);
        push_tparam_scope(C, t, in.binds);
        check_func_body(C, clone, fn_info(clone));
        pop_scope(C);
        pop_home(C, in.templ, home);
        if (C->D->n > before) in.templ->const_state = 3;
    }
}

/* A template is checked once with each type parameter as an opaque type
 * (or its where-bound trait), so only what §16 allows of a plain T passes. */
static void check_template(Checker *C, Sym *gs) {
    FuncDecl *t = gs->fn;
    uint32_t nt = t->ntparams > MAX_TPARAMS ? MAX_TPARAMS : t->ntparams;
    Type *binds[MAX_TPARAMS];
    for (uint32_t j = 0; j < nt; j++) {
        /* T with bounds is a trait-like type offering every bound's methods */
        TypeInfo *bound = NULL;
        uint32_t nb = 0;
        for (uint32_t w = 0; w < t->nwhere; w++) {
            if (strcmp(t->where_names[w], t->tparams[j]) != 0) continue;
            Sym *tr = lookup(C, t->where_traits[w]);
            if (!tr || tr->kind != SYM_TYPE || !tr->ti || tr->ti->kind != T_TRAIT) continue;
            if (!bound) {
                bound = arena_alloc(C->A, sizeof *bound);
                bound->kind = T_TRAIT;
                bound->name = t->tparams[j];
                bound->state = 2;
                bound->type = ty_nominal(C->vm, T_TRAIT, t->tparams[j]);
                bound->type->decl = bound;
                VEC_PUSH(C->vm, C->bounds, C->nbounds, C->capbounds, bound);
            }
            for (uint32_t q = 0; q < tr->ti->nmethods; q++)
                VEC_PUSH(C->vm, bound->methods, bound->nmethods, bound->capmethods, tr->ti->methods[q]);
            nb++;
        }
        binds[j] = bound ? bound->type : ty_typeparam(C->vm, t->tparams[j]);
    }
    FuncDecl *clone = ast_clone_func(C->A, t);
    clone->ntparams = 0;
    FnInfo *saved = C->fn;
    C->fn = NULL;
    FnInfo *fi = new_fninfo(C, clone, t->name);
    C->fn = saved;
    size_t before = C->D->n;
    push_tparam_scope(C, t, binds);
    resolve_signature(C, clone, fi);
    Sym *self = new_sym(C, SYM_FUNC, t->name, t->name_span, fi->type);   /* recursion: the same template */
    (void)self;
    check_func_body(C, clone, fi);
    pop_scope(C);
    if (C->D->n > before) gs->const_state = 3;
    fi->check_only = true;
}

/* ---- generic methods: instantiated per call like generic functions, with
 * the owning type's members (and its own type arguments) in scope. */

typedef struct MInst { TypeInfo *ti; MethodInfo *templ; Type *binds[MAX_TPARAMS]; MethodInfo *inst; bool checked; } MInst;

static void push_type_bindings(Checker *C, TypeInfo *ti) {
    push_scope(C);
    if (!ti->templ) return;
    TypeDecl *gt = ti->templ->tdecl;
    for (uint32_t j = 0; j < gt->ntparams && j < MAX_TPARAMS; j++) {
        Sym *a = new_sym(C, SYM_TYPE, gt->tparams[j], gt->name_span, ti->tbinds[j]);
        a->ti = type_info(ti->tbinds[j]);
        a->generic = true;
        declare(C, a, C->scope_id);
    }
}

/* The symbol whose module declared ti (generic instantiations: their template's). */
static Sym *type_home(TypeInfo *ti) {
    return ti->templ ? ti->templ : ti->td ? ti->td->sym : NULL;
}

static MethodInfo *instantiate_method(Checker *C, TypeInfo *ti, MethodInfo *mi, Expr *e) {
    FuncDecl *t = mi->fd;
    uint32_t nt = t->ntparams > MAX_TPARAMS ? MAX_TPARAMS : t->ntparams;
    Type *binds[MAX_TPARAMS] = {0};
    if (e->ntargs) {
        if (e->ntargs != t->ntparams) { err(C, e->span, "'%s' takes %u type arguments, found %u", t->name, t->ntparams, e->ntargs); return NULL; }
        for (uint32_t j = 0; j < nt; j++) { binds[j] = resolve_type(C, e->targs[j]); if (is_err(binds[j])) return NULL; }
    } else {
        uint32_t npos = 0;
        for (uint32_t i = 0; i < e->nargs; i++) {
            Arg *a = &e->args[i];
            uint32_t k = npos;
            if (a->label) { for (k = 0; k < t->nparams; k++) if (strcmp(t->params[k].name, a->label) == 0) break; }
            else npos++;
            if (k >= t->nparams) continue;
            Expr *v = a->value;
            if (((v->kind == E_ARRAY || v->kind == E_DICT) && v->nelems == 0) || v->kind == E_NULL) continue;
            unify_tparams(t, t->params[k].type, check_expr(C, v, NULL), binds);
        }
        for (uint32_t j = 0; j < nt; j++) {
            if (binds[j]) continue;
            err(C, e->span, "cannot infer type parameter '%s' of '%s'; write %s<%s>(...)", t->tparams[j], t->name, t->name, t->tparams[j]);
            return NULL;
        }
    }
    for (uint32_t i = 0; i < C->nminsts; i++) {
        MInst *in = &C->minsts[i];
        if (in->templ != mi || in->ti != ti) continue;
        bool same = true;
        for (uint32_t j = 0; j < nt; j++) if (in->binds[j] != binds[j]) same = false;
        if (same) return in->inst;
    }
    MethodInfo *inst = arena_alloc(C->A, sizeof *inst);
    *inst = *mi;
    inst->is_template = false;
    inst->from_template = true;
    inst->fd = ast_clone_func(C->A, t);
    inst->fd->ntparams = 0;
    inst->vslot = -1;
    Home home = push_home(C, type_home(ti));    /* the declaring module's names */
    push_type_bindings(C, ti);
    push_tparam_scope(C, t, binds);
    inst->fi = method_fninfo(C, ti, inst);
    pop_scope(C);
    pop_scope(C);
    pop_home(C, type_home(ti), home);
    MInst rec = {ti, mi, {0}, inst, false};
    memcpy(rec.binds, binds, sizeof(Type *) * nt);
    VEC_PUSH(C->vm, C->minsts, C->nminsts, C->capminsts, rec);
    VEC_PUSH(C->vm, C->out->instances, C->out->ninstances, C->out->capinstances, inst->fi);
    return inst;
}

static void check_method_instances(Checker *C) {
    for (uint32_t i = 0; i < C->nminsts; i++) {
        if (C->minsts[i].checked) continue;
        C->minsts[i].checked = true;
        MInst in = C->minsts[i];
        TypeInfo *saved = C->cur_type;
        C->cur_type = in.ti;
        Home home = push_home(C, type_home(in.ti));
        push_type_bindings(C, in.ti);
        push_member_scope(C, in.ti);
        push_tparam_scope(C, in.templ->fd, in.binds);
        check_func_body(C, in.inst->fd, in.inst->fi);
        pop_scope(C);
        pop_scope(C);
        pop_scope(C);
        pop_home(C, type_home(in.ti), home);
        C->cur_type = saved;
    }
}

/* ---- generic structs and classes: one instantiation per type-argument list */

static Sym **where_traits(Checker *C, const char **names, uint32_t n) {
    Sym **out = arena_alloc(C->A, sizeof(Sym *) * n);
    for (uint32_t w = 0; w < n; w++) out[w] = lookup(C, names[w]);
    return out;
}

/* where T : Trait: each bound type argument is a class (or trait) implementing it. */
static bool where_holds(Checker *C, const char **tparams, uint32_t nt, const char **names, const char **traits,
                        Sym **syms, const Span *spans, uint32_t nwhere, Span decl_span, Type **binds, Span use) {
    for (uint32_t w = 0; w < nwhere; w++) {
        uint32_t j = 0;
        while (j < nt && strcmp(tparams[j], names[w]) != 0) j++;
        Sym *tr = syms && syms[w] ? syms[w] : lookup(C, traits[w]);
        if (j == nt || !tr || tr->kind != SYM_TYPE || !tr->ti || tr->ti->kind != T_TRAIT) {
            err(C, spans ? spans[w] : decl_span, "unknown trait '%s' in where clause", traits[w]);
            return false;
        }
        if (!((binds[j]->kind == T_CLASS || binds[j]->kind == T_TRAIT) && ty_is_subtype(binds[j], tr->type))) {
            err(C, use, "type '%s' does not implement trait '%s' required by '%s'", binds[j]->name, tr->name, tparams[j]);
            return false;
        }
    }
    return true;
}

static TypeInfo *instantiate_type(Checker *C, Sym *ts, Type **binds, Span sp) {
    TypeDecl *gt = ts->tdecl;
    uint32_t nt = gt->ntparams > MAX_TPARAMS ? MAX_TPARAMS : gt->ntparams;
    uint32_t count = 0;
    TypeInfo *holder = gt->check;
    if (holder && holder->state == 0) resolve_type_info(C, holder);   /* outside the bindings */
    for (uint32_t i = 0; i < C->out->ninst_types; i++) {
        TypeInfo *in = C->out->inst_types[i];
        if (in->templ != ts) continue;
        count++;
        bool same = true;
        for (uint32_t j = 0; j < nt; j++) if (in->tbinds[j] != binds[j]) same = false;
        if (same) return in;
    }
    if (count >= 64) {
        if (ts->const_state != 4) err(C, gt->name_span, "generic instantiation of '%s' never ends", gt->name);
        ts->const_state = 4;
        return NULL;
    }
    if (!where_holds(C, gt->tparams, nt, gt->where_names, gt->where_traits, gt->where_syms, gt->where_spans, gt->nwhere, gt->name_span, binds, sp))
        return NULL;
    /* the instance: named with its arguments (typeof), displayed without them */
    Buf b;
    buf_init(&b, C->vm);
    buf_printf(&b, "%s<", gt->name);
    for (uint32_t j = 0; j < nt; j++) buf_printf(&b, "%s%s", j ? ", " : "", binds[j]->name);
    buf_putc(&b, '>');
    TypeDecl *td = ast_clone_type(C->A, gt);
    TypeInfo *ti = arena_alloc(C->A, sizeof *ti);
    ti->td = td;
    ti->kind = (TypeKind)ts->tkind;
    ti->name = arena_strndup(C->A, b.data, b.len);
    ti->type = reload_reuse_type(C->vm, ti->name, ti->kind, NULL);     /* hot reload: the same instance type lives on */
    if (!ti->type) ti->type = ty_nominal(C->vm, ti->kind, ti->name);
    ti->type->decl = ti;
    ti->type->nom->display_name = mem_strndup(C->vm, gt->name, strlen(gt->name));
    buf_free(&b);
    td->check = ti;
    ti->templ = ts;
    ti->ntb = nt;
    ti->tnames = gt->tparams;
    ti->tbinds = arena_alloc(C->A, sizeof(Type *) * (nt ? nt : 1));
    memcpy(ti->tbinds, binds, sizeof(Type *) * nt);
    VEC_PUSH(C->vm, C->types, C->ntypes, C->captypes, ti);
    VEC_PUSH(C->vm, C->out->inst_types, C->out->ninst_types, C->out->capinst_types, ti);
    /* members resolve with the type parameters bound, in the declaring module */
    Home home = push_home(C, ts);
    push_scope(C);
    for (uint32_t j = 0; j < nt; j++) {
        Sym *a = new_sym(C, SYM_TYPE, gt->tparams[j], gt->name_span, binds[j]);
        a->ti = type_info(binds[j]);
        a->generic = true;
        declare(C, a, C->scope_id);
    }
    FnInfo *saved = C->fn;
    resolve_type_info(C, ti);
    C->fn = saved;
    pop_scope(C);
    pop_home(C, ts, home);
    if (ti->kind == T_STRUCT) find_mutating(C, &ti, 1);
    return ti;
}

/* Pair(first: 1, second: "one"): type arguments from explicit ones, the
 * field arguments, or the expected type. */
static TypeInfo *infer_type_instance(Checker *C, Sym *ts, Expr *e, Type *expected) {
    TypeDecl *gt = ts->tdecl;
    uint32_t nt = gt->ntparams > MAX_TPARAMS ? MAX_TPARAMS : gt->ntparams;
    Type *binds[MAX_TPARAMS] = {0};
    if (e->ntargs) {
        if (e->ntargs != gt->ntparams) { err(C, e->span, "type '%s' needs %u type arguments", gt->name, gt->ntparams); return NULL; }
        for (uint32_t j = 0; j < nt; j++) { binds[j] = resolve_type(C, e->targs[j]); if (is_err(binds[j])) return NULL; }
        return instantiate_type(C, ts, binds, e->span);
    }
    TypeInfo *exp = expected && (expected->kind == T_STRUCT || expected->kind == T_CLASS) ? (TypeInfo *)expected->decl : NULL;
    if (exp && exp->templ == ts) return exp;
    /* a FuncDecl view of the fields, to reuse the parameter matching */
    FuncDecl view = {0};
    view.name = gt->name;
    view.tparams = gt->tparams;
    view.ntparams = gt->ntparams;
    uint32_t npos = 0;
    for (uint32_t i = 0; i < e->nargs; i++) {
        Arg *a = &e->args[i];
        FieldDecl *f = NULL;
        if (a->label) { for (uint32_t k = 0; k < gt->nfields; k++) if (!gt->fields[k].is_static && !strcmp(gt->fields[k].name, a->label)) f = &gt->fields[k]; }
        else {
            uint32_t seen = 0;
            for (uint32_t k = 0; k < gt->nfields && !f; k++) if (!gt->fields[k].is_static && seen++ == npos) f = &gt->fields[k];
            npos++;
        }
        if (!f || !f->type) continue;
        Expr *v = a->value;
        if (((v->kind == E_ARRAY || v->kind == E_DICT) && v->nelems == 0) || v->kind == E_NULL) continue;
        unify_tparams(&view, f->type, check_expr(C, v, NULL), binds);
    }
    for (uint32_t j = 0; j < nt; j++) {
        if (binds[j]) continue;
        err(C, e->span, "cannot infer type parameter '%s' of '%s'; write %s<%s>(...)", gt->tparams[j], gt->name, gt->name, gt->tparams[j]);
        return NULL;
    }
    return instantiate_type(C, ts, binds, e->span);
}

/* ---- modules ---- */

static Sym *find_export(Exports *ex, const char *name) {
    for (uint32_t i = 0; i < ex->n; i++) if (strcmp(ex->syms[i]->name, name) == 0) return ex->syms[i];
    return NULL;
}

/* An imported name: a copy of the exporting module's symbol that remembers it. */
static Sym *import_alias(Checker *C, Sym *orig, const char *name, Span sp) {
    if (orig->kind == SYM_CONST) eval_const(C, orig);
    Sym *a = arena_alloc(C->A, sizeof *a);
    *a = *orig;
    a->name = name;
    a->span = sp;
    a->alias_of = orig->alias_of ? orig->alias_of : orig;
    a->imported = true;
    a->shadow = NULL;
    return a;
}

static void check_imports(Checker *C, Program *prog) {
    for (uint32_t i = 0; i < prog->n; i++) {
        Stmt *s = prog->items[i];
        if (s->kind != S_IMPORT) continue;
        ImportDecl *imp = s->imp;
        if (!imp->target || !imp->target->exports) continue;     /* reported by the loader */
        Exports *ex = (Exports *)imp->target->exports;
        if (imp->ns) {
            Sym *ns = new_sym(C, SYM_NAMESPACE, imp->ns, imp->ns_span, T_err(C));
            Exports *view = arena_alloc(C->A, sizeof *view);    /* messages quote the path as written */
            *view = *ex;
            view->path = imp->path;
            ns->exports = view;
            declare(C, ns, C->scope_id);
            continue;
        }
        for (uint32_t k = 0; k < imp->nnames; k++) {
            Sym *orig = find_export(ex, imp->names[k]);
            if (!orig) {
                Diag *g = err(C, imp->name_spans[k], "'%s' is not exported by \"%s\"", imp->names[k], imp->path);
                (void)ex->path;
                char buf[512];
                size_t off = 0;
                for (uint32_t q = 0; q < ex->n && off < sizeof buf - 64; q++)
                    off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%s", q ? ", " : "", ex->syms[q]->name);
                if (ex->n) diag_note(C->D, g, "exported names are: %s", buf);
                continue;
            }
            declare(C, import_alias(C, orig, imp->names[k], imp->name_spans[k]), C->scope_id);
        }
    }
}

/* ns::name */
static Sym *ns_lookup(Checker *C, Expr *e) {
    Sym *ns = lookup(C, e->ns);
    if (!ns || ns->kind != SYM_NAMESPACE) {
        if (!already_reported(C, e->ns)) err(C, e->span, "unknown module namespace '%s'", e->ns);
        return NULL;
    }
    Sym *s = find_export(ns->exports, e->str);
    if (!s) { err(C, e->span, "'%s' is not exported by \"%s\"", e->str, ns->exports->path); return NULL; }
    return s->alias_of ? s->alias_of : s;
}

static void collect_exports(Checker *C, Program *prog, const char *path) {
    Exports *ex = arena_alloc(C->A, sizeof *ex);
    ex->path = path;
    for (uint32_t i = 0; i < prog->n; i++) {
        Stmt *s = prog->items[i];
        if (!s->exported) continue;
        Sym *sym = NULL;
        switch (s->kind) {
        case S_FUNC: sym = s->fn->sym; break;
        case S_CLASS: case S_STRUCT: case S_ENUM: case S_TRAIT: sym = s->td->sym; break;
        case S_VAR: sym = s->pat->kind == PAT_NAME ? s->pat->sym : NULL; break;
        default: break;
        }
        if (!sym) continue;
        Sym **ns = arena_alloc(C->A, sizeof(Sym *) * (ex->n + 1));
        if (ex->n) memcpy(ns, ex->syms, sizeof(Sym *) * ex->n);
        ns[ex->n++] = sym;
        ex->syms = ns;
    }
    prog->exports = ex;
}

/* One module: its own top-level scope over the shared library scope. */
static void chk_module(Checker *C, Program *prog, CheckResult *out, bool last) {
    VM *vm = C->vm;
    C->src = prog->src;
    Program *saved_prog = C->cur_prog;
    C->cur_prog = prog;
    C->nreported = 0;
    FnInfo *saved_parent = C->fn;
    C->fn = NULL;
    FnInfo *script = new_fninfo(C, NULL, "<script>");
    script->is_script = true;
    script->ret = C->tt->t_void;
    C->fn = script;
    (void)saved_parent;
    VEC_PUSH(vm, out->scripts, out->nscripts, out->capscripts, script);
    push_scope(C);              /* module */
    C->module_scope_id = C->scope_id;
    const LibModule *lm = lib_module_of_prelude(prog->src->name);
    if (lm && lm->internal) declare_natives(C, lm->internal);   /* the prelude's private natives */
    check_imports(C, prog);
    uint32_t t0 = C->ntypes;

    /* user types: names first, then their members, so they may refer to each other */
    for (uint32_t i = 0; i < prog->n; i++) {
        Stmt *s = prog->items[i];
        if (s->kind == S_CLASS || s->kind == S_STRUCT || s->kind == S_ENUM || s->kind == S_TRAIT) {
            TypeInfo *ti = declare_type(C, s);
            if (ti) VEC_PUSH(vm, C->types, C->ntypes, C->captypes, ti);
        }
    }
    for (uint32_t i = t0; i < C->ntypes; i++) resolve_type_info(C, C->types[i]);
    for (uint32_t i = t0; i < C->ntypes && lm && lm->displays; i++)      /* library display forms */
        for (const LibDisplay *d = lm->displays; d->type; d++)
            if (strcmp(d->type, C->types[i]->name) == 0) C->types[i]->type->nom->lib_display = d->fn;
    for (uint32_t i = t0; i < C->ntypes; i++) {
        TypeInfo *ti = C->types[i];
        if (ti->kind == T_STRUCT && contains_by_value(ti->type, ti, 0))
            err(C, ti->td->name_span, "struct '%s' contains itself; use a class or an Array", ti->name);
    }
    if (C->ntypes > t0) find_mutating(C, C->types + t0, C->ntypes - t0);
    for (uint32_t i = 0; i < prog->n; i++) {     /* where-clause traits of templates, in their own scope */
        Stmt *s = prog->items[i];
        if (s->kind == S_FUNC && s->fn->nwhere) s->fn->where_syms = where_traits(C, s->fn->where_traits, s->fn->nwhere);
        else if ((s->kind == S_CLASS || s->kind == S_STRUCT) && s->td->nwhere)
            s->td->where_syms = where_traits(C, s->td->where_traits, s->td->nwhere);
    }
    /* hoisting: functions and constants are visible in the whole module */
    for (uint32_t i = 0; i < prog->n; i++) {
        Stmt *s = prog->items[i];
        if (s->kind == S_FUNC && s->fn->ntparams) {      /* a template: instantiated at its calls */
            FuncDecl *fd = s->fn;
            if (fd->ntparams > MAX_TPARAMS) err(C, fd->name_span, "a function can have at most %d type parameters", MAX_TPARAMS);
            Sym *sym = new_sym(C, SYM_FUNC, fd->name, fd->name_span, T_err(C));
            sym->fn = fd;
            sym->generic = true;
            fd->sym = sym;
            declare(C, sym, C->scope_id);
        } else if (s->kind == S_FUNC) {
            FuncDecl *fd = s->fn;
            FnInfo *fi = new_fninfo(C, fd, fd->name);
            resolve_signature(C, fd, fi);
            Sym *sym = new_sym(C, SYM_FUNC, fd->name, fd->name_span, fi->type);
            sym->fn = fd;
            fd->sym = sym;
            declare(C, sym, C->scope_id);
        } else if (s->kind == S_VAR && s->vkind == VK_CONST && s->pat->kind == PAT_NAME && s->init) {
            Sym *sym = new_sym(C, SYM_CONST, s->pat->name, s->pat->span, s->vtype ? resolve_type(C, s->vtype) : NULL);
            sym->const_init = s->init;
            s->pat->sym = sym;
            declare(C, sym, C->scope_id);
        }
    }
    for (uint32_t i = t0; i < C->ntypes; i++)
        if (C->types[i]->kind == T_ENUM && C->types[i]->state == 2) resolve_enum_values(C, C->types[i]);
    /* static fields: initialised in source order when the top-level code starts */
    for (uint32_t i = t0; i < C->ntypes; i++) {
        TypeInfo *ti = C->types[i];
        TypeInfo *saved = C->cur_type;
        C->cur_type = ti;
        push_member_scope(C, ti);       /* `name` reaches the type's statics */
        for (uint32_t k = 0; k < ti->nstatics; k++) {
            FieldInfo *f = ti->statics[k];
            if (f->def && !is_err(f->type)) check_to(C, &f->def, f->type);
            else if (!f->def && !is_err(f->type) && !has_default(f->type))
                err(C, f->span, "variable '%s' needs an initial value", f->name);
        }
        pop_scope(C);
        C->cur_type = saved;
    }
    /* top-level statements in order */
    for (uint32_t i = 0; i < prog->n; i++) check_stmt(C, prog->items[i]);
    /* bodies of top-level functions, now that every global is declared */
    for (uint32_t i = 0; i < prog->n; i++) {
        Stmt *s = prog->items[i];
        if (s->kind == S_FUNC && s->fn->check) check_func_body(C, s->fn, fn_info(s->fn));
        else if (s->kind == S_FUNC && s->fn->sym && s->fn->sym->generic) check_template(C, s->fn->sym);
    }
    for (uint32_t i = t0; i < C->ntypes; i++) check_type_body(C, C->types[i]);
    /* instantiations may need more instantiations: until none is left */
    for (uint32_t round = 0; round < 64; round++) {
        uint32_t before = C->ninsts + C->nminsts + C->ntypes;
        check_instances(C);
        check_method_instances(C);
        for (uint32_t i = t0; i < C->ntypes; i++) check_type_body(C, C->types[i]);
        if (C->ninsts + C->nminsts + C->ntypes == before) break;
    }
    collect_exports(C, prog, prog->src->name);
    resolve_host_fields(C);
    if (last)      /* every name the module scope declared (imports too), for the REPL session */
        for (uint32_t i = C->scope_marks[C->nscopes - 1].mark; i < C->ndeclared; i++)
            VEC_PUSH(vm, out->top, out->ntop, out->captop, C->declared[i]);
    /* the module's names, for its generics instantiated from other modules */
    uint32_t mark = C->scope_marks[C->nscopes - 1].mark;
    prog->ntoplevel = (uint32_t)(C->ndeclared - mark);
    prog->toplevel = arena_alloc(C->A, sizeof(Sym *) * (prog->ntoplevel ? prog->ntoplevel : 1));
    memcpy(prog->toplevel, C->declared + mark, sizeof(Sym *) * prog->ntoplevel);
    pop_scope(C);
    C->fn = NULL;
    C->cur_prog = saved_prog;
}

static void declare_prelude(Checker *C, Program *prelude) {
    Exports *ex = (Exports *)prelude->exports;    /* library names: visible everywhere */
    for (uint32_t k = 0; ex && k < ex->n; k++) {
        Sym *a = import_alias(C, ex->syms[k], ex->syms[k]->name, ex->syms[k]->span);
        a->imported = false;
        declare(C, a, C->scope_id);
    }
}

bool chk_modules(VM *vm, Arena *arena, Diags *diags, Program **progs, uint32_t n, CheckResult *out,
                 Program **preludes, uint32_t npreludes, const ChkSession *session) {
    Checker C0 = {0}, *C = &C0;
    C->vm = vm;
    C->A = arena;
    C->D = diags;
    C->src = n ? progs[0]->src : NULL;
    C->tt = &vm->types;
    C->lookup_types = true;
    C->nbuckets = 1024;
    C->buckets = arena_alloc(arena, sizeof(NameEntry *) * C->nbuckets);
    size_t nerr0 = diags->n;
    push_scope(C);              /* library */
    C->lib_scope_id = C->scope_id;
    declare_lib(C);
    C->out = out;
    for (uint32_t i = 0; i < npreludes; i++) declare_prelude(C, preludes[i]);
    C->session = session;      /* earlier REPL entries: found by lookup() */
    for (uint32_t i = 0; i < n; i++) {
        chk_module(C, progs[i], out, i + 1 == n);
        if (lib_module_of_prelude(progs[i]->src->name)) declare_prelude(C, progs[i]);
    }
    pop_scope(C);
    /* "failed" / "never ends" marks on templates hold for this load only: a template kept from
     * an earlier load must be checked again when a later load instantiates it */
    for (uint32_t i = 0; i < C->ninsts; i++)
        if (C->insts[i].templ->const_state >= 3) C->insts[i].templ->const_state = 0;
    for (uint32_t i = 0; i < out->ninst_types; i++)
        if (out->inst_types[i]->templ && out->inst_types[i]->templ->const_state >= 3) out->inst_types[i]->templ->const_state = 0;
    out->script = out->nscripts ? out->scripts[out->nscripts - 1] : NULL;
    out->types = C->types;
    out->ntypes = C->ntypes;
    out->captypes = C->captypes;
    out->fns = C->fns;
    out->nfns = C->nfns;
    out->capfns = C->capfns;
    out->globals = C->globals;
    out->nglobals = C->nglobals;
    out->capglobals = C->capglobals;
    VEC_FREE(vm, C->insts, C->capinsts);
    VEC_FREE(vm, C->minsts, C->capminsts);
    for (uint32_t i = 0; i < C->nbounds; i++) VEC_FREE(vm, C->bounds[i]->methods, C->bounds[i]->capmethods);
    VEC_FREE(vm, C->bounds, C->capbounds);
    VEC_FREE(vm, C->declared, C->capdeclared);
    VEC_FREE(vm, C->scope_marks, C->capscopes);
    VEC_FREE(vm, C->narrow, C->capnarrow);
    VEC_FREE(vm, C->reported, C->capreported);
    return diags->n == nerr0;
}

bool chk_program(VM *vm, Arena *arena, Diags *diags, Program *prog, CheckResult *out) {
    return chk_modules(vm, arena, diags, &prog, 1, out, NULL, 0, NULL);
}

void chk_result_free(VM *vm, CheckResult *cr) {
    for (uint32_t i = 0; i < cr->nfns; i++) VEC_FREE(vm, cr->fns[i]->caps, cr->fns[i]->capcaps);
    VEC_FREE(vm, cr->fns, cr->capfns);
    VEC_FREE(vm, cr->globals, cr->capglobals);
    for (uint32_t i = 0; i < cr->ntypes; i++) {
        TypeInfo *ti = cr->types[i];
        VEC_FREE(vm, ti->fields, ti->capfields);
        VEC_FREE(vm, ti->statics, ti->capstatics);
        VEC_FREE(vm, ti->methods, ti->capmethods);
        VEC_FREE(vm, ti->vtable, ti->capvtable);
        VEC_FREE(vm, ti->traits, ti->captraits);
    }
    VEC_FREE(vm, cr->types, cr->captypes);
    VEC_FREE(vm, cr->scripts, cr->capscripts);
    VEC_FREE(vm, cr->instances, cr->capinstances);
    VEC_FREE(vm, cr->inst_types, cr->capinst_types);
    VEC_FREE(vm, cr->top, cr->captop);
    cr->ntop = 0;
    cr->nfns = cr->nglobals = cr->ntypes = cr->nscripts = 0;
}
