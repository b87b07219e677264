/* compile.c — checked AST to register bytecode.
 *
 * Registers: every register has one kind (scalar or reference) for the whole
 * function, so one list of reference registers (Proto.refregs) tells the VM
 * what to null at entry and release at exit or unwind.  Reference registers
 * own their value; instructions that store into one release the old value.
 * Locals get a register at their declaration; temporaries are freed at the
 * end of each statement, where reference temporaries are cleared so objects
 * die no later than the statement that dropped them.  Parameters are
 * borrowed from the caller (they are immutable, so this is always safe).
 *
 * Instructions are picked from the checked types: ADD_INT vs ADD_FLOAT,
 * JLT_INT for int comparisons in conditions, and so on; nothing in the
 * emitted code tests a type at run time. */
#include "compile.h"
#include "host.h"
#include "reload.h"
#include "opcodes.h"
#include "vm.h"
#include <stdio.h>
#include <stdlib.h>

#define MAX_REGS 250

typedef struct JumpList { uint32_t *at; uint32_t n, cap; } JumpList;

typedef struct Loop {
    struct Loop *outer;
    JumpList breaks, continues;
    uint32_t nlocals;          /* locals alive when the loop began */
} Loop;

typedef struct FnState {
    struct FnState *parent;
    Diags *diags;              /* for "too complex" errors */
    const Source *src;
    VM *vm;
    Module *m;
    FnInfo *fi;
    Proto *p;
    uint8_t kind[256];         /* 0 unused, 1 scalar, 2 reference */
    bool busy[256];
    bool borrowed[256];        /* scalar-kind temp holding a borrowed reference */
    uint32_t nregs;
    uint8_t temps[256]; uint32_t ntemps;   /* temps of the current statement */
    Sym **locals; uint32_t nlocals, caplocals;
    uint32_t *scope_marks; uint32_t nscopes, capscopes;
    Loop *loop;
    uint32_t line;
    bool overflow;
    CallInfo *start_ci;        /* `start` of this call: its call instruction gets a START first */
    int start_owner;           /* the owner register, or 255 */
} FnState;

typedef struct Cg {
    VM *vm;
    Module *m;
    CheckResult *cr;
} Cg;

/* An assignable location, evaluated once (object and index first). */
typedef enum { L_REG, L_CELL, L_CAPCELL, L_GLOBAL, L_ARR, L_DICT, L_TUPLE, L_FIELD, L_HOSTF, L_BOUND } LocKind;

typedef struct Loc {
    LocKind kind;
    Type *t;
    int reg, idx, obj, key;
    struct Loc *parent;
    FieldInfo *field;       /* L_FIELD: a property's accessors run unless raw */
    bool raw;
    bool got;               /* L_FIELD property: its getter ran once, result in got_reg */
    int got_reg;
} Loc;

static int expr(FnState *F, Expr *e, int dst);
static void stmt(FnState *F, Stmt *s);
static void resolve_loc(FnState *F, Expr *t, Loc *out, Loc *pool, int *npool);
static int load_loc(FnState *F, Loc *l);
static void store_loc(FnState *F, Loc *l, int v);
static int method_call(FnState *F, CallInfo *ci, Type *ret, int dst);
static int construct(FnState *F, CallInfo *ci, Type *t, int dst);
static void block(FnState *F, Block *b);
static Proto *compile_function(FnState *parent, FnInfo *fi, const char *name);

/* ------------------------------------------------------------------ */
/* emission */

static uint32_t emit(FnState *F, uint32_t w) {
    Proto *p = F->p;
    if (p->ncode == p->capcode) {
        uint32_t nc = p->capcode ? p->capcode * 2 : 64;
        mem_grow_pair(F->vm, &p->code, sizeof(uint32_t), &p->lines, sizeof(uint32_t), p->capcode, nc);
        p->capcode = nc;
        p->entry = p->code;
    }
    p->code[p->ncode] = w;
    p->lines[p->ncode] = F->line;
    return p->ncode++;
}

static void emit_abc(FnState *F, OpCode op, int a, int b, int c) { emit(F, MK_ABC(op, a, b, c)); }
static void emit_abx(FnState *F, OpCode op, int a, uint32_t bx) { emit(F, MK_ABx(op, a, bx)); }

static uint32_t here(FnState *F) { return F->p->ncode; }

/* Emits a jump-like instruction whose last word is the offset; returns its position. */
static uint32_t emit_jump(FnState *F, OpCode op, int a, int b, int c) {
    emit_abc(F, op, a, b, c);
    return emit(F, 0);
}

static void patch_to(FnState *F, uint32_t at, uint32_t target) {
    F->p->code[at] = (uint32_t)(int32_t)((int64_t)target - (int64_t)(at + 1));
}

static void patch_here(FnState *F, uint32_t at) { patch_to(F, at, here(F)); }

static void jl_add(FnState *F, JumpList *jl, uint32_t at) { VEC_PUSH(F->vm, jl->at, jl->n, jl->cap, at); }
static void jl_patch(FnState *F, JumpList *jl, uint32_t target) {
    for (uint32_t i = 0; i < jl->n; i++) patch_to(F, jl->at[i], target);
    VEC_FREE(F->vm, jl->at, jl->cap);
    jl->n = 0;
}

static void emit_loop_to(FnState *F, uint32_t target) {
    uint32_t at = emit_jump(F, OP_LOOP, 0, 0, 0);
    patch_to(F, at, target);
}

/* ---- constant tables ---- */

static uint32_t add_const(FnState *F, Value v, bool is_str) {
    Proto *p = F->p;
    for (uint32_t i = 0; i < p->nconsts; i++)
        if (p->const_is_str[i] == is_str && !is_str && p->consts[i].u == v.u) return i;
    if (p->nconsts == p->capconsts) {
        uint32_t nc = p->capconsts ? p->capconsts * 2 : 16;
        mem_grow_pair(F->vm, &p->consts, sizeof(Value), &p->const_is_str, sizeof(bool), p->capconsts, nc);
        p->capconsts = nc;
    }
    p->consts[p->nconsts] = v;
    p->const_is_str[p->nconsts] = is_str;
    return p->nconsts++;
}

static uint32_t add_str(FnState *F, const char *s, size_t n) {
    Proto *p = F->p;
    for (uint32_t i = 0; i < p->nconsts; i++) {
        if (!p->const_is_str[i]) continue;
        Str *k = (Str *)p->consts[i].p;
        if ((size_t)k->len == n && memcmp(k->data, s, n) == 0) return i;
    }
    Value v;
    v.p = str_new(F->vm, s, n);
    return add_const(F, v, true);
}

static uint32_t add_type(FnState *F, Type *t) {
    Proto *p = F->p;
    for (uint32_t i = 0; i < p->ntypes; i++) if (p->types[i] == t) return i;
    VEC_PUSH(F->vm, p->types, p->ntypes, p->captypes, t);
    return p->ntypes - 1;
}

static uint32_t add_proto(FnState *F, Proto *q) {
    Proto *p = F->p;
    for (uint32_t i = 0; i < p->nprotos; i++) if (p->protos[i] == q) return i;
    VEC_PUSH(F->vm, p->protos, p->nprotos, p->capprotos, q);
    return p->nprotos - 1;
}

static uint32_t add_native(FnState *F, const LibFn *f) {
    Proto *p = F->p;
    for (uint32_t i = 0; i < p->nnatives; i++) if (p->natives[i] == f) return i;
    VEC_PUSH(F->vm, p->natives, p->nnatives, p->capnatives, f);
    return p->nnatives - 1;
}

/* ------------------------------------------------------------------ */
/* registers */

static bool is_ref(Type *t) { return t->is_ref; }
static bool is_num_type(Type *t) { return t->kind == T_INT || t->kind == T_FLOAT; }

static int alloc_reg(FnState *F, bool ref) {
    uint8_t want = ref ? 2 : 1;
    for (uint32_t i = 0; i < MAX_REGS; i++) {
        if (F->busy[i]) continue;
        if (F->kind[i] && F->kind[i] != want) continue;
        F->busy[i] = true;
        F->kind[i] = want;
        F->borrowed[i] = false;
        if (i + 1 > F->nregs) F->nregs = i + 1;
        return (int)i;
    }
    F->overflow = true;
    return 0;
}

static int temp(FnState *F, Type *t) {
    int r = alloc_reg(F, is_ref(t));
    F->temps[F->ntemps++ & 255] = (uint8_t)r;
    return r;
}

static bool is_temp(FnState *F, int r) {
    for (uint32_t i = 0; i < F->ntemps; i++) if (F->temps[i] == r) return true;
    return false;
}

/* A temp that owns its reference (ownership may move out of it). */
static bool owned_temp(FnState *F, int r) { return !F->borrowed[r] && is_temp(F, r); }

/* A scalar-kind temp for a reference that something else keeps alive for
 * the whole statement (a closure's capture): no count traffic, no CLEAR. */
static int borrowed_temp(FnState *F) {
    int r = alloc_reg(F, false);
    F->temps[F->ntemps++ & 255] = (uint8_t)r;
    F->borrowed[r] = true;
    return r;
}

/* End of statement: clear reference temps and free every temp. */
static void free_temps(FnState *F, uint32_t mark) {
    for (uint32_t i = mark; i < F->ntemps; i++) {
        int r = F->temps[i];
        if (F->kind[r] == 2) emit_abc(F, OP_CLEAR, r, 0, 0);
        F->busy[r] = false;
    }
    F->ntemps = mark;
}

/* Copies register src into dst (same kind). src_temp: ownership may move. */
static void move(FnState *F, int dst, int src, Type *t) {
    if (dst == src) return;
    if (!is_ref(t)) emit_abc(F, OP_MOVE, dst, src, 0);
    else if (owned_temp(F, src)) emit_abc(F, OP_MOVE_OWN, dst, src, 0);
    else emit_abc(F, OP_MOVE_REF, dst, src, 0);
}

static int target(FnState *F, int dst, Type *t) { return dst >= 0 ? dst : temp(F, t); }

/* ---- locals and scopes ---- */

static void push_scope(FnState *F) { VEC_PUSH(F->vm, F->scope_marks, F->nscopes, F->capscopes, F->nlocals); }

static void clear_locals_above(FnState *F, uint32_t mark, bool free_them) {
    for (uint32_t i = F->nlocals; i-- > mark;) {
        Sym *s = F->locals[i];
        if (s->reg < 0) continue;
        if (F->kind[s->reg] == 2) emit_abc(F, OP_CLEAR, s->reg, 0, 0);
        if (free_them) F->busy[s->reg] = false;
    }
}

static void pop_scope(FnState *F) {
    uint32_t mark = F->scope_marks[--F->nscopes];
    clear_locals_above(F, mark, true);
    Proto *p = F->p;                      /* debug info: these locals end here */
    for (uint32_t i = mark; p && i < F->nlocals; i++)
        for (uint32_t k = p->ndlocals; k-- > 0;)
            if (p->dlocals[k].end == UINT32_MAX && p->dlocals[k].reg == F->locals[i]->reg) { p->dlocals[k].end = p->ncode; break; }
    F->nlocals = mark;
}

static bool in_cell(Sym *s) { return sym_in_cell(s); }

/* Gives a new local its register. */
/* Debug info: a local lives in its register from here on (until its scope
 * ends, or the caller sets the end); returns its index or -1. */
static int32_t debug_local(FnState *F, Sym *s) {
    if (!s->name || s->name[0] == '<' || strcmp(s->name, "_") == 0 || !F->p) return -1;
    LocalDebug d = { pool_strdup(F->vm, &F->m->pool, s->name), s->type, F->p->ncode, UINT32_MAX,
                     (uint8_t)s->reg, in_cell(s) };
    VEC_PUSH(F->vm, F->p->dlocals, F->p->ndlocals, F->p->capdlocals, d);
    return (int32_t)F->p->ndlocals - 1;
}

static int declare_local(FnState *F, Sym *s) {
    bool ref = in_cell(s) || is_ref(s->type);
    s->reg = alloc_reg(F, ref);
    VEC_PUSH(F->vm, F->locals, F->nlocals, F->caplocals, s);
    debug_local(F, s);
    return s->reg;
}

static int cap_index(FnState *F, Sym *s) {
    for (uint32_t i = 0; i < F->fi->ncaps; i++) if (F->fi->caps[i] == s) return (int)i;
    return -1;
}

/* ------------------------------------------------------------------ */
/* loading constants and names */

static void load_int(FnState *F, int r, int64_t v) {
    if (v >= -32767 && v <= 32768) emit(F, MK_AsBx(OP_LOADI, r, v));
    else { Value k; k.i = v; emit_abx(F, OP_LOADK, r, add_const(F, k, false)); }
}

static void load_float(FnState *F, int r, double d) {
    Value k; k.f = d;
    emit_abx(F, OP_LOADK, r, add_const(F, k, false));
}

static void load_str(FnState *F, int r, const char *s, size_t n) { emit_abx(F, OP_LOADSTR, r, add_str(F, s, n)); }

static void load_null(FnState *F, int r, Type *t) {
    if (is_ref(t)) emit_abc(F, OP_LOADNULL, r, 0, 0);
    else emit_abc(F, OP_LOADNULLV, r, 0, 0), emit(F, add_type(F, t));
}

/* The Proto behind a top-level or nested function declaration. */
static Proto *decl_proto(FnState *F, FuncDecl *fd) {
    FnInfo *fi = (FnInfo *)fd->check;
    if (!fi->proto) {
        fi->proto = proto_new(F->vm, F->m, fi->name ? fi->name : fd->name);
    }
    return fi->proto;
}

/* Emits CLOSURE for fi's proto with its captures, into r. */
static void make_closure(FnState *F, FnInfo *fi, int r) {
    Proto *q = fi->proto;
    uint32_t n = fi->ncaps;
    CapSrc *cs = mem_alloc(F->vm, sizeof(CapSrc) * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        Sym *s = fi->caps[i];
        if (s->kind == SYM_LOCALFUNC && F->fi->decl == s->fn) { cs[i].from_cap = 2; cs[i].index = 0; }
        else if (s->owner == F->fi) { cs[i].from_cap = 0; cs[i].index = (uint8_t)s->reg; }
        else { cs[i].from_cap = 1; cs[i].index = (uint8_t)cap_index(F, s); }
    }
    Proto *p = F->p;
    if (p->ncaplists == p->capcaplists) {
        uint32_t nc = p->capcaplists ? p->capcaplists * 2 : 4;
        mem_grow_pair(F->vm, &p->caplists, sizeof(CapSrc *), &p->caplens, sizeof(uint32_t), p->capcaplists, nc);
        p->capcaplists = nc;
    }
    p->caplists[p->ncaplists] = cs;
    p->caplens[p->ncaplists] = n;
    emit_abx(F, OP_CLOSURE, r, add_proto(F, q));
    emit(F, p->ncaplists++);
}

/* Reads a symbol's value into a register (possibly its own). */
static int load_sym(FnState *F, Sym *s, Type *t, int dst) {
    switch (s->kind) {
    case SYM_LOCAL: case SYM_LOCALFUNC: {
        if (s->kind == SYM_LOCALFUNC && F->fi->decl == s->fn) {
            int r = target(F, dst, t);
            emit_abc(F, OP_SELFCLOS, r, 0, 0);
            return r;
        }
        bool ref = is_ref(s->type);
        if (s->owner == F->fi) {
            if (in_cell(s)) {
                int r = target(F, dst, s->type);
                emit_abc(F, ref ? OP_GETCELL_REF : OP_GETCELL, r, s->reg, 0);
                return r;
            }
            if (dst >= 0) { move(F, dst, s->reg, s->type); return dst; }
            return s->reg;
        }
        int ci = cap_index(F, s);
        if (in_cell(s)) {
            int c = borrowed_temp(F);                  /* the cell lives as long as the closure */
            emit_abc(F, OP_GETCAP, c, ci, 0);
            int r = target(F, dst, s->type);
            emit_abc(F, ref ? OP_GETCELL_REF : OP_GETCELL, r, c, 0);
            return r;
        }
        if (ref && dst < 0) {                          /* captures never change: borrow */
            int r = borrowed_temp(F);
            emit_abc(F, OP_GETCAP, r, ci, 0);
            return r;
        }
        int r = target(F, dst, s->type);
        emit_abc(F, ref ? OP_GETCAP_REF : OP_GETCAP, r, ci, 0);
        return r;
    }
    case SYM_GLOBAL: {
        int r = target(F, dst, s->type);
        if (s->bound) emit_abx(F, is_ref(s->type) ? OP_BGET_REF : OP_BGET, r, s->bound_index);
        else emit_abx(F, is_ref(s->type) ? OP_GETG_REF : OP_GETG, r, (uint32_t)s->global);
        return r;
    }
    case SYM_CONST: case SYM_LIBCONST: {
        int r = target(F, dst, s->type);
        Value v = s->kind == SYM_CONST ? s->const_val : s->libconst;
        switch (s->type->kind) {
        case T_INT: case T_BOOL: load_int(F, r, v.i); break;
        case T_FLOAT: load_float(F, r, v.f); break;
        case T_STRING: load_str(F, r, (const char *)v.p, strlen((const char *)v.p)); break;
        default: break;
        }
        return r;
    }
    case SYM_FUNC: {
        int r = target(F, dst, s->type);
        FnInfo *fi = (FnInfo *)s->fn->check;
        decl_proto(F, s->fn);
        make_closure(F, fi, r);
        return r;
    }
    default: break;
    }
    return dst >= 0 ? dst : 0;
}

/* ------------------------------------------------------------------ */
/* conversions between representations */

static int convert_reg(FnState *F, int r, Type *from, Type *to, int dst);

static int convert_reg(FnState *F, int r, Type *from, Type *to, int dst) {
    if (from == to) { if (dst >= 0) { move(F, dst, r, to); return dst; } return r; }
    if (to->kind == T_FLOAT && from->kind == T_INT) {
        int d = target(F, dst, to);
        emit_abc(F, OP_I2F, d, r, 0);
        return d;
    }
    if (to->kind == T_OPTIONAL) {
        if (from->kind == T_NULL) { int d = target(F, dst, to); load_null(F, d, to); return d; }
        if (from->kind != T_OPTIONAL) {
            int v = convert_reg(F, r, from, to->a, -1);
            if (to->a->kind == T_INT) {
                int d = target(F, dst, to);
                emit_abc(F, OP_BOXINT, d, v, 0);
                return d;
            }
            if (dst >= 0) { move(F, dst, v, to); return dst; }
            return v;
        }
    }
    if (to->kind == T_TUPLE && from->kind == T_TUPLE) {
        int d = target(F, dst, to);
        int t = temp(F, to);
        emit_abx(F, OP_NEWTUPLE, t, add_type(F, to));
        for (uint32_t i = 0; i < to->n; i++) {
            int el = temp(F, from->args[i]);
            emit_abc(F, is_ref(from->args[i]) ? OP_TGET_REF : OP_TGET, el, r, i);
            int cv = convert_reg(F, el, from->args[i], to->args[i], -1);
            emit_abc(F, OP_TSET, t, i, cv);
        }
        move(F, d, t, to);
        return d;
    }
    if (dst >= 0) { move(F, dst, r, to); return dst; }
    return r;
}

/* A narrowed read of an Optional<int> local holds the box: unbox it. */
static int narrowed_read(FnState *F, Expr *e, int r, int dst) {
    Sym *s = e->sym;
    if (s->type->kind == T_OPTIONAL && e->type->kind != T_OPTIONAL && s->type->a->kind == T_INT) {
        int d = target(F, dst, e->type);
        emit_abc(F, OP_UNBOXINT, d, r, 0);
        return d;
    }
    if (dst >= 0 && r != dst) { move(F, dst, r, e->type); return dst; }
    return r;
}

/* ------------------------------------------------------------------ */
/* operators */

static OpCode arith_op(TokKind op, bool fl) {
    switch (op) {
    case TK_PLUS: return fl ? OP_ADD_FLOAT : OP_ADD_INT;
    case TK_MINUS: return fl ? OP_SUB_FLOAT : OP_SUB_INT;
    case TK_STAR: return fl ? OP_MUL_FLOAT : OP_MUL_INT;
    case TK_SLASH: return fl ? OP_DIV_FLOAT : OP_DIV_INT;
    case TK_PERCENT: return fl ? OP_MOD_FLOAT : OP_MOD_INT;
    case TK_AMP: return OP_BAND;
    case TK_PIPE: return OP_BOR;
    case TK_CARET: return OP_BXOR;
    case TK_SHL: return OP_SHL;
    case TK_SHR: return OP_SHR;
    case TK_USHR: return OP_USHR;
    default: return OP_NOP;
    }
}

static void cond_jump(FnState *F, Expr *e, bool jump_when, JumpList *jl);

/* Equality of two registers holding values of type t (both sides already
 * converted to t by the checker); result bool in d. */
static void emit_eq(FnState *F, int d, int a, int b, Type *t, bool negate) {
    switch (t->kind) {
    case T_INT: case T_BOOL: case T_ENUM: emit_abc(F, negate ? OP_NE_INT : OP_EQ_INT, d, a, b); return;
    case T_FLOAT: emit_abc(F, negate ? OP_NE_FLOAT : OP_EQ_FLOAT, d, a, b); return;
    case T_STRING: emit_abc(F, OP_EQ_STR, d, a, b); break;
    default: emit_abc(F, OP_EQ_DEEP, d, a, b); emit(F, add_type(F, t)); break;
    }
    if (negate) emit_abc(F, OP_NOT, d, d, 0);
}

static int null_test(FnState *F, int r, Type *opt, int dst, bool negate) {
    int d = target(F, dst, F->vm->types.t_bool);
    emit_abc(F, OP_ISNULL, d, r, 0);
    emit(F, add_type(F, opt));
    if (negate) emit_abc(F, OP_NOT, d, d, 0);
    return d;
}

/* Jumps (returning the patch position) when Optional register r is null;
 * references test the pointer, other layouts their sentinel. */
static uint32_t jump_if_null(FnState *F, int r, Type *opt) {
    if (is_ref(opt)) return emit_jump(F, OP_JNULL, r, 0, 0);
    int b = temp(F, F->vm->types.t_bool);
    emit_abc(F, OP_ISNULL, b, r, 0);
    emit(F, add_type(F, opt));
    return emit_jump(F, OP_JT, b, 0, 0);
}

/* Display text of a value of type t as a string register. */
static int to_str(FnState *F, int r, Type *t) {
    if (t->kind == T_STRING) return r;
    int d = temp(F, F->vm->types.t_string);
    emit_abc(F, OP_TOSTR, d, r, 0);
    emit(F, add_type(F, t));
    return d;
}

/* Flattens a chain of '..' into its operands (the parser bounds its length). */
static void collect_concat(Expr *e, Expr **parts, uint32_t *n, uint32_t cap) {
    if (e->kind == E_BINARY && e->op == TK_DOTDOT && *n + 2 <= cap) {
        collect_concat(e->lhs, parts, n, cap);
        collect_concat(e->rhs, parts, n, cap);
        return;
    }
    parts[(*n)++] = e;
}

/* A fresh run of n consecutive reference registers (for CONCATN). */
static int alloc_run(FnState *F, uint32_t n) {
    for (uint32_t i = 0; i + n <= MAX_REGS; i++) {
        bool ok = true;
        for (uint32_t k = 0; k < n; k++) if (F->busy[i + k] || (F->kind[i + k] && F->kind[i + k] != 2)) { ok = false; break; }
        if (!ok) continue;
        for (uint32_t k = 0; k < n; k++) {
            int r = (int)(i + k);
            F->busy[r] = true;
            F->kind[r] = 2;
            F->borrowed[r] = false;
            if ((uint32_t)r + 1 > F->nregs) F->nregs = (uint32_t)r + 1;
            F->temps[F->ntemps++ & 255] = (uint8_t)r;
        }
        return (int)i;
    }
    F->overflow = true;
    return 0;
}

#define CONCAT_CHUNK 32

/* Concatenates display forms of parts into one string: one allocation per
 * chunk of CONCAT_CHUNK parts, temporaries freed between chunks. */
static int concat_parts(FnState *F, Expr **parts, uint32_t n, int dst) {
    Type *st = F->vm->types.t_string;
    if (n == 0) { int d = target(F, dst, st); load_str(F, d, "", 0); return d; }
    if (n <= 2) {
        int regs[2];
        for (uint32_t i = 0; i < n; i++) regs[i] = to_str(F, expr(F, parts[i], -1), parts[i]->type);
        if (n == 1) {
            if (dst >= 0) { move(F, dst, regs[0], st); return dst; }
            return regs[0];
        }
        int d = target(F, dst, st);
        emit_abc(F, OP_CONCAT, d, regs[0], regs[1]);
        return d;
    }
    int acc = target(F, dst, st);
    for (uint32_t at = 0; at < n; at += CONCAT_CHUNK) {
        uint32_t k = n - at < CONCAT_CHUNK ? n - at : CONCAT_CHUNK;
        uint32_t mark = F->ntemps;
        bool first = at == 0;
        int base = alloc_run(F, k + (first ? 0 : 1));
        uint32_t slot = 0;
        if (!first) emit_abc(F, OP_MOVE_REF, base + (int)slot++, acc, 0);
        for (uint32_t i = 0; i < k; i++) {
            uint32_t m2 = F->ntemps;
            int r = to_str(F, expr(F, parts[at + i], -1), parts[at + i]->type);
            emit_abc(F, OP_MOVE_REF, base + (int)slot++, r, 0);
            /* free this part's temporaries, keeping the run */
            for (uint32_t q = m2; q < F->ntemps; q++) {
                int t = F->temps[q];
                if (F->kind[t] == 2) emit_abc(F, OP_CLEAR, t, 0, 0);
                F->busy[t] = false;
            }
            F->ntemps = m2;
        }
        emit_abc(F, OP_CONCATN, acc, base, (int)slot);
        free_temps(F, mark);
    }
    return acc;
}

static int binary(FnState *F, Expr *e, int dst) {
    TokKind op = e->op;
    Type *bt = F->vm->types.t_bool;
    if (e->check && op != TK_QQ) return method_call(F, (CallInfo *)e->check, e->type, dst);   /* a + b -> a.add(b) */
    switch (op) {
    case TK_ANDAND: case TK_OROR: {
        int d = target(F, dst, bt);
        JumpList jl = {0};
        cond_jump(F, e, false, &jl);
        load_int(F, d, 1);
        uint32_t j = emit_jump(F, OP_JMP, 0, 0, 0);
        jl_patch(F, &jl, here(F));
        load_int(F, d, 0);
        patch_here(F, j);
        return d;
    }
    case TK_QQ: {
        Type *lt = e->lhs->type;
        if (lt->kind == T_RESULT) {          /* r ?? fallback: the payload of a Success */
            int d = target(F, dst, e->type);
            int l = expr(F, e->lhs, -1);
            int ok = temp(F, F->vm->types.t_bool);
            emit_abc(F, OP_RESISOK, ok, l, 0);
            uint32_t jerr = emit_jump(F, OP_JF, ok, 0, 0);
            int v = temp(F, lt->a);
            emit_abc(F, OP_RESVAL, v, l, is_ref(lt->a));
            convert_reg(F, v, lt->a, e->type, d);
            uint32_t jend = emit_jump(F, OP_JMP, 0, 0, 0);
            patch_here(F, jerr);
            expr(F, e->rhs, d);
            patch_here(F, jend);
            return d;
        }
        Expr *le = e->lhs;
        CallInfo *lci = le->kind == E_CALL ? (CallInfo *)le->check : NULL;
        if (lci && lci->kind == CALL_METHOD && strcmp(lci->lib->name, "get") == 0 &&
            lci->receiver->type->kind == T_DICT && le->lhs->kind == E_MEMBER && e->type == lt->a) {
            /* d.get(k) ?? x: look up without materialising the Optional */
            int d = target(F, dst, e->type);
            int dr = expr(F, lci->receiver, -1), kr = expr(F, lci->argv[0], -1);
            uint32_t jmiss = emit_jump(F, OP_DGETOR, d, dr, kr);
            uint32_t jend = emit_jump(F, OP_JMP, 0, 0, 0);
            patch_here(F, jmiss);
            expr(F, e->rhs, d);
            patch_here(F, jend);
            return d;
        }
        int d = target(F, dst, e->type);
        int l = expr(F, e->lhs, -1);
        int isn = null_test(F, l, lt, -1, false);
        uint32_t jnull = emit_jump(F, OP_JT, isn, 0, 0);
        /* present: the payload (Optional<int> is boxed; other layouts share bits) */
        if (e->type->kind != T_OPTIONAL && lt->a->kind == T_INT) emit_abc(F, OP_UNBOXINT, d, l, 0);
        else if (l != d) emit_abc(F, !is_ref(e->type) ? OP_MOVE : OP_MOVE_REF, d, l, 0);
        uint32_t jend = emit_jump(F, OP_JMP, 0, 0, 0);
        patch_here(F, jnull);
        expr(F, e->rhs, d);
        patch_here(F, jend);
        return d;
    }
    case TK_DOTDOT: {
        Expr *parts[300];
        uint32_t n = 0;
        collect_concat(e, parts, &n, 300);
        return concat_parts(F, parts, n, dst);
    }
    case TK_EQ: case TK_NE: {
        Expr *a = e->lhs, *b = e->rhs;
        if (a->type->kind == T_NULL || b->type->kind == T_NULL) {
            Expr *o = a->type->kind == T_NULL ? b : a;
            if (o->type->kind == T_NULL) { int d = target(F, dst, bt); load_int(F, d, op == TK_EQ); return d; }
            int r = expr(F, o, -1);
            return null_test(F, r, o->type, dst, op == TK_NE);
        }
        int d = target(F, dst, bt);
        uint32_t m = F->ntemps;
        int ra = expr(F, a, -1), rb = expr(F, b, -1);
        emit_eq(F, d, ra, rb, a->type, op == TK_NE);
        free_temps(F, m);
        return d;
    }
    case TK_LT: case TK_LE: case TK_GT: case TK_GE: {
        int d = target(F, dst, bt);
        uint32_t m = F->ntemps;
        int ra = expr(F, e->lhs, -1), rb = expr(F, e->rhs, -1);
        Type *t = e->lhs->type;
        bool swap = op == TK_GT || op == TK_GE;
        bool le = op == TK_LE || op == TK_GE;
        OpCode oc = t->kind == T_FLOAT ? (le ? OP_LE_FLOAT : OP_LT_FLOAT) :
                    t->kind == T_STRING ? (le ? OP_LE_STR : OP_LT_STR) : (le ? OP_LE_INT : OP_LT_INT);
        emit_abc(F, oc, d, swap ? rb : ra, swap ? ra : rb);
        free_temps(F, m);
        return d;
    }
    default: break;
    }
    Type *t = e->type;
    if (op == TK_PLUS && t->kind == T_STRING) {
        Expr *parts[2] = {e->lhs, e->rhs};
        return concat_parts(F, parts, 2, dst);
    }
    /* i + small constant */
    if ((op == TK_PLUS || op == TK_MINUS) && t->kind == T_INT && e->rhs->kind == E_INT &&
        e->rhs->lit.i >= -127 && e->rhs->lit.i <= 127) {
        uint32_t m = F->ntemps;
        int ra = expr(F, e->lhs, -1);
        free_temps(F, m);                   /* scalar operands: d may reuse ra */
        int d = target(F, dst, t);
        int64_t k = op == TK_PLUS ? e->rhs->lit.i : -e->rhs->lit.i;
        emit_abc(F, OP_ADDI_INT, d, ra, (int)(int8_t)k & 0xff);
        return d;
    }
    /* arithmetic is on scalars: operand temporaries are released before the
     * result is allocated (it may reuse one; the instruction reads before it
     * writes), so a left-leaning chain a + b + c + ... needs two registers */
    uint32_t m = F->ntemps;
    int ra = expr(F, e->lhs, -1), rb = expr(F, e->rhs, -1);
    free_temps(F, m);
    int d = target(F, dst, t);
    emit_abc(F, arith_op(op, t->kind == T_FLOAT), d, ra, rb);
    return d;
}

/* Emits code that jumps (adding to jl) when e evaluates to jump_when and
 * falls through otherwise; int comparisons fuse into JLT_INT / JGE_INT. */
static void cond_jump(FnState *F, Expr *e, bool jump_when, JumpList *jl) {
    if (e->kind == E_UNARY && e->op == TK_BANG) { cond_jump(F, e->lhs, !jump_when, jl); return; }
    if (e->kind == E_BINARY && (e->op == TK_ANDAND || e->op == TK_OROR)) {
        bool is_and = e->op == TK_ANDAND;
        if (is_and != jump_when) {          /* and/false or or/true: either side decides */
            cond_jump(F, e->lhs, jump_when, jl);
            cond_jump(F, e->rhs, jump_when, jl);
        } else {
            JumpList skip = {0};
            cond_jump(F, e->lhs, !jump_when, &skip);
            cond_jump(F, e->rhs, jump_when, jl);
            jl_patch(F, &skip, here(F));
        }
        return;
    }
    if (e->kind == E_BOOL) {
        if (e->lit.b == jump_when) jl_add(F, jl, emit_jump(F, OP_JMP, 0, 0, 0));
        return;
    }
    if (e->kind == E_BINARY && (e->op == TK_LT || e->op == TK_LE || e->op == TK_GT || e->op == TK_GE) &&
        e->lhs->type->kind == T_INT && e->rhs->type->kind == T_INT) {
        int ra = expr(F, e->lhs, -1), rb = expr(F, e->rhs, -1);
        /* normalise to a < b or a >= b */
        int x = ra, y = rb;
        bool lt;                                /* condition is x < y */
        switch (e->op) {
        case TK_LT: lt = true; break;
        case TK_GE: lt = false; break;
        case TK_GT: x = rb; y = ra; lt = true; break;   /* a > b == b < a */
        default: x = rb; y = ra; lt = false; break;    /* a <= b == b >= a */
        }
        bool jlt = lt == jump_when;
        jl_add(F, jl, emit_jump(F, jlt ? OP_JLT_INT : OP_JGE_INT, x, y, 0));
        return;
    }
    int r = expr(F, e, -1);
    jl_add(F, jl, emit_jump(F, jump_when ? OP_JT : OP_JF, r, 0, 0));
}

/* ------------------------------------------------------------------ */
/* calls */

static void emit_args(FnState *F, int *regs, uint32_t n) {
    for (uint32_t i = 0; i < n; i += 4) {
        uint32_t w = 0;
        for (uint32_t k = 0; k < 4 && i + k < n; k++) w |= (uint32_t)(regs[i + k] & 0xff) << (8 * k);
        emit(F, w);
    }
}

/* Evaluates the written (non-variadic) arguments into regs, left to right
 * as the source has them (named arguments may come in any parameter order). */
static void eval_written_args(FnState *F, CallInfo *ci, uint32_t nfixed, int *regs) {
    uint32_t order[256], no = 0;
    for (uint32_t i = 0; i < nfixed && i < 256; i++)
        if (ci->argv[i]) order[no++] = i;
    for (uint32_t a = 1; a < no; a++) {       /* insertion sort by source position */
        uint32_t v = order[a], b = a;
        while (b > 0 && ci->argv[order[b - 1]]->span.off > ci->argv[v]->span.off) { order[b] = order[b - 1]; b--; }
        order[b] = v;
    }
    for (uint32_t k = 0; k < no; k++) regs[order[k]] = expr(F, ci->argv[order[k]], -1);
}

/* A value passed where `any` is expected (library and host parameters) is
 * boxed with its static type; other values pass unchanged. */
static int box_any(FnState *F, int r, Type *from, Type *to) {
    if (to->kind != T_ANY || from->kind == T_ANY) return r;
    int d = temp(F, to);
    emit_abc(F, OP_TOANY, d, r, 0);
    emit(F, add_type(F, from));
    return d;
}

/* Collects the variadic arguments (or copies a spread array) into a new array. */
static int build_varargs(FnState *F, CallInfo *ci) {
    Type *at = ci->vararg_type;
    int a = temp(F, at);
    emit_abx(F, OP_NEWARR, a, add_type(F, at));
    for (uint32_t k = 0; k < ci->nvarargs; k++) {
        Expr *x = ci->varargs[k];
        uint32_t m = F->ntemps;
        if (ci->spread) { int r = expr(F, x->lhs, -1); emit_abc(F, OP_ASPREAD, a, r, 0); }
        else { int r = box_any(F, expr(F, x, -1), x->type, at->a); emit_abc(F, OP_APUSH, a, r, 0); }
        free_temps(F, m);
    }
    return a;
}

/* Evaluates the arguments of a resolved call into registers: the written
 * ones first, then the defaults of omitted ones (at the call site: only for
 * top-level functions, whose defaults see nothing but globals). */
static uint32_t eval_args(FnState *F, CallInfo *ci, int *regs) {
    uint32_t np = ci->nparams;
    uint32_t nfixed = ci->has_variadic ? np - 1 : np;
    for (uint32_t i = 0; i < nfixed; i++) regs[i] = -1;
    eval_written_args(F, ci, nfixed, regs);
    for (uint32_t i = 0; i < nfixed; i++) {
        if (regs[i] >= 0) continue;
        Expr *d = ci->defaults[i];
        int r = expr(F, d, -1);
        regs[i] = convert_reg(F, r, d->type, ci->ftype->args[i], -1);
    }
    if (ci->has_variadic) regs[np - 1] = build_varargs(F, ci);
    return np;
}

/* Before the call instruction of a started call (not of calls in its
 * arguments, compiled earlier): START turns the call into a new task. */
static void start_prefix(FnState *F, CallInfo *ci) {
    if (!ci || F->start_ci != ci) return;
    emit_abc(F, OP_START, F->start_owner, 0, 0);
    F->start_ci = NULL;
}

static int call_closure(FnState *F, int fnreg, int *regs, uint32_t n, Type *ret, int dst, CallInfo *ci) {
    bool has = ret->kind != T_VOID;
    int d = has ? target(F, dst, ret) : 0;
    start_prefix(F, ci);
    emit_abc(F, OP_CALLV, d, (int)n, has && is_ref(ret) ? 1 : 0);
    emit(F, (uint32_t)fnreg);
    emit_args(F, regs, n);
    return d;
}

static int hof(FnState *F, Expr *e, CallInfo *ci, int dst);

static int call(FnState *F, Expr *e, int dst) {
    CallInfo *ci = (CallInfo *)e->check;
    Type *ret = e->type;
    int regs[260];
    switch (ci->kind) {
    case CALL_PRINT: {
        int r;
        Type *t;
        if (ci->argv[0]) { r = expr(F, ci->argv[0], -1); t = ci->argv[0]->type; }
        else { r = temp(F, F->vm->types.t_string); load_str(F, r, "", 0); t = F->vm->types.t_string; }
        emit_abc(F, OP_PRINT, r, 0, 0);
        emit(F, add_type(F, t));
        return 0;
    }
    case CALL_TYPEOF: {
        int r = expr(F, ci->argv[0], -1);
        int d = target(F, dst, ret);
        emit_abc(F, OP_TYPEOF, d, r, 0);
        emit(F, add_type(F, ci->argv[0]->type));
        return d;
    }
    case CALL_ASSERT: {
        int c = expr(F, ci->argv[0], -1);
        int m = 255;
        if (ci->argv[1]) m = expr(F, ci->argv[1], -1);
        emit_abc(F, OP_ASSERT, c, m, 0);
        return 0;
    }
    case CALL_DIRECT: {
        bool has = ret->kind != T_VOID;
        int d = has ? target(F, dst, ret) : 0;
        uint32_t m = F->ntemps;
        uint32_t n = eval_args(F, ci, regs);
        Proto *q = decl_proto(F, ci->fn->fn);
        start_prefix(F, ci);
        emit_abc(F, OP_CALL, d, (int)n, has && is_ref(ret) ? 1 : 0);
        emit(F, add_proto(F, q));
        emit_args(F, regs, n);
        free_temps(F, m);
        return d;
    }
    case CALL_LOCALFN: {
        int d = ret->kind != T_VOID ? target(F, dst, ret) : -1;
        uint32_t m = F->ntemps;
        int fr = load_sym(F, ci->fn, ci->fn->type, -1);
        FnInfo *cf = (FnInfo *)ci->fn->fn->check;
        uint32_t n;
        if (cf->callee_defaults) {
            /* omitted arguments are evaluated by the callee, in its own scope: pass a mask */
            uint64_t mask = 0;
            uint32_t k = 0, nfixed = ci->has_variadic ? ci->nparams - 1 : ci->nparams;
            int mr = temp(F, F->vm->types.t_int);
            for (uint32_t i = 0; i < nfixed; i++) {
                if (!ci->defaults[i]) continue;
                if (!ci->argv[i]) mask |= (uint64_t)1 << k;
                k++;
            }
            load_int(F, mr, (int64_t)mask);
            for (uint32_t i = 0; i < nfixed; i++) regs[i] = mr;   /* omitted: never read */
            eval_written_args(F, ci, nfixed, regs);
            n = ci->nparams;
            if (ci->has_variadic) regs[n - 1] = build_varargs(F, ci);
            regs[n++] = mr;
        } else {
            n = eval_args(F, ci, regs);
        }
        call_closure(F, fr, regs, n, ret, d, ci);
        free_temps(F, m);
        return d < 0 ? 0 : d;
    }
    case CALL_VALUE: {
        int d = ret->kind != T_VOID ? target(F, dst, ret) : -1;
        uint32_t m = F->ntemps;
        int fr = expr(F, e->lhs, -1);
        for (uint32_t i = 0; i < ci->nparams; i++) regs[i] = expr(F, ci->argv[i], -1);
        call_closure(F, fr, regs, ci->nparams, ret, d, NULL);
        free_temps(F, m);
        return d < 0 ? 0 : d;
    }
    case CALL_NATIVE: case CALL_METHOD: {
        /* the hottest methods have their own instructions */
        if (ci->kind == CALL_METHOD && e->lhs->kind == E_MEMBER && ci->receiver->type->kind == T_ARRAY) {
            const char *mn = ci->lib->name;
            if (strcmp(mn, "len") == 0) {
                int a = expr(F, ci->receiver, -1);
                int d = target(F, dst, ret);
                emit_abc(F, OP_ALEN, d, a, 0);
                return d;
            }
            if (strcmp(mn, "push") == 0) {
                int a = expr(F, ci->receiver, -1);
                int v = expr(F, ci->argv[0], -1);
                emit_abc(F, OP_APUSH, a, v, 0);
                return 0;
            }
        }
        if (ci->kind == CALL_NATIVE && ci->nparams == 1 && ret->kind == T_FLOAT && ci->ftype->args[0]->kind == T_FLOAT) {
            static const char *const names[] = MATHF_NAMES;
            for (int k = 0; names[k]; k++) {
                if (strcmp(names[k], ci->lib->name) != 0) continue;
                int x = expr(F, ci->argv[0], -1);
                int d = target(F, dst, ret);
                emit_abc(F, OP_MATHF, d, x, k);
                return d;
            }
        }
        uint32_t off = 0;
        Expr *recv = ci->receiver;
        bool safe = e->lhs->kind == E_SAFE_MEMBER;
        uint32_t jnull = 0;
        Type *rt = ret;
        int d = -1;
        if (ci->kind == CALL_METHOD) {
            int rr = expr(F, recv, -1);
            if (safe) {
                d = ret->kind != T_VOID ? target(F, dst, ret) : 0;
                if (ret->kind != T_VOID) load_null(F, d, ret);
                jnull = emit_jump(F, OP_JNULL, rr, 0, 0);
                rt = ci->ftype->a;
            }
            regs[0] = rr;
            off = 1;
        }
        uint32_t n = eval_args(F, ci, regs + off);
        uint32_t nfixed = ci->has_variadic ? n - 1 : n;
        for (uint32_t i = 0; i < nfixed; i++) {
            Type *from = ci->argv[i] ? ci->argv[i]->type : ci->defaults[i]->type;
            regs[off + i] = box_any(F, regs[off + i], from, ci->ftype->args[i]);
        }
        if (ci->targ) {                 /* a generic native's type argument */
            int tr = temp(F, F->vm->types.t_int);
            emit_abx(F, OP_LOADTYPE, tr, add_type(F, ci->targ));
            regs[off + n++] = tr;
        }
        bool has = rt->kind != T_VOID;
        int r = has ? (safe ? temp(F, rt) : target(F, dst, rt)) : 0;
        bool host = ci->lib->fn == host_marker;
        if (host && !((HostFn *)ci->lib)->ftype) {    /* the types its arguments arrive with */
            Type *ps[260];
            Type *ft = ci->ftype;
            for (uint32_t i = 0; i < ft->n; i++) ps[off + i] = ft->args[i];
            if (off) ps[0] = ci->receiver->type;       /* a host method: the object first */
            HostFn *h = (HostFn *)ci->lib;
            h->ftype = ty_func(F->vm, ps, ft->n + off, ft->a);
            h->direct = h->ftype->n <= 16;
            for (uint32_t i = 0; i < h->ftype->n && h->direct; i++) {
                int k = host_direct_kind(h->ftype->args[i]);
                h->direct = k >= 0;
                h->kinds[i] = (uint8_t)k;
            }
            TypeKind rk = ft->a->kind;
            h->rkind = rk == T_INT ? WRIT_INT : rk == T_FLOAT ? WRIT_FLOAT : rk == T_BOOL ? WRIT_BOOL : WRIT_VOID;
            h->scalar_ret = rk == T_INT || rk == T_FLOAT || rk == T_BOOL || rk == T_VOID;
        }
        emit_abc(F, host ? OP_CALLH : OP_CALLN, r, (int)(n + off), !has ? 2 : is_ref(rt) ? 1 : 0);
        emit(F, add_native(F, ci->lib));
        emit_args(F, regs, n + off);
        if (safe) {
            if (has) convert_reg(F, r, rt, ret, d);
            patch_here(F, jnull);
            return d;
        }
        return r;
    }
    case CALL_HOF: return hof(F, e, ci, dst);
    case CALL_CONSTRUCT: return construct(F, ci, ret, dst);
    case CALL_SMETHOD: case CALL_VMETHOD: case CALL_TMETHOD: return method_call(F, ci, ret, dst);
    case CALL_WEAKNEW: case CALL_WEAKGET: {
        int d = target(F, dst, ret);
        int r = expr(F, ci->kind == CALL_WEAKNEW ? ci->argv[0] : ci->receiver, -1);
        uint32_t jnull = 0;
        if (ci->safe) { load_null(F, d, ret); jnull = emit_jump(F, OP_JNULL, r, 0, 0); }
        emit_abc(F, ci->kind == CALL_WEAKNEW ? OP_WEAKNEW : OP_WEAKGET, d, r, 0);
        if (ci->safe) patch_here(F, jnull);
        return d;
    }
    case CALL_RESOK: case CALL_RESERR: {
        int r = ci->nparams ? expr(F, ci->argv[0], -1) : 255;
        int d = target(F, dst, ret);
        emit_abc(F, ci->kind == CALL_RESOK ? OP_RESOK : OP_RESERR, d, r, 0);
        emit(F, add_type(F, ret));
        return d;
    }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* callback-taking array methods, expanded into loops in the caller's frame
 * so that callbacks never run on the C stack (runtime.md §12). */

static int hof_body(FnState *F, Expr *e, CallInfo *ci, int a, Type *ret, int dst);

/* TypeName(...): a new instance, fields from the arguments (in source
 * order), then the defaults of the omitted ones (null for Optionals). */
static int construct(FnState *F, CallInfo *ci, Type *t, int dst) {
    TypeInfo *ti = ci->ti;
    int d = target(F, dst, t);
    int o = temp(F, t);
    emit_abx(F, OP_NEWOBJ, o, add_type(F, t));
    uint32_t order[256], no = 0;
    for (uint32_t i = 0; i < ti->nfields && i < 256; i++) if (ci->argv[i]) order[no++] = i;
    for (uint32_t a = 1; a < no; a++) {
        uint32_t v = order[a], b = a;
        while (b > 0 && ci->argv[order[b - 1]]->span.off > ci->argv[v]->span.off) { order[b] = order[b - 1]; b--; }
        order[b] = v;
    }
    for (uint32_t k = 0; k < no; k++) {
        uint32_t m = F->ntemps;
        int r = expr(F, ci->argv[order[k]], -1);
        emit_abc(F, OP_SETF, o, (int)order[k], r);
        free_temps(F, m);
    }
    for (uint32_t i = 0; i < ti->nfields; i++) {
        if (ci->argv[i]) continue;
        FieldInfo *f = ti->fields[i];
        uint32_t m = F->ntemps;
        int r;
        if (f->def) r = convert_reg(F, expr(F, f->def, -1), f->def->type, f->type, -1);
        else if (f->type->kind == T_OPTIONAL && is_ref(f->type)) { free_temps(F, m); continue; }   /* already null */
        else { r = temp(F, f->type); load_null(F, r, f->type); }
        emit_abc(F, OP_SETF, o, (int)i, r);
        free_temps(F, m);
    }
    move(F, d, o, t);
    return d;
}

/* A method call: direct (structs, enums, private, super) or virtual (classes).
 * A mutating struct method gets its receiver as an owned copy and hands the
 * updated value back, which is stored where the receiver came from. */
static int method_call(FnState *F, CallInfo *ci, Type *ret, int dst) {
    int regs[260];
    MethodInfo *mi = ci->mi;
    bool has = ret->kind != T_VOID;
    if (!mi) {                               /* Enum.values() */
        int d = target(F, dst, ret);
        emit_abx(F, OP_ENUMVALS, d, add_type(F, ret));
        return d;
    }
    if (ci->safe) {                           /* x?.m(args): null when x is null */
        CallInfo inner = *ci;
        inner.safe = false;
        if (F->start_ci == ci) F->start_ci = &inner;   /* start x?.co(): the inner call starts */
        int d = has ? target(F, dst, ret) : 0;
        if (has) load_null(F, d, ret);
        uint32_t m0 = F->ntemps;
        int r = expr(F, ci->receiver, -1);
        uint32_t jnull = jump_if_null(F, r, ci->receiver->type);
        Expr recv = *ci->receiver;          /* the receiver is now known present: reuse its register */
        recv.kind = E_CONVERT;
        recv.check = (void *)(intptr_t)(r + 1);
        recv.type = ci->receiver->type->a;
        inner.receiver = &recv;
        Type *rt = ci->ftype->a;
        int v = method_call(F, &inner, rt, -1);
        if (has) convert_reg(F, v, rt, ret, d);
        patch_here(F, jnull);
        free_temps(F, m0);
        return d;
    }
    int d = has ? target(F, dst, ret) : 0;
    uint32_t m = F->ntemps;
    Loc pool[16], loc;
    int np = 0;
    int recv;
    bool inout = mi->mutating && ci->kind == CALL_SMETHOD;
    if (inout) {
        resolve_loc(F, ci->receiver, &loc, pool, &np);
        int cur = load_loc(F, &loc);
        recv = temp(F, ci->receiver->type);
        emit_abc(F, OP_MOVE_REF, recv, cur, 0);
    } else if (ci->reversed) {              /* 2.0 * v: the left operand (the argument) first */
        regs[1] = expr(F, ci->argv[0], -1);
        recv = expr(F, ci->receiver, -1);
    } else {
        recv = expr(F, ci->receiver, -1);
    }
    regs[0] = recv;
    uint32_t n = ci->reversed ? 2 : eval_args(F, ci, regs + 1) + 1;
    start_prefix(F, ci);
    if (ci->kind == CALL_VMETHOD) {
        emit_abc(F, OP_CALLM, d, (int)n, has && is_ref(ret) ? 1 : 0);
        emit(F, add_type(F, mi->owner->type) | ((uint32_t)mi->vslot << 16));   /* the owner: hot reload remaps slots */
    } else if (ci->kind == CALL_TMETHOD) {
        emit_abc(F, OP_CALLT, d, (int)n, has && is_ref(ret) ? 1 : 0);
        emit(F, add_type(F, mi->owner->type) | ((uint32_t)mi->tslot << 16));
    } else {
        emit_abc(F, OP_CALL, d, (int)n, has && is_ref(ret) ? 1 : 0);
        emit(F, add_proto(F, decl_proto(F, mi->fd)));
    }
    emit_args(F, regs, n);
    if (inout) store_loc(F, &loc, recv);
    free_temps(F, m);
    return d;
}

static int hof(FnState *F, Expr *e, CallInfo *ci, int dst) {
    if (e->lhs->kind != E_SAFE_MEMBER) return hof_body(F, e, ci, expr(F, ci->receiver, -1), e->type, dst);
    /* xs?.map(f): null when xs is null (arguments not evaluated), else Optional of the result */
    Type *ret = e->type;
    Type *inner = ci->ftype->a;
    int d = ret->kind != T_VOID ? target(F, dst, ret) : 0;
    if (ret->kind != T_VOID) load_null(F, d, ret);
    int a = expr(F, ci->receiver, -1);
    uint32_t jnull = emit_jump(F, OP_JNULL, a, 0, 0);
    int r = hof_body(F, e, ci, a, inner, -1);
    if (ret->kind != T_VOID) convert_reg(F, r, inner, ret, d);
    patch_here(F, jnull);
    return d;
}

static int hof_body(FnState *F, Expr *e, CallInfo *ci, int a, Type *ret, int dst) {
    TypeTable *tt = &F->vm->types;
    const char *name = ci->lib->name;
    Type *at = ci->receiver->type;
    if (at->kind == T_OPTIONAL) at = at->a;
    Type *T = at->a;
    int regs[4];
    int fn;
    int d;
    OpCode get = is_ref(T) ? OP_AGET_REF : OP_AGET;
    if (strcmp(name, "reduce") == 0) {
        int init = expr(F, ci->argv[0], -1);
        fn = expr(F, ci->argv[1], -1);
        d = target(F, dst, ret);
        int acc = temp(F, ret);
        emit_abc(F, is_ref(ret) ? OP_MOVE_REF : OP_MOVE, acc, init, 0);
        int i = temp(F, tt->t_int), n = temp(F, tt->t_int), x = temp(F, T);
        load_int(F, i, 0);
        uint32_t top = here(F);
        emit_abc(F, OP_ALEN, n, a, 0);
        uint32_t jexit = emit_jump(F, OP_JGE_INT, i, n, 0);
        emit_abc(F, get, x, a, i);
        regs[0] = acc; regs[1] = x;
        call_closure(F, fn, regs, 2, ret, acc, NULL);
        emit_abc(F, OP_ADDI_INT, i, i, 1);
        emit_loop_to(F, top);
        patch_here(F, jexit);
        move(F, d, acc, ret);
        return d;
    }
    fn = expr(F, ci->argv[0], -1);
    if (strcmp(name, "sort") == 0) {
        /* bottom-up stable merge sort between two private copies, so a comparator
         * that changes the array can only make the order unspecified */
        d = target(F, dst, ret);
        int n = temp(F, tt->t_int), src = temp(F, at), out = temp(F, at), sw = temp(F, at);
        int width = temp(F, tt->t_int), lo = temp(F, tt->t_int);
        int mid = temp(F, tt->t_int), hi = temp(F, tt->t_int), i = temp(F, tt->t_int), j = temp(F, tt->t_int);
        int k = temp(F, tt->t_int), c = temp(F, tt->t_int), zero = temp(F, tt->t_int);
        int xi = temp(F, T), xj = temp(F, T);
        emit_abx(F, OP_NEWARR, src, add_type(F, at));
        emit_abc(F, OP_ASPREAD, src, a, 0);
        emit_abx(F, OP_NEWARR, out, add_type(F, at));
        emit_abc(F, OP_ASPREAD, out, a, 0);
        emit_abc(F, OP_ALEN, n, src, 0);
        load_int(F, width, 1);
        load_int(F, zero, 0);
        uint32_t Lw = here(F);
        uint32_t jdone = emit_jump(F, OP_JGE_INT, width, n, 0);
        load_int(F, lo, 0);
        uint32_t Llo = here(F);
        uint32_t jendpass = emit_jump(F, OP_JGE_INT, lo, n, 0);
        emit_abc(F, OP_ADD_INT, mid, lo, width);
        uint32_t j1 = emit_jump(F, OP_JGE_INT, n, mid, 0);
        emit_abc(F, OP_MOVE, mid, n, 0);
        patch_here(F, j1);
        emit_abc(F, OP_ADD_INT, hi, mid, width);
        uint32_t j2 = emit_jump(F, OP_JGE_INT, n, hi, 0);
        emit_abc(F, OP_MOVE, hi, n, 0);
        patch_here(F, j2);
        emit_abc(F, OP_MOVE, i, lo, 0);
        emit_abc(F, OP_MOVE, j, mid, 0);
        emit_abc(F, OP_MOVE, k, lo, 0);
        uint32_t Lk = here(F);
        uint32_t jendmerge = emit_jump(F, OP_JGE_INT, k, hi, 0);
        uint32_t jright1 = emit_jump(F, OP_JGE_INT, i, mid, 0);
        uint32_t jleft1 = emit_jump(F, OP_JGE_INT, j, hi, 0);
        emit_abc(F, get, xi, src, i);
        emit_abc(F, get, xj, src, j);
        regs[0] = xi; regs[1] = xj;
        call_closure(F, fn, regs, 2, tt->t_int, c, NULL);
        uint32_t jright2 = emit_jump(F, OP_JLT_INT, zero, c, 0);
        patch_here(F, jleft1);
        emit_abc(F, get, xi, src, i);
        emit_abc(F, OP_ASET, out, k, xi);
        emit_abc(F, OP_ADDI_INT, i, i, 1);
        uint32_t jnext = emit_jump(F, OP_JMP, 0, 0, 0);
        patch_here(F, jright1);
        patch_here(F, jright2);
        emit_abc(F, get, xj, src, j);
        emit_abc(F, OP_ASET, out, k, xj);
        emit_abc(F, OP_ADDI_INT, j, j, 1);
        patch_here(F, jnext);
        emit_abc(F, OP_ADDI_INT, k, k, 1);
        emit_loop_to(F, Lk);
        patch_here(F, jendmerge);
        emit_abc(F, OP_MOVE, lo, hi, 0);
        emit_loop_to(F, Llo);
        patch_here(F, jendpass);
        emit_abc(F, OP_MOVE_REF, sw, src, 0);          /* swap the buffers */
        emit_abc(F, OP_MOVE_REF, src, out, 0);
        emit_abc(F, OP_MOVE_REF, out, sw, 0);
        emit_abc(F, OP_ADD_INT, width, width, width);
        emit_loop_to(F, Lw);
        patch_here(F, jdone);
        emit_abc(F, OP_ACOPY, a, src, 0);
        emit_abc(F, OP_MOVE_REF, d, a, 0);
        return d;
    }
    /* map, filter, find, any, all: one pass over the array */
    bool is_map = !strcmp(name, "map"), is_filter = !strcmp(name, "filter"), is_find = !strcmp(name, "find");
    bool is_any = !strcmp(name, "any"), is_all = !strcmp(name, "all");
    d = target(F, dst, ret);
    int res = (is_any || is_all) ? temp(F, tt->t_bool) : (is_find ? temp(F, ret) : d);
    if (is_map || is_filter) emit_abx(F, OP_NEWARR, res, add_type(F, ret));
    else if (is_find) load_null(F, res, ret);
    else load_int(F, res, is_all ? 1 : 0);
    int i = temp(F, tt->t_int), n = temp(F, tt->t_int), x = temp(F, T);
    Type *cbret = ci->ftype->args[0]->a;
    int y = temp(F, cbret);
    load_int(F, i, 0);
    uint32_t top = here(F);
    emit_abc(F, OP_ALEN, n, a, 0);
    uint32_t jexit = emit_jump(F, OP_JGE_INT, i, n, 0);
    emit_abc(F, get, x, a, i);
    regs[0] = x;
    call_closure(F, fn, regs, 1, cbret, y, NULL);
    uint32_t jout = 0;
    bool early = false;
    if (is_map) emit_abc(F, OP_APUSH, res, y, 0);
    else if (is_filter) {
        uint32_t js = emit_jump(F, OP_JF, y, 0, 0);
        emit_abc(F, OP_APUSH, res, x, 0);
        patch_here(F, js);
    } else {
        uint32_t js = emit_jump(F, is_all ? OP_JT : OP_JF, y, 0, 0);
        if (is_find) convert_reg(F, x, T, ret, res);
        else load_int(F, res, is_any ? 1 : 0);
        jout = emit_jump(F, OP_JMP, 0, 0, 0);
        early = true;
        patch_here(F, js);
    }
    emit_abc(F, OP_ADDI_INT, i, i, 1);
    emit_loop_to(F, top);
    patch_here(F, jexit);
    if (early) patch_here(F, jout);
    if (res != d) move(F, d, res, ret);
    return d;
}

/* ------------------------------------------------------------------ */
/* when */

/* Jumps to jl when pattern p does NOT match the subject in register s. */
static void pattern_miss(FnState *F, WhenPattern *p, int s, Type *st, JumpList *miss) {
    TypeTable *tt = &F->vm->types;
    switch (p->kind) {
    case PK_ELSE: break;
    case PK_VALUE:
        if (st == NULL) { cond_jump(F, p->expr, false, miss); break; }
        {
            Expr *v = p->expr;
            int b = temp(F, tt->t_bool);
            if (v->type->kind == T_NULL) null_test(F, s, st, b, false);
            else {
                int r = expr(F, v, -1);
                Type *t = st;
                int sa = s;
                if (st->kind != v->type->kind && is_num_type(st) && is_num_type(v->type)) {
                    /* int subject vs float value (or the reverse): compare as float */
                    if (st->kind == T_INT) { sa = temp(F, tt->t_float); emit_abc(F, OP_I2F, sa, s, 0); }
                    else { int rf = temp(F, tt->t_float); emit_abc(F, OP_I2F, rf, r, 0); r = rf; }
                    t = tt->t_float;
                }
                emit_eq(F, b, sa, r, t, false);
            }
            jl_add(F, miss, emit_jump(F, OP_JF, b, 0, 0));
        }
        break;
    case PK_RANGE: {
        Expr *rg = p->expr;
        int lo = expr(F, rg->lhs, -1), hi = expr(F, rg->rhs, -1);
        bool fl = st->kind == T_FLOAT || rg->lhs->type->kind == T_FLOAT || rg->rhs->type->kind == T_FLOAT;
        int sv = s;
        if (fl) {
            if (st->kind == T_INT) { sv = temp(F, tt->t_float); emit_abc(F, OP_I2F, sv, s, 0); }
            if (rg->lhs->type->kind == T_INT) { int t = temp(F, tt->t_float); emit_abc(F, OP_I2F, t, lo, 0); lo = t; }
            if (rg->rhs->type->kind == T_INT) { int t = temp(F, tt->t_float); emit_abc(F, OP_I2F, t, hi, 0); hi = t; }
            int b = temp(F, tt->t_bool);
            emit_abc(F, OP_LE_FLOAT, b, lo, sv);
            jl_add(F, miss, emit_jump(F, OP_JF, b, 0, 0));
            emit_abc(F, rg->op == TK_DOTDOTEQ ? OP_LE_FLOAT : OP_LT_FLOAT, b, sv, hi);
            jl_add(F, miss, emit_jump(F, OP_JF, b, 0, 0));
        } else {
            jl_add(F, miss, emit_jump(F, OP_JLT_INT, sv, lo, 0));
            if (rg->op == TK_DOTDOTEQ) jl_add(F, miss, emit_jump(F, OP_JLT_INT, hi, sv, 0));
            else jl_add(F, miss, emit_jump(F, OP_JGE_INT, sv, hi, 0));
        }
        break;
    }
    case PK_SUCCESS: case PK_ERROR: {
        int b = temp(F, tt->t_bool);
        emit_abc(F, OP_RESISOK, b, s, 0);
        jl_add(F, miss, emit_jump(F, p->kind == PK_SUCCESS ? OP_JF : OP_JT, b, 0, 0));
        if (p->sym) {
            declare_local(F, p->sym);
            if (p->kind == PK_SUCCESS) emit_abc(F, OP_RESVAL, p->sym->reg, s, is_ref(p->sym->type));
            else emit_abc(F, OP_RESMSG, p->sym->reg, s, 0);
        }
        break;
    }
    case PK_IS: {
        Type *t = (Type *)p->check;
        int b = temp(F, tt->t_bool);
        if (t->kind == T_CLASS || t->kind == T_TRAIT) { emit_abc(F, OP_ISTYPE, b, s, 0); emit(F, add_type(F, t)); }
        else null_test(F, s, st, b, true);
        jl_add(F, miss, emit_jump(F, OP_JF, b, 0, 0));
        break;
    }
    case PK_BIND:
        if (p->sym && strcmp(p->sym->name, "_") != 0) {
            declare_local(F, p->sym);
            emit_abc(F, is_ref(st) ? OP_MOVE_REF : OP_MOVE, p->sym->reg, s, 0);
        }
        break;
    default: break;
    }
    if (p->guard) cond_jump(F, p->guard, false, miss);
}

/* Compiles a when; for expressions the value lands in dst. */
static int when(FnState *F, WhenStmtData *w, Type *rt, int dst) {
    int d = w->is_expr ? target(F, dst, rt) : 0;
    int s = -1;
    Type *st = NULL;
    if (w->subject) {
        st = w->subject->type;
        s = expr(F, w->subject, -1);
        /* keep the subject stable even if an arm assigns the variable */
        if (!is_temp(F, s)) { int t = temp(F, st); move(F, t, s, st); s = t; }
    }
    JumpList done = {0};
    for (uint32_t i = 0; i < w->narms; i++) {
        WhenArm *arm = &w->arms[i];
        push_scope(F);
        JumpList hit = {0};
        JumpList miss = {0};
        for (uint32_t k = 0; k < arm->npats; k++) {
            JumpList pm = {0};
            pattern_miss(F, arm->pats[k], s, st, &pm);
            if (k + 1 < arm->npats) {
                jl_add(F, &hit, emit_jump(F, OP_JMP, 0, 0, 0));
                jl_patch(F, &pm, here(F));
            } else {
                for (uint32_t q = 0; q < pm.n; q++) jl_add(F, &miss, pm.at[q]);
                VEC_FREE(F->vm, pm.at, pm.cap);
            }
        }
        jl_patch(F, &hit, here(F));
        if (w->is_expr) expr(F, arm->value, d);
        else {
            uint32_t tm = F->ntemps;
            stmt(F, arm->body);
            free_temps(F, tm);
        }
        pop_scope(F);
        jl_add(F, &done, emit_jump(F, OP_JMP, 0, 0, 0));
        jl_patch(F, &miss, here(F));
    }
    jl_patch(F, &done, here(F));
    return d;
}

/* ------------------------------------------------------------------ */
/* expressions */

/* Calls a property accessor on receiver r (setter: with value v). */
static void call_accessor(FnState *F, MethodInfo *acc, int r, int v, int d, Type *t) {
    int regs[2] = {r, v};
    uint32_t n = v >= 0 ? 2 : 1;
    emit_abc(F, OP_CALL, v >= 0 ? 0 : d, (int)n, v >= 0 ? 2 : is_ref(t) ? 1 : 0);
    emit(F, add_proto(F, decl_proto(F, acc->fd)));
    emit_args(F, regs, n);
}

/* Reads a field, a static field, an enum variant, ordinal or enum field. */
static int user_member(FnState *F, Expr *e, int dst) {
    Type *lt = e->lhs->type;
    FieldInfo *f = (FieldInfo *)e->check;
    bool on_type = e->lhs->kind == E_NAME && e->lhs->sym && e->lhs->sym->kind == SYM_TYPE;
    if (e->sym && e->sym->kind == SYM_METHOD) {         /* a method as a value */
        MethodInfo *mi = e->sym->method;
        int d = target(F, dst, e->type);
        if (mi->is_static) { make_closure(F, mi->fi, d); return d; }
        int r = expr(F, e->lhs, -1);
        if (lt->kind == T_CLASS && mi->vslot >= 0) { emit_abc(F, OP_BINDM, d, r, 1); emit(F, add_type(F, mi->owner->type) | ((uint32_t)mi->vslot << 16)); }
        else if (lt->kind == T_TRAIT || mi->owner->kind == T_TRAIT) { emit_abc(F, OP_BINDM, d, r, 2);   /* a subclass may override a trait default */ emit(F, add_type(F, mi->owner->type) | ((uint32_t)mi->tslot << 16)); }
        else { emit_abc(F, OP_BINDM, d, r, 0); emit(F, add_proto(F, decl_proto(F, mi->fd))); }
        return d;
    }
    if (on_type) {
        if (f && f->is_static) return load_sym(F, f->global, f->type, dst);
        int d = target(F, dst, e->type);              /* an enum variant */
        load_int(F, d, e->lit.i);
        return d;
    }
    int r = expr(F, e->lhs, -1);
    if (lt->kind == T_ENUM) {
        if (strcmp(e->str, "ordinal") == 0) {      /* a lookup: hot reload may reorder variants */
            int d = target(F, dst, e->type);
            emit_abc(F, OP_ENUMORD, d, r, 0);
            emit(F, add_type(F, lt));
            return d;
        }
        NominalInfo *n = lt->nom;
        uint32_t fi = 0;
        while (fi < n->nenum_fields && strcmp(n->enum_field_names[fi], e->str) != 0) fi++;
        int d = target(F, dst, e->type);
        emit_abc(F, OP_ENUMF, d, r, 0);
        emit(F, add_type(F, lt) | (fi << 16));
        return d;
    }
    int d = target(F, dst, e->type);
    if (f->getter && e->op != TK_ASSIGN) { call_accessor(F, f->getter, r, -1, d, e->type); return d; }
    emit_abc(F, is_ref(e->type) ? OP_GETF_REF : OP_GETF, d, r, (int)f->slot);
    return d;
}

static int lambda(FnState *F, Expr *e, int dst) {
    FnInfo *fi = (FnInfo *)e->fn->check;
    compile_function(F, fi, NULL);          /* once: compile_function returns code it made before */
    int d = target(F, dst, e->type);
    make_closure(F, fi, d);
    return d;
}

static int expr_inner(FnState *F, Expr *e, int dst) {
    TypeTable *tt = &F->vm->types;
    switch (e->kind) {
    case E_INT: { int d = target(F, dst, e->type); load_int(F, d, e->lit.i); return d; }
    case E_FLOAT: { int d = target(F, dst, e->type); load_float(F, d, e->lit.f); return d; }
    case E_BOOL: { int d = target(F, dst, e->type); load_int(F, d, e->lit.b); return d; }
    case E_NULL: { int d = target(F, dst, e->type); if (e->type->kind == T_NULL) load_int(F, d, 0); else load_null(F, d, e->type); return d; }
    case E_STRING: { int d = target(F, dst, e->type); load_str(F, d, e->str, e->str_len); return d; }
    case E_INTERP: return concat_parts(F, e->elems, e->nelems, dst);
    case E_NAME: {
        int r = load_sym(F, e->sym, e->type, -1);
        if (e->sym->kind == SYM_LOCAL) return narrowed_read(F, e, r, dst);
        if (dst >= 0 && r != dst) { move(F, dst, r, e->type); return dst; }
        return r;
    }
    case E_UNARY: {
        if (e->op == TK_MINUS && e->lhs->kind == E_INT) {
            int d = target(F, dst, e->type);
            load_int(F, d, (int64_t)(0 - (uint64_t)e->lhs->lit.i));
            return d;
        }
        if (e->op == TK_MINUS && e->lhs->kind == E_FLOAT) {
            int d = target(F, dst, e->type);
            load_float(F, d, -e->lhs->lit.f);
            return d;
        }
        if (e->check) return method_call(F, (CallInfo *)e->check, e->type, dst);     /* -a -> a.negate() */
        int r = expr(F, e->lhs, -1);
        int d = target(F, dst, e->type);
        OpCode op = e->op == TK_BANG ? OP_NOT : e->op == TK_TILDE ? OP_BNOT : e->type->kind == T_FLOAT ? OP_NEG_FLOAT : OP_NEG_INT;
        emit_abc(F, op, d, r, 0);
        return d;
    }
    case E_BINARY: return binary(F, e, dst);
    case E_TERNARY: {
        int d = target(F, dst, e->type);
        JumpList jf = {0};
        cond_jump(F, e->cond, false, &jf);
        expr(F, e->lhs, d);
        uint32_t jend = emit_jump(F, OP_JMP, 0, 0, 0);
        jl_patch(F, &jf, here(F));
        expr(F, e->rhs, d);
        patch_here(F, jend);
        return d;
    }
    case E_AS: {
        Type *from = e->lhs->type, *to = e->type;
        int r = expr(F, e->lhs, -1);
        if (from == to) { if (dst >= 0) { move(F, dst, r, to); return dst; } return r; }
        if (from->kind == T_ANY) {
            int d = target(F, dst, to);
            emit_abc(F, OP_ANYCAST, d, r, 0);
            emit(F, add_type(F, to));
            return d;
        }
        if (to->kind == T_CLASS || to->kind == T_TRAIT) {      /* checked downcast; upcasts need nothing */
            if (!ty_is_subtype(from, to)) { emit_abc(F, OP_CASTTYPE, r, 0, 0); emit(F, add_type(F, to)); }
            if (dst >= 0) { move(F, dst, r, to); return dst; }
            return r;
        }
        int d = target(F, dst, to);
        emit_abc(F, to->kind == T_FLOAT ? OP_I2F : OP_F2I, d, r, 0);
        return d;
    }
    case E_CONVERT: {
        if (e->check) {     /* the preloaded left operand of a compound assignment */
            int r = (int)(intptr_t)e->check - 1;
            if (dst >= 0) { move(F, dst, r, e->type); return dst; }
            return r;
        }
        int r = expr(F, e->lhs, -1);
        return convert_reg(F, r, e->lhs->type, e->type, dst);
    }
    case E_CALL: return call(F, e, dst);
    case E_INDEX: {
        Type *ct = e->lhs->type;
        int c = expr(F, e->lhs, -1), i = expr(F, e->rhs, -1);
        int d = target(F, dst, e->type);
        if (ct->kind == T_ARRAY) emit_abc(F, is_ref(e->type) ? OP_AGET_REF : OP_AGET, d, c, i);
        else emit_abc(F, OP_DGET, d, c, i);
        return d;
    }
    case E_SELF: {
        int r = load_sym(F, e->sym, e->type, -1);
        if (dst >= 0 && r != dst) { move(F, dst, r, e->type); return dst; }
        return r;
    }
    case E_MEMBER: {
        Type *lt = e->lhs->type;
        if (!e->is_tuple_index && (lt->kind == T_STRUCT || lt->kind == T_CLASS || lt->kind == T_ENUM || lt->kind == T_TRAIT))
            return user_member(F, e, dst);
        if (!e->is_tuple_index && lt->kind == T_HOST) {      /* a host field: the host's memory */
            int o = expr(F, e->lhs, -1);
            int d = target(F, dst, e->type);
            emit_abc(F, is_ref(e->type) ? OP_HGET_REF : OP_HGET, d, o, (int)((uintptr_t)e->check - 1));
            return d;
        }
        int r = expr(F, e->lhs, -1);
        if (e->is_tuple_index) {
            int d = target(F, dst, e->type);
            emit_abc(F, is_ref(e->type) ? OP_TGET_REF : OP_TGET, d, r, (int)strtol(e->str, NULL, 10));
            return d;
        }
        if (lt->kind == T_RESULT) {          /* isSuccess / isError */
            int d = target(F, dst, e->type);
            emit_abc(F, OP_RESISOK, d, r, 0);
            if (strcmp(e->str, "isError") == 0) emit_abc(F, OP_NOT, d, d, 0);
            return d;
        }
        /* hasValue */
        return null_test(F, r, lt, dst, true);
    }
    case E_SAFE_MEMBER: {
        Type *lt = e->lhs->type;
        int r = expr(F, e->lhs, -1);
        int d = target(F, dst, e->type);
        load_null(F, d, e->type);
        uint32_t j = jump_if_null(F, r, lt);
        if (!e->is_tuple_index) {            /* x?.member on a struct, class, enum or Result */
            Type *in = lt->a;
            Type *mt = e->type->kind == T_OPTIONAL ? e->type->a : e->type;
            int v = temp(F, mt);
            if (in->kind == T_RESULT) {
                emit_abc(F, OP_RESISOK, v, r, 0);
                if (strcmp(e->str, "isError") == 0) emit_abc(F, OP_NOT, v, v, 0);
            } else if (in->kind == T_ENUM && strcmp(e->str, "ordinal") == 0) {
                emit_abc(F, OP_ENUMORD, v, r, 0);
                emit(F, add_type(F, in));
            } else if (in->kind == T_ENUM) {
                NominalInfo *n = in->nom;
                uint32_t fi = 0;
                while (fi < n->nenum_fields && strcmp(n->enum_field_names[fi], e->str) != 0) fi++;
                emit_abc(F, OP_ENUMF, v, r, 0);
                emit(F, add_type(F, in) | (fi << 16));
            } else {
                FieldInfo *f = (FieldInfo *)e->check;
                if (f->getter) call_accessor(F, f->getter, r, -1, v, f->type);
                else emit_abc(F, is_ref(f->type) ? OP_GETF_REF : OP_GETF, v, r, (int)f->slot);
            }
            convert_reg(F, v, mt, e->type, d);
            patch_here(F, j);
            return d;
        }
        Type *et = lt->a->args[strtol(e->str, NULL, 10)];
        int v = temp(F, et);
        emit_abc(F, is_ref(et) ? OP_TGET_REF : OP_TGET, v, r, (int)strtol(e->str, NULL, 10));
        convert_reg(F, v, et, e->type, d);
        patch_here(F, j);
        return d;
    }
    case E_UNWRAP: {
        Type *lt = e->lhs->type;
        int r = expr(F, e->lhs, -1);
        emit_abc(F, OP_UNWRAP, r, 0, 0);
        emit(F, add_type(F, lt));
        if (lt->a->kind == T_INT) { int d = target(F, dst, e->type); emit_abc(F, OP_UNBOXINT, d, r, 0); return d; }
        if (dst >= 0) { move(F, dst, r, e->type); return dst; }
        return r;
    }
    case E_TUPLE: {
        int d = target(F, dst, e->type);
        int t = dst >= 0 ? temp(F, e->type) : d;
        emit_abx(F, OP_NEWTUPLE, t, add_type(F, e->type));
        for (uint32_t i = 0; i < e->nelems; i++) {
            uint32_t m = F->ntemps;
            int r = expr(F, e->elems[i], -1);
            emit_abc(F, OP_TSET, t, i, r);
            free_temps(F, m);
        }
        if (t != d) move(F, d, t, e->type);
        return d;
    }
    case E_ARRAY: {
        int d = target(F, dst, e->type);
        int t = dst >= 0 ? temp(F, e->type) : d;
        emit_abx(F, OP_NEWARR, t, add_type(F, e->type));
        for (uint32_t i = 0; i < e->nelems; i++) {
            Expr *x = e->elems[i];
            uint32_t m = F->ntemps;
            if (x->kind == E_SPREAD) { int r = expr(F, x->lhs, -1); emit_abc(F, OP_ASPREAD, t, r, 0); }
            else { int r = expr(F, x, -1); emit_abc(F, OP_APUSH, t, r, 0); }
            free_temps(F, m);
        }
        if (t != d) move(F, d, t, e->type);
        return d;
    }
    case E_DICT: {
        int d = target(F, dst, e->type);
        int t = dst >= 0 ? temp(F, e->type) : d;
        emit_abx(F, OP_NEWDICT, t, add_type(F, e->type));
        for (uint32_t i = 0; i < e->nelems; i++) {
            uint32_t m = F->ntemps;
            if (!e->keys[i]) { int r = expr(F, e->elems[i]->lhs, -1); emit_abc(F, OP_DSPREAD, t, r, 0); }
            else {
                int k = expr(F, e->keys[i], -1), v = expr(F, e->elems[i], -1);
                emit_abc(F, OP_DSET, t, k, v);
            }
            free_temps(F, m);
        }
        if (t != d) move(F, d, t, e->type);
        return d;
    }
    case E_IS: {
        Type *lt = e->lhs->type;
        Type *base = lt->kind == T_OPTIONAL ? lt->a : lt;
        int r = expr(F, e->lhs, -1);
        if (lt->kind == T_ANY) {
            int d = target(F, dst, e->type);
            emit_abc(F, OP_ANYIS, d, r, 0);
            emit(F, add_type(F, (Type *)e->check));
            return d;
        }
        if (base->kind == T_CLASS || base->kind == T_TRAIT) {
            /* the tested type, resolved by the checker */
            Type *t = (Type *)e->check;
            int d = target(F, dst, e->type);
            emit_abc(F, OP_ISTYPE, d, r, 0);
            emit(F, add_type(F, t));
            return d;
        }
        return null_test(F, r, lt, dst, true);
    }
    case E_PROPAGATE: {           /* r?: the payload, or return r's error from here */
        Type *lt = e->lhs->type, *fr = (Type *)e->check;
        int l = expr(F, e->lhs, -1);
        int ok = temp(F, F->vm->types.t_bool);
        emit_abc(F, OP_RESISOK, ok, l, 0);
        uint32_t jok = emit_jump(F, OP_JT, ok, 0, 0);
        int m = temp(F, F->vm->types.t_string), r = temp(F, fr);
        emit_abc(F, OP_RESMSG, m, l, 0);
        emit_abc(F, OP_RESERR, r, m, 0);
        emit(F, add_type(F, fr));
        emit_abc(F, OP_RET, r, 0, 0);
        patch_here(F, jok);
        if (lt->a->kind == T_VOID) return 0;
        int d = target(F, dst, e->type);
        emit_abc(F, OP_RESVAL, d, l, is_ref(e->type));
        return d;
    }
    case E_LAMBDA: return lambda(F, e, dst);
    case E_YIELD:
        /* awaiting a coroutine is a call on the task's stack; a wait suspends */
        if (e->lhs && e->lhs->type->kind != T_WAIT) return expr(F, e->lhs, dst);
        emit_abc(F, OP_YIELD, e->lhs ? expr(F, e->lhs, -1) : 255, 0, 0);
        return 0;
    case E_WHEN: return when(F, e->when, e->type, dst);
    default: break;
    }
    (void)tt;
    return dst >= 0 ? dst : 0;
}

static int expr(FnState *F, Expr *e, int dst) {
    uint32_t saved = F->line;
    if (e->span.line) F->line = e->span.line;
    int r = expr_inner(F, e, dst);
    F->line = saved;
    return r;
}

/* ------------------------------------------------------------------ */
/* assignment targets */


static void resolve_loc(FnState *F, Expr *t, Loc *out, Loc *pool, int *npool) {
    out->t = t->type;
    out->got = false;
    switch (t->kind) {
    case E_NAME: {
        Sym *s = t->sym;
        out->t = s->type;
        if (s->kind == SYM_GLOBAL && s->bound) { out->kind = L_BOUND; out->idx = (int)s->bound_index; return; }
        if (s->kind == SYM_GLOBAL) { out->kind = L_GLOBAL; out->idx = s->global; return; }
        if (s->owner == F->fi) { out->kind = in_cell(s) ? L_CELL : L_REG; out->reg = s->reg; return; }
        out->kind = L_CAPCELL;
        out->idx = cap_index(F, s);
        return;
    }
    case E_INDEX:
        out->kind = t->lhs->type->kind == T_ARRAY ? L_ARR : L_DICT;
        out->obj = expr(F, t->lhs, -1);
        out->key = expr(F, t->rhs, -1);
        return;
    case E_SELF:
        out->kind = L_REG;
        out->reg = load_sym(F, t->sym, t->type, -1);
        out->t = t->type;
        return;
    case E_MEMBER: {
        if (!t->is_tuple_index && t->lhs->type->kind == T_HOST) {
            out->kind = L_HOSTF;
            out->idx = (int)((uintptr_t)t->check - 1);
            out->t = t->type;
            out->obj = expr(F, t->lhs, -1);
            return;
        }
        if (!t->is_tuple_index) {
            FieldInfo *f = (FieldInfo *)t->check;
            if (f->is_static) { out->kind = L_GLOBAL; out->idx = f->global->global; out->t = f->type; return; }
            out->kind = L_FIELD;
            out->idx = (int)f->slot;
            out->t = f->type;
            out->field = f;
            out->raw = t->op == TK_ASSIGN;
            Type *lt = t->lhs->type;
            if (lt->kind == T_STRUCT) {            /* a struct: modify it where it is stored */
                Loc *p = &pool[(*npool)++];
                resolve_loc(F, t->lhs, p, pool, npool);
                out->parent = p;
            } else {                                /* a class instance: a reference */
                out->parent = NULL;
                out->obj = expr(F, t->lhs, -1);
            }
            return;
        }
        Loc *p = &pool[(*npool)++];
        resolve_loc(F, t->lhs, p, pool, npool);
        out->kind = L_TUPLE;
        out->parent = p;
        out->idx = (int)strtol(t->str, NULL, 10);
        return;
    }
    default: return;
    }
}

static int load_loc(FnState *F, Loc *l) {
    bool ref = is_ref(l->t);
    switch (l->kind) {
    case L_REG: return l->reg;
    case L_CELL: { int r = temp(F, l->t); emit_abc(F, ref ? OP_GETCELL_REF : OP_GETCELL, r, l->reg, 0); return r; }
    case L_CAPCELL: {
        int c = borrowed_temp(F);
        emit_abc(F, OP_GETCAP, c, l->idx, 0);
        int r = temp(F, l->t);
        emit_abc(F, ref ? OP_GETCELL_REF : OP_GETCELL, r, c, 0);
        return r;
    }
    case L_GLOBAL: { int r = temp(F, l->t); emit_abx(F, ref ? OP_GETG_REF : OP_GETG, r, (uint32_t)l->idx); return r; }
    case L_BOUND: { int r = temp(F, l->t); emit_abx(F, ref ? OP_BGET_REF : OP_BGET, r, (uint32_t)l->idx); return r; }
    case L_ARR: { int r = temp(F, l->t); emit_abc(F, ref ? OP_AGET_REF : OP_AGET, r, l->obj, l->key); return r; }
    case L_DICT: { int r = temp(F, l->t); emit_abc(F, OP_DGET, r, l->obj, l->key); return r; }
    case L_TUPLE: {
        int p = load_loc(F, l->parent);
        int r = temp(F, l->t);
        emit_abc(F, ref ? OP_TGET_REF : OP_TGET, r, p, l->idx);
        return r;
    }
    case L_HOSTF: { int r = temp(F, l->t); emit_abc(F, ref ? OP_HGET_REF : OP_HGET, r, l->obj, l->idx); return r; }
    case L_FIELD: {
        if (l->got) return l->got_reg;          /* a target's getter runs once (§8.6) */
        int o = l->parent ? load_loc(F, l->parent) : l->obj;
        int r = temp(F, l->t);
        if (l->field->getter && !l->raw) {
            call_accessor(F, l->field->getter, o, -1, r, l->t);
            l->got = true;
            l->got_reg = r;
        } else emit_abc(F, ref ? OP_GETF_REF : OP_GETF, r, o, l->idx);
        return r;
    }
    }
    return 0;
}

static void store_loc(FnState *F, Loc *l, int v) {
    bool ref = is_ref(l->t);
    switch (l->kind) {
    case L_REG:
        if (v != l->reg) emit_abc(F, !ref ? OP_MOVE : owned_temp(F, v) ? OP_MOVE_OWN : OP_MOVE_REF, l->reg, v, 0);
        return;
    case L_CELL: emit_abc(F, ref ? OP_SETCELL_REF : OP_SETCELL, l->reg, v, 0); return;
    case L_CAPCELL: {
        int c = borrowed_temp(F);
        emit_abc(F, OP_GETCAP, c, l->idx, 0);
        emit_abc(F, ref ? OP_SETCELL_REF : OP_SETCELL, c, v, 0);
        return;
    }
    case L_GLOBAL: emit_abx(F, ref ? OP_SETG_REF : OP_SETG, v, (uint32_t)l->idx); return;
    case L_BOUND: emit_abx(F, OP_BSET, v, (uint32_t)l->idx); return;
    case L_ARR: emit_abc(F, OP_ASET, l->obj, l->key, v); return;
    case L_DICT: emit_abc(F, OP_DSET, l->obj, l->key, v); return;
    case L_HOSTF: emit_abc(F, OP_HSET, l->obj, l->idx, v); return;
    case L_TUPLE: {
        int p = load_loc(F, l->parent);
        int t = temp(F, l->parent->t);
        emit_abc(F, OP_MOVE_REF, t, p, 0);
        emit_abc(F, OP_TUNIQUE, t, 0, 0);
        emit_abc(F, OP_TSET, t, l->idx, v);
        store_loc(F, l->parent, t);
        return;
    }
    case L_FIELD:
        if (l->field->setter && !l->raw) {        /* a property: its setter runs */
            if (!l->parent) { call_accessor(F, l->field->setter, l->obj, v, 0, l->t); return; }
            /* a struct property: the setter mutates a copy that is stored back */
            int p = load_loc(F, l->parent);
            int t = temp(F, l->parent->t);
            emit_abc(F, OP_MOVE_REF, t, p, 0);
            call_accessor(F, l->field->setter, t, v, 0, l->t);
            store_loc(F, l->parent, t);
            return;
        }
        if (!l->parent) { emit_abc(F, OP_SETF, l->obj, l->idx, v); return; }
        if (l->parent->kind == L_REG) {             /* a struct variable: copy if shared, then write */
            emit_abc(F, OP_SUNIQUE, l->parent->reg, 0, 0);
            emit_abc(F, OP_SETF, l->parent->reg, l->idx, v);
            return;
        }
        {
            int p = load_loc(F, l->parent);
            int t = temp(F, l->parent->t);
            emit_abc(F, OP_MOVE_REF, t, p, 0);
            emit_abc(F, OP_SUNIQUE, t, 0, 0);
            emit_abc(F, OP_SETF, t, l->idx, v);
            store_loc(F, l->parent, t);
        }
        return;
    }
}

/* A leaf of a (possibly nested) tuple of assignment targets and its element path. */
typedef struct TupleLeaf {
    Expr *target;
    Loc loc;
    uint8_t path[8];
    uint32_t depth;
} TupleLeaf;

static void collect_leaves(Expr *t, TupleLeaf *out, uint32_t *n, uint32_t depth, const uint8_t *path) {
    for (uint32_t i = 0; i < t->nelems && *n < 64; i++) {
        uint8_t p[8];
        if (depth) memcpy(p, path, depth);
        p[depth < 7 ? depth : 7] = (uint8_t)i;
        Expr *x = t->elems[i];
        if (x->kind == E_TUPLE && depth + 1 < 8) { collect_leaves(x, out, n, depth + 1, p); continue; }
        out[*n].target = x;
        memcpy(out[*n].path, p, depth + 1);
        out[*n].depth = depth + 1;
        (*n)++;
    }
}

/* Values that may be computed straight into an existing variable's register:
 * single instructions that read their operands before writing. */
static bool safe_direct(Expr *e) {
    switch (e->kind) {
    case E_INT: case E_FLOAT: case E_BOOL: case E_STRING: case E_INDEX: case E_CALL: case E_UNARY: return true;
    case E_BINARY:
        return e->op != TK_ANDAND && e->op != TK_OROR && e->op != TK_QQ && e->op != TK_DOTDOT;
    default: return false;
    }
}

/* Appends string v to the string variable at l, in place when unshared. */
static void emit_append(FnState *F, Loc *l, int v) {
    if (l->kind == L_REG) emit_abc(F, OP_CONCAT, l->reg, l->reg, v);
    else emit_abx(F, OP_GAPPEND, v, (uint32_t)l->idx);
}

/* s = s + x and s = s .. a .. b on a string variable: the tail is built first
 * (it may read s), then appended in place, so building a string in a loop is
 * linear instead of quadratic. */
static bool append_assign(FnState *F, Stmt *s, Loc *l) {
    Expr *v0 = s->value;
    if ((l->kind != L_REG && l->kind != L_GLOBAL) || l->t->kind != T_STRING || v0->kind != E_BINARY || v0->check)
        return false;
    Expr *parts[256];
    uint32_t n = 0;
    if (v0->op == TK_DOTDOT) collect_concat(v0, parts, &n, 256);
    else if (v0->op == TK_PLUS) { parts[0] = v0->lhs; parts[1] = v0->rhs; n = 2; }
    if (n < 2 || parts[0]->kind != E_NAME || parts[0]->sym != s->target->sym) return false;
    emit_append(F, l, concat_parts(F, parts + 1, n - 1, -1));
    return true;
}

static void assign(FnState *F, Stmt *s) {
    Loc pool[64];
    int np = 0;
    if (s->target->kind == E_TUPLE) {
        /* every target location first (objects, indexes), then the value, then the stores */
        TupleLeaf leaves[64];
        uint32_t n = 0;
        collect_leaves(s->target, leaves, &n, 0, NULL);
        for (uint32_t i = 0; i < n; i++) resolve_loc(F, leaves[i].target, &leaves[i].loc, pool, &np);
        int v = expr(F, s->value, -1);
        for (uint32_t i = 0; i < n; i++) {
            int r = v;
            Type *t = s->value->type;
            for (uint32_t k = 0; k < leaves[i].depth; k++) {
                Type *et = t->args[leaves[i].path[k]];
                int x = temp(F, et);
                emit_abc(F, is_ref(et) ? OP_TGET_REF : OP_TGET, x, r, leaves[i].path[k]);
                r = x;
                t = et;
            }
            store_loc(F, &leaves[i].loc, r);
        }
        return;
    }
    Loc l;
    resolve_loc(F, s->target, &l, pool, &np);
    if (s->op == TK_ASSIGN) {
        if (append_assign(F, s, &l)) return;
        if (l.kind == L_REG && safe_direct(s->value) && s->value->type == l.t) { expr(F, s->value, l.reg); return; }
        int v = expr(F, s->value, -1);
        store_loc(F, &l, v);
        return;
    }
    /* compound: load once, combine, store back */
    Expr *b = (Expr *)s->check;
    if (s->op == TK_PLUSEQ && l.t->kind == T_STRING && (l.kind == L_REG || l.kind == L_GLOBAL)) {
        /* s += x appends in place when s is the only reference */
        emit_append(F, &l, expr(F, s->value, -1));
        return;
    }
    int cur = load_loc(F, &l);
    /* the binary's left operand is a copy of the target: preload it */
    Expr *lhs = b->lhs;
    while (lhs->kind == E_CONVERT) lhs = lhs->lhs;
    if (l.t->kind == T_OPTIONAL && lhs->type->kind == T_INT) {
        int u = temp(F, lhs->type);
        emit_abc(F, OP_UNBOXINT, u, cur, 0);
        cur = u;
    }
    ExprKind saved_kind = lhs->kind;
    lhs->kind = E_CONVERT;       /* marks "already in a register": see preloaded() */
    lhs->check = (void *)(intptr_t)(cur + 1);
    int r = expr(F, b, -1);
    lhs->kind = saved_kind;
    lhs->check = NULL;
    int v = convert_reg(F, r, b->type, l.t, -1);
    store_loc(F, &l, v);
}

/* ------------------------------------------------------------------ */
/* statements */

static void default_value(FnState *F, int r, Type *t) {
    switch (t->kind) {
    case T_INT: case T_BOOL: load_int(F, r, 0); break;
    case T_FLOAT: load_float(F, r, 0.0); break;
    case T_STRING: load_str(F, r, "", 0); break;
    case T_OPTIONAL: load_null(F, r, t); break;
    case T_ARRAY: emit_abx(F, OP_NEWARR, r, add_type(F, t)); break;
    case T_DICT: emit_abx(F, OP_NEWDICT, r, add_type(F, t)); break;
    default: break;
    }
}

/* Binds register v (of type t) to a declared pattern. */
static void bind(FnState *F, Pattern *p, int v, Type *t, bool v_is_fresh) {
    if (p->kind == PAT_IGNORE) return;
    if (p->kind == PAT_TUPLE) {
        for (uint32_t i = 0; i < p->nelems; i++) {
            Type *et = t->args[i];
            int r = temp(F, et);
            emit_abc(F, is_ref(et) ? OP_TGET_REF : OP_TGET, r, v, i);
            bind(F, p->elems[i], r, et, true);
        }
        return;
    }
    Sym *s = p->sym;
    if (s->kind == SYM_GLOBAL && s->bound) { emit_abx(F, OP_BSET, v, s->bound_index); return; }
    if (s->kind == SYM_GLOBAL) { emit_abx(F, is_ref(t) ? OP_SETG_REF : OP_SETG, v, (uint32_t)s->global); return; }
    int r = declare_local(F, s);
    if (in_cell(s)) { emit_abc(F, OP_NEWCELL, r, is_ref(t), v); return; }
    if (v != r) emit_abc(F, !is_ref(t) ? OP_MOVE : v_is_fresh && owned_temp(F, v) ? OP_MOVE_OWN : OP_MOVE_REF, r, v, 0);
}

static void var_decl(FnState *F, Stmt *s) {
    if (s->vkind == VK_CONST) return;
    Pattern *p = s->pat;
    Type *t = s->init ? s->init->type : p->sym ? p->sym->type : NULL;
    if (p->kind == PAT_NAME && p->sym->kind == SYM_LOCAL && !in_cell(p->sym)) {
        int r = declare_local(F, p->sym);
        uint32_t dbg = F->p->ndlocals;
        /* the new variable is not visible in its initializer, so build in place */
        F->busy[r] = true;
        if (s->init) expr(F, s->init, r);
        else default_value(F, r, p->sym->type);
        if (dbg && F->p->dlocals[dbg - 1].reg == r) F->p->dlocals[dbg - 1].start = here(F);   /* debuggers see it once set */
        return;
    }
    int v;
    if (s->init) v = expr(F, s->init, -1);
    else { v = temp(F, t); default_value(F, v, t); }
    bind(F, p, v, t, true);
}

static void loop_jump(FnState *F, bool is_break) {
    Loop *l = F->loop;
    clear_locals_above(F, l->nlocals, false);
    uint32_t at = emit_jump(F, OP_JMP, 0, 0, 0);
    jl_add(F, is_break ? &l->breaks : &l->continues, at);
}

static void while_stmt(FnState *F, Stmt *s) {
    Loop loop = {F->loop, {0}, {0}, F->nlocals};
    F->loop = &loop;
    uint32_t top = here(F);
    JumpList exit = {0};
    uint32_t tm = F->ntemps;
    cond_jump(F, s->cond, false, &exit);
    free_temps(F, tm);
    block(F, s->body);
    jl_patch(F, &loop.continues, here(F));
    emit_loop_to(F, top);
    jl_patch(F, &exit, here(F));
    jl_patch(F, &loop.breaks, here(F));
    F->loop = loop.outer;
}

static void for_stmt(FnState *F, Stmt *s) {
    TypeTable *tt = &F->vm->types;
    Expr *it = s->iter;
    Loop loop = {F->loop, {0}, {0}, 0};
    push_scope(F);
    if (it->kind == E_RANGE) {
        int i = alloc_reg(F, false), end = alloc_reg(F, false);
        expr(F, it->lhs, i);
        expr(F, it->rhs, end);
        bool incl = it->op == TK_DOTDOTEQ;
        uint32_t jskip = emit_jump(F, incl ? OP_JLT_INT : OP_JGE_INT, incl ? end : i, incl ? i : end, 0);
        uint32_t top = here(F);
        loop.nlocals = F->nlocals;
        F->loop = &loop;
        push_scope(F);
        int32_t dbg = -1;
        if (s->pat->kind == PAT_NAME) {
            Sym *sym = s->pat->sym;
            if (in_cell(sym) || sym->captured) { int r = declare_local(F, sym); emit_abc(F, OP_MOVE, r, i, 0); }
            else {                     /* the counter itself: the body cannot assign it */
                sym->reg = i;
                dbg = debug_local(F, sym);
            }
        }
        block(F, s->body);
        if (dbg >= 0) F->p->dlocals[dbg].end = here(F);
        pop_scope(F);
        jl_patch(F, &loop.continues, here(F));
        if (incl) {
            uint32_t jend = emit_jump(F, OP_JGE_INT, i, end, 0);
            emit_abc(F, OP_ADDI_INT, i, i, 1);
            emit_loop_to(F, top);
            patch_here(F, jend);
        } else {
            uint32_t at = emit_jump(F, OP_FORLOOP, i, end, 0);
            patch_to(F, at, top);
        }
        patch_here(F, jskip);
        jl_patch(F, &loop.breaks, here(F));
        F->busy[i] = F->busy[end] = false;
    } else if (it->type->kind == T_ARRAY) {
        Type *at = it->type, *et = at->a;
        int a = alloc_reg(F, true);
        uint32_t tm = F->ntemps;
        expr(F, it, a);
        free_temps(F, tm);
        int i = alloc_reg(F, false), n = alloc_reg(F, false);
        load_int(F, i, 0);
        uint32_t top = here(F);
        emit_abc(F, OP_ALEN, n, a, 0);
        uint32_t jexit = emit_jump(F, OP_JGE_INT, i, n, 0);
        loop.nlocals = F->nlocals;
        F->loop = &loop;
        push_scope(F);
        int x = alloc_reg(F, is_ref(et));
        emit_abc(F, is_ref(et) ? OP_AGET_REF : OP_AGET, x, a, i);
        bind(F, s->pat, x, et, false);
        block(F, s->body);
        pop_scope(F);
        jl_patch(F, &loop.continues, here(F));
        emit_abc(F, OP_ADDI_INT, i, i, 1);
        emit_loop_to(F, top);
        patch_here(F, jexit);
        jl_patch(F, &loop.breaks, here(F));
        if (is_ref(et)) emit_abc(F, OP_CLEAR, x, 0, 0);
        emit_abc(F, OP_CLEAR, a, 0, 0);
        F->busy[a] = F->busy[i] = F->busy[n] = F->busy[x] = false;
    } else {
        Type *dt = it->type, *kt = dt->a, *vt = dt->b;
        int d = alloc_reg(F, true);
        uint32_t tm = F->ntemps;
        expr(F, it, d);
        free_temps(F, tm);
        int pos = alloc_reg(F, false), ver = alloc_reg(F, false);
        load_int(F, pos, 0);
        emit_abc(F, OP_DVERSION, ver, d, 0);
        int k = alloc_reg(F, is_ref(kt)), v = alloc_reg(F, is_ref(vt));
        bool pair = s->pat->kind == PAT_TUPLE;
        uint32_t top = here(F);
        emit_abc(F, OP_DITER, d, pos, ver);
        emit(F, (uint32_t)k | ((uint32_t)v << 8) | ((pair ? 3u : 1u) << 16));
        uint32_t jexit = emit(F, 0);
        loop.nlocals = F->nlocals;
        F->loop = &loop;
        push_scope(F);
        if (pair) {
            bind(F, s->pat->elems[0], k, kt, false);
            bind(F, s->pat->elems[1], v, vt, false);
        } else bind(F, s->pat, k, kt, false);
        block(F, s->body);
        pop_scope(F);
        jl_patch(F, &loop.continues, here(F));
        emit_loop_to(F, top);
        patch_here(F, jexit);
        jl_patch(F, &loop.breaks, here(F));
        if (is_ref(kt)) emit_abc(F, OP_CLEAR, k, 0, 0);
        if (is_ref(vt)) emit_abc(F, OP_CLEAR, v, 0, 0);
        emit_abc(F, OP_CLEAR, d, 0, 0);
        F->busy[d] = F->busy[pos] = F->busy[ver] = F->busy[k] = F->busy[v] = false;
    }
    F->loop = loop.outer;
    pop_scope(F);
    (void)tt;
}

static void stmt(FnState *F, Stmt *s) {
    uint32_t saved_line = F->line;
    F->line = s->span.line;
    uint32_t tm = F->ntemps;
    switch (s->kind) {
    case S_VAR: var_decl(F, s); break;
    case S_FUNC: {
        FnInfo *fi = (FnInfo *)s->fn->check;
        if (!s->fn->sym || s->fn->sym->kind != SYM_LOCALFUNC) break;   /* top level: compiled separately */
        compile_function(F, fi, s->fn->name);
        int r = declare_local(F, s->fn->sym);
        make_closure(F, fi, r);
        break;
    }
    case S_IF: {
        JumpList jf = {0};
        cond_jump(F, s->cond, false, &jf);
        free_temps(F, tm);
        block(F, s->then);
        if (s->els) {
            uint32_t jend = emit_jump(F, OP_JMP, 0, 0, 0);
            jl_patch(F, &jf, here(F));
            stmt(F, s->els);
            patch_here(F, jend);
        } else {
            jl_patch(F, &jf, here(F));
        }
        break;
    }
    case S_WHILE: while_stmt(F, s); break;
    case S_FOR: for_stmt(F, s); break;
    case S_WHEN: when(F, s->when, NULL, -1); break;
    case S_RETURN:
        if (s->value) {
            int r = expr(F, s->value, -1);
            emit_abc(F, OP_RET, r, 0, 0);
        } else {
            emit_abc(F, OP_RET0, 0, 0, 0);
        }
        break;
    case S_BREAK: loop_jump(F, true); break;
    case S_CONTINUE: loop_jump(F, false); break;
    case S_START: {
        Sym *owner = (Sym *)s->check;
        F->start_owner = owner ? load_sym(F, owner, owner->type, -1) : 255;
        F->start_ci = (CallInfo *)s->value->check;
        expr(F, s->value, -1);
        break;
    }
    case S_YIELD: expr(F, s->value, -1); break;
    case S_ASSIGN: assign(F, s); break;
    case S_BLOCK: block(F, s->body); break;
    case S_EXPR: expr(F, s->value, -1); break;
    default: break;
    }
    free_temps(F, tm);
    F->line = saved_line;
}

static void block(FnState *F, Block *b) {
    push_scope(F);
    for (uint32_t i = 0; i < b->n; i++) stmt(F, b->stmts[i]);
    uint32_t saved = F->line;
    F->line = b->span.end_line ? b->span.end_line : F->line;
    pop_scope(F);
    F->line = saved;
}

/* ------------------------------------------------------------------ */
/* functions */

static void finish_proto(FnState *F, uint32_t nparams) {
    Proto *p = F->p;
    p->nregs = F->nregs;
    p->nparams = nparams;
    /* owned references: everything but the borrowed parameters (an inout self is owned) */
    uint32_t nref = p->inout_self ? 1 : 0;
    for (uint32_t i = nparams; i < F->nregs; i++) if (F->kind[i] == 2) nref++;
    p->refregs = pool_alloc(F->vm, &F->m->pool, nref ? nref : 1);
    p->nrefregs = 0;
    for (uint32_t i = nparams; i < F->nregs; i++) if (F->kind[i] == 2) p->refregs[p->nrefregs++] = (uint8_t)i;
    p->nrefnull = p->nrefregs;              /* nulled at entry: not the parameters */
    if (p->inout_self) p->refregs[p->nrefregs++] = 0;   /* released at exit, handed back at return */
    p->param_is_ref = pool_alloc(F->vm, &F->m->pool, sizeof(bool) * (nparams ? nparams : 1));
    for (uint32_t i = 0; i < nparams; i++) p->param_is_ref[i] = F->kind[i] == 2;
    FnInfo *fi = F->fi;
    p->ncap = fi->ncaps;
    p->cap_is_ref = pool_alloc(F->vm, &F->m->pool, sizeof(bool) * (fi->ncaps ? fi->ncaps : 1));
    for (uint32_t i = 0; i < fi->ncaps; i++) p->cap_is_ref[i] = in_cell(fi->caps[i]) || is_ref(fi->caps[i]->type);
    p->ret_is_ref = fi->ret && is_ref(fi->ret);
    VEC_FREE(F->vm, F->locals, F->caplocals);
    VEC_FREE(F->vm, F->scope_marks, F->capscopes);
}

/* A parameter's default as a function of its own, for host calls that
 * omit the argument (script calls compile defaults at the call site).
 * Defaults see only the declaration's scope: no locals, no captures. */
static Proto *compile_thunk(FnState *parent, Expr *def, Type *t) {
    FnState F0, *F = &F0;
    memset(F, 0, sizeof *F);
    FnInfo fi;
    memset(&fi, 0, sizeof fi);
    fi.ret = t;
    F->parent = parent;
    F->diags = parent->diags;
    F->src = parent->src;
    F->vm = parent->vm;
    F->m = parent->m;
    F->fi = &fi;
    F->p = proto_new(F->vm, F->m, "<default>");
    F->p->file = F->src ? F->src->name : NULL;
    F->p->hidden = true;
    F->line = def->span.line;
    push_scope(F);
    int r = expr(F, def, -1);
    emit_abc(F, OP_RET, r, 0, 0);
    F->nscopes = 0;
    finish_proto(F, 0);
    return F->p;
}

/* What host calls need to know of a top-level function or method. */
static void host_facts(FnState *F, FuncDecl *fd, FnInfo *fi) {
    Proto *p = F->p;
    p->ftype = fi->type && fi->type->kind == T_FUNC ? fi->type : NULL;
    p->is_coroutine = chk_is_coroutine(fd);
    p->variadic = fd->nparams && fd->params[fd->nparams - 1].variadic;
    p->nrequired = 0;
    for (uint32_t i = 0; i < fd->nparams; i++) if (!fd->params[i].def && !fd->params[i].variadic) p->nrequired++;
    if (p->nrequired + (p->variadic ? 1 : 0) == fd->nparams || fi->callee_defaults || !p->ftype) return;
    p->defaults = mem_calloc(F->vm, sizeof(Proto *) * fi->type->n);
    for (uint32_t i = 0; i < fd->nparams; i++)
        if (fd->params[i].def) p->defaults[i] = compile_thunk(F, fd->params[i].def, fi->type->args[i]);
}

static Proto *compile_function(FnState *parent, FnInfo *fi, const char *name) {
    FnState F0, *F = &F0;
    memset(F, 0, sizeof *F);
    F->parent = parent;
    F->diags = parent->diags;
    F->src = parent->src;
    F->vm = parent->vm;
    F->m = parent->m;
    F->fi = fi;
    FuncDecl *fd = fi->decl;
    /* a lambda in a field's default is compiled at every construction site:
     * its code is the same each time (it captures nothing of the site) */
    if (fi->proto && fi->proto->ncode) return fi->proto;
    if (!fi->proto) fi->proto = proto_new(F->vm, F->m, name);
    F->p = fi->proto;
    F->p->file = F->src ? F->src->name : NULL;
    F->p->hidden = F->p->file && lib_module_of_prelude(F->p->file);   /* library prelude code: not in traces */
    F->p->is_lambda = fd->is_lambda || !fd->name;
    F->line = fd->span.line;
    push_scope(F);
    uint32_t nparams = fd->nparams;
    if (fi->self_sym) {          /* methods: the receiver is register 0 */
        declare_local(F, fi->self_sym);
        nparams++;
        F->p->inout_self = fi->inout_self;
    }
    for (uint32_t i = 0; i < fd->nparams; i++) declare_local(F, fd->params[i].sym);
    if (fi->callee_defaults) {
        /* the hidden mask parameter: bit k set = the k-th defaulted argument was omitted */
        int mask = alloc_reg(F, false);
        nparams++;
        uint32_t k = 0;
        for (uint32_t i = 0; i < fd->nparams; i++) {
            Param *p = &fd->params[i];
            if (!p->def || p->variadic) continue;
            Sym *sym = p->sym;
            int param = sym->reg;
            int local = alloc_reg(F, is_ref(sym->type));
            uint32_t tm = F->ntemps;
            int bit = temp(F, F->vm->types.t_int);
            load_int(F, bit, (int64_t)((uint64_t)1 << k));
            emit_abc(F, OP_BAND, bit, mask, bit);
            uint32_t jsupplied = emit_jump(F, OP_JF, bit, 0, 0);
            free_temps(F, tm);
            expr(F, p->def, local);
            free_temps(F, tm);
            uint32_t jend = emit_jump(F, OP_JMP, 0, 0, 0);
            patch_here(F, jsupplied);
            emit_abc(F, is_ref(sym->type) ? OP_MOVE_REF : OP_MOVE, local, param, 0);
            patch_here(F, jend);
            sym->reg = local;        /* the body reads the owned copy */
            k++;
        }
    }
    if (fd->body_expr) {
        if (fi->ret->kind == T_VOID) { expr(F, fd->body_expr, -1); emit_abc(F, OP_RET0, 0, 0, 0); }
        else { int r = expr(F, fd->body_expr, -1); emit_abc(F, OP_RET, r, 0, 0); }
    } else {
        block(F, fd->body);
        F->line = fd->body->span.end_line ? fd->body->span.end_line : F->line;
        emit_abc(F, OP_RET0, 0, 0, 0);
    }
    F->nscopes = 0;
    if (F->overflow)
        diag_error(F->diags, F->src, fd->is_lambda || !fd->name ? fd->span : fd->name_span,
                   "function '%s' is too complex: it needs more than %d registers", name ? name : "<lambda>", MAX_REGS);
    finish_proto(F, nparams);
    if (!fd->is_lambda && fd->name) host_facts(F, fd, fi);
    return F->p;
}

/* A method table being built (published to the NominalInfo when complete). */
typedef struct MTable { const char **names; Proto **protos; uint32_t n, cap; } MTable;

static void add_method(VM *vm, MTable *t, const char *name, Proto *p) {
    for (uint32_t i = 0; i < t->n; i++)
        if (strcmp(t->names[i], name) == 0) { t->protos[i] = p; return; }   /* an override */
    if (t->n == t->cap) {
        uint32_t nc = t->cap ? t->cap * 2 : 8;
        const char **names = mem_alloc(vm, sizeof(char *) * nc);
        Proto **protos = mem_alloc(vm, sizeof(Proto *) * nc);
        if (t->cap) {
            memcpy(names, t->names, sizeof(char *) * t->n);
            memcpy(protos, t->protos, sizeof(Proto *) * t->n);
            mem_free(vm, t->names, sizeof(char *) * t->cap);
            mem_free(vm, t->protos, sizeof(Proto *) * t->cap);
        }
        t->names = names;
        t->protos = protos;
        t->cap = nc;
    }
    t->names[t->n] = mem_strndup(vm, name, strlen(name));   /* owned: outlives the load's arena (hot reload) */
    t->protos[t->n++] = p;
}

/* The public instance methods by name: inherited first, own ones
 * override, then trait defaults the class does not declare. */
static void method_table(FnState *S, TypeInfo *ti) {
    NominalInfo *n = ti->type->nom;
    MTable t = {0};
    if (ti->parent) {
        NominalInfo *pn = ti->parent->type->nom;
        for (uint32_t i = 0; i < pn->nmethods; i++) add_method(S->vm, &t, pn->method_names[i], pn->methods[i]);
    }
    for (uint32_t k = 0; k < ti->nmethods; k++) {
        MethodInfo *mi = ti->methods[k];
        if (mi->is_static || !mi->is_public || mi->is_template || !mi->fd->body || mi->accessor_of) continue;
        bool overload = false;          /* a struct's operator overloads: the first declared stands for the name */
        for (uint32_t j = 0; j < k && !overload; j++) overload = strcmp(ti->methods[j]->name, mi->name) == 0;
        if (overload) continue;
        add_method(S->vm, &t, mi->name, decl_proto(S, mi->fd));
    }
    for (uint32_t k = 0; ti->kind == T_CLASS && k < ti->ntraits; k++) {
        TypeInfo *tr = ti->traits[k];
        for (uint32_t q = 0; q < tr->nmethods; q++) {
            bool have = false;
            for (uint32_t i = 0; i < t.n; i++) if (strcmp(t.names[i], tr->methods[q]->name) == 0) have = true;
            if (!have && n->itables[k][q]) add_method(S->vm, &t, tr->methods[q]->name, n->itables[k][q]);
        }
    }
    if (t.cap) {                          /* exact size (shrinking), then published */
        t.names = mem_realloc(S->vm, t.names, sizeof(char *) * t.cap, sizeof(char *) * t.n);
        t.protos = mem_realloc(S->vm, t.protos, sizeof(Proto *) * t.cap, sizeof(Proto *) * t.n);
    }
    n->method_names = t.names;
    n->methods = t.protos;
    n->nmethods = t.n;
}

/* A hidden function made by the compiler (no declaration): F is ready for
 * code; finish with finish_proto. */
static void synthetic_fn(FnState *S, FnState *F, FnInfo *fi, const char *name, Type *ret) {
    memset(fi, 0, sizeof *fi);
    fi->ret = ret;
    memset(F, 0, sizeof *F);
    F->parent = S;
    F->diags = S->diags;
    F->src = S->src;
    F->vm = S->vm;
    F->m = S->m;
    F->fi = fi;
    F->p = proto_new(S->vm, S->m, name);
    F->p->file = F->src ? F->src->name : NULL;
    F->p->is_lambda = false;
}

/* What the library needs to build and inspect instances at run time
 * (fromJson, reflect): the properties' accessors per field, and a hidden
 * function that stores the defaults of the fields not given (bit i of its
 * mask argument set = field i given), as a constructor call would. */
static void compile_field_meta(FnState *S, TypeInfo *ti) {
    VM *vm = S->vm;
    NominalInfo *n = ti->type->nom;
    if (ti->kind != T_STRUCT && ti->kind != T_CLASS) return;
    bool any_def = false, any_acc = false;
    for (uint32_t i = 0; i < ti->nfields; i++) {
        if (ti->fields[i]->def) any_def = true;
        if (ti->fields[i]->getter || ti->fields[i]->setter) any_acc = true;
    }
    if (any_acc && !n->field_get) {
        n->nfield_meta = ti->nfields;
        n->field_get = mem_calloc(vm, sizeof(Proto *) * ti->nfields);
        n->field_set = mem_calloc(vm, sizeof(Proto *) * ti->nfields);
        for (uint32_t i = 0; i < ti->nfields; i++) {
            FieldInfo *f = ti->fields[i];
            if (f->getter) n->field_get[i] = decl_proto(S, f->getter->fd);
            if (f->setter) n->field_set[i] = decl_proto(S, f->setter->fd);
        }
    }
    if (!any_def || n->defaults) return;
    FnInfo fi0;
    FnState F0, *F = &F0;
    synthetic_fn(S, F, &fi0, ti->type->name, vm->types.t_void);
    int self = alloc_reg(F, true), mask = alloc_reg(F, false);
    for (uint32_t i = 0; i < ti->nfields; i++) {
        FieldInfo *f = ti->fields[i];
        if (!f->def) continue;
        uint32_t tm = F->ntemps;
        uint32_t jgiven = 0;
        if (i < 64) {
            int bit = temp(F, vm->types.t_int);
            load_int(F, bit, (int64_t)((uint64_t)1 << i));
            emit_abc(F, OP_BAND, bit, mask, bit);
            jgiven = emit_jump(F, OP_JT, bit, 0, 0);
            free_temps(F, tm);
        }
        int r = convert_reg(F, expr(F, f->def, -1), f->def->type, f->type, -1);
        emit_abc(F, OP_SETF, self, (int)i, r);
        free_temps(F, tm);
        if (i < 64) patch_here(F, jgiven);
    }
    emit_abc(F, OP_RET0, 0, 0, 0);
    finish_proto(F, 2);
    n->defaults = F->p;
}

/* Code of one user type: methods, accessors, dispatch tables. */
static void compile_type(FnState *S, TypeInfo *ti) {
    VM *vm = S->vm;
    for (uint32_t k = 0; k < ti->nmethods; k++) {
        MethodInfo *mi = ti->methods[k];
        if (mi->fd->body && !mi->is_template) compile_function(S, mi->fi, mi->fi->name);
    }
    for (uint32_t k = 0; k < ti->nfields; k++) {
        FieldInfo *f = ti->fields[k];
        if (f->owner != ti) continue;
        if (f->getter) compile_function(S, f->getter->fi, f->getter->fi->name)->is_toplevel = true;   /* hot reload forwards it */
        if (f->setter) compile_function(S, f->setter->fi, f->setter->fi->name)->is_toplevel = true;
    }
    NominalInfo *n = ti->type->nom;
    compile_field_meta(S, ti);
    if (ti->kind == T_CLASS && ti->ntraits) {       /* per trait: its methods' implementations */
        for (uint32_t k = 0; k < ti->ntraits; k++) {
            TypeInfo *tr = ti->traits[k];
            n->itable_len[k] = tr->nmethods ? tr->nmethods : 1;
            n->itables[k] = mem_alloc(vm, sizeof(Proto *) * n->itable_len[k]);
            for (uint32_t q = 0; q < tr->nmethods; q++) {
                MethodInfo *impl = NULL;
                for (TypeInfo *t = ti; t && !impl; t = t->parent)
                    for (uint32_t i2 = 0; i2 < t->nmethods; i2++)
                        if (strcmp(t->methods[i2]->name, tr->methods[q]->name) == 0) impl = t->methods[i2];
                n->itables[k][q] = decl_proto(S, (impl ? impl : tr->methods[q])->fd);
            }
        }
    }
    if (ti->kind == T_CLASS && ti->nvtable) {      /* the class's dispatch table, by slot */
        n->nvtable = ti->nvtable;
        n->vtable = mem_alloc(vm, sizeof(Proto *) * ti->nvtable);
        for (uint32_t k = 0; k < ti->nvtable; k++) n->vtable[k] = decl_proto(S, ti->vtable[k]->fd);
    }
    method_table(S, ti);
    if (vm->reload && ti->nfields && (ti->kind == T_STRUCT || ti->kind == T_CLASS)) {
        /* a hot reload may migrate live instances: the fields' defaults as functions */
        n->field_defaults = mem_calloc(vm, sizeof(Proto *) * n->nfields);
        for (uint32_t k = 0; k < ti->nfields; k++)
            if (ti->fields[k]->def && k < n->nfields) n->field_defaults[k] = compile_thunk(S, ti->fields[k]->def, ti->fields[k]->type);
    }
}

static bool is_type_stmt(const Stmt *st) {
    return st->kind == S_CLASS || st->kind == S_STRUCT || st->kind == S_ENUM || st->kind == S_TRAIT;
}

/* One module's top-level code: its types' static fields, then its statements. */
/* A hot reload runs only the initialisers of new and retyped globals
 * (runtime.md §11): other top-level statements do not run again. */
static bool pattern_kept(VM *vm, Pattern *p) {
    if (p->kind == PAT_NAME) return !p->sym || p->sym->kind != SYM_GLOBAL || reload_kept(vm, (uint32_t)p->sym->global);
    for (uint32_t i = 0; p->kind == PAT_TUPLE && i < p->nelems; i++) if (!pattern_kept(vm, p->elems[i])) return false;
    return true;
}

static bool reload_initialises(VM *vm, Stmt *st) {
    return st->kind == S_VAR && st->vkind != VK_CONST && !pattern_kept(vm, st->pat);
}

static Proto *compile_script(FnState *S, Program *prog, FnInfo *script) {
    S->fi = script;
    S->p = proto_new(S->vm, S->m, "<script>");
    S->p->file = prog->src->name;
    S->p->hidden = lib_module_of_prelude(S->p->file) != NULL;
    script->proto = S->p;
    S->src = prog->src;
    S->line = 1;
    memset(S->kind, 0, sizeof S->kind);
    memset(S->busy, 0, sizeof S->busy);
    S->nregs = 0;
    S->ntemps = 0;
    S->overflow = false;
    push_scope(S);
    for (uint32_t i = 0; i < prog->n; i++) {
        if (!is_type_stmt(prog->items[i]) || !prog->items[i]->td->check) continue;
        TypeInfo *ti = (TypeInfo *)prog->items[i]->td->check;
        for (uint32_t k = 0; k < ti->nstatics; k++) {
            FieldInfo *f = ti->statics[k];
            if (f->type->kind == T_ERROR) continue;
            if (reload_kept(S->vm, (uint32_t)f->global->global)) continue;   /* hot reload: kept */
            uint32_t m = S->ntemps;
            S->line = f->span.line;
            int r;
            if (f->def) r = expr(S, f->def, -1);
            else { r = temp(S, f->type); default_value(S, r, f->type); }
            emit_abx(S, is_ref(f->type) ? OP_SETG_REF : OP_SETG, r, (uint32_t)f->global->global);
            free_temps(S, m);
        }
    }
    for (uint32_t i = 0; i < prog->n; i++)
        if (!S->vm->reload || reload_initialises(S->vm, prog->items[i])) stmt(S, prog->items[i]);
    S->nscopes = 0;
    emit_abc(S, OP_RET0, 0, 0, 0);
    if (S->overflow) {
        Span sp = {1, 1, 1, 2, 0, 0};
        diag_error(S->diags, S->src, sp, "top-level code is too complex: it needs more than %d registers", MAX_REGS);
    }
    finish_proto(S, 0);
    return S->p;
}

/* Module names outlive the load that declared them (globals remember
 * their module for hot reload): one VM-owned copy each. */
static const char *intern_file(VM *vm, const char *name) {
    if (!name) return NULL;
    for (size_t i = 0; i < vm->nfiles; i++) if (strcmp(vm->files[i], name) == 0) return vm->files[i];
    char *c = mem_strndup(vm, name, strlen(name));
    VEC_PUSH(vm, vm->files, vm->nfiles, vm->capfiles, c);
    return c;
}

bool cg_modules(VM *vm, Module *m, Program **progs, uint32_t nprogs, CheckResult *cr, Diags *diags) {
    size_t nerr0 = diags->n;
    /* this load's globals get VM-wide slots after those of earlier loads */
    Globals *g = &vm->g;
    uint32_t base = g->nglobals;
    if (base + cr->nglobals > 65535) {
        Span sp = {1, 1, 1, 2, 0, 0};
        diag_error(diags, progs[nprogs - 1]->src, sp, "too many globals in this VM (more than 65535)");
        return false;
    }
    vm_globals_reserve(vm, base + cr->nglobals);
    uint32_t next = base;
    for (uint32_t i = 0; i < cr->nglobals; i++) {
        Sym *gs = cr->globals[i];
        int keep = vm->reload ? reload_keep_global(vm, gs->name, gs->file, gs->type) : -1;
        if (keep >= 0) { gs->global = keep; continue; }     /* hot reload: the value lives on */
        gs->global = (int)next;
        g->globals[next].u = 0;
        g->ginit[next] = false;
        g->gtypes[next] = gs->type;
        g->gnames[next] = mem_strndup(vm, gs->name, strlen(gs->name));
        g->gfiles[next] = intern_file(vm, gs->file);
        next++;
    }
    m->first_global = base;
    m->nglobals = next - base;
    g->nglobals = next;                    /* the caller rolls back if the load fails */
    FnState S0, *S = &S0;
    memset(S, 0, sizeof *S);
    S->vm = vm;
    S->m = m;
    S->diags = diags;
    /* every top-level function and method gets its proto first, so calls can refer to them */
    for (uint32_t u = 0; u < nprogs; u++) {
        Program *prog = progs[u];
        S->src = prog->src;
        S->fi = cr->scripts[u];
        for (uint32_t i = 0; i < prog->n; i++) {
            Stmt *st = prog->items[i];
            if (st->kind == S_FUNC && st->fn->check) {           /* not templates */
                Proto *p = decl_proto(S, st->fn);
                p->is_toplevel = true;
                ModFn mf = { prog->src->name, st->fn->name, p };
                VEC_PUSH(vm, m->fns, m->nfns, m->capfns, mf);
            } else if (is_type_stmt(st) && st->td->check) {   /* generic templates have no code */
                TypeInfo *ti = (TypeInfo *)st->td->check;
                for (uint32_t k = 0; k < ti->nmethods; k++) {
                    MethodInfo *mi = ti->methods[k];
                    if (mi->is_template) continue;
                    Proto *p = decl_proto(S, mi->fd);
                    p->is_toplevel = true;
                    if (mi->is_static) {
                        ModFn mf = { prog->src->name, mi->fi->name, p };
                        VEC_PUSH(vm, m->fns, m->nfns, m->capfns, mf);
                    }
                }
            }
        }
    }
    m->nscripts = nprogs;
    m->scripts = mem_alloc(vm, sizeof(Proto *) * (nprogs ? nprogs : 1));
    for (uint32_t u = 0; u < nprogs; u++) {
        Program *prog = progs[u];
        S->src = prog->src;
        S->fi = cr->scripts[u];
        S->p = NULL;
        for (uint32_t i = 0; i < prog->n; i++) {
            Stmt *st = prog->items[i];
            if (st->kind == S_FUNC && st->fn->check) compile_function(S, (FnInfo *)st->fn->check, st->fn->name);
            else if (is_type_stmt(st) && st->td->check) compile_type(S, (TypeInfo *)st->td->check);
        }
        m->scripts[u] = compile_script(S, prog, cr->scripts[u]);
    }
    for (uint32_t i = 0; i < cr->ninst_types; i++) {      /* generic type instantiations */
        TypeInfo *ti = cr->inst_types[i];
        for (uint32_t k = 0; k < ti->nmethods; k++) if (!ti->methods[k]->is_template) decl_proto(S, ti->methods[k]->fd)->is_toplevel = true;
    }
    for (uint32_t i = 0; i < cr->ninst_types; i++) compile_type(S, cr->inst_types[i]);
    for (uint32_t i = 0; i < cr->ninstances; i++) {       /* generic instantiations */
        FnInfo *fi = cr->instances[i];
        decl_proto(S, fi->decl)->is_toplevel = true;
        compile_function(S, fi, fi->name);
    }
    m->script = nprogs ? m->scripts[nprogs - 1] : NULL;
    return diags->n == nerr0;
}
