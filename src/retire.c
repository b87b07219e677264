/* retire.c — freeing the loads that hot reload replaced (runtime.md §11).
 *
 * A replaced load keeps its code while something can still run or name it:
 *  - a task started from it or with a frame in it (old frames finish on old code),
 *  - a closure made from one of its protos (closures keep their code),
 *  - another load whose code calls its protos, or whose types inherit or
 *    dispatch to them,
 *  - a type that still dispatches to it (a class the reload removed),
 *  - a forwarder of another load (older replaced ones, or the load a file
 *    reload split off) leading into it,
 *  - the last runtime error's trace (it names its functions and files).
 * Otherwise its protos, texts and file names are freed at once, so a game
 * that reloads often does not grow, and the next reload reuses that memory
 * instead of faulting in fresh pages (the main cost of a reload).  Chains of
 * forwarders are shortened first (a forwarder leads straight to the newest
 * code), so one long-lived coroutine on old code keeps only its own load,
 * not every later version. */
#include "reload.h"
#include "opcodes.h"
#include "check.h"
#include "sched.h"

static bool forwards(Proto *p) {
    return p->entry != p->code && INS_OP(p->entry[0]) == OP_FORWARD;
}

static void push_str_const(VM *vm, Proto *p, Value s) {
    if (p->nconsts == p->capconsts) {
        uint32_t nc = p->capconsts ? p->capconsts * 2 : 4;
        p->consts = mem_realloc(vm, p->consts, sizeof(Value) * p->capconsts, sizeof(Value) * nc);
        p->const_is_str = mem_realloc(vm, p->const_is_str, sizeof(bool) * p->capconsts, sizeof(bool) * nc);
        p->capconsts = nc;
    }
    obj_retain(s.o);
    p->consts[p->nconsts] = s;
    p->const_is_str[p->nconsts++] = true;
}


static void mark(Proto *p) { if (p) p->module->used_elsewhere = true; }

static bool forwards_to(Proto *t) { return t->entry != t->code && INS_OP(t->entry[0]) == OP_FORWARD; }

/* A forwarder (a proto a reload replaced) leads straight to the newest
 * code, and one that leads to a failure message fails itself and leads
 * nowhere — so chains of replaced loads do not keep each other alive.
 * Call slots are left alone: a function value made from them must stay the
 * same value (f == f) in code that was not recompiled. */
static Proto *shortcut(VM *vm, Proto *p, uint32_t q) {
    Proto *t = p->protos[q];
    if (!forwards(p) || INS_Bx(p->entry[0]) != q) return t;
    while (t != p && forwards_to(t)) t = t->protos[INS_Bx(t->entry[0])];
    p->protos[q] = t;
    if (t != p && t->entry != t->code && INS_OP(t->entry[0]) == OP_FWDFAIL) {
        push_str_const(vm, p, t->consts[INS_Bx(t->entry[0])]);
        p->entry[0] = MK_ABx(OP_FWDFAIL, 0, p->nconsts - 1);
        p->protos[q] = p;
        t = p;
    }
    return t;
}

/* Marks the loads whose protos are called by other loads' code (their
 * forwarders included, shortened first), or are in a
 * type's dispatch tables, method lists or field defaults (classes a reload
 * removed included): one pass for all. */
static void mark_used(VM *vm) {
    for (size_t i = 0; i < vm->nmodules; i++) vm->modules[i]->used_elsewhere = false;
    for (size_t i = 0; i < vm->nmodules; i++) {
        Module *r = vm->modules[i];
        for (uint32_t k = 0; k < r->nprotos; k++) {
            Proto *p = r->all_protos[k];
            for (uint32_t q = 0; q < p->nprotos; q++) {
                Proto *t = shortcut(vm, p, q);
                if (t->module != r) mark(t);
            }
        }
    }
    TypeTable *tt = &vm->types;
    for (size_t i = 0; i < tt->nnominals; i++) {
        NominalInfo *n = tt->nominals[i]->nom;
        if (!n) continue;
        for (uint32_t k = 0; n->vtable && k < n->nvtable; k++) mark(n->vtable[k]);
        for (uint32_t k = 0; n->itables && k < n->ntraits; k++)
            for (uint32_t q = 0; n->itables[k] && q < n->itable_len[k]; q++) mark(n->itables[k][q]);
        for (uint32_t k = 0; k < n->nmethods; k++) mark(n->methods[k]);
        for (uint32_t k = 0; n->field_defaults && k < n->nfields; k++) mark(n->field_defaults[k]);
        for (uint32_t k = 0; k < n->nfield_meta; k++) {
            if (n->field_get) mark(n->field_get[k]);
            if (n->field_set) mark(n->field_set[k]);
        }
        mark(n->defaults);
    }
}

void reload_note_replaced(VM *vm, Module *old, bool keep) {
    (void)vm;
    if (keep) old->pinned = true;
}

static bool frames_use(Frame *f, size_t n, Module *m) {
    for (size_t i = 0; i < n; i++) if (f[i].proto->module == m) return true;
    return false;
}

static bool owns_string(Module *m, const char *s) {
    if (!s) return false;
    if (s == m->name) return true;
    for (uint32_t i = 0; i < m->nfiles; i++) if (s == m->files[i]) return true;
    return false;
}

static bool in_use(VM *vm, Module *m) {
    if (m->pinned) return true;
    uint32_t closures = m->nclosures;
    for (uint32_t i = 0; i < m->nprotos; i++) {
        Closure *c = m->all_protos[i]->cached;        /* held only by its proto: freed with it */
        if (c && c->h.rc == 1) closures--;
    }
    if (closures) return true;
    if (frames_use(vm->frames, vm->nframes, m)) return true;
    for (size_t i = 0; i < vm->ntasks; i++) {
        Task *t = vm->tasks[i];
        if (t && (t->entry->module == m || frames_use(t->frames, t->nframes, m))) return true;
    }
    for (size_t i = 0; i < vm->ntrace; i++) {
        if (owns_string(m, vm->trace[i].file)) return true;
        if (vm->trace[i].file) continue;
        for (uint32_t k = 0; k < m->nprotos; k++) if (vm->trace[i].fn == m->all_protos[k]->name) return true;
    }
    return false;
}

static void drop_load(VM *vm, size_t idx) {
    Module *m = vm->modules[idx];
    if (vm->dbg.last_proto && vm->dbg.last_proto->module == m) vm->dbg.last_proto = NULL;
    if (vm->results[idx]) {
        chk_result_free(vm, (CheckResult *)vm->results[idx]);
        mem_free(vm, vm->results[idx], sizeof(CheckResult));
    }
    if (vm->arenas[idx]) {
        arena_free(vm->arenas[idx]);
        mem_free(vm, vm->arenas[idx], sizeof(Arena));
    }
    module_free(vm, m);
    for (size_t i = idx + 1; i < vm->nmodules; i++) {       /* the three lists stay parallel, in load order */
        vm->modules[i - 1] = vm->modules[i];
        vm->results[i - 1] = vm->results[i];
        vm->arenas[i - 1] = vm->arenas[i];
    }
    vm->nmodules--;
    vm->nresults--;
    vm->narenas--;
}

void reload_retire(VM *vm) {
    for (bool dropped = true; dropped;) {       /* a dropped load may have been the last user of another */
        dropped = false;
        bool any = false;                       /* the cheap tests first: the scan of every proto */
        for (size_t i = 0; i < vm->nmodules; i++) {      /* of every load (mark_used) only when needed */
            Module *m = vm->modules[i];
            m->retirable = m->replaced && !in_use(vm, m) && !reload_compile_data_needed(vm, m);
            any = any || m->retirable;
        }
        if (!any) break;
        mark_used(vm);
        for (size_t i = 0; i < vm->nmodules;) {
            Module *m = vm->modules[i];
            if (m->retirable && !m->used_elsewhere) { drop_load(vm, i); dropped = true; }
            else i++;
        }
    }
}
