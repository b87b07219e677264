/* reload.c — hot reload (runtime.md §11), version 1.
 *
 * A reload compiles the load that contains the file again, as a new load,
 * with three kinds of continuity:
 *  - types: a type of the old load with the same name and kind is reused
 *    (same Type object), so live objects keep their type, `is` and dispatch
 *    tables see the new methods;
 *  - globals: a global with the same name and type keeps its slot and value
 *    (its initialiser does not run again); new and retyped ones are
 *    initialised; removed ones are released and fail when old code reads them;
 *  - functions: every named function of the old load becomes a forwarder to
 *    the new one with the same name and signature (OP_FORWARD at its entry),
 *    or a stub failing with "function 'f' was removed/changed by hot reload".
 *    Frames already running keep executing the old code.
 * Version 1 refuses a reload that changes a struct's or class's fields, a
 * class's virtual methods or an enum's variants (migration comes next: see
 * docs/design.md); nothing changes then, as for a compile error. */
#define _DEFAULT_SOURCE 1
#include "reload.h"
#include "api.h"
#include "check.h"
#include "opcodes.h"
#include <stdio.h>
#include <stdlib.h>

Type *reload_reuse_type(VM *vm, const char *name, TypeKind k) {
    ReloadCtx *c = vm->reload;
    if (!c) return NULL;
    for (uint32_t i = 0; i < c->ntypes; i++) {
        ReloadType *rt = &c->types[i];
        if (rt->reused || rt->type->kind != k || strcmp(rt->type->name, name) != 0) continue;
        rt->reused = true;
        rt->old_nom = rt->type->nom;
        rt->old_decl = rt->type->decl;
        rt->type->nom = mem_calloc(vm, sizeof(NominalInfo));
        return rt->type;
    }
    return NULL;
}

bool reload_kept(VM *vm, uint32_t slot) {
    ReloadCtx *c = vm->reload;
    return c && slot < c->kept_size && c->kept[slot];
}

static void keep_slot(VM *vm, ReloadCtx *c, uint32_t slot) {
    c->kept[slot] = 1;
    VEC_PUSH(vm, c->kept_slots, c->nkept, c->capkept, slot);
}

int reload_keep_global(VM *vm, const char *name, const char *file, Type *t) {
    ReloadCtx *c = vm->reload;
    if (!c) return -1;
    Module *o = c->old;
    Globals *g = &vm->g;
    for (uint32_t k = 0; k < o->nglobals + o->nkept; k++) {
        uint32_t s = k < o->nglobals ? o->first_global + k : o->kept[k - o->nglobals];
        if (reload_kept(vm, s) || !g->gnames[s] || strcmp(g->gnames[s], name) != 0) continue;
        if (g->gfiles[s] && file && strcmp(g->gfiles[s], file) != 0) continue;    /* another module's global */
        if (g->gtypes[s] != t) return -1;               /* retyped: a new slot, initialised */
        keep_slot(vm, c, s);
        return (int)s;
    }
    return -1;
}

bool reload_skips(VM *vm, const char *key) {
    ReloadCtx *c = vm->reload;
    for (uint32_t i = 0; c && i < c->nskip; i++) if (strcmp(c->skip[i], key) == 0) return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* what version 1 cannot migrate */

static const char *layout_change(ReloadType *rt) {
    NominalInfo *a = rt->old_nom, *b = rt->type->nom;
    if (a->nfields != b->nfields) return "fields";
    for (uint32_t i = 0; i < a->nfields; i++)
        if (strcmp(a->field_names[i], b->field_names[i]) != 0 || a->field_types[i] != b->field_types[i]) return "fields";
    if (a->parent != b->parent) return "parent class";
    if (a->ntraits != b->ntraits) return "traits";
    for (uint32_t i = 0; i < a->ntraits; i++) if (a->traits[i] != b->traits[i]) return "traits";
    if (a->nvariants != b->nvariants) return "variants";
    for (uint32_t i = 0; i < a->nvariants; i++) if (strcmp(a->variant_names[i], b->variant_names[i]) != 0) return "variants";
    /* virtual method slots and trait method order: compared by name through the checker's views */
    uint32_t na = chk_dispatch_count(rt->old_decl), nb = chk_dispatch_count(rt->type->decl);
    if (na != nb) return "methods";
    for (uint32_t i = 0; i < na; i++)
        if (strcmp(chk_dispatch_name(rt->old_decl, i), chk_dispatch_name(rt->type->decl, i)) != 0) return "methods";
    return NULL;
}

/* ------------------------------------------------------------------ */
/* installing the new code */

static uint32_t add_str_const(VM *vm, Proto *p, const char *s) {
    if (p->nconsts == p->capconsts) {
        uint32_t nc = p->capconsts ? p->capconsts * 2 : 4;
        p->consts = mem_realloc(vm, p->consts, sizeof(Value) * p->capconsts, sizeof(Value) * nc);
        p->const_is_str = mem_realloc(vm, p->const_is_str, sizeof(bool) * p->capconsts, sizeof(bool) * nc);
        p->capconsts = nc;
    }
    p->consts[p->nconsts].p = str_new(vm, s, strlen(s));
    p->const_is_str[p->nconsts] = true;
    return p->nconsts++;
}

/* Whether a module file is recompiled by this reload (the prelude and
 * files of other loads are not). */
static bool recompiled(VM *vm, const char *file) {
    ReloadCtx *c = vm->reload;
    if (!file) return false;
    if (file == c->memo_file) return c->memo_result;       /* protos of one file share the pointer */
    char *key = api_module_key(vm, file);
    bool r = reload_skips(vm, key);
    mem_free(vm, key, strlen(key) + 1);
    c->memo_file = file;
    c->memo_result = r;
    return r;
}

static bool is_named(Proto *p) {
    return p->name && !p->is_lambda && !p->hidden && strcmp(p->name, "<script>") != 0;
}

/* Named protos of a load by (file, name), in an open-addressed table. */
typedef struct ProtoIndex { Proto **slots; uint32_t mask; } ProtoIndex;

static uint32_t name_hash(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static bool same_place(Proto *a, Proto *b) {
    return strcmp(a->name, b->name) == 0 &&
           ((!a->file && !b->file) || (a->file && b->file && strcmp(a->file, b->file) == 0));
}

static void index_build(VM *vm, ProtoIndex *ix, Module *m) {
    uint32_t cap = 16;
    while (cap < m->nprotos * 2) cap *= 2;
    ix->slots = mem_calloc(vm, sizeof(Proto *) * cap);
    ix->mask = cap - 1;
    for (uint32_t i = 0; i < m->nprotos; i++) {
        Proto *q = m->all_protos[i];
        if (!is_named(q)) continue;
        uint32_t h = name_hash(q->name) & ix->mask;
        while (ix->slots[h]) h = (h + 1) & ix->mask;
        ix->slots[h] = q;
    }
}

static Proto *counterpart(ProtoIndex *ix, Proto *p) {
    for (uint32_t h = name_hash(p->name) & ix->mask; ix->slots[h]; h = (h + 1) & ix->mask)
        if (same_place(ix->slots[h], p)) return ix->slots[h];
    return NULL;
}

static void set_entry(VM *vm, Proto *p, uint32_t word) {
    if (p->entry == p->code) p->entry = mem_alloc(vm, sizeof(uint32_t));
    p->entry[0] = word;
}

static void install_functions(VM *vm, ReloadCtx *c, Module *m) {
    Module *o = c->old;
    ProtoIndex in, io;
    index_build(vm, &in, m);
    index_build(vm, &io, o);
    for (uint32_t i = 0; i < o->nprotos; i++) {
        Proto *p = o->all_protos[i];
        if (!is_named(p) || !p->ftype || !recompiled(vm, p->file)) continue;
        Proto *q = counterpart(&in, p);
        char msg[300];
        if (q && q->ftype == p->ftype && q->is_coroutine == p->is_coroutine && q->inout_self == p->inout_self &&
            q->nparams == p->nparams) {
            VEC_PUSH(vm, p->protos, p->nprotos, p->capprotos, q);
            set_entry(vm, p, MK_ABx(OP_FORWARD, 0, p->nprotos - 1));
            c->info.functions_changed++;
            continue;
        }
        snprintf(msg, sizeof msg, "function '%s' was %s by hot reload", p->name, q ? "changed" : "removed");
        set_entry(vm, p, MK_ABx(OP_FWDFAIL, 0, add_str_const(vm, p, msg)));
        if (q) c->info.functions_changed++; else c->info.functions_removed++;
    }
    for (uint32_t i = 0; i < m->nprotos; i++)
        if (is_named(m->all_protos[i]) && m->all_protos[i]->ftype && !counterpart(&io, m->all_protos[i])) c->info.functions_added++;
    mem_free(vm, in.slots, sizeof(Proto *) * (in.mask + 1));
    mem_free(vm, io.slots, sizeof(Proto *) * (io.mask + 1));
}

static void mark_dead(VM *vm, uint32_t slot) {
    if (slot / 8 >= vm->capgdead) {
        size_t nc = vm->capgdead ? vm->capgdead : 16;
        while (slot / 8 >= nc) nc *= 2;
        vm->gdead = mem_realloc(vm, vm->gdead, vm->capgdead, nc);
        memset(vm->gdead + vm->capgdead, 0, nc - vm->capgdead);
        vm->capgdead = nc;
    }
    vm->gdead[slot / 8] |= (uint8_t)(1u << (slot % 8));
}

static void install_globals(VM *vm, ReloadCtx *c, Module *m) {
    Module *o = c->old;
    Globals *g = &vm->g;
    for (uint32_t k = 0; k < o->nglobals + o->nkept; k++) {
        uint32_t s = k < o->nglobals ? o->first_global + k : o->kept[k - o->nglobals];
        if (reload_kept(vm, s)) continue;
        if (!recompiled(vm, g->gfiles[s])) { VEC_PUSH(vm, c->kept_slots, c->nkept, c->capkept, s); continue; }   /* not ours */
        if (g->ginit[s]) val_release(vm, g->gtypes[s], g->globals[s]);
        g->ginit[s] = false;
        mark_dead(vm, s);
        c->info.globals_removed++;
    }
    c->info.globals_added = (int)m->nglobals;
    /* the kept slots now belong to the new load (exactly sized: freed by count) */
    if (c->nkept) c->kept_slots = mem_realloc(vm, c->kept_slots, sizeof(uint32_t) * c->capkept, sizeof(uint32_t) * c->nkept);
    else VEC_FREE(vm, c->kept_slots, c->capkept);
    m->kept = c->kept_slots;
    m->nkept = c->nkept;
    c->kept_slots = NULL;
    c->nkept = c->capkept = 0;
    if (o->kept) mem_free(vm, o->kept, sizeof(uint32_t) * o->nkept);
    o->kept = NULL;
    o->nkept = 0;
    o->nglobals = 0;
}

bool reload_commit(VM *vm, Module *m, Diags *d, const Source *src) {
    ReloadCtx *c = vm->reload;
    for (uint32_t i = 0; i < c->ntypes; i++) {
        ReloadType *rt = &c->types[i];
        if (!rt->reused) continue;
        const char *what = layout_change(rt);
        if (what) {
            Span sp = {1, 1, 1, 2, 0, 0};
            diag_error(d, src, sp, "hot reload cannot change the %s of '%s' yet; restart to apply this edit", what, rt->type->name);
            return false;
        }
    }
    install_functions(vm, c, m);
    install_globals(vm, c, m);
    for (uint32_t i = 0; i < c->ntypes; i++) {
        ReloadType *rt = &c->types[i];
        if (!rt->reused) continue;
        ty_nom_free(vm, rt->old_nom);
        rt->old_nom = NULL;
        rt->reused = false;               /* committed: nothing to roll back */
        c->info.types_kept++;
    }
    /* later imports of these files see the new load */
    size_t k = 0;
    for (size_t i = 0; i < vm->nloaded; i++) {
        if (reload_skips(vm, vm->loaded[i].path)) { mem_free(vm, vm->loaded[i].path, strlen(vm->loaded[i].path) + 1); continue; }
        vm->loaded[k++] = vm->loaded[i];
    }
    vm->nloaded = k;
    c->old->replaced = true;
    c->committed = true;
    vm->code_generation++;
    return true;
}

/* ------------------------------------------------------------------ */
/* the entry points */

static bool same_file(const char *given, const char *file) {
    if (strcmp(given, file) == 0) return true;
    char a[4096], b[4096];
    return realpath(given, a) && realpath(file, b) && strcmp(a, b) == 0;
}

static void rollback(VM *vm, ReloadCtx *c) {
    for (uint32_t i = 0; i < c->ntypes; i++) {
        ReloadType *rt = &c->types[i];
        if (!rt->reused) continue;
        ty_nom_free(vm, rt->type->nom);
        rt->type->nom = rt->old_nom;
        rt->type->decl = rt->old_decl;
    }
}

static writ_status reload_load(VM *vm, const char *name, char *text, size_t len, bool from_file, writ_reload_info *info) {
    if (info) memset(info, 0, sizeof *info);
    if (vm->entry_depth) {
        mem_free(vm, text, len + 1);
        return api_misuse(vm, "writ_reload cannot run while script code of this VM runs");
    }
    Module *old = NULL;
    uint32_t idx = 0;
    for (size_t i = vm->nmodules; i-- > 0 && !old;) {
        Module *m = vm->modules[i];
        if (m->replaced) continue;
        bool hit = same_file(name, m->name);
        for (uint32_t f = 0; !hit && from_file && f < m->nfiles; f++) hit = same_file(name, m->files[f]);
        if (hit) { old = m; idx = (uint32_t)i; }
    }
    if (!old) {
        mem_free(vm, text, len + 1);
        return api_misuse(vm, "'%s' was never loaded", name);
    }
    if (from_file && !same_file(name, old->name)) {      /* an imported file: recompile its whole load */
        mem_free(vm, text, len + 1);
        writ_status st = api_read_file(vm, old->name, &text, &len);
        if (st != WRIT_OK) return st;
    }
    ReloadCtx c;
    memset(&c, 0, sizeof c);
    c.old = old;
    c.old_index = idx;
    CheckResult *ocr = vm->results[idx];
    for (uint32_t i = 0; i < ocr->ntypes; i++) {
        ReloadType rt = { ocr->types[i]->type, NULL, NULL, false };
        VEC_PUSH(vm, c.types, c.ntypes, c.captypes, rt);
    }
    char *key = api_module_key(vm, old->name);
    VEC_PUSH(vm, c.skip, c.nskip, c.capskip, key);
    for (uint32_t f = 0; f < old->nfiles; f++) {
        if (strcmp(old->files[f], CHK_PRELUDE_NAME) == 0) continue;     /* the library stays */
        key = api_module_key(vm, old->files[f]);
        VEC_PUSH(vm, c.skip, c.nskip, c.capskip, key);
    }
    c.kept_size = vm->g.cap ? vm->g.cap : 1;
    c.kept = mem_calloc(vm, c.kept_size);
    vm->reload = &c;
    writ_status st = api_load(vm, old->name, text, len, true, NULL);
    vm->reload = NULL;
    rollback(vm, &c);                     /* a no-op once committed */
    if (c.committed) {                    /* the replaced load's compile data is no longer used */
        VEC_FREE(vm, old->fns, old->capfns);
        old->nfns = 0;
        chk_result_free(vm, (CheckResult *)vm->results[idx]);
        mem_free(vm, vm->results[idx], sizeof(CheckResult));
        vm->results[idx] = NULL;
        arena_free(vm->arenas[idx]);
        mem_free(vm, vm->arenas[idx], sizeof(Arena));
        vm->arenas[idx] = NULL;
    }
    if (info) *info = c.info;
    for (uint32_t i = 0; i < c.nskip; i++) mem_free(vm, c.skip[i], strlen(c.skip[i]) + 1);
    VEC_FREE(vm, c.skip, c.capskip);
    VEC_FREE(vm, c.types, c.captypes);
    VEC_FREE(vm, c.kept_slots, c.capkept);
    mem_free(vm, c.kept, c.kept_size);
    return st;
}

writ_status writ_reload(writ_vm *vm, const char *path, writ_reload_info *info) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!path) return api_misuse(vm, "writ_reload needs a path");
    char *text;
    size_t len;
    writ_status st = api_read_file(vm, path, &text, &len);
    if (st != WRIT_OK) return st;
    return reload_load(vm, path, text, len, true, info);
}

writ_status writ_reload_string(writ_vm *vm, const char *name, const char *source, size_t len, writ_reload_info *info) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!name || (!source && len)) return api_misuse(vm, "writ_reload_string needs a name and source text");
    char *text = mem_strndup(vm, source ? source : "", len);
    return reload_load(vm, name, text, len, false, info);
}
