/* api_value.c — values across the embedding boundary (runtime.md §5):
 * writ_value <-> untagged slots, strings, arrays, dictionaries, fields,
 * enums, results.  Every entry point checks its arguments: misuse the C
 * type system allows returns WRIT_ERROR_MISUSE, never crashes. */
#include "api.h"
#include "sched.h"
#include "parse.h"
#include "check.h"
#include <stdio.h>

/* ------------------------------------------------------------------ */
/* conversion */

writ_kind api_kind_of(const Type *t) {
    switch (t->kind) {
    case T_VOID: return WRIT_VOID;
    case T_NULL: return WRIT_NULL;
    case T_INT: return WRIT_INT;
    case T_FLOAT: return WRIT_FLOAT;
    case T_BOOL: return WRIT_BOOL;
    case T_STRING: return WRIT_STRING;
    case T_ARRAY: return WRIT_ARRAY;
    case T_DICT: return WRIT_DICT;
    case T_TUPLE: return WRIT_TUPLE;
    case T_STRUCT: return WRIT_STRUCT;
    case T_CLASS: case T_TRAIT: return WRIT_OBJECT;
    case T_ENUM: return WRIT_ENUM;
    case T_RESULT: return WRIT_RESULT;
    case T_FUNC: return WRIT_FUNCTION;
    case T_WEAK: return WRIT_WEAK;
    case T_WAIT: return WRIT_WAIT;
    case T_HOST: return WRIT_HOST;
    default: return WRIT_VOID;
    }
}

writ_value api_to_writ(VM *vm, Type *t, Value v, bool retain) {
    (void)vm;
    writ_value w;
    memset(&w, 0, sizeof w);
    if (t->kind == T_ANY) {             /* an AnyBox: the value with its own type */
        AnyBox *b = (AnyBox *)v.p;
        if (b->type->kind == T_NULL) { w.kind = WRIT_NULL; return w; }
        return api_to_writ(vm, b->type, b->v, retain);
    }
    if (t->kind == T_OPTIONAL) {
        if (opt_is_null(t->a, v)) { w.kind = WRIT_NULL; return w; }
        v = opt_payload(t->a, v);
        t = t->a;
    }
    w.kind = api_kind_of(t);
    w.type = (const writ_type *)t;
    switch (w.kind) {
    case WRIT_VOID: case WRIT_NULL: break;
    case WRIT_INT: w.as.i = v.i; break;
    case WRIT_ENUM: w.as.i = ty_enum_ordinal(t, v.i); break;     /* the host sees ordinals */
    case WRIT_FLOAT: w.as.f = v.f; break;
    case WRIT_BOOL: w.as.b = v.i != 0; break;
    case WRIT_OBJECT:
        w.as.ref = v.p;
        if (v.p) w.type = (const writ_type *)((Instance *)v.p)->type;   /* the dynamic class */
        if (retain) obj_retain(v.o);
        break;
    default:
        w.as.ref = v.p;
        if (retain) obj_retain(v.o);
        break;
    }
    return w;
}

const char *api_kind_name(writ_value w) {
    if (w.type && w.kind != WRIT_NULL) return ((const Type *)w.type)->name;
    switch (w.kind) {
    case WRIT_VOID: return "void";
    case WRIT_NULL: return "null";
    case WRIT_INT: return "int";
    case WRIT_FLOAT: return "float";
    case WRIT_BOOL: return "bool";
    case WRIT_STRING: return "string";
    case WRIT_TASK: return "task";
    default: return "a value without a type";
    }
}

static ObjKind obj_kind_for(writ_kind k) {
    switch (k) {
    case WRIT_STRING: return OBJ_STRING;
    case WRIT_ARRAY: return OBJ_ARRAY;
    case WRIT_DICT: return OBJ_DICT;
    case WRIT_TUPLE: return OBJ_TUPLE;
    case WRIT_STRUCT: case WRIT_OBJECT: return OBJ_INSTANCE;
    case WRIT_RESULT: return OBJ_RESULT;
    case WRIT_FUNCTION: return OBJ_CLOSURE;
    case WRIT_WEAK: return OBJ_WEAK;
    case WRIT_WAIT: return OBJ_WAIT;
    case WRIT_HOST: return OBJ_HOST;
    default: return OBJ_TASK;
    }
}

bool api_from_writ(VM *vm, Type *t, writ_value w, Value *out, char *why, size_t n) {
    out->u = 0;
    if (t->kind == T_ANY) {             /* box the value with the type it carries */
        TypeTable *tt = &vm->types;
        Type *wt = w.kind == WRIT_NULL ? tt->t_null : w.kind == WRIT_INT ? tt->t_int : w.kind == WRIT_FLOAT ? tt->t_float :
                   w.kind == WRIT_BOOL ? tt->t_bool : w.kind == WRIT_STRING ? tt->t_string : (Type *)w.type;
        if (!wt || wt->kind == T_ANY || w.kind == WRIT_VOID) { snprintf(why, n, "expected a value, found %s", api_kind_name(w)); return false; }
        if (wt->kind == T_NULL) { out->p = any_box(vm, wt, (Value){ .u = 0 }); return true; }
        Value inner;
        if (!api_from_writ(vm, wt, w, &inner, why, n)) return false;
        out->p = any_box(vm, wt, inner);
        val_release(vm, wt, inner);
        return true;
    }
    if (t->kind == T_OPTIONAL) {
        if (w.kind == WRIT_NULL) { *out = opt_none(t->a); return true; }
        Value inner;
        if (!api_from_writ(vm, t->a, w, &inner, why, n)) return false;
        *out = opt_some(vm, t->a, inner);          /* retains / boxes: owned */
        val_release(vm, t->a, inner);
        return true;
    }
    writ_kind want = api_kind_of(t);
    bool ok;
    switch (t->kind) {
    case T_INT: ok = w.kind == WRIT_INT; out->i = w.as.i; break;
    case T_FLOAT:
        ok = w.kind == WRIT_FLOAT || w.kind == WRIT_INT;
        out->f = w.kind == WRIT_INT ? (double)w.as.i : w.as.f;
        break;
    case T_BOOL: ok = w.kind == WRIT_BOOL; out->i = w.as.b ? 1 : 0; break;
    case T_ENUM:
        ok = w.kind == WRIT_ENUM && w.type == (const writ_type *)t && w.as.i >= 0 && (uint64_t)w.as.i < t->nom->nvariants;
        out->i = ok ? ty_enum_at(t, w.as.i) : w.as.i;
        break;
    case T_STRING:
        ok = w.kind == WRIT_STRING && w.as.ref && ((Obj *)w.as.ref)->kind == OBJ_STRING;
        out->p = w.as.ref;
        break;
    case T_CLASS: case T_TRAIT:
        ok = w.kind == WRIT_OBJECT && w.as.ref && ((Obj *)w.as.ref)->kind == OBJ_INSTANCE &&
             ty_is_subtype(((Instance *)w.as.ref)->type, t);
        out->p = w.as.ref;
        break;
    default:
        ok = t->is_ref && w.kind == want && w.type == (const writ_type *)t && w.as.ref &&
             ((Obj *)w.as.ref)->kind == obj_kind_for(want);
        out->p = w.as.ref;
        break;
    }
    if (!ok) {
        snprintf(why, n, "expected %s, found %s", t->name, api_kind_name(w));
        out->u = 0;
        return false;
    }
    if (t->is_ref) obj_retain(out->o);
    return true;
}

/* ------------------------------------------------------------------ */
/* strings and handles */

static bool is_ref_kind(writ_kind k) { return k >= WRIT_STRING && k != WRIT_ENUM; }

static writ_value string_impl(writ_vm *vm, const char *s, size_t len) {
    writ_value w;
    memset(&w, 0, sizeof w);
    if (!vm) return w;
    if (!s) len = 0;
    /* replace invalid UTF-8 by U+FFFD (strings are always valid inside) */
    Buf b;
    buf_init(&b, vm);
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool good = k && i + k <= len;
        for (size_t j = 1; good && j < k; j++) good = ((unsigned char)s[i + j] >> 6) == 2;
        if (good && k == 2 && c < 0xC2) good = false;
        if (good && k == 3) {
            unsigned cp = ((c & 15u) << 12) | (((unsigned char)s[i + 1] & 63u) << 6) | ((unsigned char)s[i + 2] & 63u);
            if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) good = false;
        }
        if (good && k == 4) {
            unsigned cp = ((c & 7u) << 18) | (((unsigned char)s[i + 1] & 63u) << 12);
            if (cp < 0x10000 || cp > 0x10FFFF) good = false;
        }
        if (good) { buf_put(&b, s + i, k); i += k; }
        else { buf_put(&b, "\xEF\xBF\xBD", 3); i++; }
    }
    Str *str = str_new(vm, b.data ? b.data : "", b.len);
    buf_free(&b);
    w.kind = WRIT_STRING;
    w.type = (const writ_type *)vm->types.t_string;
    w.as.ref = str;
    return w;
}

const char *writ_string_data(writ_value v, size_t *len) {
    if (v.kind != WRIT_STRING || !v.as.ref || ((Obj *)v.as.ref)->kind != OBJ_STRING) {
        if (len) *len = 0;
        return NULL;
    }
    Str *s = (Str *)v.as.ref;
    if (len) *len = (size_t)s->len;
    return s->data;
}

void writ_retain(writ_value v) {
    if (is_ref_kind(v.kind) && v.as.ref) obj_retain((Obj *)v.as.ref);
}

void writ_release(writ_vm *vm, writ_value v) {
    if (vm && is_ref_kind(v.kind) && v.as.ref) obj_release(vm, (Obj *)v.as.ref);
}

const char *writ_type_name(const writ_type *t) { return t ? ((const Type *)t)->name : "?"; }

static const char *display_impl(writ_vm *vm, writ_value v) {
    if (!vm) return "";
    Buf b;
    buf_init(&b, vm);
    if (v.kind == WRIT_NULL) buf_puts(&b, "null");
    else if (v.kind == WRIT_TASK) buf_puts(&b, "<task>");
    else if (v.kind == WRIT_INT && !v.type) buf_printf(&b, "%lld", (long long)v.as.i);
    else if (v.kind == WRIT_BOOL && !v.type) buf_puts(&b, v.as.b ? "true" : "false");
    else if (v.kind == WRIT_FLOAT && !v.type) { char f[40]; fmt_float(f, v.as.f); buf_puts(&b, f); }
    else if (v.type) {
        Value x;
        x.u = 0;
        if (v.kind == WRIT_FLOAT) x.f = v.as.f;
        else if (v.kind == WRIT_BOOL) x.i = v.as.b;
        else if (v.kind == WRIT_INT) x.i = v.as.i;
        else if (v.kind == WRIT_ENUM) x.i = v.as.i >= 0 && (uint64_t)v.as.i < ((Type *)v.type)->nom->nvariants ? ty_enum_at((Type *)v.type, v.as.i) : v.as.i;
        else x.p = v.as.ref;
        if (!is_ref_kind(v.kind) || v.as.ref) display_value(vm, &b, (Type *)v.type, x, false);
    }
    if (vm->display_text) mem_free(vm, vm->display_text, vm->display_size);
    vm->display_text = mem_strndup(vm, b.data ? b.data : "", b.len);
    vm->display_size = b.len + 1;
    buf_free(&b);
    return vm->display_text;
}

/* ------------------------------------------------------------------ */
/* arrays and dictionaries */

static Arr *as_array(writ_value v) {
    return v.kind == WRIT_ARRAY && v.as.ref && ((Obj *)v.as.ref)->kind == OBJ_ARRAY ? (Arr *)v.as.ref : NULL;
}
static Dict *as_dict(writ_value v) {
    return v.kind == WRIT_DICT && v.as.ref && ((Obj *)v.as.ref)->kind == OBJ_DICT ? (Dict *)v.as.ref : NULL;
}

static writ_status array_new_impl(writ_vm *vm, const writ_type *array_type, writ_value *out) {
    if (!vm || !out) return WRIT_ERROR_MISUSE;
    const Type *t = (const Type *)array_type;
    if (!t || t->kind != T_ARRAY) return api_misuse(vm, "writ_array_new needs an Array type");
    Arr *a = arr_new(vm, (Type *)t, 0);
    *out = api_to_writ(vm, (Type *)t, (Value){ .p = a }, false);
    return WRIT_OK;
}

int64_t writ_array_len(writ_value array) {
    Arr *a = as_array(array);
    return a ? a->len : 0;
}

/* The array behind a host value with index inside it, or a misuse status. */
static writ_status array_at(VM *vm, writ_value array, int64_t index, Arr **out) {
    Arr *a = as_array(array);
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!a) return api_misuse(vm, "not an array: %s", api_kind_name(array));
    if (index < 0 || index >= a->len)
        return api_misuse(vm, "index %lld out of bounds for length %lld", (long long)index, (long long)a->len);
    *out = a;
    return WRIT_OK;
}

static writ_status array_get_impl(writ_vm *vm, writ_value array, int64_t index, writ_value *out) {
    Arr *a = NULL;
    if (!out) return WRIT_ERROR_MISUSE;
    writ_status st = array_at(vm, array, index, &a);
    if (st != WRIT_OK) return st;
    *out = api_to_writ(vm, a->type->a, a->data[index], true);
    return WRIT_OK;
}

static writ_status array_set_impl(writ_vm *vm, writ_value array, int64_t index, writ_value v) {
    Arr *a = NULL;
    writ_status st = array_at(vm, array, index, &a);
    if (st != WRIT_OK) return st;
    char why[200];
    Value x;
    if (!api_from_writ(vm, a->type->a, v, &x, why, sizeof why)) return api_misuse(vm, "array element: %s", why);
    val_release(vm, a->type->a, a->data[index]);
    a->data[index] = x;
    return WRIT_OK;
}

static writ_status array_push_impl(writ_vm *vm, writ_value array, writ_value v) {
    Arr *a = as_array(array);
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!a) return api_misuse(vm, "not an array: %s", api_kind_name(array));
    char why[200];
    Value x;
    if (!api_from_writ(vm, a->type->a, v, &x, why, sizeof why)) return api_misuse(vm, "array element: %s", why);
    arr_push(vm, a, x);
    return WRIT_OK;
}

static writ_status array_remove_impl(writ_vm *vm, writ_value array, int64_t index) {
    Arr *a = NULL;
    writ_status st = array_at(vm, array, index, &a);
    if (st != WRIT_OK) return st;
    val_release(vm, a->type->a, a->data[index]);
    memmove(a->data + index, a->data + index + 1, sizeof(Value) * (size_t)(a->len - index - 1));
    a->len--;
    return WRIT_OK;
}

static writ_status dict_new_impl(writ_vm *vm, const writ_type *dict_type, writ_value *out) {
    if (!vm || !out) return WRIT_ERROR_MISUSE;
    const Type *t = (const Type *)dict_type;
    if (!t || t->kind != T_DICT) return api_misuse(vm, "writ_dict_new needs a Dictionary type");
    Dict *d = dict_new(vm, (Type *)t);
    *out = api_to_writ(vm, (Type *)t, (Value){ .p = d }, false);
    return WRIT_OK;
}

int64_t writ_dict_len(writ_value dict) {
    Dict *d = as_dict(dict);
    return d ? d->count : 0;
}

static writ_status dict_get_impl(writ_vm *vm, writ_value dict, writ_value key, writ_value *out) {
    Dict *d = as_dict(dict);
    if (!vm || !out) return WRIT_ERROR_MISUSE;
    if (!d) return api_misuse(vm, "not a dictionary: %s", api_kind_name(dict));
    char why[200];
    Value k, v;
    if (!api_from_writ(vm, d->type->a, key, &k, why, sizeof why)) return api_misuse(vm, "dictionary key: %s", why);
    bool found = dict_get(vm, d, k, &v);
    val_release(vm, d->type->a, k);
    if (!found) return api_misuse(vm, "key not found");
    *out = api_to_writ(vm, d->type->b, v, true);
    return WRIT_OK;
}

static writ_status dict_set_impl(writ_vm *vm, writ_value dict, writ_value key, writ_value v) {
    Dict *d = as_dict(dict);
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!d) return api_misuse(vm, "not a dictionary: %s", api_kind_name(dict));
    char why[200];
    Value k, x;
    if (!api_from_writ(vm, d->type->a, key, &k, why, sizeof why)) return api_misuse(vm, "dictionary key: %s", why);
    if (!api_from_writ(vm, d->type->b, v, &x, why, sizeof why)) {
        val_release(vm, d->type->a, k);
        return api_misuse(vm, "dictionary value: %s", why);
    }
    dict_set(vm, d, k, x);
    return WRIT_OK;
}

static writ_status dict_remove_impl(writ_vm *vm, writ_value dict, writ_value key) {
    Dict *d = as_dict(dict);
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!d) return api_misuse(vm, "not a dictionary: %s", api_kind_name(dict));
    char why[200];
    Value k, old;
    if (!api_from_writ(vm, d->type->a, key, &k, why, sizeof why)) return api_misuse(vm, "dictionary key: %s", why);
    bool found = dict_remove(vm, d, k, &old);
    val_release(vm, d->type->a, k);
    if (!found) return api_misuse(vm, "key not found");
    val_release(vm, d->type->b, old);
    return WRIT_OK;
}

static bool dict_next_impl(writ_vm *vm, writ_value dict, size_t *pos, writ_value *key, writ_value *val) {
    Dict *d = as_dict(dict);
    if (!vm || !d || !pos) return false;
    while (*pos < (size_t)d->used && d->entries[*pos].hash == DICT_DEAD) (*pos)++;
    if (*pos >= (size_t)d->used) return false;
    DictEntry *e = &d->entries[(*pos)++];
    if (key) *key = api_to_writ(vm, d->type->a, e->key, true);
    if (val) *val = api_to_writ(vm, d->type->b, e->val, true);
    return true;
}

/* ------------------------------------------------------------------ */
/* fields, enums, results */

static Instance *as_instance(writ_value v) {
    return (v.kind == WRIT_STRUCT || v.kind == WRIT_OBJECT) && v.as.ref && ((Obj *)v.as.ref)->kind == OBJ_INSTANCE
        ? (Instance *)v.as.ref : NULL;
}
static Tuple *as_tuple(writ_value v) {
    return v.kind == WRIT_TUPLE && v.as.ref && ((Obj *)v.as.ref)->kind == OBJ_TUPLE ? (Tuple *)v.as.ref : NULL;
}

int writ_field_count(writ_value v) {
    Instance *o = as_instance(v);
    if (o) return (int)o->type->nom->nfields;
    Tuple *t = as_tuple(v);
    return t ? (int)t->type->n : 0;
}

const char *writ_field_name(writ_value v, int index) {
    Instance *o = as_instance(v);
    if (!o || index < 0 || (uint32_t)index >= o->type->nom->nfields) return NULL;
    return o->type->nom->field_names[index];
}

static int field_index(Instance *o, const char *name) {
    NominalInfo *n = o->type->nom;
    for (uint32_t i = 0; name && i < n->nfields; i++) if (strcmp(n->field_names[i], name) == 0) return (int)i;
    return -1;
}

static writ_status field_get_at_impl(writ_vm *vm, writ_value v, int index, writ_value *out) {
    if (!vm || !out) return WRIT_ERROR_MISUSE;
    Instance *o = as_instance(v);
    if (o) {
        if (index < 0 || (uint32_t)index >= o->type->nom->nfields) return api_misuse(vm, "%s has no field %d", o->type->name, index);
        *out = api_to_writ(vm, o->type->nom->field_types[index], o->f[index], true);
        return WRIT_OK;
    }
    Tuple *t = as_tuple(v);
    if (t) {
        if (index < 0 || (uint32_t)index >= t->type->n) return api_misuse(vm, "%s has no element %d", t->type->name, index);
        *out = api_to_writ(vm, t->type->args[index], t->v[index], true);
        return WRIT_OK;
    }
    return api_misuse(vm, "%s has no fields", api_kind_name(v));
}

static writ_status field_get_impl(writ_vm *vm, writ_value v, const char *name, writ_value *out) {
    if (!vm || !out) return WRIT_ERROR_MISUSE;
    Instance *o = as_instance(v);
    if (!o) return api_misuse(vm, "%s has no fields", api_kind_name(v));
    int i = field_index(o, name);
    if (i < 0) return api_misuse(vm, "%s has no field '%s'", o->type->name, name ? name : "");
    return field_get_at_impl(vm, v, i, out);
}

/* A struct whose fields are all float: their slots are consecutive doubles. */
static bool all_floats(Type *t) {
    if (t->kind != T_STRUCT) return false;
    for (uint32_t i = 0; i < t->nom->nfields; i++) if (t->nom->field_types[i]->kind != T_FLOAT) return false;
    return true;
}

const double *writ_struct_floats(writ_value v, int *count) {
    Instance *o = v.kind == WRIT_STRUCT ? as_instance(v) : NULL;
    if (!o || !all_floats(o->type)) { if (count) *count = 0; return NULL; }
    if (count) *count = (int)o->type->nom->nfields;
    return &o->f[0].f;
}

static writ_status struct_from_floats_impl(writ_vm *vm, const writ_type *type, const double *values, int count, writ_value *out) {
    if (!vm || !out) return WRIT_ERROR_MISUSE;
    memset(out, 0, sizeof *out);
    Type *t = (Type *)type;
    if (!t || !all_floats(t)) return api_misuse(vm, "writ_struct_from_floats: %s is not a struct of floats", t ? t->name : "NULL");
    if (count != (int)t->nom->nfields || (count > 0 && !values))
        return api_misuse(vm, "writ_struct_from_floats: %s has %u fields, got %d values", t->name, t->nom->nfields, count);
    Instance *o = instance_new(vm, t);
    for (int i = 0; i < count; i++) o->f[i].f = values[i];
    out->kind = WRIT_STRUCT;
    out->type = type;
    out->as.ref = o;
    return WRIT_OK;
}

static writ_status field_set_impl(writ_vm *vm, writ_value *v, const char *name, writ_value x) {
    if (!vm || !v) return WRIT_ERROR_MISUSE;
    Instance *o = as_instance(*v);
    if (!o) return api_misuse(vm, "%s has no fields", api_kind_name(*v));
    int i = field_index(o, name);
    if (i < 0) return api_misuse(vm, "%s has no field '%s'", o->type->name, name ? name : "");
    Type *ft = o->type->nom->field_types[i];
    char why[200];
    Value nv;
    if (!api_from_writ(vm, ft, x, &nv, why, sizeof why)) return api_misuse(vm, "field '%s' of %s: %s", name, o->type->name, why);
    if (o->type->kind == T_STRUCT && o->h.rc > 1) {      /* a value: copy before writing */
        Instance *c = instance_copy(vm, o);
        obj_release(vm, &o->h);
        o = c;
        v->as.ref = c;
    }
    val_release(vm, ft, o->f[i]);
    o->f[i] = nv;
    return WRIT_OK;
}

const char *writ_enum_name(writ_value v) {
    if (v.kind != WRIT_ENUM || !v.type) return NULL;
    const Type *t = (const Type *)v.type;
    if (t->kind != T_ENUM || v.as.i < 0 || (uint64_t)v.as.i >= t->nom->nvariants) return NULL;
    return t->nom->variant_names[ty_enum_at(t, v.as.i)];
}

bool writ_result_ok(writ_value v) {
    return v.kind == WRIT_RESULT && v.as.ref && ((Obj *)v.as.ref)->kind == OBJ_RESULT && !((ResultObj *)v.as.ref)->err;
}

static writ_status result_get_impl(writ_vm *vm, writ_value v, writ_value *out) {
    if (!vm || !out) return WRIT_ERROR_MISUSE;
    if (v.kind != WRIT_RESULT || !v.as.ref || ((Obj *)v.as.ref)->kind != OBJ_RESULT)
        return api_misuse(vm, "not a Result: %s", api_kind_name(v));
    ResultObj *r = (ResultObj *)v.as.ref;
    if (r->err) *out = api_to_writ(vm, vm->types.t_string, (Value){ .p = r->err }, true);
    else *out = api_to_writ(vm, r->type->a, r->payload, true);
    return WRIT_OK;
}

/* ------------------------------------------------------------------ */
/* types by spelling */

typedef struct TyParser { VM *vm; const char *s; bool bad; } TyParser;

static void tp_ws(TyParser *p) { while (*p->s == ' ' || *p->s == '\t') p->s++; }
static bool tp_eat(TyParser *p, const char *tok) {
    tp_ws(p);
    size_t n = strlen(tok);
    if (strncmp(p->s, tok, n) != 0) return false;
    p->s += n;
    return true;
}

static Type *tp_type(TyParser *p);

static Type *tp_named(TyParser *p, const char *name, size_t n) {
    TypeTable *tt = &p->vm->types;
    static const struct { const char *n; int k; } base[] = {
        {"int", T_INT}, {"float", T_FLOAT}, {"bool", T_BOOL}, {"string", T_STRING}, {"void", T_VOID}, {"Wait", T_WAIT},
    };
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        if (strlen(base[i].n) == n && strncmp(base[i].n, name, n) == 0) {
            switch (base[i].k) {
            case T_INT: return tt->t_int;
            case T_FLOAT: return tt->t_float;
            case T_BOOL: return tt->t_bool;
            case T_STRING: return tt->t_string;
            case T_VOID: return tt->t_void;
            default: return tt->t_wait;
            }
        }
    Type *args[2] = {0};
    uint32_t nargs = 0;
    const char *after = p->s;
    if (tp_eat(p, "<")) {
        do {
            if (nargs == 2) { p->bad = true; return NULL; }
            args[nargs++] = tp_type(p);
            if (p->bad) return NULL;
        } while (tp_eat(p, ","));
        if (!tp_eat(p, ">")) { p->bad = true; return NULL; }
    }
#define IS(w) (strlen(w) == n && strncmp(w, name, n) == 0)
    if (IS("Array") && nargs == 1) return ty_array(p->vm, args[0]);
    if (IS("Dictionary") && nargs == 2) return ty_dict(p->vm, args[0], args[1]);
    if (IS("Optional") && nargs == 1) return ty_optional(p->vm, args[0]);
    if (IS("Result") && nargs == 1) return ty_result(p->vm, args[0]);
    if (IS("Weak") && nargs == 1) return ty_weak(p->vm, args[0]);
#undef IS
    /* a nominal type of a loaded module ("Player", "Box<int>"), latest first */
    size_t full = (size_t)(p->s - name);
    char want[256];
    if (nargs) {                      /* respell the arguments as the table does */
        int k = snprintf(want, sizeof want, "%.*s<", (int)n, name);
        for (uint32_t i = 0; i < nargs && k < (int)sizeof want; i++)
            k += snprintf(want + k, sizeof want - (size_t)k, "%s%s", i ? ", " : "", args[i]->name);
        if (k < (int)sizeof want) snprintf(want + k, sizeof want - (size_t)k, ">");
    } else {
        snprintf(want, sizeof want, "%.*s", (int)n, name);
    }
    (void)after; (void)full;
    for (size_t i = tt->nnominals; i-- > 0;)
        if (strcmp(tt->nominals[i]->name, want) == 0) return tt->nominals[i];
    p->bad = true;
    return NULL;
}

static Type *tp_type(TyParser *p) {
    tp_ws(p);
    if (tp_eat(p, "(")) {                /* tuple or function type */
        Type *el[16];
        uint32_t n = 0;
        if (!tp_eat(p, ")")) {
            do {
                if (n == 16) { p->bad = true; return NULL; }
                el[n++] = tp_type(p);
                if (p->bad) return NULL;
            } while (tp_eat(p, ","));
            if (!tp_eat(p, ")")) { p->bad = true; return NULL; }
        }
        if (tp_eat(p, "->")) {
            Type *r = tp_type(p);
            return p->bad ? NULL : ty_func(p->vm, el, n, r);
        }
        if (n < 2) { p->bad = true; return NULL; }
        return ty_tuple(p->vm, el, n);
    }
    const char *start = p->s;
    while ((*p->s >= 'a' && *p->s <= 'z') || (*p->s >= 'A' && *p->s <= 'Z') || (*p->s >= '0' && *p->s <= '9') || *p->s == '_') p->s++;
    if (p->s == start) { p->bad = true; return NULL; }
    return tp_named(p, start, (size_t)(p->s - start));
}

const writ_type *api_type_of(writ_vm *vm, const char *spelling) {
    if (!vm || !spelling) return NULL;
    api_want_preludes(vm, spelling);
    TyParser p = { vm, spelling, false };
    Type *t = tp_type(&p);
    tp_ws(&p);
    if (p.bad || *p.s || !t) {
        api_misuse(vm, "unknown type '%s'", spelling);
        return NULL;
    }
    return (const writ_type *)t;
}

/* ---- public entry points: each runs inside API_PROTECT (api.h) ---- */

writ_value writ_string(writ_vm *vm, const char *s, size_t len) {
    API_GUARDED(writ_value, api_no_value(), string_impl(vm, s, len));
}

const writ_type *writ_type_of(writ_vm *vm, const char *spelling) {
    API_GUARDED(const writ_type *, NULL, api_type_of(vm, spelling));
}

const char *writ_display(writ_vm *vm, writ_value v) {
    API_GUARDED(const char *, "", display_impl(vm, v));
}

writ_status writ_array_new(writ_vm *vm, const writ_type *array_type, writ_value *out) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, array_new_impl(vm, array_type, out));
}

writ_status writ_array_get(writ_vm *vm, writ_value array, int64_t index, writ_value *out) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, array_get_impl(vm, array, index, out));
}

writ_status writ_array_set(writ_vm *vm, writ_value array, int64_t index, writ_value v) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, array_set_impl(vm, array, index, v));
}

writ_status writ_array_push(writ_vm *vm, writ_value array, writ_value v) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, array_push_impl(vm, array, v));
}

writ_status writ_array_remove(writ_vm *vm, writ_value array, int64_t index) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, array_remove_impl(vm, array, index));
}

writ_status writ_dict_new(writ_vm *vm, const writ_type *dict_type, writ_value *out) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, dict_new_impl(vm, dict_type, out));
}

writ_status writ_dict_get(writ_vm *vm, writ_value dict, writ_value key, writ_value *out) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, dict_get_impl(vm, dict, key, out));
}

writ_status writ_dict_set(writ_vm *vm, writ_value dict, writ_value key, writ_value v) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, dict_set_impl(vm, dict, key, v));
}

writ_status writ_dict_remove(writ_vm *vm, writ_value dict, writ_value key) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, dict_remove_impl(vm, dict, key));
}

bool writ_dict_next(writ_vm *vm, writ_value dict, size_t *pos, writ_value *key, writ_value *val) {
    API_GUARDED(bool, false, dict_next_impl(vm, dict, pos, key, val));
}

writ_status writ_field_get(writ_vm *vm, writ_value v, const char *name, writ_value *out) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, field_get_impl(vm, v, name, out));
}

writ_status writ_field_get_at(writ_vm *vm, writ_value v, int index, writ_value *out) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, field_get_at_impl(vm, v, index, out));
}

writ_status writ_field_set(writ_vm *vm, writ_value *v, const char *name, writ_value x) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, field_set_impl(vm, v, name, x));
}

writ_status writ_result_get(writ_vm *vm, writ_value v, writ_value *out) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, result_get_impl(vm, v, out));
}

writ_status writ_struct_from_floats(writ_vm *vm, const writ_type *type, const double *values, int count, writ_value *out) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, struct_from_floats_impl(vm, type, values, count, out));
}
