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
    /* reserved for the types issue */
    T_STRUCT, T_CLASS, T_TRAIT, T_ENUM, T_RESULT, T_WEAK, T_TYPEPARAM,
} TypeKind;

typedef struct Type {
    TypeKind kind;
    uint32_t n;            /* T_TUPLE arity, T_FUNC parameter count */
    struct Type *a;        /* T_ARRAY elem, T_DICT key, T_OPTIONAL inner, T_FUNC return, T_RESULT payload */
    struct Type *b;        /* T_DICT value */
    struct Type **args;    /* T_TUPLE elements, T_FUNC parameters */
    const char *name;      /* display spelling, e.g. "Array<int>" (owned by the type table) */
    bool is_ref;           /* its slot holds a counted reference (see types.c) */
    void *decl;            /* nominal types: their declaration info */
    uint32_t hash;
    struct Type *next;     /* intern chain */
} Type;

typedef struct TypeTable {
    Type **buckets;
    size_t nbuckets, count;
    Type *t_error, *t_void, *t_null, *t_int, *t_float, *t_bool, *t_string, *t_any, *t_wait;
} TypeTable;

void ty_init(VM *vm, TypeTable *tt);
void ty_free(VM *vm, TypeTable *tt);
Type *ty_array(VM *vm, Type *elem);
Type *ty_dict(VM *vm, Type *key, Type *val);
Type *ty_tuple(VM *vm, Type **elems, uint32_t n);
Type *ty_optional(VM *vm, Type *inner);    /* Optional<Optional<T>> == Optional<T> */
Type *ty_func(VM *vm, Type **params, uint32_t n, Type *ret);

/* Optional<T> slot layout: a counted pointer (NULL = null) for reference T;
 * an IntBox pointer for int; a NaN sentinel for float; 2 for bool. */
#define OPT_FLOAT_NULL_BITS 0x7ff4dead0000beefULL
#define OPT_BOOL_NULL 2

static inline bool ty_is_ref(const Type *t) { return t->is_ref; }

#endif
