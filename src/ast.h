/* ast.h — the syntax tree, arena-allocated.  Every node has a span; the
 * checker fills `type` on expressions and `sym` on names/declarations, and
 * the compiler reads only checked trees.  Lists are (pointer array, count). */
#ifndef WRIT_AST_H
#define WRIT_AST_H

#include "token.h"
#include "mem.h"

struct Type;
struct Sym;
typedef struct Expr Expr;
typedef struct Stmt Stmt;
typedef struct TypeExpr TypeExpr;
typedef struct Block Block;

/* ---- type syntax ---- */
typedef enum { TY_NAME, TY_TUPLE, TY_FUNC, TY_VOID } TypeExprKind;
struct TypeExpr {
    TypeExprKind kind;
    Span span;
    const char *ns;        /* TY_NAME: "ns" of ns::Name, or NULL */
    const char *name;      /* TY_NAME */
    TypeExpr **args;       /* TY_NAME type args; TY_TUPLE elems; TY_FUNC params */
    uint32_t nargs;
    TypeExpr *ret;         /* TY_FUNC */
};

/* ---- patterns for let/var/for binders ---- */
typedef enum { PAT_NAME, PAT_IGNORE, PAT_TUPLE } PatKind;
typedef struct Pattern {
    PatKind kind;
    Span span;
    const char *name;            /* PAT_NAME */
    struct Pattern **elems;      /* PAT_TUPLE */
    uint32_t nelems;
    struct Sym *sym;             /* checker: the bound variable (PAT_NAME) */
} Pattern;

/* ---- expressions ---- */
typedef enum {
    E_INT, E_FLOAT, E_BOOL, E_NULL, E_STRING,
    E_INTERP,      /* parts[]: E_STRING pieces and expressions, in order */
    E_NAME,        /* name */
    E_NSNAME,      /* ns::name */
    E_SELF,
    E_SUPER,       /* super.name: name */
    E_UNARY,       /* op (TK_MINUS, TK_BANG, TK_TILDE), lhs */
    E_BINARY,      /* op, lhs, rhs (arith, compare, logic, bitwise, '..', '??') */
    E_TERNARY,     /* cond, lhs (then), rhs (else) */
    E_IS,          /* lhs is type_expr */
    E_AS,          /* lhs as type_expr */
    E_CALL,        /* callee, args[], targs (explicit type args) */
    E_INDEX,       /* lhs[rhs] */
    E_MEMBER,      /* lhs.name (name may be a tuple index "0": is_tuple_index) */
    E_SAFE_MEMBER, /* lhs?.name — a call `x?.m(a)` is E_CALL with callee E_SAFE_MEMBER */
    E_PROPAGATE,   /* lhs? */
    E_UNWRAP,      /* lhs!! */
    E_TUPLE,       /* elems[] */
    E_ARRAY,       /* elems[] (E_SPREAD allowed) */
    E_DICT,        /* keys[]/elems[] as values; a spread entry has key NULL and value E_SPREAD */
    E_SPREAD,      /* ...lhs (inside array/dict literals and as a call's last argument) */
    E_LAMBDA,      /* params, body (block) or body_expr */
    E_WHEN,        /* when expression: when */
    E_RANGE,       /* lhs..rhs / lhs..=rhs (only in for headers and when patterns) */
    E_YIELD,       /* yield [lhs] (only as statement, rhs of =/let/var, return operand) */
    /* checker-made nodes (never produced by the parser) */
    E_CONVERT,     /* lhs converted to `type` (int->float literal, T->Optional<T>, null->Optional<T>, tuple) */
} ExprKind;

typedef struct Arg {
    const char *label;   /* named argument label, or NULL */
    Span label_span;
    Expr *value;         /* E_SPREAD for ...xs */
} Arg;

typedef struct Param {
    const char *name;
    Span span;           /* the parameter's name */
    TypeExpr *type;
    Expr *def;           /* default value or NULL */
    bool variadic;
    struct Sym *sym;     /* checker */
} Param;

typedef struct WhenArm WhenArm;
typedef struct WhenStmtData WhenStmtData;

typedef struct FuncDecl FuncDecl;

struct Expr {
    ExprKind kind;
    Span span;
    struct Type *type;      /* checker: the expression's type (error type on failure) */
    TokKind op;             /* E_UNARY / E_BINARY; E_RANGE: TK_DOTDOT or TK_DOTDOTEQ */
    Span op_span;           /* the operator (unary, binary, ternary '?', is/as, '?', '!!');
                             * the name for E_NAME/E_NSNAME/E_MEMBER/E_SAFE_MEMBER/E_SUPER */
    /* Fields that never occur together share storage (the AST of a large
     * program is mostly Expr nodes, and compile speed is memory bound). */
    union {
        union { int64_t i; double f; bool b; } lit;  /* literals */
        Expr *cond;                                  /* E_TERNARY */
    };
    const char *str;        /* E_STRING text (len in str_len); E_NAME/E_MEMBER/E_SUPER/E_NSNAME name */
    uint32_t str_len;
    bool is_tuple_index;    /* E_MEMBER with a numeric name */
    bool int_min_magnitude; /* E_INT: 9223372036854775808 (valid only under unary '-') */
    union {
        const char *ns;         /* E_NSNAME namespace */
        TypeExpr *type_expr;    /* E_IS / E_AS */
    };
    Expr *lhs, *rhs;
    union {
        struct {
            Expr **elems;       /* E_TUPLE/E_ARRAY/E_DICT values/E_INTERP parts */
            Expr **keys;        /* E_DICT keys (NULL entry for a spread) */
            uint32_t nelems;
        };
        struct {
            Arg *args;          /* E_CALL */
            TypeExpr **targs;   /* E_CALL explicit type arguments */
            uint32_t nargs;
            uint32_t ntargs;
        };
        FuncDecl *fn;           /* E_LAMBDA */
        WhenStmtData *when;     /* E_WHEN */
    };
    struct Sym *sym;        /* checker: what a name refers to */
    void *check;            /* checker scratch (e.g. resolved call info) */
};

/* ---- when ---- */
typedef enum {
    PK_VALUE,    /* expr; `is Enum.Variant` is parsed as this too, with expr the E_MEMBER
                  * `Enum.Variant` (E_NAME or E_NSNAME lhs): §9.5 defines them as the same */
    PK_RANGE,    /* expr is E_RANGE */
    PK_IS,       /* is type_expr (class/trait/host type) */
    PK_SUCCESS,  /* is Success[(bind)] */
    PK_ERROR,    /* is Error[(bind)] */
    PK_BIND,     /* ident if guard: binds the subject */
    PK_ELSE,
} PatternKind;

typedef struct WhenPattern {
    PatternKind kind;
    Span span;
    Expr *expr;             /* PK_VALUE / PK_RANGE */
    TypeExpr *type_expr;    /* PK_IS */
    const char *bind;       /* PK_SUCCESS/PK_ERROR binding (may be "_"), PK_BIND name */
    Span bind_span;
    Expr *guard;            /* optional 'if' guard */
    struct Sym *sym;        /* checker: binding symbol */
    void *check;            /* checker scratch */
} WhenPattern;

struct WhenArm {
    WhenPattern **pats;
    uint32_t npats;
    Span span;
    Stmt *body;             /* statement when: block or statement */
    Expr *value;            /* expression when */
};

struct WhenStmtData {
    Span kw_span;           /* the 'when' keyword (exhaustiveness errors point here) */
    Expr *subject;          /* may be NULL */
    WhenArm *arms;
    uint32_t narms;
    bool is_expr;
    struct Sym *subject_sym;/* checker: hidden local holding the subject */
};

/* ---- declarations ---- */
typedef enum { VK_CONST, VK_LET, VK_VAR } VarKind;

struct FuncDecl {
    const char *name;       /* NULL for lambdas */
    Span name_span;
    Span span;
    const char **tparams;   /* generic type parameters */
    Span *tparam_spans;
    uint32_t ntparams;
    Param *params;
    uint32_t nparams;
    TypeExpr *ret;          /* NULL: void (or inferred for lambdas) */
    Block *body;            /* NULL for trait requirements */
    Expr *body_expr;        /* lambda expression body */
    const char **where_names; const char **where_traits; Span *where_spans; /* trait "ns::Name" if qualified */
    uint32_t nwhere;
    struct Sym **where_syms;  /* checker: the traits, looked up where the function is declared */
    bool is_static, is_public, is_private, is_lambda;
    int8_t coro;            /* checker: 0 not yet known, 1 plain function, 2 coroutine (its body yields) */
    const char *doc;        /* documentation comment (unused by the compiler) */
    struct Sym *sym;        /* checker */
    void *check;            /* checker: function info */
};

typedef struct FieldDecl {
    const char *name;
    Span span;              /* the field's name */
    TypeExpr *type;
    Expr *def;
    bool is_static, is_public, is_private;
    Block *getter;          /* get() { ... } */
    Block *setter;          /* set(name) { ... } */
    const char *setter_param;
    Span getter_span, setter_span;
} FieldDecl;

typedef struct Variant {
    const char *name;
    Span span;              /* the variant's name */
    Arg *args;              /* enum with data: variant arguments (field values) */
    uint32_t nargs;
} Variant;

typedef struct TypeDecl {   /* class / struct / trait / enum */
    const char *name;
    Span name_span;
    const char **tparams; Span *tparam_spans; uint32_t ntparams;
    TypeExpr *extends;      /* class (and struct, to report an error) */
    TypeExpr **with; uint32_t nwith;
    const char **where_names; const char **where_traits; Span *where_spans; uint32_t nwhere;
    struct Sym **where_syms;  /* checker: the traits, looked up where the type is declared */
    FieldDecl *fields; uint32_t nfields;
    FuncDecl **methods; uint32_t nmethods;
    Variant *variants; uint32_t nvariants;   /* enum */
    struct Sym *sym;
    void *check;
} TypeDecl;

typedef struct ImportDecl {
    const char **names; Span *name_spans; uint32_t nnames;   /* import { a, b } */
    const char *ns; Span ns_span;                              /* import * as ns */
    const char *path; Span path_span;
    struct Program *target;  /* loader: the imported module (NULL if it failed to load) */
    const char *key;         /* loader: the imported file's key in the VM (realpath) */
} ImportDecl;

/* ---- statements ---- */
typedef enum {
    S_VAR, S_FUNC, S_CLASS, S_STRUCT, S_TRAIT, S_ENUM, S_IMPORT,
    S_IF, S_WHILE, S_FOR, S_WHEN, S_RETURN, S_BREAK, S_CONTINUE,
    S_START, S_YIELD, S_ASSIGN, S_BLOCK, S_EXPR,
} StmtKind;

struct Block {
    Stmt **stmts;
    uint32_t n;
    Span span;              /* from '{' to '}' */
};

struct Stmt {
    StmtKind kind;
    Span span;
    bool exported;
    /* S_VAR */
    VarKind vkind;
    Pattern *pat;
    TypeExpr *vtype;
    Expr *init;             /* may be an E_YIELD */
    /* S_FUNC */
    FuncDecl *fn;
    /* S_CLASS / S_STRUCT / S_TRAIT / S_ENUM */
    TypeDecl *td;
    /* S_IMPORT */
    ImportDecl *imp;
    /* S_IF: cond, then, els (S_IF or S_BLOCK, or NULL); S_WHILE: cond, body */
    Expr *cond;
    Block *then;
    Stmt *els;
    Block *body;            /* S_WHILE / S_FOR body; S_BLOCK block */
    /* S_FOR: pat in iter (iter is E_RANGE for ranges) */
    Expr *iter;
    /* S_WHEN */
    WhenStmtData *when;
    /* S_RETURN: value (may be NULL or E_YIELD); S_START/S_YIELD/S_EXPR: value */
    Expr *value;
    /* S_ASSIGN: op (TK_ASSIGN, TK_PLUSEQ, ...), target (E_TUPLE for (a, b) = ...), value */
    TokKind op;
    Span op_span;
    Expr *target;
    void *check;            /* checker scratch */
};

typedef struct Program {
    const struct Source *src;
    Stmt **items;
    uint32_t n;
    void *exports;           /* checker: the module's exported symbols (Exports) */
    struct Sym **toplevel;   /* checker: every top-level symbol, for generic bodies checked elsewhere */
    uint32_t ntoplevel;
} Program;

#endif
