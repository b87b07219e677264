/* types.h — interned types.  Each distinct type exists once per VM, so
 * pointer equality is type equality.  The same descriptors serve the
 * checker and the runtime (arrays, dictionaries, tuples and closures point
 * at theirs, so display, == and typeof never need a tag in the slot). */
#ifndef WRIT_TYPES_H
#define WRIT_TYPES_H

#include "common.h"

typedef enum TypeKind {
    T_ERROR,    /* result of a failed check: accepted everywhere, no cascades */
    T_VOID, T_NULL /* the type of the literal null */, T_INT, T_FLOAT, T_BOOL, T_STRING,
    T_ANY, T_ARRAY, T_DICT, T_TUPLE, T_OPTIONAL, T_FUNC,
    T_WAIT,
    T_HOST,     /* a host type (runtime.md §7): decl is its HostType */
    T_NATIVE,   /* a library or host reference type implemented in C (decl: its NativeType) */
    /* reserved for the types issue */
    T_STRUCT, T_CLASS, T_TRAIT, T_ENUM, T_RESULT, T_WEAK, T_TYPEPARAM,
} TypeKind;

struct Proto;
struct Buf;

/* Runtime facts of a nominal type (struct, class, enum, trait): what display,
 * ==, freeing, dispatch and `is` need without the checker. */
/* A field layout a hot reload replaced: code compiled at generation g <= until used it. */
typedef struct LayoutHist {
    uint64_t until;
    uint32_t n;
    const char **names;            /* owned */
    struct Type **types;
} LayoutHist;

typedef struct NominalInfo {
    struct Type *parent;           /* class: superclass */
    uint32_t depth;                /* class: number of ancestors */
    uint32_t nfields;              /* instance fields, inherited first */
    bool scalar_fields;            /* no field holds a reference (instances need no cycle tracking) */
    const char **field_names;
    struct Type **field_types;
    struct Proto **vtable;         /* class: virtual methods by slot */
    uint32_t nvtable;
    struct Type **traits;          /* class: implemented traits (own and inherited) */
    struct Proto ***itables;       /* per trait: its methods, in trait declaration order */
    uint32_t *itable_len;          /* per trait: entries of its itable (the trait may change by hot reload) */
    uint32_t ntraits;
    const char **variant_names;    /* enum, by variant id (the stored value) */
    uint32_t nvariants;
    uint32_t *ordinal_of;          /* enum: id -> position in the declaration (NULL: the same); */
    uint32_t *id_at;               /*  position -> id.  Ids differ only after a hot reload reordered variants */
    uint32_t nordinals;            /*  entries of both */
    uint32_t nenum_fields;         /* enum: field values, [field * nvariants + variant] */
    const char **enum_field_names;
    struct Type **enum_field_types;
    Value *enum_values;
    const char *display_name;      /* generic instantiation: "Pair" (its `name` is "Pair<int, string>") */
    struct LayoutHist *hist;       /* hot reload: the field layouts it replaced, oldest first */
    uint32_t nhist;
    struct Proto **field_defaults; /* hot reload: per field, a function computing its default (or NULL) */
    const char **method_names;     /* public instance methods by name (inherited and trait defaults */
    struct Proto **methods;        /*  included, overrides resolved): host and reflective calls */
    /* for the library (reflect, fromJson): per instance field */
    uint8_t *field_flags;          /* NF_PUBLIC | NF_DEFAULT */
    uint32_t nfield_meta;          /* entries of field_flags / field_get / field_set (nfields when made;
                                      hot reload may clear nfields before freeing) */
    struct Proto **field_get, **field_set;   /* property accessors (NULL: plain field); NULL if none */
    struct Proto *defaults;        /* (self, mask): stores the default of every defaulted field i
                                      whose bit i (i < 64) of mask is clear; NULL if none */
    uint32_t nmethods;
    /* a library type with a display form of its own (rt.h LibDisplay), or NULL */
    void (*lib_display)(struct writ_vm *vm, struct Buf *out, struct Type *t, Value v);
} NominalInfo;

#define NF_PUBLIC 1
#define NF_DEFAULT 2


typedef struct Type {
    TypeKind kind;
    uint32_t n;            /* T_TUPLE arity, T_FUNC parameter count */
    struct Type *a;        /* T_ARRAY elem, T_DICT key, T_OPTIONAL inner, T_FUNC return, T_RESULT payload */
    struct Type *b;        /* T_DICT value */
    struct Type **args;    /* T_TUPLE elements, T_FUNC parameters */
    const char *name;      /* display spelling, e.g. "Array<int>" (owned by the type table) */
    bool is_ref;           /* its slot holds a counted reference (see types.c) */
    void *decl;            /* nominal types: the checker's declaration info */
    NominalInfo *nom;      /* nominal types: runtime facts */
    uint32_t hash;
    struct Type *next;     /* intern chain */
} Type;

typedef struct TypeTable {
    Type **buckets;
    size_t nbuckets, count;
    Type *t_error, *t_void, *t_null, *t_int, *t_float, *t_bool, *t_string, *t_any, *t_wait;
    Type **nominals; size_t nnominals, capnominals;   /* not interned: one per declaration */
} TypeTable;

void ty_init(VM *vm, TypeTable *tt);
void ty_free(VM *vm, TypeTable *tt);
Type *ty_array(VM *vm, Type *elem);
Type *ty_dict(VM *vm, Type *key, Type *val);
Type *ty_tuple(VM *vm, Type **elems, uint32_t n);
Type *ty_optional(VM *vm, Type *inner);    /* Optional<Optional<T>> == Optional<T> */
Type *ty_func(VM *vm, Type **params, uint32_t n, Type *ret);
Type *ty_weak(VM *vm, Type *target);        /* Weak<T>: a counted WeakRef record */
Type *ty_result(VM *vm, Type *payload);     /* Result<T>: a counted ResultObj */
/* A new struct / class / enum / trait type named `name` (owned by the table). */
Type *ty_nominal(VM *vm, TypeKind k, const char *name);
void ty_nom_free(VM *vm, NominalInfo *n);
/* Is `t` (a class) `anc` or a descendant of it, or does it implement trait `anc`? */
bool ty_is_subtype(const Type *t, const Type *anc);
/* The VM's type for a native reference type (one per NativeType per VM). */
struct NativeType;
Type *ty_native(VM *vm, const struct NativeType *nt, const char *name);
/* The opaque type a generic template is checked with for an unbounded type
 * parameter: one per name per VM (all such T behave alike), so that checking
 * templates again — every hot reload does — adds no types. */
Type *ty_typeparam(VM *vm, const char *name);

/* Optional<T> slot layout: a counted pointer (NULL = null) for reference T;
 * an IntBox pointer for int; a NaN sentinel for float; 2 for bool; -1 for enums. */
#define OPT_FLOAT_NULL_BITS 0x7ff4dead0000beefULL
#define OPT_BOOL_NULL 2

static inline bool ty_is_ref(const Type *t) { return t->is_ref; }
/* An enum value's ordinal (declaration position), and the value at an ordinal. */
static inline int64_t ty_enum_ordinal(const Type *t, int64_t id) { return t->nom->ordinal_of ? (int64_t)t->nom->ordinal_of[id] : id; }
static inline int64_t ty_enum_at(const Type *t, int64_t ord) { return t->nom->id_at ? (int64_t)t->nom->id_at[ord] : ord; }

#endif
