/* check.h — the type checker's output, read by the compiler: symbols
 * (what every name means), per-function facts (captures, locals), and the
 * resolved form of every call. */
#ifndef WRIT_CHECK_H
#define WRIT_CHECK_H

#include "ast.h"
#include "types.h"
#include "diag.h"
#include "rt.h"

typedef enum SymKind {
    SYM_LOCAL,      /* a local variable or parameter (register or cell) */
    SYM_GLOBAL,     /* top-level let/var: a module global slot */
    SYM_FUNC,       /* top-level function: direct calls */
    SYM_LOCALFUNC,  /* nested named function: a local holding a closure */
    SYM_CONST,      /* compile-time constant */
    SYM_LIB,        /* library function (possibly overloaded) */
    SYM_LIBCONST,   /* library constant */
    SYM_TYPE,       /* struct / class / enum / trait name */
    SYM_FIELD,      /* inside a type's body: an instance field (implicit self) */
    SYM_METHOD,     /* inside a type's body: a method (implicit self for instance methods) */
    SYM_NAMESPACE,  /* import * as ns */
} SymKind;

/* A module's exported top-level symbols. */
typedef struct Exports {
    struct Sym **syms;
    uint32_t n, cap;
    const char *path;        /* as written in the import, for messages */
} Exports;

typedef struct TypeInfo TypeInfo;
typedef struct FnInfo FnInfo;
typedef struct MethodInfo MethodInfo;

typedef struct FieldInfo {
    const char *name;
    Span span;
    Type *type;
    Expr *def;              /* default value or NULL */
    bool is_public, is_static;
    uint32_t slot;          /* instance field slot */
    struct Sym *global;     /* static field: its global */
    TypeInfo *owner;
    FieldDecl *decl;
    MethodInfo *getter, *setter;  /* property accessors (hidden methods) */
} FieldInfo;

struct MethodInfo {
    const char *name;
    FuncDecl *fd;
    FnInfo *fi;
    TypeInfo *owner;
    bool is_static, is_public, mutating;
    int vslot;              /* class: vtable slot (-1: not virtual) */
    int tslot;              /* trait: method index */
    struct FieldInfo *accessor_of;  /* a property's getter or setter */
    bool is_template;       /* a generic method: instantiated per call */
    bool from_template;     /* an instantiation of a generic method */
};

struct TypeInfo {
    TypeDecl *td;
    const char *file;       /* the source declaring it (NULL: a generic instance) */
    bool library;           /* declared by a library prelude: its static fields are constants elsewhere */
    /* a generic type's instantiation: its type parameters' bindings */
    const char **tnames; Type **tbinds; uint32_t ntb;
    struct Sym *templ;
    Type *type;
    TypeKind kind;
    const char *name;
    TypeInfo *parent;
    int state;              /* 0 unresolved, 1 resolving, 2 done */
    bool checked;           /* bodies checked */
    FieldInfo **fields; uint32_t nfields, capfields;      /* instance fields, inherited first */
    FieldInfo **statics; uint32_t nstatics, capstatics;
    MethodInfo **methods; uint32_t nmethods, capmethods;  /* own methods */
    MethodInfo **vtable; uint32_t nvtable, capvtable;     /* class: virtual methods */
    TypeInfo **traits; uint32_t ntraits, captraits;       /* class: implemented traits */
    /* enum */
    uint32_t nvariants;
};

typedef struct Sym {
    SymKind kind;
    const char *name;
    Span span;
    Type *type;
    VarKind vkind;
    bool is_param;
    bool captured;          /* used by a nested function or lambda */
    bool reassigned;        /* assigned after its declaration */
    bool closure_assigns;   /* assigned inside a closure (no narrowing) */
    bool used;
    FnInfo *owner;          /* declaring function (locals) */
    uint32_t scope_id;
    struct Sym *shadow;     /* previous symbol of the same name */
    struct Sym *chain;      /* hash chain */
    /* SYM_FUNC / SYM_LOCALFUNC */
    FuncDecl *fn;
    /* SYM_CONST */
    Expr *const_init;
    int const_state;        /* 0 unevaluated, 1 evaluating, 2 done */
    Value const_val;
    /* SYM_LIB: candidates (int/float overloads) */
    const LibFn *lib[2];
    uint32_t nlib;
    Value libconst;
    /* imports */
    struct Sym *alias_of;   /* an imported name: the exporting module's symbol */
    bool imported;
    bool generic;           /* SYM_FUNC / SYM_TYPE: a generic template (instantiated per use); SYM_TYPE alias: a type parameter */
    TypeDecl *tdecl;        /* SYM_TYPE template: its declaration */
    int tkind;              /* SYM_TYPE template: T_STRUCT or T_CLASS */
    Exports *exports;       /* SYM_NAMESPACE */
    /* SYM_TYPE / SYM_FIELD / SYM_METHOD */
    TypeInfo *ti;
    FieldInfo *field;
    MethodInfo *method;
    /* compiler */
    int reg;                /* register (or -1) */
    int global;             /* global slot */
    struct HostGlobal *bound;   /* SYM_GLOBAL: a host bound variable (runtime.md §8), index bound_index */
    uint32_t bound_index;       /* of vm->hostglobals */
    const char *file;       /* the declaring module (globals: hot reload keeps them per file) */
    struct Program *home;   /* the declaring module (generic templates: their bodies' names) */
} Sym;

static inline bool sym_in_cell(const Sym *s) {
    return s->kind == SYM_LOCAL && s->vkind == VK_VAR && s->captured && s->reassigned;
}

struct FnInfo {
    FnInfo *parent;
    TypeInfo *self_type;    /* methods: the receiver's type (NULL for static methods) */
    MethodInfo *method;
    struct Sym *self_sym;   /* the hidden first parameter */
    bool inout_self;        /* mutating struct method: self is owned and written back */
    FuncDecl *decl;         /* NULL for top-level code */
    const char *name;       /* display name */
    Type *type;             /* function type */
    Type *ret;
    bool infer_ret;         /* lambda without an expected type */
    Type *inferred;         /* lambda: common type of returns so far */
    Stmt **rets; uint32_t nrets, caprets;  /* lambda: its returns, converted once the type is known */
    Expr **props; uint32_t nprops, capprops; /* lambda: its '?' uses, typed once the type is known */
    bool is_script;
    Sym **caps; uint32_t ncaps, capcaps;   /* captured outer symbols, in first-use order */
    bool uses_self_closure;
    bool check_only;        /* a generic template's check: never compiled */
    bool callee_defaults;   /* nested function with defaults: the callee evaluates them
                             * (they may use its captures); a hidden omitted-mask parameter follows */
    struct Proto *proto;    /* compiler */
};

typedef enum CallKind {
    CALL_DIRECT,    /* top-level function */
    CALL_LOCALFN,   /* nested named function (closure in a local/capture) */
    CALL_VALUE,     /* any function value, positional */
    CALL_NATIVE,    /* library function */
    CALL_METHOD,    /* library method: receiver + native */
    CALL_HOF,       /* library method expanded by the compiler (map, filter, ...) */
    CALL_PRINT, CALL_TYPEOF, CALL_ASSERT,
    CALL_CONSTRUCT, /* TypeName(...): memberwise constructor; argv per field */
    CALL_SMETHOD,   /* a method called directly: receiver + args (structs, enums, private, super) */
    CALL_VMETHOD,   /* a class method by vtable slot */
    CALL_TMETHOD,   /* a trait method by trait slot */
    CALL_WEAKNEW,   /* Weak(obj) */
    CALL_WEAKGET,   /* w.get() */
    CALL_RESOK,     /* Success(v) / Success() */
    CALL_RESERR,    /* Error(msg) */
} CallKind;

typedef struct CallInfo {
    CallKind kind;
    TypeInfo *ti;           /* CONSTRUCT: the type; METHOD kinds: the receiver's static type */
    MethodInfo *mi;         /* METHOD kinds */
    bool receiver_is_self;  /* implicit self receiver */
    bool safe;              /* x?.m(...): skipped (null) when the receiver is null */
    bool reversed;          /* a reflected operator (2.0 * v): argv[0] is evaluated before the receiver */
    struct Sym *self_sym;
    Sym *fn;                /* DIRECT / LOCALFN */
    const LibFn *lib;       /* NATIVE / METHOD / HOF */
    Type *ftype;            /* the callee's (instantiated) function type */
    Expr *receiver;         /* METHOD / HOF */
    uint32_t nparams;
    Expr **argv;            /* per parameter: the argument, or NULL: use defaults[i] */
    Expr **defaults;        /* per parameter default expression (AST) */
    Expr **varargs; uint32_t nvarargs;  /* variadic parameter's arguments */
    bool spread;            /* varargs[0] is a spread array */
    bool has_variadic;
    Type *vararg_type;      /* Array<T> for the variadic parameter */
    Type *targ;             /* a generic native's type argument (passed as a hidden last argument) */
} CallInfo;

typedef struct CheckResult {
    FnInfo *script;
    FnInfo **fns; uint32_t nfns, capfns;   /* every function (top-level, nested, lambdas) */
    Sym **globals; uint32_t nglobals, capglobals;
    TypeInfo **types; uint32_t ntypes, captypes;   /* user types, declaration order */
    FnInfo **scripts; uint32_t nscripts, capscripts; /* each module's top-level code, load order */
    FnInfo **instances; uint32_t ninstances, capinstances;  /* generic function instantiations */
    TypeInfo **inst_types; uint32_t ninst_types, capinst_types;  /* generic type instantiations */
    Sym **top; uint32_t ntop, captop;  /* the last module's top-level symbols, declaration order (REPL) */
} CheckResult;

/* Checks the modules of one load, imported ones first (each Program's
 * imports already point at their targets). */
/* The REPL session (src/session.c): the top-level symbols of earlier loads,
 * one per name, hashed by name. */
typedef struct ChkSession {
    Sym **syms; uint32_t n, cap;
    uint32_t *slots; uint32_t nslots;   /* open addressing: index into syms + 1, 0 = empty */
} ChkSession;
Sym *chk_session_find(const ChkSession *s, const char *name);
/* Adds sym, replacing the symbol of the same name. */
void chk_session_put(VM *vm, ChkSession *s, Sym *sym);
void chk_session_free(VM *vm, ChkSession *s);

bool chk_modules(VM *vm, Arena *arena, Diags *diags, Program **progs, uint32_t n, CheckResult *out,
                 Program **preludes, uint32_t npreludes,   /* library preludes of earlier loads */
                 const ChkSession *session);
/* session: names of earlier loads seen by every module of this one as if
 * declared just outside its top-level scope — they shadow library and
 * prelude names, the module's own declarations shadow them (the REPL's
 * earlier entries, src/repl.c).  NULL otherwise.
 * Library preludes among progs ("<library:NAME>", rt.h) come first, dependencies
 * before dependents: the exports of each join the library scope. */

/* Type-checks a parsed program.  Errors go to diags. */
bool chk_program(VM *vm, Arena *arena, Diags *diags, Program *prog, CheckResult *out);
/* Hot reload: the names of a type's dispatch slots (class vtable, trait methods). */
uint32_t chk_dispatch_count(void *typeinfo);
const char *chk_dispatch_name(void *typeinfo, uint32_t i);
/* ... and its function type (and whether it is a coroutine). */
Type *chk_dispatch_sig(void *typeinfo, uint32_t i, bool *coroutine);
/* Whether a host signature parses (false with the reason). */
bool chk_valid_signature(VM *vm, const char *sig, char *why, size_t n);
/* The function type of a library or host signature at run time (registered
 * host types by name); defaults[i] / has[i]: parameter i's constant default
 * (a string default is a new Str, owned by the caller).  NULL if unparsable
 * or more than max parameters. */
Type *chk_signature_type(VM *vm, const char *sig, uint32_t max, Value *defaults, bool *has);
/* Whether a function's body yields (language.md §21). */
bool chk_is_coroutine(FuncDecl *fd);
/* Frees the result's arrays (symbols and types live in the arena / VM). */
void chk_result_free(VM *vm, CheckResult *cr);

/* Lib signature parsing (shared with the compiler for defaults). */
typedef struct LibSig {
    uint32_t n;
    const char **names;
    Type **types;           /* may contain placeholders T/U/K/V resolved at use */
    Expr **defaults;
    bool variadic;
    Type *ret;
} LibSig;

#endif
