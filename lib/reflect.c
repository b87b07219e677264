/* reflect.c — module `reflect` (stdlib.md §12): field and method
 * introspection on struct, class and enum values (host types later), public
 * members only.  Values arrive as `any` (an AnyBox: static type + value);
 * instances carry their dynamic type.  The runtime facts come from the
 * type's NominalInfo: field flags and property accessors, and the public
 * method table the compiler builds (compile.c method_table: names and the
 * implementation this type uses, whose Proto carries its function type,
 * parameter defaults as thunks and the coroutine flag).  Getters, setters and
 * invoked methods run through a nested VM entry (rt_call). */
#include "rt.h"
#include "vm.h"
#include "chunk.h"
#include "host.h"
#include "check.h"
#include "api.h"
#include <stdio.h>

/* The value inside an any, with Optionals unwrapped (null: T_NULL). */
static void unwrap(VM *vm, AnyBox *b, Type **t, Value *v) {
    *t = b->type;
    *v = b->v;
    for (;;) {
        if ((*t)->kind == T_ANY) { AnyBox *in = (AnyBox *)v->p; *t = in->type; *v = in->v; continue; }
        if ((*t)->kind == T_OPTIONAL) {
            if (opt_is_null((*t)->a, *v)) { *t = vm->types.t_null; continue; }
            *v = opt_payload((*t)->a, *v);
            *t = (*t)->a;
            continue;
        }
        break;
    }
    if (((*t)->kind == T_CLASS || (*t)->kind == T_TRAIT || (*t)->kind == T_STRUCT) && v->p) *t = ((Instance *)v->p)->type;
}

static const char *type_name(VM *vm, Type *t, Value v) { return val_typeof(vm, t, v); }

static bool is_user(Type *t) { return t->kind == T_STRUCT || t->kind == T_CLASS || t->kind == T_ENUM; }

/* The public field `name` of t: its slot (enum: constant field index; host
 * type: field index), or -1. */
static int find_field(Type *t, const char *name) {
    if (t->kind == T_HOST) {
        uint32_t i;
        return host_find_field((HostType *)t->decl, name, &i) ? (int)i : -1;
    }
    if (!is_user(t)) return -1;
    NominalInfo *n = t->nom;
    if (t->kind == T_ENUM) {
        for (uint32_t i = 0; i < n->nenum_fields; i++) if (strcmp(n->enum_field_names[i], name) == 0) return (int)i;
        return -1;
    }
    for (uint32_t i = 0; i < n->nfields; i++)
        if (strcmp(n->field_names[i], name) == 0) return n->field_flags && (n->field_flags[i] & NF_PUBLIC) ? (int)i : -1;
    return -1;
}

/* The public method `name` of t (its index in the method table), or -1. */
static int find_method(Type *t, const char *name) {
    if (t->kind == T_HOST) {
        HostType *ht = (HostType *)t->decl;
        for (uint32_t i = 0; i < ht->nmethods; i++) if (strcmp(ht->methods[i]->lib.name, name) == 0) return (int)i;
        return -1;
    }
    if (!is_user(t)) return -1;
    for (uint32_t i = 0; i < t->nom->nmethods; i++)
        if (strcmp(t->nom->method_names[i], name) == 0) return (int)i;
    return -1;
}

static bool n_instanceof(VM *vm, Value *args, Value *ret) {
    Type *t;
    Value v;
    unwrap(vm, (AnyBox *)args[0].p, &t, &v);
    const char *want = ((Str *)args[1].p)->data;
    ret->i = strcmp(type_name(vm, t, v), want) == 0;
    if (!ret->i && (t->kind == T_CLASS || t->kind == T_STRUCT)) {
        for (Type *p = t->nom->parent; p && !ret->i; p = p->nom->parent) ret->i = strcmp(p->name, want) == 0;
        for (uint32_t k = 0; k < t->nom->ntraits && !ret->i; k++) ret->i = strcmp(t->nom->traits[k]->name, want) == 0;
    }
    return true;
}

static bool n_hasField(VM *vm, Value *args, Value *ret) {
    Type *t;
    Value v;
    unwrap(vm, (AnyBox *)args[0].p, &t, &v);
    ret->i = find_field(t, ((Str *)args[1].p)->data) >= 0;
    return true;
}

static bool n_getField(VM *vm, Value *args, Value *ret) {
    Type *t;
    Value v;
    unwrap(vm, (AnyBox *)args[0].p, &t, &v);
    const char *name = ((Str *)args[1].p)->data;
    int i = find_field(t, name);
    if (i < 0) { rt_error(vm, "%s has no public field '%s'", type_name(vm, t, v), name); return false; }
    if (t->kind == T_HOST) {                 /* through the host's storage or getter */
        Type *ft = ((HostType *)t->decl)->fields[i].type;
        Value r;
        if (!host_get_field(vm, (HostObj *)v.p, (uint32_t)i, &r)) return false;
        ret->p = any_box(vm, ft, r);
        val_release(vm, ft, r);
        return true;
    }
    NominalInfo *n = t->nom;
    if (t->kind == T_ENUM) {
        ret->p = any_box(vm, n->enum_field_types[i], n->enum_values[(uint32_t)i * n->nvariants + (uint32_t)v.i]);
        return true;
    }
    Type *ft = n->field_types[i];
    if (n->field_get && n->field_get[i]) {
        Value r;
        if (!rt_call(vm, n->field_get[i], &v, 1, &r)) return false;
        ret->p = any_box(vm, ft, r);
        val_release(vm, ft, r);
        return true;
    }
    ret->p = any_box(vm, ft, ((Instance *)v.p)->f[i]);
    return true;
}

static bool n_setField(VM *vm, Value *args, Value *ret) {
    (void)ret;
    Type *t;
    Value v;
    unwrap(vm, (AnyBox *)args[0].p, &t, &v);
    const char *name = ((Str *)args[1].p)->data;
    if (t->kind == T_ENUM) { rt_error(vm, "cannot assign to enum field '%s'", name); return false; }
    if (t->kind == T_STRUCT) { rt_error(vm, "setField needs a class instance; %s is a struct", type_name(vm, t, v)); return false; }
    int i = find_field(t, name);
    if (i < 0) { rt_error(vm, "%s has no public field '%s'", type_name(vm, t, v), name); return false; }
    AnyBox *nv = (AnyBox *)args[2].p;
    if (t->kind == T_HOST) {
        HostField *hf = &((HostType *)t->decl)->fields[i];
        if (hf->read_only) { rt_error(vm, "field '%s' of %s is read-only", name, t->name); return false; }
        Value x;
        if (!any_unbox(vm, nv, hf->type, &x)) {
            rt_error(vm, "cannot assign %s to field '%s' of type %s", val_typeof(vm, nv->type, nv->v), name, hf->type->name);
            return false;
        }
        bool ok = host_set_field(vm, (HostObj *)v.p, (uint32_t)i, x);
        val_release(vm, hf->type, x);
        return ok;
    }
    NominalInfo *n = t->nom;
    Type *ft = n->field_types[i];
    Value x;
    if (!any_unbox(vm, nv, ft, &x)) {
        rt_error(vm, "cannot assign %s to field '%s' of type %s", val_typeof(vm, nv->type, nv->v), name, ft->name);
        return false;
    }
    if (n->field_set && n->field_set[i]) {
        Value a[2] = { v, x };
        bool ok = rt_call(vm, n->field_set[i], a, 2, NULL);
        val_release(vm, ft, x);
        return ok;
    }
    Instance *o = (Instance *)v.p;
    Value old = o->f[i];
    o->f[i] = x;
    val_release(vm, ft, old);
    return true;
}

static Arr *names_array(VM *vm) { return arr_new(vm, ty_array(vm, vm->types.t_string), 0); }

static bool n_fields(VM *vm, Value *args, Value *ret) {
    Type *t;
    Value v;
    unwrap(vm, (AnyBox *)args[0].p, &t, &v);
    Arr *a = names_array(vm);
    if (t->kind == T_HOST) {
        HostType *ht = (HostType *)t->decl;
        for (uint32_t i = 0; i < ht->nfields; i++) arr_push(vm, a, (Value){ .p = str_cstr(vm, ht->fields[i].name) });
    } else if (t->kind == T_ENUM) {
        for (uint32_t i = 0; i < t->nom->nenum_fields; i++) arr_push(vm, a, (Value){ .p = str_cstr(vm, t->nom->enum_field_names[i]) });
    } else if (is_user(t)) {
        NominalInfo *n = t->nom;
        for (uint32_t i = 0; i < n->nfields; i++)
            if (n->field_flags && (n->field_flags[i] & NF_PUBLIC)) arr_push(vm, a, (Value){ .p = str_cstr(vm, n->field_names[i]) });
    }
    ret->p = a;
    return true;
}

static bool n_methods(VM *vm, Value *args, Value *ret) {
    Type *t;
    Value v;
    unwrap(vm, (AnyBox *)args[0].p, &t, &v);
    Arr *a = names_array(vm);
    if (t->kind == T_HOST) {
        HostType *ht = (HostType *)t->decl;
        for (uint32_t i = 0; i < ht->nmethods; i++) arr_push(vm, a, (Value){ .p = str_cstr(vm, ht->methods[i]->lib.name) });
    }
    if (is_user(t))
        for (uint32_t i = 0; i < t->nom->nmethods; i++) arr_push(vm, a, (Value){ .p = str_cstr(vm, t->nom->method_names[i]) });
    ret->p = a;
    return true;
}

static bool n_hasMethod(VM *vm, Value *args, Value *ret) {
    Type *t;
    Value v;
    unwrap(vm, (AnyBox *)args[0].p, &t, &v);
    ret->i = find_method(t, ((Str *)args[1].p)->data) >= 0;
    return true;
}

/* invoke on a host object: arguments checked against the method's
 * signature, then the host callback with the receiver first. */
static bool invoke_host(VM *vm, Type *t, HostObj *o, HostFn *h, Arr *given, Value *ret) {
    Value defs[16];
    bool has[16];
    char qual[256];
    snprintf(qual, sizeof qual, "%s.%s", t->name, h->lib.name);
    Type *ft = chk_signature_type(vm, h->lib.sig, 15, defs, has);
    if (!ft) { rt_error(vm, "cannot invoke %s through reflection", qual); return false; }
    uint32_t np = ft->n, ng = (uint32_t)given->len, nreq = 0;
    for (uint32_t i = 0; i < np; i++) if (!has[i]) nreq = i + 1;
    bool ok = true;
    Value vals[16];
    uint32_t nbuilt = 0;
    if (ng > np || ng < nreq) {
        rt_error(vm, "wrong number of arguments to %s: expected %u, found %u", qual, ng > np ? np : nreq, ng);
        ok = false;
    }
    for (uint32_t i = 0; i < np && ok; i++) {
        if (i < ng) {
            AnyBox *b = (AnyBox *)given->data[i].p;
            if (!any_unbox(vm, b, ft->args[i], &vals[i])) {
                rt_error(vm, "argument %u of %s: expected %s, found %s", i + 1, qual, ft->args[i]->name, val_typeof(vm, b->type, b->v));
                ok = false;
                break;
            }
        } else {
            vals[i] = defs[i];
            val_retain(ft->args[i], vals[i]);
        }
        nbuilt = i + 1;
    }
    if (ok && !o->valid) { rt_error(vm, "%s object is no longer valid", t->name); ok = false; }
    if (ok) {
        writ_value w[17], r;
        memset(&r, 0, sizeof r);
        w[0] = api_to_writ(vm, t, (Value){ .p = o }, false);
        for (uint32_t i = 0; i < np; i++) w[1 + i] = api_to_writ(vm, ft->args[i], vals[i], false);
        vm->has_error = false;
        writ_status st = h->fn(vm, w, (int)np + 1, &r, h->ud);
        if (st != WRIT_OK) {
            if (!vm->has_error) rt_error(vm, "host function '%s' failed", qual);
            ok = false;
        } else if (ft->a->kind == T_VOID) {
            ret->p = any_box(vm, vm->types.t_null, (Value){ .u = 0 });
        } else {
            char why[200];
            Value v;
            if (!api_from_writ(vm, ft->a, r, &v, why, sizeof why)) {
                rt_error(vm, "host function '%s' returned a wrong value: %s", qual, why);
                ok = false;
            } else {
                ret->p = any_box(vm, ft->a, v);
                val_release(vm, ft->a, v);
            }
        }
        writ_release(vm, r);
    }
    for (uint32_t i = 0; i < nbuilt; i++) val_release(vm, ft->args[i], vals[i]);
    for (uint32_t i = 0; i < np; i++) if (has[i] && ft->args[i]->kind == T_STRING) RELEASE(vm, defs[i].p);
    return ok;
}

static bool n_invoke(VM *vm, Value *args, Value *ret) {
    Type *t;
    Value self;
    unwrap(vm, (AnyBox *)args[0].p, &t, &self);
    const char *name = ((Str *)args[1].p)->data;
    Arr *given = (Arr *)args[2].p;           /* Array<any> */
    int mi = find_method(t, name);
    if (mi < 0) { rt_error(vm, "%s has no public method '%s'", type_name(vm, t, self), name); return false; }
    if (t->kind == T_HOST) return invoke_host(vm, t, (HostObj *)self.p, ((HostType *)t->decl)->methods[mi], given, ret);
    Proto *m = t->nom->methods[mi];
    const char *qual = proto_display_name(m);
    if (m->is_coroutine) { rt_error(vm, "cannot invoke coroutine '%s'", qual); return false; }
    Type *ft = m->ftype;
    uint32_t ng = (uint32_t)given->len, np = ft->n;
    uint32_t nreq = m->nrequired;
    if (m->variadic || ng > np || ng < nreq) {
        rt_error(vm, "wrong number of arguments to %s: expected %u, found %u", qual, ng > np ? np : nreq, ng);
        return false;
    }
    Value small[16], *cargs = np + 1 <= 16 ? small : mem_alloc(vm, sizeof(Value) * (np + 1));
    uint32_t nbuilt = 0;                      /* arguments 1..nbuilt are owned */
    bool ok = true;
    for (uint32_t i = 0; i < np && ok; i++) {
        Value x;
        if (i < ng) {
            AnyBox *b = (AnyBox *)given->data[i].p;
            if (!any_unbox(vm, b, ft->args[i], &x)) {
                rt_error(vm, "argument %u of %s: expected %s, found %s", i + 1, qual, ft->args[i]->name, val_typeof(vm, b->type, b->v));
                ok = false;
                break;
            }
        } else if (!m->defaults || !m->defaults[i] || !rt_call(vm, m->defaults[i], NULL, 0, &x)) {
            if (!m->defaults || !m->defaults[i]) rt_error(vm, "wrong number of arguments to %s: expected %u, found %u", qual, np, ng);
            ok = false;
            break;
        }
        cargs[1 + i] = x;
        nbuilt = i + 1;
    }
    if (ok) {
        /* a mutating struct method takes its receiver inout: give it a copy it owns */
        if (m->inout_self) cargs[0].p = instance_copy(vm, (Instance *)self.p);
        else cargs[0] = self;
        Value r;
        r.u = 0;
        ok = rt_call(vm, m, cargs, np + 1, &r);
        if (ok) {
            if (ft->a->kind == T_VOID) ret->p = any_box(vm, vm->types.t_null, (Value){ .u = 0 });
            else { ret->p = any_box(vm, ft->a, r); val_release(vm, ft->a, r); }
        }
    }
    for (uint32_t i = 0; i < nbuilt; i++) val_release(vm, ft->args[i], cargs[1 + i]);
    if (cargs != small) mem_free(vm, cargs, sizeof(Value) * (np + 1));
    return ok;
}

const LibFn lib_reflect_functions[] = {
    {"instanceof", "(value: any, typeName: string) -> bool", n_instanceof},
    {"hasField", "(value: any, name: string) -> bool", n_hasField},
    {"getField", "(value: any, name: string) -> any", n_getField},
    {"setField", "(value: any, name: string, newValue: any)", n_setField},
    {"fields", "(value: any) -> Array<string>", n_fields},
    {"methods", "(value: any) -> Array<string>", n_methods},
    {"hasMethod", "(value: any, name: string) -> bool", n_hasMethod},
    {"invoke", "(value: any, method: string, ...args: any) -> any", n_invoke},
    {NULL, NULL, NULL},
};
