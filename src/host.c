/* host.c — what the host registers (runtime.md §6, §8): functions with
 * Writ signatures, constants and value globals.  Registrations precede the
 * compilation of code that uses them; the checker declares them next to
 * the library (declare_lib), the compiler calls them with OP_CALLH. */
#include "reload.h"
#include "host.h"
#include "api.h"
#include "chunk.h"
#include "check.h"
#include "lex.h"
#include <stdarg.h>
#include <stdio.h>

static bool valid_name(const char *n) {
    if (!n || !*n || (*n >= '0' && *n <= '9') || lex_is_keyword(n)) return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
    return true;
}

static bool name_taken(VM *vm, const char *name) {
    for (uint32_t m = 0; lib_modules[m].name; m++) {
        for (const LibFn *f = lib_modules[m].fns; f && f->name; f++) if (strcmp(f->name, name) == 0) return true;
        for (const char *const *e = lib_modules[m].exports; e && *e; e++) if (strcmp(*e, name) == 0) return true;   /* prelude names */
    }
    for (size_t i = 0; i < vm->nhostfns; i++) if (strcmp(vm->hostfns[i]->lib.name, name) == 0) return true;
    for (size_t i = 0; i < vm->nhostglobals; i++) if (strcmp(vm->hostglobals[i]->name, name) == 0) return true;
    return false;
}

static writ_status register_fn_impl(writ_vm *vm, const char *name, const char *signature, writ_host_fn fn, void *ud) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!valid_name(name)) return api_misuse(vm, "'%s' is not a valid function name", name ? name : "(null)");
    if (!signature || signature[0] != '(') return api_misuse(vm, "signature of '%s' must start with '('", name);
    if (!fn) return api_misuse(vm, "host function '%s' has no callback", name);
    if (name_taken(vm, name)) return api_misuse(vm, "'%s' is already defined", name);
    api_want_preludes(vm, signature);
    char err[200];
    if (!chk_valid_signature(vm, signature, err, sizeof err))
        return api_misuse(vm, "bad signature for '%s': %s", name, err);
    HostFn *h = mem_calloc(vm, sizeof *h);
    h->lib.name = mem_strndup(vm, name, strlen(name));
    h->lib.sig = mem_strndup(vm, signature, strlen(signature));
    h->lib.fn = host_marker;
    h->fn = fn;
    h->ud = ud;
    VEC_PUSH(vm, vm->hostfns, vm->nhostfns, vm->caphostfns, h);
    return WRIT_OK;
}

/* Marks a LibFn as the first member of a HostFn; never called. */
bool host_marker(VM *vm, Value *args, Value *ret) { (void)args; (void)ret; rt_error(vm, "internal: host marker called"); return false; }

writ_status writ_fail(writ_vm *vm, const char *fmt, ...) {
    if (!vm) return WRIT_ERROR_RUNTIME;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt ? fmt : "host function failed", ap);
    va_end(ap);
    rt_error(vm, "%s", buf);
    return WRIT_ERROR_RUNTIME;
}

static writ_status add_global(VM *vm, const char *name, const char *type, writ_value v, bool is_const, bool read_only) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!valid_name(name)) return api_misuse(vm, "'%s' is not a valid name", name ? name : "(null)");
    if (name_taken(vm, name)) return api_misuse(vm, "'%s' is already defined", name);
    Type *t = (Type *)api_type_of(vm, type);
    if (!t) return WRIT_ERROR_MISUSE;
    if (is_const && t->kind != T_INT && t->kind != T_FLOAT && t->kind != T_BOOL && t->kind != T_STRING)
        return api_misuse(vm, "constant '%s' must be an int, float, bool or string", name);
    char why[200];
    Value x;
    if (!api_from_writ(vm, t, v, &x, why, sizeof why)) return api_misuse(vm, "'%s': %s", name, why);
    HostGlobal *g = mem_calloc(vm, sizeof *g);
    g->name = mem_strndup(vm, name, strlen(name));
    g->type = t;
    g->is_const = is_const;
    g->read_only = read_only || is_const;
    g->value = x;
    g->slot = -1;
    if (!is_const) {                          /* a slot of the VM-wide global table */
        Globals *G = &vm->g;
        vm_globals_reserve(vm, G->nglobals + 1);
        char *gname = mem_strndup(vm, name, strlen(name));
        g->slot = (int32_t)G->nglobals++;
        G->globals[g->slot] = x;              /* the slot owns the value */
        G->ginit[g->slot] = true;
        G->gtypes[g->slot] = t;
        G->gnames[g->slot] = gname;
        G->gfiles[g->slot] = NULL;
        g->value.u = 0;
    }
    VEC_PUSH(vm, vm->hostglobals, vm->nhostglobals, vm->caphostglobals, g);
    return WRIT_OK;
}

static writ_status define_const_impl(writ_vm *vm, const char *name, writ_value v) {
    if (!vm) return WRIT_ERROR_MISUSE;
    const char *type = v.kind == WRIT_INT ? "int" : v.kind == WRIT_FLOAT ? "float" : v.kind == WRIT_BOOL ? "bool"
                     : v.kind == WRIT_STRING ? "string" : NULL;
    if (!type) return api_misuse(vm, "constant '%s' must be an int, float, bool or string", name ? name : "(null)");
    return add_global(vm, name, type, v, true, true);
}

static writ_status define_global_impl(writ_vm *vm, const char *name, const char *type, writ_value v, bool read_only) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!type) return api_misuse(vm, "global '%s' needs a type", name ? name : "(null)");
    return add_global(vm, name, type, v, false, read_only);
}

static writ_status bind_var_impl(writ_vm *vm, const char *name, const char *type, writ_storage storage, void *ptr,
                          bool read_only) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!valid_name(name)) return api_misuse(vm, "'%s' is not a valid name", name ? name : "(null)");
    if (name_taken(vm, name)) return api_misuse(vm, "'%s' is already defined", name);
    if (!type || !*type) return api_misuse(vm, "bound variable '%s' needs a type", name);
    if ((int)storage < 0 || storage > WRIT_STORE_FLOATS64) return api_misuse(vm, "bound variable '%s': unknown storage kind", name);
    if (!ptr) return api_misuse(vm, "bound variable '%s' has no address", name);
    HostGlobal *g = mem_calloc(vm, sizeof *g);
    g->name = mem_strndup(vm, name, strlen(name));
    g->type_spelling = mem_strndup(vm, type, strlen(type));
    g->read_only = read_only;
    g->slot = -1;
    g->ptr = ptr;
    g->storage = (int)storage;
    VEC_PUSH(vm, vm->hostglobals, vm->nhostglobals, vm->caphostglobals, g);
    return WRIT_OK;
}

static HostGlobal *find_bound(VM *vm, const char *name) {
    for (size_t i = 0; i < vm->nhostglobals; i++)
        if (vm->hostglobals[i]->ptr && strcmp(vm->hostglobals[i]->name, name) == 0) return vm->hostglobals[i];
    return NULL;
}

typedef struct GlobalQuery { const char *module, *name; int slot; } GlobalQuery;

static bool global_in_file(VM *vm, Module *m, const char *file, Module *root, void *ud) {
    GlobalQuery *q = ud;
    if (q->module && strcmp(root->name, q->module) != 0) return false;
    for (uint32_t k = module_nglobals(m); k-- > 0;) {
        uint32_t s = module_global(m, k);
        if (s >= vm->g.nglobals || !vm->g.gnames[s] || strcmp(vm->g.gnames[s], q->name) != 0) continue;
        if (vm->g.gfiles[s] && strcmp(vm->g.gfiles[s], file) != 0) continue;    /* another file's */
        q->slot = (int)s;
        return true;
    }
    return false;
}

/* A global slot by name: host globals, then module globals (latest load
 * first; module restricts to loads of that main file). */
static int find_global(VM *vm, const char *module, const char *name) {
    if (!module)
        for (size_t i = 0; i < vm->nhostglobals; i++)
            if (strcmp(vm->hostglobals[i]->name, name) == 0) return vm->hostglobals[i]->slot;
    GlobalQuery q = {module, name, -1};
    reload_each_file(vm, global_in_file, &q);
    return q.slot;
}

static writ_status set_global_impl(writ_vm *vm, const char *module, const char *name, writ_value v) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!name) return api_misuse(vm, "writ_set_global needs a name");
    int s = find_global(vm, module, name);
    if (s < 0 && !module && find_bound(vm, name)) return api_misuse(vm, "'%s' is a bound variable: write the C variable", name);
    if (s < 0) return api_misuse(vm, "unknown global '%s'", name);
    Type *t = vm->g.gtypes[s];
    char why[200];
    Value x;
    if (!api_from_writ(vm, t, v, &x, why, sizeof why)) return api_misuse(vm, "global '%s': %s", name, why);
    if (vm->g.ginit[s]) val_release(vm, t, vm->g.globals[s]);
    vm->g.globals[s] = x;
    vm->g.ginit[s] = true;
    return WRIT_OK;
}

static writ_status get_global_impl(writ_vm *vm, const char *module, const char *name, writ_value *out) {
    if (!vm || !out) return WRIT_ERROR_MISUSE;
    if (!name) return api_misuse(vm, "writ_get_global needs a name");
    int s = find_global(vm, module, name);
    if (s < 0 && !module && find_bound(vm, name)) return api_misuse(vm, "'%s' is a bound variable: read the C variable", name);
    if (s < 0) return api_misuse(vm, "unknown global '%s'", name);
    if (!vm->g.ginit[s]) return api_misuse(vm, "global '%s' is read before it is initialised", name);
    *out = api_to_writ(vm, vm->g.gtypes[s], vm->g.globals[s], true);
    return WRIT_OK;
}

int host_direct_kind(const Type *t) {
    switch (t->kind) {
    case T_ANY: case T_OPTIONAL: case T_ENUM: case T_CLASS: case T_TRAIT: return -1;
    default: break;
    }
    writ_kind k = api_kind_of(t);
    return k == WRIT_VOID || k == WRIT_NULL ? -1 : (int)k;
}

static void free_hostfn(VM *vm, HostFn *h) {
    if (h->trace_name) mem_free(vm, h->trace_name, strlen(h->trace_name) + 1);
    mem_free(vm, (void *)h->lib.name, strlen(h->lib.name) + 1);
    mem_free(vm, (void *)h->lib.sig, strlen(h->lib.sig) + 1);
    mem_free(vm, h, sizeof *h);
}

void host_free_all(VM *vm) {
    for (size_t i = 0; i < vm->nhostfns; i++) free_hostfn(vm, vm->hostfns[i]);
    VEC_FREE(vm, vm->hostfns, vm->caphostfns);
    for (size_t i = 0; i < vm->nhostglobals; i++) {
        HostGlobal *g = vm->hostglobals[i];
        if (g->slot >= 0) {
            Globals *G = &vm->g;
            if (G->ginit[g->slot]) val_release(vm, g->type, G->globals[g->slot]);
            G->ginit[g->slot] = false;
            mem_free(vm, G->gnames[g->slot], strlen(G->gnames[g->slot]) + 1);
            G->gnames[g->slot] = NULL;
        } else if (g->ptr) {
            mem_free(vm, g->type_spelling, strlen(g->type_spelling) + 1);
        } else {
            val_release(vm, g->type, g->value);
        }
        mem_free(vm, g->name, strlen(g->name) + 1);
        mem_free(vm, g, sizeof *g);
    }
    VEC_FREE(vm, vm->hostglobals, vm->caphostglobals);
    for (size_t i = 0; i < vm->nhosttypes; i++) {
        HostType *ht = vm->hosttypes[i];
        for (uint32_t k = 0; k < ht->nfields; k++) {
            mem_free(vm, ht->fields[k].name, strlen(ht->fields[k].name) + 1);
            mem_free(vm, ht->fields[k].type_spelling, strlen(ht->fields[k].type_spelling) + 1);
        }
        if (ht->fields) mem_free(vm, ht->fields, sizeof(HostField) * ht->capfields);
        for (uint32_t k = 0; k < ht->nmethods; k++) free_hostfn(vm, ht->methods[k]);
        for (uint32_t k = 0; k < ht->nstatics; k++) free_hostfn(vm, ht->statics[k]);
        VEC_FREE(vm, ht->methods, ht->capmethods);
        VEC_FREE(vm, ht->statics, ht->capstatics);
        if (ht->ctor) free_hostfn(vm, ht->ctor);
        ht->type->decl = NULL;
        mem_free(vm, ht->name, strlen(ht->name) + 1);
        mem_free(vm, ht, sizeof *ht);
    }
    VEC_FREE(vm, vm->hosttypes, vm->caphosttypes);
}

/* ------------------------------------------------------------------ */
/* host types (runtime.md §7) */

static HostType *type_ok(VM *vm, writ_host_type *t) {
    for (size_t i = 0; vm && i < vm->nhosttypes; i++) if ((writ_host_type *)vm->hosttypes[i] == t) return vm->hosttypes[i];
    return NULL;
}

static bool member_taken(HostType *ht, const char *name) {
    for (uint32_t i = 0; i < ht->nfields; i++) if (strcmp(ht->fields[i].name, name) == 0) return true;
    for (uint32_t i = 0; i < ht->nmethods; i++) if (strcmp(ht->methods[i]->lib.name, name) == 0) return true;
    for (uint32_t i = 0; i < ht->nstatics; i++) if (strcmp(ht->statics[i]->lib.name, name) == 0) return true;
    return false;
}

static writ_host_type *define_type_impl(writ_vm *vm, const char *name) {
    if (!vm) return NULL;
    if (!valid_name(name)) { api_misuse(vm, "'%s' is not a valid type name", name ? name : "(null)"); return NULL; }
    static const char *const builtin[] = {"int", "float", "bool", "string", "any", "void", "Array", "Dictionary",
                                           "Optional", "Result", "Weak", "Wait", NULL};
    for (int i = 0; builtin[i]; i++)
        if (strcmp(builtin[i], name) == 0) { api_misuse(vm, "'%s' is a built-in type name", name); return NULL; }
    if (name_taken(vm, name) || api_type_of(vm, name)) { api_misuse(vm, "'%s' is already defined", name); return NULL; }
    for (size_t i = 0; i < vm->nhosttypes; i++)
        if (strcmp(vm->hosttypes[i]->name, name) == 0) { api_misuse(vm, "'%s' is already defined", name); return NULL; }
    HostType *ht = mem_calloc(vm, sizeof *ht);
    ht->name = mem_strndup(vm, name, strlen(name));
    ht->type = ty_nominal(vm, T_HOST, ht->name);
    ht->type->decl = ht;
    VEC_PUSH(vm, vm->hosttypes, vm->nhosttypes, vm->caphosttypes, ht);
    return (writ_host_type *)ht;
}

static writ_status add_field(VM *vm, writ_host_type *t, const char *name, const char *type, int storage, size_t offset,
                             bool read_only, writ_getter get, writ_setter set, void *ud) {
    if (!vm) return WRIT_ERROR_MISUSE;
    HostType *ht = type_ok(vm, t);
    if (!ht) return api_misuse(vm, "unknown host type handle");
    if (!valid_name(name)) return api_misuse(vm, "'%s' is not a valid field name", name ? name : "(null)");
    if (member_taken(ht, name)) return api_misuse(vm, "'%s' is already declared in %s", name, ht->name);
    if (!type || !*type) return api_misuse(vm, "field '%s' of %s needs a type", name, ht->name);
    if (storage > WRIT_STORE_FLOATS64) return api_misuse(vm, "field '%s' of %s: unknown storage kind", name, ht->name);
    api_want_preludes(vm, type);
    if (storage < 0 && !get) return api_misuse(vm, "property '%s' of %s needs a getter", name, ht->name);
    if (ht->nfields == ht->capfields) {
        uint32_t nc = ht->capfields ? ht->capfields * 2 : 8;
        ht->fields = mem_realloc(vm, ht->fields, sizeof(HostField) * ht->capfields, sizeof(HostField) * nc);
        ht->capfields = nc;
    }
    char *fname = mem_strndup(vm, name, strlen(name));       /* before the field counts (allocation may fail) */
    char *spelling = mem_strndup(vm, type, strlen(type));
    HostField *f = &ht->fields[ht->nfields++];
    memset(f, 0, sizeof *f);
    f->name = fname;
    f->type_spelling = spelling;
    f->storage = storage;
    f->offset = offset;
    f->read_only = read_only || (storage < 0 && !set);
    f->get = get;
    f->set = set;
    f->ud = ud;
    return WRIT_OK;
}

static writ_status type_field_impl(writ_vm *vm, writ_host_type *t, const char *name, const char *type, writ_storage storage,
                            size_t offset, bool read_only) {
    return add_field(vm, t, name, type, (int)storage, offset, read_only, NULL, NULL, NULL);
}

static writ_status type_property_impl(writ_vm *vm, writ_host_type *t, const char *name, const char *type, writ_getter get,
                               writ_setter set, void *ud) {
    return add_field(vm, t, name, type, -1, 0, set == NULL, get, set, ud);
}

static HostFn *new_hostfn(VM *vm, const char *name, const char *sig, writ_host_fn fn, void *ud) {
    HostFn *h = mem_calloc(vm, sizeof *h);
    h->lib.name = mem_strndup(vm, name, strlen(name));
    h->lib.sig = mem_strndup(vm, sig, strlen(sig));
    h->lib.fn = host_marker;
    h->fn = fn;
    h->ud = ud;
    return h;
}

static writ_status add_fn(VM *vm, writ_host_type *t, const char *name, const char *sig, writ_host_fn fn, void *ud, bool is_static) {
    if (!vm) return WRIT_ERROR_MISUSE;
    HostType *ht = type_ok(vm, t);
    if (!ht) return api_misuse(vm, "unknown host type handle");
    if (!valid_name(name)) return api_misuse(vm, "'%s' is not a valid method name", name ? name : "(null)");
    if (member_taken(ht, name)) return api_misuse(vm, "'%s' is already declared in %s", name, ht->name);
    if (!fn) return api_misuse(vm, "'%s.%s' has no callback", ht->name, name);
    if (!sig || sig[0] != '(') return api_misuse(vm, "signature of '%s.%s' must start with '('", ht->name, name);
    api_want_preludes(vm, sig);
    HostFn *h = new_hostfn(vm, name, sig, fn, ud);
    h->trace_name = mem_alloc(vm, strlen(ht->name) + strlen(name) + 2);
    sprintf(h->trace_name, "%s.%s", ht->name, name);
    if (is_static) VEC_PUSH(vm, ht->statics, ht->nstatics, ht->capstatics, h);
    else { h->owner = ht; VEC_PUSH(vm, ht->methods, ht->nmethods, ht->capmethods, h); }
    return WRIT_OK;
}

static writ_status type_method_impl(writ_vm *vm, writ_host_type *t, const char *name, const char *sig, writ_host_fn fn, void *ud) {
    return add_fn(vm, t, name, sig, fn, ud, false);
}

static writ_status type_static_impl(writ_vm *vm, writ_host_type *t, const char *name, const char *sig, writ_host_fn fn, void *ud) {
    return add_fn(vm, t, name, sig, fn, ud, true);
}

/* The constructor as a host function returning the new object. */
static writ_status ctor_call(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud) {
    HostType *ht = ud;
    /* the handle first: once the host has made its object, nothing can fail and lose it */
    HostObj *o = host_obj_new(vm, ht, NULL, true);
    vm->has_error = false;
    void *p = ht->ctor_fn(vm, args, nargs, ht->ctor_ud);
    if (!p) {
        mem_free(vm, o, sizeof *o);
        if (!vm->has_error) rt_error(vm, "%s constructor failed", ht->name);
        return WRIT_ERROR_RUNTIME;
    }
    o->ptr = p;
    ret->kind = WRIT_HOST;
    ret->type = (const writ_type *)ht->type;
    ret->as.ref = o;
    return WRIT_OK;
}

static writ_status type_constructor_impl(writ_vm *vm, writ_host_type *t, const char *sig, writ_constructor fn, void *ud) {
    if (!vm) return WRIT_ERROR_MISUSE;
    HostType *ht = type_ok(vm, t);
    if (!ht) return api_misuse(vm, "unknown host type handle");
    if (!fn) return api_misuse(vm, "%s constructor has no callback", ht->name);
    if (!sig || sig[0] != '(' || strstr(sig, "->")) return api_misuse(vm, "%s constructor: signature must be \"(params)\"", ht->name);
    if (ht->ctor) return api_misuse(vm, "%s already has a constructor", ht->name);
    api_want_preludes(vm, sig);
    char *full = mem_alloc(vm, strlen(sig) + strlen(ht->name) + 5);
    sprintf(full, "%s -> %s", sig, ht->name);
    ht->ctor = new_hostfn(vm, ht->name, full, ctor_call, ht);
    mem_free(vm, full, strlen(full) + 1);
    ht->ctor_fn = fn;
    ht->ctor_ud = ud;
    return WRIT_OK;
}

writ_status writ_type_destructor(writ_vm *vm, writ_host_type *t, writ_destructor fn, void *ud) {
    if (!vm) return WRIT_ERROR_MISUSE;
    HostType *ht = type_ok(vm, t);
    if (!ht) return api_misuse(vm, "unknown host type handle");
    ht->dtor = fn;
    ht->dtor_ud = ud;
    return WRIT_OK;
}

HostObj *host_obj_new(VM *vm, HostType *ht, void *ptr, bool owned) {
    HostObj *o = mem_calloc(vm, sizeof *o);
    o->h.rc = 1;
    o->h.kind = OBJ_HOST;
    o->type = ht->type;
    o->ptr = ptr;
    o->owned = owned;
    o->valid = true;
    return o;
}

void host_obj_free(VM *vm, HostObj *o) {
    HostType *ht = o->type->decl;
    if (o->owned && o->valid && ht->dtor) {
        bool was = vm->in_destructor;
        vm->in_destructor = true;
        ht->dtor(o->ptr, ht->dtor_ud);
        vm->in_destructor = was;
    }
    if (o->weak) { o->weak->target = NULL; obj_release(vm, &o->weak->h); }
    mem_free(vm, o, sizeof *o);
}

static writ_value host_object_impl(writ_vm *vm, writ_host_type *t, void *obj, bool vm_owned) {
    writ_value w;
    memset(&w, 0, sizeof w);
    HostType *ht = type_ok(vm, t);
    if (!ht || !obj) return w;
    w.kind = WRIT_HOST;
    w.type = (const writ_type *)ht->type;
    w.as.ref = host_obj_new(vm, ht, obj, vm_owned);
    return w;
}

void *writ_host_ptr(writ_value v) {
    if (v.kind != WRIT_HOST || !v.as.ref || ((Obj *)v.as.ref)->kind != OBJ_HOST) return NULL;
    HostObj *o = v.as.ref;
    return o->valid ? o->ptr : NULL;
}

writ_status writ_invalidate(writ_vm *vm, writ_value v) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (v.kind != WRIT_HOST || !v.as.ref || ((Obj *)v.as.ref)->kind != OBJ_HOST) return api_misuse(vm, "not a host object");
    HostObj *o = v.as.ref;
    o->valid = false;
    if (o->weak) { o->weak->target = NULL; obj_release(vm, &o->weak->h); o->weak = NULL; }
    return WRIT_OK;
}

HostField *host_find_field(HostType *ht, const char *name, uint32_t *index) {
    for (uint32_t i = 0; i < ht->nfields; i++)
        if (strcmp(ht->fields[i].name, name) == 0) { if (index) *index = i; return &ht->fields[i]; }
    return NULL;
}

HostFn *host_find_method(HostType *ht, const char *name) {
    for (uint32_t i = 0; i < ht->nmethods; i++) if (strcmp(ht->methods[i]->lib.name, name) == 0) return ht->methods[i];
    return NULL;
}

HostFn *host_find_static(HostType *ht, const char *name) {
    for (uint32_t i = 0; i < ht->nstatics; i++) if (strcmp(ht->statics[i]->lib.name, name) == 0) return ht->statics[i];
    return NULL;
}

static const char *const storage_names[] = { "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                             "float32", "float64", "bool", "float32", "float64" };

static void storage_load(VM *vm, int storage, Type *t, const char *p, Value *out);

bool host_get_field(VM *vm, HostObj *o, uint32_t i, Value *out) {
    HostType *ht = o->type->decl;
    HostField *f = &ht->fields[i];
    out->u = 0;
    if (!o->valid) { rt_error(vm, "%s object is no longer valid", ht->name); return false; }
    if (f->storage < 0) {
        writ_value w;
        memset(&w, 0, sizeof w);
        vm->has_error = false;
        if (f->get(vm, o->ptr, &w, f->ud) != WRIT_OK) {
            if (!vm->has_error) rt_error(vm, "reading field '%s' of %s failed", f->name, ht->name);
            writ_release(vm, w);
            return false;
        }
        char why[200];
        bool ok = api_from_writ(vm, f->type, w, out, why, sizeof why);
        writ_release(vm, w);
        if (!ok) rt_error(vm, "field '%s' of %s: the getter returned a wrong value: %s", f->name, ht->name, why);
        return ok;
    }
    storage_load(vm, f->storage, f->type, (const char *)o->ptr + f->offset, out);
    return true;
}

/* Reads a C value of a storage kind into a slot of type t (structs of floats: a new instance). */
static void storage_load(VM *vm, int storage, Type *t, const char *p, Value *out) {
    switch ((writ_storage)storage) {
    case WRIT_STORE_I8: { int8_t x; memcpy(&x, p, 1); out->i = x; break; }
    case WRIT_STORE_I16: { int16_t x; memcpy(&x, p, 2); out->i = x; break; }
    case WRIT_STORE_I32: { int32_t x; memcpy(&x, p, 4); out->i = x; break; }
    case WRIT_STORE_I64: { int64_t x; memcpy(&x, p, 8); out->i = x; break; }
    case WRIT_STORE_U8: { uint8_t x; memcpy(&x, p, 1); out->i = x; break; }
    case WRIT_STORE_U16: { uint16_t x; memcpy(&x, p, 2); out->i = x; break; }
    case WRIT_STORE_U32: { uint32_t x; memcpy(&x, p, 4); out->i = x; break; }
    case WRIT_STORE_F32: { float x; memcpy(&x, p, 4); out->f = x; break; }
    case WRIT_STORE_F64: { double x; memcpy(&x, p, 8); out->f = x; break; }
    case WRIT_STORE_BOOL: out->i = *p != 0; break;
    case WRIT_STORE_FLOATS32: case WRIT_STORE_FLOATS64: {      /* a struct of floats, copied in */
        Instance *s = instance_new(vm, t);
        uint32_t n = t->nom->nfields;
        for (uint32_t k = 0; k < n; k++) {
            if (storage == WRIT_STORE_FLOATS32) { float x; memcpy(&x, p + 4 * k, 4); s->f[k].f = x; }
            else memcpy(&s->f[k].f, p + 8 * k, 8);
        }
        out->p = s;
        break;
    }
    }
}

static bool fits(VM *vm, const char *what, const char *name, int storage, int64_t v, int64_t lo, int64_t hi) {
    if (v >= lo && v <= hi) return true;
    rt_error(vm, "value %lld does not fit %s '%s' (%s)", (long long)v, what, name, storage_names[storage]);
    return false;
}

/* Writes slot v of type t as a C value of a storage kind; narrow integers are range-checked
 * ("value 300 does not fit field 'hp' (uint8)"). */
static bool storage_store(VM *vm, int storage, Type *t, char *p, Value v, const char *what, const char *name) {
    switch ((writ_storage)storage) {
    case WRIT_STORE_I8: { if (!fits(vm, what, name, storage, v.i, INT8_MIN, INT8_MAX)) return false; int8_t x = (int8_t)v.i; memcpy(p, &x, 1); break; }
    case WRIT_STORE_I16: { if (!fits(vm, what, name, storage, v.i, INT16_MIN, INT16_MAX)) return false; int16_t x = (int16_t)v.i; memcpy(p, &x, 2); break; }
    case WRIT_STORE_I32: { if (!fits(vm, what, name, storage, v.i, INT32_MIN, INT32_MAX)) return false; int32_t x = (int32_t)v.i; memcpy(p, &x, 4); break; }
    case WRIT_STORE_I64: memcpy(p, &v.i, 8); break;
    case WRIT_STORE_U8: { if (!fits(vm, what, name, storage, v.i, 0, UINT8_MAX)) return false; uint8_t x = (uint8_t)v.i; memcpy(p, &x, 1); break; }
    case WRIT_STORE_U16: { if (!fits(vm, what, name, storage, v.i, 0, UINT16_MAX)) return false; uint16_t x = (uint16_t)v.i; memcpy(p, &x, 2); break; }
    case WRIT_STORE_U32: { if (!fits(vm, what, name, storage, v.i, 0, UINT32_MAX)) return false; uint32_t x = (uint32_t)v.i; memcpy(p, &x, 4); break; }
    case WRIT_STORE_F32: { float x = (float)v.f; memcpy(p, &x, 4); break; }
    case WRIT_STORE_F64: memcpy(p, &v.f, 8); break;
    case WRIT_STORE_BOOL: *p = v.i ? 1 : 0; break;
    case WRIT_STORE_FLOATS32: case WRIT_STORE_FLOATS64: {
        Instance *s = v.p;
        uint32_t n = t->nom->nfields;
        for (uint32_t k = 0; k < n; k++) {
            if (storage == WRIT_STORE_FLOATS32) { float x = (float)s->f[k].f; memcpy(p + 4 * k, &x, 4); }
            else memcpy(p + 8 * k, &s->f[k].f, 8);
        }
        break;
    }
    }
    return true;
}

bool host_set_field(VM *vm, HostObj *o, uint32_t i, Value v) {
    HostType *ht = o->type->decl;
    HostField *f = &ht->fields[i];
    if (!o->valid) { rt_error(vm, "%s object is no longer valid", ht->name); return false; }
    if (f->storage < 0) {
        writ_value w = api_to_writ(vm, f->type, v, false);
        vm->has_error = false;
        if (f->set(vm, o->ptr, w, f->ud) != WRIT_OK) {
            if (!vm->has_error) rt_error(vm, "writing field '%s' of %s failed", f->name, ht->name);
            return false;
        }
        return true;
    }
    return storage_store(vm, f->storage, f->type, (char *)o->ptr + f->offset, v, "field", f->name);
}

bool host_var_get(VM *vm, uint32_t i, Value *out) {
    HostGlobal *g = vm->hostglobals[i];
    out->u = 0;
    storage_load(vm, g->storage, g->type, g->ptr, out);
    return true;
}

bool host_var_set(VM *vm, uint32_t i, Value v) {
    HostGlobal *g = vm->hostglobals[i];
    return storage_store(vm, g->storage, g->type, g->ptr, v, "variable", g->name);
}

/* ---- public entry points: each runs inside API_PROTECT (api.h) ---- */

writ_status writ_register_fn(writ_vm *vm, const char *name, const char *signature, writ_host_fn fn, void *ud) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, register_fn_impl(vm, name, signature, fn, ud));
}

writ_host_type *writ_define_type(writ_vm *vm, const char *name) {
    API_GUARDED(writ_host_type *, NULL, define_type_impl(vm, name));
}

writ_status writ_type_field(writ_vm *vm, writ_host_type *t, const char *name, const char *type, writ_storage storage,
                            size_t offset, bool read_only) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, type_field_impl(vm, t, name, type, storage, offset, read_only));
}

writ_status writ_type_property(writ_vm *vm, writ_host_type *t, const char *name, const char *type, writ_getter get,
                               writ_setter set, void *ud) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, type_property_impl(vm, t, name, type, get, set, ud));
}

writ_status writ_type_method(writ_vm *vm, writ_host_type *t, const char *name, const char *sig, writ_host_fn fn, void *ud) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, type_method_impl(vm, t, name, sig, fn, ud));
}

writ_status writ_type_static(writ_vm *vm, writ_host_type *t, const char *name, const char *sig, writ_host_fn fn, void *ud) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, type_static_impl(vm, t, name, sig, fn, ud));
}

writ_status writ_type_constructor(writ_vm *vm, writ_host_type *t, const char *sig, writ_constructor fn, void *ud) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, type_constructor_impl(vm, t, sig, fn, ud));
}

writ_value writ_host_object(writ_vm *vm, writ_host_type *t, void *obj, bool vm_owned) {
    API_GUARDED(writ_value, api_no_value(), host_object_impl(vm, t, obj, vm_owned));
}

writ_status writ_define_const(writ_vm *vm, const char *name, writ_value v) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, define_const_impl(vm, name, v));
}

writ_status writ_define_global(writ_vm *vm, const char *name, const char *type, writ_value v, bool read_only) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, define_global_impl(vm, name, type, v, read_only));
}

writ_status writ_set_global(writ_vm *vm, const char *module, const char *name, writ_value v) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, set_global_impl(vm, module, name, v));
}

writ_status writ_get_global(writ_vm *vm, const char *module, const char *name, writ_value *out) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, get_global_impl(vm, module, name, out));
}

writ_status writ_bind_var(writ_vm *vm, const char *name, const char *type, writ_storage storage, void *ptr,
                          bool read_only) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, bind_var_impl(vm, name, type, storage, ptr, read_only));
}
