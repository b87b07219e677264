/* host.c — what the host registers (runtime.md §6, §8): functions with
 * Writ signatures, constants and value globals.  Registrations precede the
 * compilation of code that uses them; the checker declares them next to
 * the library (declare_lib), the compiler calls them with OP_CALLH. */
#include "host.h"
#include "api.h"
#include "chunk.h"
#include "check.h"
#include <stdarg.h>
#include <stdio.h>

static bool valid_name(const char *n) {
    if (!n || !*n || (*n >= '0' && *n <= '9')) return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
    return true;
}

static bool name_taken(VM *vm, const char *name) {
    for (uint32_t m = 0; lib_modules[m].name; m++)
        for (const LibFn *f = lib_modules[m].fns; f->name; f++) if (strcmp(f->name, name) == 0) return true;
    for (size_t i = 0; i < vm->nhostfns; i++) if (strcmp(vm->hostfns[i]->lib.name, name) == 0) return true;
    for (size_t i = 0; i < vm->nhostglobals; i++) if (strcmp(vm->hostglobals[i]->name, name) == 0) return true;
    return false;
}

writ_status writ_register_fn(writ_vm *vm, const char *name, const char *signature, writ_host_fn fn, void *ud) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!valid_name(name)) return api_misuse(vm, "'%s' is not a valid function name", name ? name : "(null)");
    if (!signature || signature[0] != '(') return api_misuse(vm, "signature of '%s' must start with '('", name);
    if (!fn) return api_misuse(vm, "host function '%s' has no callback", name);
    if (name_taken(vm, name)) return api_misuse(vm, "'%s' is already defined", name);
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
    Type *t = (Type *)writ_type_of(vm, type);
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
        if (G->nglobals == G->cap) {
            uint32_t nc = G->cap ? G->cap * 2 : 64;
            G->globals = mem_realloc(vm, G->globals, sizeof(Value) * G->cap, sizeof(Value) * nc);
            G->ginit = mem_realloc(vm, G->ginit, sizeof(bool) * G->cap, sizeof(bool) * nc);
            G->gtypes = mem_realloc(vm, G->gtypes, sizeof(Type *) * G->cap, sizeof(Type *) * nc);
            G->gnames = mem_realloc(vm, G->gnames, sizeof(char *) * G->cap, sizeof(char *) * nc);
            G->cap = nc;
        }
        g->slot = (int32_t)G->nglobals++;
        G->globals[g->slot] = x;              /* the slot owns the value */
        G->ginit[g->slot] = true;
        G->gtypes[g->slot] = t;
        G->gnames[g->slot] = mem_strndup(vm, name, strlen(name));
        g->value.u = 0;
    }
    VEC_PUSH(vm, vm->hostglobals, vm->nhostglobals, vm->caphostglobals, g);
    return WRIT_OK;
}

writ_status writ_define_const(writ_vm *vm, const char *name, writ_value v) {
    if (!vm) return WRIT_ERROR_MISUSE;
    const char *type = v.kind == WRIT_INT ? "int" : v.kind == WRIT_FLOAT ? "float" : v.kind == WRIT_BOOL ? "bool"
                     : v.kind == WRIT_STRING ? "string" : NULL;
    if (!type) return api_misuse(vm, "constant '%s' must be an int, float, bool or string", name ? name : "(null)");
    return add_global(vm, name, type, v, true, true);
}

writ_status writ_define_global(writ_vm *vm, const char *name, const char *type, writ_value v, bool read_only) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!type) return api_misuse(vm, "global '%s' needs a type", name ? name : "(null)");
    return add_global(vm, name, type, v, false, read_only);
}

/* A global slot by name: host globals, then module globals (latest load
 * first; module restricts to loads of that main file). */
static int find_global(VM *vm, const char *module, const char *name) {
    if (!module)
        for (size_t i = 0; i < vm->nhostglobals; i++)
            if (strcmp(vm->hostglobals[i]->name, name) == 0) return vm->hostglobals[i]->slot;
    for (size_t i = vm->nmodules; i-- > 0;) {
        Module *m = vm->modules[i];
        if (module && strcmp(m->name, module) != 0) continue;
        for (uint32_t k = m->nglobals; k-- > 0;) {
            uint32_t s = m->first_global + k;
            if (s < vm->g.nglobals && vm->g.gnames[s] && strcmp(vm->g.gnames[s], name) == 0) return (int)s;
        }
    }
    return -1;
}

writ_status writ_set_global(writ_vm *vm, const char *module, const char *name, writ_value v) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!name) return api_misuse(vm, "writ_set_global needs a name");
    int s = find_global(vm, module, name);
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

writ_status writ_get_global(writ_vm *vm, const char *module, const char *name, writ_value *out) {
    if (!vm || !out) return WRIT_ERROR_MISUSE;
    if (!name) return api_misuse(vm, "writ_get_global needs a name");
    int s = find_global(vm, module, name);
    if (s < 0) return api_misuse(vm, "unknown global '%s'", name);
    if (!vm->g.ginit[s]) return api_misuse(vm, "global '%s' is read before it is initialised", name);
    *out = api_to_writ(vm, vm->g.gtypes[s], vm->g.globals[s], true);
    return WRIT_OK;
}

void host_free_all(VM *vm) {
    for (size_t i = 0; i < vm->nhostfns; i++) {
        HostFn *h = vm->hostfns[i];
        mem_free(vm, (void *)h->lib.name, strlen(h->lib.name) + 1);
        mem_free(vm, (void *)h->lib.sig, strlen(h->lib.sig) + 1);
        mem_free(vm, h, sizeof *h);
    }
    VEC_FREE(vm, vm->hostfns, vm->caphostfns);
    for (size_t i = 0; i < vm->nhostglobals; i++) {
        HostGlobal *g = vm->hostglobals[i];
        if (g->slot >= 0) {
            Globals *G = &vm->g;
            if (G->ginit[g->slot]) val_release(vm, g->type, G->globals[g->slot]);
            G->ginit[g->slot] = false;
            mem_free(vm, G->gnames[g->slot], strlen(G->gnames[g->slot]) + 1);
            G->gnames[g->slot] = NULL;
        } else {
            val_release(vm, g->type, g->value);
        }
        mem_free(vm, g->name, strlen(g->name) + 1);
        mem_free(vm, g, sizeof *g);
    }
    VEC_FREE(vm, vm->hostglobals, vm->caphostglobals);
}
