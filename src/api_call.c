/* api_call.c — calling script code from the host (runtime.md §4): function
 * handles, calls by name and by handle, methods, coroutines as tasks, and
 * globals by name. */
#define _DEFAULT_SOURCE 1
#include "api.h"
#include "reload.h"
#include "chunk.h"
#include "sched.h"
#include <stdio.h>
#include <stdlib.h>

/* A handle stays allocated until the VM goes: writ_fn_free marks it dead
 * (a later use is misuse, not a crash) and the next writ_function reuses it. */
struct writ_fn {
    VM *vm;                  /* the VM it belongs to */
    char *module;            /* as given, or NULL: any module */
    char *name;              /* NULL: freed */
    Proto *proto;
    uint64_t generation;     /* vm->code_generation when resolved (hot reload re-resolves) */
};

static bool same_module(const char *given, const char *file) {
    if (!given) return true;
    if (strcmp(given, file) == 0) return true;
    char a[4096], b[4096];
    return realpath(given, a) && realpath(file, b) && strcmp(a, b) == 0;
}

typedef struct FnQuery { const char *module, *name; Proto *found; } FnQuery;

static bool fn_in_file(VM *vm, Module *m, const char *file, Module *root, void *ud) {
    FnQuery *q = ud;
    (void)vm; (void)root;
    for (uint32_t k = m->nfns; k-- > 0;)
        if (strcmp(m->fns[k].file, file) == 0 && strcmp(m->fns[k].name, q->name) == 0 && same_module(q->module, file)) {
            q->found = m->fns[k].proto;
            return true;
        }
    return false;
}

/* The latest definition of module::name (reload.c gives the order). */
static Proto *find_fn(VM *vm, const char *module, const char *name) {
    FnQuery q = {module, name, NULL};
    reload_each_file(vm, fn_in_file, &q);
    return q.found;
}

static writ_status function_impl(writ_vm *vm, const char *module, const char *name, writ_fn **out) {
    if (!vm || !out) return WRIT_ERROR_MISUSE;
    *out = NULL;
    if (!name) return api_misuse(vm, "writ_function needs a name");
    Proto *p = find_fn(vm, module, name);
    if (!p) {
        if (module) return api_misuse(vm, "unknown function '%s' in module '%s'", name, module);
        return api_misuse(vm, "unknown function '%s'", name);
    }
    char *mod = module ? mem_strndup(vm, module, strlen(module)) : NULL;
    char *nm = mem_strndup(vm, name, strlen(name));
    writ_fn *fn = NULL;
    for (size_t i = 0; i < vm->nfnhandles && !fn; i++) if (!vm->fnhandles[i]->name) fn = vm->fnhandles[i];
    if (!fn) {
        VEC_GROW(vm, vm->fnhandles, vm->nfnhandles, vm->capfnhandles, 1);
        fn = mem_calloc(vm, sizeof *fn);
        vm->fnhandles[vm->nfnhandles++] = fn;
    }
    fn->vm = vm;
    fn->module = mod;
    fn->name = nm;
    fn->proto = p;
    fn->generation = vm->code_generation;
    *out = fn;
    return WRIT_OK;
}

/* A live handle of this VM (NULL after reporting misuse). */
static writ_fn *live_fn(VM *vm, writ_fn *fn, const char *api) {
    if (!fn) { api_misuse(vm, "%s: the function handle is NULL", api); return NULL; }
    if (fn->vm != vm) { api_misuse(vm, "%s: the function handle belongs to another VM", api); return NULL; }
    if (!fn->name) { api_misuse(vm, "%s: the function handle was freed", api); return NULL; }
    return fn;
}

static void fn_clear(VM *vm, writ_fn *fn) {
    if (fn->module) mem_free(vm, fn->module, strlen(fn->module) + 1);
    if (fn->name) mem_free(vm, fn->name, strlen(fn->name) + 1);
    fn->module = fn->name = NULL;
    fn->proto = NULL;
}

static void fn_destroy(VM *vm, writ_fn *fn) {
    fn_clear(vm, fn);
    mem_free(vm, fn, sizeof *fn);
}

void api_free_fn_handles(VM *vm) {       /* VM teardown: handles the host never freed */
    for (size_t i = 0; i < vm->nfnhandles; i++) fn_destroy(vm, vm->fnhandles[i]);
    VEC_FREE(vm, vm->fnhandles, vm->capfnhandles);
    vm->nfnhandles = 0;
}

void writ_fn_free(writ_vm *vm, writ_fn *fn) {
    if (!vm || !fn || fn->vm != vm) return;   /* not ours */
    fn_clear(vm, fn);                          /* kept for reuse; freeing twice does nothing */
}

/* Converts the host's arguments into the slots of p's parameters (after
 * the receiver, if any, in vals[0]): defaults for omitted trailing ones, an
 * array for a variadic parameter.  vals are owned; *n gets their count. */
static writ_status bind_host_args(VM *vm, Proto *p, const char *fname, const writ_value *args, int nargs,
                                  Value *vals, uint32_t off, uint32_t *n) {
    Type *ft = p->ftype;
    uint32_t nd = ft->n;
    uint32_t nfixed = p->variadic ? nd - 1 : nd;
    if (nargs < 0 || (uint32_t)nargs < p->nrequired || (!p->variadic && (uint32_t)nargs > nd))
        return api_misuse(vm, "wrong number of arguments to '%s': expected %u, found %d", fname,
                          (uint32_t)nargs < p->nrequired ? p->nrequired : nd, nargs);
    char why[200];
    *n = off;
    for (uint32_t i = 0; i < nd; i++) {
        Type *pt = ft->args[i];
        Value v;
        v.u = 0;
        if (i < nfixed && i < (uint32_t)nargs) {
            if (!api_from_writ(vm, pt, args[i], &v, why, sizeof why)) {
                for (uint32_t k = off; k < *n; k++) val_release(vm, ft->args[k - off], vals[k]);
                return api_misuse(vm, "argument %u of '%s': %s", i + 1, fname, why);
            }
        } else if (i < nfixed) {                    /* omitted: its default */
            if (!p->defaults || !p->defaults[i] || !vm_execute(vm, p->defaults[i], NULL, NULL, 0, &v)) {
                for (uint32_t k = off; k < *n; k++) val_release(vm, ft->args[k - off], vals[k]);
                if (vm->has_error) return WRIT_ERROR_RUNTIME;
                return api_misuse(vm, "missing argument %u of '%s'", i + 1, fname);
            }
        } else {                                     /* the variadic rest */
            Arr *a = arr_new(vm, pt, nargs > (int)nfixed ? nargs - (int)nfixed : 0);
            for (int k = (int)nfixed; k < nargs; k++) {
                Value e;
                if (!api_from_writ(vm, pt->a, args[k], &e, why, sizeof why)) {
                    obj_release(vm, &a->h);
                    for (uint32_t q = off; q < *n; q++) val_release(vm, ft->args[q - off], vals[q]);
                    return api_misuse(vm, "argument %d of '%s': %s", k + 1, fname, why);
                }
                arr_push(vm, a, e);
            }
            v.p = a;
        }
        vals[(*n)++] = v;
    }
    return WRIT_OK;
}

/* Runs p with the receiver (or NULL) and host arguments; a coroutine is
 * started as a task instead.  result may be NULL. */
static writ_status call_proto(VM *vm, Proto *p, const char *fname, Instance *recv, Instance *owner,
                              const writ_value *args, int nargs, writ_value *result) {
    if (result) memset(result, 0, sizeof *result);
    if (!p->ftype) return api_misuse(vm, "'%s' cannot be called (it did not compile)", fname);
    if (vm->in_destructor) return api_misuse(vm, "host destructors must not call into the VM");
    Value vals[260];
    uint32_t off = recv ? 1 : 0, n = 0;
    if (recv) { vals[0].p = recv; obj_retain(&recv->h); }
    api_entry_begin(vm);
    writ_status st = bind_host_args(vm, p, fname, args, nargs, vals, off, &n);
    if (st != WRIT_OK) {
        if (recv) obj_release(vm, &recv->h);
        api_entry_end(vm, true);
        return st;
    }
    bool ok;
    Value ret;
    ret.u = 0;
    if (p->is_coroutine) {
        Task *t = vm_spawn(vm, p, vals, n, owner);
        ok = t != NULL;
        if (ok && result) { result->kind = WRIT_TASK; result->as.ref = t; }
        else if (t) obj_release(vm, &t->h);
    } else {
        if (recv && p->inout_self) obj_retain(&recv->h);     /* the method owns (and drops) its copy */
        ok = vm_execute(vm, p, NULL, vals, n, &ret);
        if (ok && result && p->ftype->a->kind != T_VOID) *result = api_to_writ(vm, p->ftype->a, ret, true);
        if (ok && p->ret_is_ref) obj_release(vm, ret.o);     /* the host holds its own reference */
    }
    if (recv) obj_release(vm, &recv->h);
    for (uint32_t k = off; k < n; k++) val_release(vm, p->ftype->args[k - off], vals[k]);
    return api_entry_end(vm, ok);
}

static Proto *resolve(VM *vm, writ_fn *fn) {
    if (fn->generation != vm->code_generation) {      /* code was reloaded: follow the name */
        fn->proto = find_fn(vm, fn->module, fn->name);
        fn->generation = vm->code_generation;
    }
    return fn->proto;
}

const writ_type *writ_fn_type(writ_vm *vm, writ_fn *fn) {
    if (!vm || !live_fn(vm, fn, "writ_fn_type")) return NULL;
    Proto *p = resolve(vm, fn);
    return p ? (const writ_type *)p->ftype : NULL;
}

static writ_status call_impl(writ_vm *vm, writ_fn *fn, const writ_value *args, int nargs, writ_value *result) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (result) memset(result, 0, sizeof *result);
    if (!live_fn(vm, fn, "writ_call")) return WRIT_ERROR_MISUSE;
    if (nargs > 0 && !args) return api_misuse(vm, "writ_call: args is NULL");
    Proto *p = resolve(vm, fn);
    if (!p) {
        if (result) memset(result, 0, sizeof *result);
        char buf[300];
        int k = snprintf(buf, sizeof buf, "error: function '%s' was removed by hot reload\n", fn->name);
        api_set_error_text(vm, buf, (size_t)k);
        return WRIT_ERROR_RUNTIME;
    }
    return call_proto(vm, p, fn->name, NULL, NULL, args, nargs, result);
}

static writ_status call_name_impl(writ_vm *vm, const char *module, const char *name, const writ_value *args, int nargs,
                           writ_value *result) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!name) return api_misuse(vm, "writ_call_name needs a name");
    if (nargs > 0 && !args) return api_misuse(vm, "writ_call_name: args is NULL");
    Proto *p = find_fn(vm, module, name);
    if (!p) return api_misuse(vm, "unknown function '%s'", name);
    return call_proto(vm, p, name, NULL, NULL, args, nargs, result);
}

static Instance *as_instance(writ_value v) {
    return (v.kind == WRIT_STRUCT || v.kind == WRIT_OBJECT) && v.as.ref && ((Obj *)v.as.ref)->kind == OBJ_INSTANCE
        ? (Instance *)v.as.ref : NULL;
}

static writ_status call_method_impl(writ_vm *vm, writ_value receiver, const char *method, const writ_value *args, int nargs,
                             writ_value *result) {
    if (!vm) return WRIT_ERROR_MISUSE;
    Instance *o = as_instance(receiver);
    if (!o) return api_misuse(vm, "%s has no methods", api_kind_name(receiver));
    if (!method) return api_misuse(vm, "writ_call_method needs a method name");
    if (nargs > 0 && !args) return api_misuse(vm, "writ_call_method: args is NULL");
    NominalInfo *n = o->type->nom;
    for (uint32_t i = 0; i < n->nmethods; i++)
        if (strcmp(n->method_names[i], method) == 0) {
            char fname[300];
            snprintf(fname, sizeof fname, "%s.%s", o->type->name, method);
            Instance *owner = o->type->kind == T_CLASS ? o : NULL;   /* a coroutine method is owned by its object */
            return call_proto(vm, n->methods[i], fname, o, owner, args, nargs, result);
        }
    return api_misuse(vm, "%s has no public method '%s'", o->type->name, method);
}

/* ------------------------------------------------------------------ */
/* tasks */

static Task *as_task(writ_value v) {
    return v.kind == WRIT_TASK && v.as.ref && ((Obj *)v.as.ref)->kind == OBJ_TASK ? (Task *)v.as.ref : NULL;
}

static writ_status start_impl(writ_vm *vm, writ_fn *fn, writ_value owner, const writ_value *args, int nargs, writ_value *task) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!live_fn(vm, fn, "writ_start")) return WRIT_ERROR_MISUSE;
    Instance *o = NULL;
    if (owner.kind != WRIT_NULL) {
        o = as_instance(owner);
        if (!o || o->type->kind != T_CLASS) return api_misuse(vm, "a task owner must be a class instance, found %s", api_kind_name(owner));
    }
    Proto *p = resolve(vm, fn);
    if (!p) return api_misuse(vm, "function '%s' was removed by hot reload", fn->name);
    if (!p->is_coroutine) return api_misuse(vm, "'%s' is not a coroutine", fn->name);
    return call_proto(vm, p, fn->name, NULL, o, args, nargs, task);
}

writ_task_state writ_task_state_of(writ_value task) {
    Task *t = as_task(task);
    if (!t) return WRIT_TASK_FAILED;
    switch ((TaskState)t->state) {
    case TASK_RUNNING: return WRIT_TASK_RUNNING;
    case TASK_SUSPENDED: return WRIT_TASK_SUSPENDED;
    case TASK_DONE: return WRIT_TASK_FINISHED;
    case TASK_CANCELLED: return WRIT_TASK_CANCELLED;
    default: return WRIT_TASK_FAILED;
    }
}

static writ_status task_result_impl(writ_vm *vm, writ_value task, writ_value *out) {
    if (!vm || !out) return WRIT_ERROR_MISUSE;
    Task *t = as_task(task);
    if (!t) return api_misuse(vm, "not a task: %s", api_kind_name(task));
    if (t->state != TASK_DONE) return api_misuse(vm, "the task has not finished");
    Type *rt = t->entry->ftype ? t->entry->ftype->a : vm->types.t_void;
    memset(out, 0, sizeof *out);
    if (rt->kind != T_VOID) *out = api_to_writ(vm, rt, t->result, true);
    return WRIT_OK;
}

static void task_cancel_impl(writ_vm *vm, writ_value task) {
    Task *t = as_task(task);
    if (vm && t) sched_cancel(vm, t);
}

static void cancel_owner_impl(writ_vm *vm, writ_value owner) {
    Instance *o = as_instance(owner);
    if (vm && o) sched_cancel_owner(vm, o);
}

static void cancel_all_impl(writ_vm *vm) { if (vm) sched_cancel_all(vm); }

bool writ_owner_has_tasks(writ_vm *vm, writ_value owner) {
    Instance *o = as_instance(owner);
    if (!vm || !o) return false;
    for (size_t i = 0; i < vm->ntasks; i++)
        if (vm->tasks[i] && vm->tasks[i]->owner == o) return true;
    return false;
}

/* ---- public entry points: each runs inside API_PROTECT (api.h) ---- */

writ_status writ_function(writ_vm *vm, const char *module, const char *name, writ_fn **out) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, function_impl(vm, module, name, out));
}

writ_status writ_call(writ_vm *vm, writ_fn *fn, const writ_value *args, int nargs, writ_value *result) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, call_impl(vm, fn, args, nargs, result));
}

writ_status writ_call_name(writ_vm *vm, const char *module, const char *name, const writ_value *args, int nargs,
                           writ_value *result) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, call_name_impl(vm, module, name, args, nargs, result));
}

writ_status writ_call_method(writ_vm *vm, writ_value receiver, const char *method, const writ_value *args, int nargs,
                             writ_value *result) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, call_method_impl(vm, receiver, method, args, nargs, result));
}

writ_status writ_start(writ_vm *vm, writ_fn *fn, writ_value owner, const writ_value *args, int nargs, writ_value *task) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, start_impl(vm, fn, owner, args, nargs, task));
}

writ_status writ_task_result(writ_vm *vm, writ_value task, writ_value *out) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, task_result_impl(vm, task, out));
}

void writ_task_cancel(writ_vm *vm, writ_value task) {
    API_GUARDED_VOID(task_cancel_impl(vm, task));
}

void writ_cancel_owner(writ_vm *vm, writ_value owner) {
    API_GUARDED_VOID(cancel_owner_impl(vm, owner));
}

void writ_cancel_all(writ_vm *vm) {
    API_GUARDED_VOID(cancel_all_impl(vm));
}
