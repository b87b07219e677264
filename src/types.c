/* types.c — the per-VM type table.  Owns every Type descriptor: the
 * built-in scalars (made once in ty_init) and the hash-consed structural
 * types (Array, Dictionary, tuple, Optional, function), so that pointer
 * equality is type equality.  Also decides each type's slot layout
 * (is_ref) and its source spelling (name). */
#include "types.h"
#include "object.h"
#include "mem.h"
#include "vm.h"

/* ---- hashing ---- */

static uint32_t mix_ptr(uint32_t h, const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    h ^= (uint32_t)x + 0x9e3779b9u + (h << 6) + (h >> 2);
    return h;
}

static uint32_t type_key_hash(TypeKind k, Type *a, Type *b, Type **args, uint32_t n) {
    uint32_t h = 0x811c9dc5u ^ (uint32_t)k * 0x01000193u;
    h = mix_ptr(h, a);
    h = mix_ptr(h, b);
    h ^= n * 0x9e3779b1u;
    for (uint32_t i = 0; i < n; i++) h = mix_ptr(h, args[i]);
    return h;
}

static bool type_key_eq(const Type *t, TypeKind k, Type *a, Type *b, Type **args, uint32_t n) {
    if (t->kind != k || t->a != a || t->b != b || t->n != n) return false;
    for (uint32_t i = 0; i < n; i++)
        if (t->args[i] != args[i]) return false;
    return true;
}

/* ---- table ---- */

static Type *type_alloc(VM *vm, TypeKind k, const char *name, bool is_ref) {
    Type *t = mem_calloc(vm, sizeof(Type));
    t->kind = k;
    t->name = mem_strndup(vm, name, strlen(name));
    t->is_ref = is_ref;
    return t;
}

static void type_destroy(VM *vm, Type *t) {
    if (t->args) mem_free(vm, t->args, sizeof(Type *) * t->n);
    mem_free(vm, (char *)t->name, strlen(t->name) + 1);
    mem_free(vm, t, sizeof(Type));
}

void ty_init(VM *vm, TypeTable *tt) {
    memset(tt, 0, sizeof(*tt));
    tt->buckets = mem_calloc(vm, sizeof(Type *) * 64);
    tt->nbuckets = 64;
    tt->t_error = type_alloc(vm, T_ERROR, "<error>", false);
    tt->t_void = type_alloc(vm, T_VOID, "void", false);
    tt->t_null = type_alloc(vm, T_NULL, "null", false);
    tt->t_int = type_alloc(vm, T_INT, "int", false);
    tt->t_float = type_alloc(vm, T_FLOAT, "float", false);
    tt->t_bool = type_alloc(vm, T_BOOL, "bool", false);
    tt->t_string = type_alloc(vm, T_STRING, "string", true);
    tt->t_any = type_alloc(vm, T_ANY, "any", true);   /* an AnyBox */
    tt->t_wait = type_alloc(vm, T_WAIT, "Wait", true);
}

/* Frees a nominal type's runtime facts (also the old ones a hot reload replaced). */
void ty_nom_free(VM *vm, NominalInfo *n) {
    if (!n) return;
    for (uint32_t i = 0; i < n->nfields; i++) mem_free(vm, (void *)n->field_names[i], strlen(n->field_names[i]) + 1);
    if (n->nfields) {
        mem_free(vm, n->field_names, sizeof(char *) * n->nfields);
        mem_free(vm, n->field_types, sizeof(Type *) * n->nfields);
    }
    if (n->nvtable) mem_free(vm, n->vtable, sizeof(struct Proto *) * n->nvtable);
    for (uint32_t i = 0; i < n->ntraits; i++)
        if (n->itables[i]) mem_free(vm, n->itables[i], sizeof(struct Proto *) * n->itable_len[i]);
    if (n->ntraits) {
        mem_free(vm, n->itable_len, sizeof(uint32_t) * n->ntraits);
        mem_free(vm, n->traits, sizeof(Type *) * n->ntraits);
        mem_free(vm, n->itables, sizeof(struct Proto **) * n->ntraits);
    }
    for (uint32_t i = 0; i < n->nvariants; i++) mem_free(vm, (void *)n->variant_names[i], strlen(n->variant_names[i]) + 1);
    if (n->nvariants) mem_free(vm, n->variant_names, sizeof(char *) * n->nvariants);
    if (n->nordinals) { mem_free(vm, n->ordinal_of, sizeof(uint32_t) * n->nordinals); mem_free(vm, n->id_at, sizeof(uint32_t) * n->nordinals); }
    if (n->nenum_fields) {
        for (uint32_t f = 0; f < n->nenum_fields; f++) {
            if (n->enum_field_types[f]->is_ref)
                for (uint32_t v = 0; v < n->nvariants; v++) obj_release(vm, n->enum_values[f * n->nvariants + v].o);
            mem_free(vm, (void *)n->enum_field_names[f], strlen(n->enum_field_names[f]) + 1);
        }
        mem_free(vm, n->enum_field_names, sizeof(char *) * n->nenum_fields);
        mem_free(vm, n->enum_field_types, sizeof(Type *) * n->nenum_fields);
        mem_free(vm, n->enum_values, sizeof(Value) * n->nenum_fields * (n->nvariants ? n->nvariants : 1));
    }
    if (n->display_name) mem_free(vm, (void *)n->display_name, strlen(n->display_name) + 1);
    for (uint32_t h = 0; h < n->nhist; h++) {
        LayoutHist *l = &n->hist[h];
        for (uint32_t i = 0; i < l->n; i++) mem_free(vm, (void *)l->names[i], strlen(l->names[i]) + 1);
        if (l->n) { mem_free(vm, l->names, sizeof(char *) * l->n); mem_free(vm, l->types, sizeof(Type *) * l->n); }
    }
    if (n->hist) mem_free(vm, n->hist, sizeof(LayoutHist) * n->nhist);
    if (n->field_defaults) mem_free(vm, n->field_defaults, sizeof(struct Proto *) * n->nfields);
    if (n->nmethods) {
        for (uint32_t i = 0; i < n->nmethods; i++) mem_free(vm, (void *)n->method_names[i], strlen(n->method_names[i]) + 1);
        mem_free(vm, n->method_names, sizeof(char *) * n->nmethods);
        mem_free(vm, n->methods, sizeof(struct Proto *) * n->nmethods);
    }
    if (n->field_flags) mem_free(vm, n->field_flags, n->nfield_meta);
    if (n->field_get) mem_free(vm, n->field_get, sizeof(struct Proto *) * n->nfield_meta);
    if (n->field_set) mem_free(vm, n->field_set, sizeof(struct Proto *) * n->nfield_meta);
    mem_free(vm, n, sizeof(NominalInfo));
}

static void nominal_destroy(VM *vm, Type *t) {
    ty_nom_free(vm, t->nom);
    type_destroy(vm, t);
}

Type *ty_nominal(VM *vm, TypeKind k, const char *name) {
    TypeTable *tt = &vm->types;
    Type *t = type_alloc(vm, k, name, k != T_ENUM);
    t->nom = mem_calloc(vm, sizeof(NominalInfo));
    VEC_PUSH(vm, tt->nominals, tt->nnominals, tt->capnominals, t);
    return t;
}

Type *ty_native(VM *vm, const struct NativeType *nt, const char *name) {
    TypeTable *tt = &vm->types;
    for (size_t i = 0; i < tt->nnominals; i++)
        if (tt->nominals[i]->kind == T_NATIVE && tt->nominals[i]->decl == (const void *)nt) return tt->nominals[i];
    Type *t = ty_nominal(vm, T_NATIVE, name);
    t->decl = (void *)nt;
    return t;
}

Type *ty_typeparam(VM *vm, const char *name) {
    TypeTable *tt = &vm->types;
    for (size_t i = 0; i < tt->nnominals; i++)
        if (tt->nominals[i]->kind == T_TYPEPARAM && strcmp(tt->nominals[i]->name, name) == 0) return tt->nominals[i];
    return ty_nominal(vm, T_TYPEPARAM, name);
}

bool ty_is_subtype(const Type *t, const Type *anc) {
    if (t == anc) return true;
    if (anc->kind == T_TRAIT) {
        if (t->kind == T_TRAIT || !t->nom) return false;
        for (uint32_t i = 0; i < t->nom->ntraits; i++) if (t->nom->traits[i] == anc) return true;
        return false;
    }
    for (const Type *p = t->nom ? t->nom->parent : NULL; p; p = p->nom->parent)
        if (p == anc) return true;
    return false;
}

void ty_free(VM *vm, TypeTable *tt) {
    for (size_t i = tt->nnominals; i-- > 0;) nominal_destroy(vm, tt->nominals[i]);
    VEC_FREE(vm, tt->nominals, tt->capnominals);
    for (size_t i = 0; i < tt->nbuckets; i++) {
        Type *t = tt->buckets[i];
        while (t) {
            Type *next = t->next;
            type_destroy(vm, t);
            t = next;
        }
    }
    if (tt->buckets) mem_free(vm, tt->buckets, sizeof(Type *) * tt->nbuckets);
    Type *base[] = { tt->t_error, tt->t_void, tt->t_null, tt->t_int, tt->t_float,
                     tt->t_bool, tt->t_string, tt->t_any, tt->t_wait };
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        if (base[i]) type_destroy(vm, base[i]);
    memset(tt, 0, sizeof(*tt));
}

static void table_grow(VM *vm, TypeTable *tt) {
    size_t nb = tt->nbuckets * 2;
    Type **buckets = mem_calloc(vm, sizeof(Type *) * nb);
    for (size_t i = 0; i < tt->nbuckets; i++) {
        Type *t = tt->buckets[i];
        while (t) {
            Type *next = t->next;
            size_t j = t->hash & (nb - 1);
            t->next = buckets[j];
            buckets[j] = t;
            t = next;
        }
    }
    mem_free(vm, tt->buckets, sizeof(Type *) * tt->nbuckets);
    tt->buckets = buckets;
    tt->nbuckets = nb;
}

/* ---- names ---- */

static void name_list(Buf *b, Type **args, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        if (i) buf_puts(b, ", ");
        buf_puts(b, args[i]->name);
    }
}

static void build_name(Buf *b, TypeKind k, Type *a, Type *bt, Type **args, uint32_t n) {
    switch (k) {
    case T_ARRAY: buf_puts(b, "Array<"); buf_puts(b, a->name); buf_putc(b, '>'); break;
    case T_DICT:
        buf_puts(b, "Dictionary<"); buf_puts(b, a->name); buf_puts(b, ", ");
        buf_puts(b, bt->name); buf_putc(b, '>');
        break;
    case T_OPTIONAL: buf_puts(b, "Optional<"); buf_puts(b, a->name); buf_putc(b, '>'); break;
    case T_WEAK: buf_puts(b, "Weak<"); buf_puts(b, a->name); buf_putc(b, '>'); break;
    case T_RESULT: buf_puts(b, "Result<"); buf_puts(b, a->name); buf_putc(b, '>'); break;
    case T_TUPLE: buf_putc(b, '('); name_list(b, args, n); buf_putc(b, ')'); break;
    case T_FUNC:
        /* "(A, B) -> R": parameter lists need no extra parentheses in Writ's
         * grammar, and "->" binds to the right, so nesting reads back. */
        buf_putc(b, '('); name_list(b, args, n); buf_puts(b, ") -> "); buf_puts(b, a->name);
        break;
    default: buf_puts(b, "?"); break;
    }
}

/* Slot layout: see types.h.  Optional<int> is a (counted) IntBox pointer;
 * Optional<float> / Optional<bool> keep the scalar with an in-band null. */
static bool layout_is_ref(TypeKind k, Type *a) {
    switch (k) {
    case T_ARRAY: case T_DICT: case T_TUPLE: case T_FUNC: return true;
    case T_OPTIONAL: return a->is_ref || a->kind == T_INT;
    case T_WEAK: case T_RESULT: return true;
    default: return false;
    }
}

/* Finds or creates the structural type (k, a, b, args[0..n)). */
static Type *intern(VM *vm, TypeKind k, Type *a, Type *b, Type **args, uint32_t n) {
    TypeTable *tt = &vm->types;
    uint32_t h = type_key_hash(k, a, b, args, n);
    for (Type *t = tt->buckets[h & (tt->nbuckets - 1)]; t; t = t->next)
        if (t->hash == h && type_key_eq(t, k, a, b, args, n)) return t;

    Buf nb;
    buf_init(&nb, vm);
    build_name(&nb, k, a, b, args, n);
    Type *t = type_alloc(vm, k, nb.data, layout_is_ref(k, a));
    buf_free(&nb);
    t->a = a;
    t->b = b;
    t->n = n;
    if (n) {
        t->args = mem_alloc(vm, sizeof(Type *) * n);
        memcpy(t->args, args, sizeof(Type *) * n);
    }
    t->hash = h;
    if (tt->count + 1 > tt->nbuckets * 3 / 4) table_grow(vm, tt);
    size_t j = h & (tt->nbuckets - 1);
    t->next = tt->buckets[j];
    tt->buckets[j] = t;
    tt->count++;
    return t;
}

Type *ty_array(VM *vm, Type *elem) { return intern(vm, T_ARRAY, elem, NULL, NULL, 0); }

Type *ty_dict(VM *vm, Type *key, Type *val) { return intern(vm, T_DICT, key, val, NULL, 0); }

Type *ty_tuple(VM *vm, Type **elems, uint32_t n) { return intern(vm, T_TUPLE, NULL, NULL, elems, n); }

/* Optional collapses: Optional<Optional<T>> is Optional<T>.  Optional<null>
 * (the type of `cond ? null : null`) is an ordinary Optional whose slot is
 * never read: display shows null, is_ref is false. */
Type *ty_optional(VM *vm, Type *inner) {
    if (inner->kind == T_OPTIONAL) return inner;
    return intern(vm, T_OPTIONAL, inner, NULL, NULL, 0);
}

Type *ty_weak(VM *vm, Type *target) { return intern(vm, T_WEAK, target, NULL, NULL, 0); }
Type *ty_result(VM *vm, Type *payload) { return intern(vm, T_RESULT, payload, NULL, NULL, 0); }

Type *ty_func(VM *vm, Type **params, uint32_t n, Type *ret) {
    return intern(vm, T_FUNC, ret, NULL, params, n);
}
