/* lib/dict.c — the methods of `Dictionary<K, V>` (stdlib.md §7).  args[0]
 * is the receiver; K and V come from its own type.  Everything walks the
 * dense entry array, so results follow insertion order. */
#include "rt.h"
#include "vm.h"

#define RECV ((Dict *)args[0].p)
#define KEY_T(d) ((d)->type->a)
#define VAL_T(d) ((d)->type->b)

static bool d_len(VM *vm, Value *args, Value *ret) { (void)vm; ret->i = RECV->count; return true; }

static bool d_is_empty(VM *vm, Value *args, Value *ret) { (void)vm; ret->u = RECV->count == 0; return true; }

static bool d_has(VM *vm, Value *args, Value *ret) {
    Value v;
    ret->u = dict_get(vm, RECV, args[1], &v);
    return true;
}

static bool d_get(VM *vm, Value *args, Value *ret) {
    Dict *d = RECV;
    Value v;
    *ret = dict_get(vm, d, args[1], &v) ? opt_some(vm, VAL_T(d), v) : opt_none(VAL_T(d));
    return true;
}

static bool d_remove(VM *vm, Dict *d, Value key, Value *ret) {
    Value v;
    if (!dict_remove(vm, d, key, &v)) { *ret = opt_none(VAL_T(d)); return true; }
    *ret = opt_some(vm, VAL_T(d), v);   /* adds a reference or boxes ... */
    val_release(vm, VAL_T(d), v);       /* ... so drop the one dict_remove handed over */
    return true;
}

static bool d_remove_native(VM *vm, Value *args, Value *ret) { return d_remove(vm, RECV, args[1], ret); }

/* Array<elem_type> of one column of the live entries. */
static Arr *column(VM *vm, Dict *d, Type *elem_type, bool keys) {
    Arr *a = arr_new(vm, ty_array(vm, elem_type), d->count);
    for (int64_t i = 0; i < d->used; i++) {
        DictEntry *e = &d->entries[i];
        if (e->hash == DICT_DEAD) continue;
        Value v = keys ? e->key : e->val;
        val_retain(elem_type, v);
        arr_push(vm, a, v);
    }
    return a;
}

static bool d_keys(VM *vm, Value *args, Value *ret) {
    ret->p = column(vm, RECV, KEY_T(RECV), true);
    return true;
}

static bool d_values(VM *vm, Value *args, Value *ret) {
    ret->p = column(vm, RECV, VAL_T(RECV), false);
    return true;
}

static bool d_entries(VM *vm, Value *args, Value *ret) {
    Dict *d = RECV;
    Type *kv[2] = { KEY_T(d), VAL_T(d) };
    Type *tt = ty_tuple(vm, kv, 2);
    Arr *a = arr_new(vm, ty_array(vm, tt), d->count);
    for (int64_t i = 0; i < d->used; i++) {
        DictEntry *e = &d->entries[i];
        if (e->hash == DICT_DEAD) continue;
        Tuple *t = tuple_new(vm, tt);
        t->v[0] = e->key;
        t->v[1] = e->val;
        val_retain(kv[0], e->key);
        val_retain(kv[1], e->val);
        arr_push(vm, a, (Value){ .p = t });
    }
    ret->p = a;
    return true;
}

/* Inserts every live entry of src into dst (keys and values retained). */
static void set_all(VM *vm, Dict *dst, Dict *src) {
    for (int64_t i = 0; i < src->used; i++) {
        DictEntry *e = &src->entries[i];
        if (e->hash == DICT_DEAD) continue;
        val_retain(KEY_T(src), e->key);
        val_retain(VAL_T(src), e->val);
        dict_set(vm, dst, e->key, e->val);
    }
}

static bool d_merge(VM *vm, Value *args, Value *ret) {
    Dict *r = dict_new(vm, RECV->type);
    set_all(vm, r, RECV);
    set_all(vm, r, (Dict *)args[1].p);   /* shared keys: other's value, d's position */
    ret->p = r;
    return true;
}

static bool d_clear(VM *vm, Value *args, Value *ret) {
    (void)ret;
    dict_clear(vm, RECV);
    return true;
}

static bool d_copy(VM *vm, Value *args, Value *ret) {
    Dict *r = dict_new(vm, RECV->type);
    set_all(vm, r, RECV);
    ret->p = r;
    return true;
}

const LibFn lib_dict_methods[] = {
    { "len", "() -> int", d_len },
    { "isEmpty", "() -> bool", d_is_empty },
    { "has", "(key: K) -> bool", d_has },
    { "get", "(key: K) -> Optional<V>", d_get },
    { "remove", "(key: K) -> Optional<V>", d_remove_native },
    { "keys", "() -> Array<K>", d_keys },
    { "values", "() -> Array<V>", d_values },
    { "entries", "() -> Array<(K, V)>", d_entries },
    { "merge", "(other: Dictionary<K, V>) -> Dictionary<K, V>", d_merge },
    { "clear", "() -> void", d_clear },
    { "copy", "() -> Dictionary<K, V>", d_copy },
    { NULL, NULL, NULL },
};
