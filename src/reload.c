/* reload.c — hot reload (runtime.md §11).
 *
 * A reload compiles the load that contains the file again, as a new load —
 * or, when exactly one of its files changed and that file's interface
 * fingerprint did not (iface.c), only that file, as a load split off the
 * original (file_reload; docs/design.md "File reloads") — with these kinds
 * of continuity:
 *  - types: a type of the old load with the same name and kind (generic
 *    instances included) is reused (same Type object, fresh facts), so live
 *    objects keep their type; instances are migrated by field name when the
 *    layout changed; enums keep their variants' ids;
 *  - globals: a global with the same name and type keeps its slot and value
 *    (its initialiser does not run again); new and retyped ones are
 *    initialised; removed ones are released and fail when old code uses them;
 *  - functions: every named function of the old load becomes a forwarder to
 *    the new one with the same name and signature (OP_FORWARD at its entry),
 *    or a stub failing with "function 'f' was removed/changed by hot reload";
 *  - old code (replaced loads, loads importing the file) is rewritten in
 *    place: dispatch slots and enum field indexes by name, writes to dead
 *    globals and calls of removed methods into errors, field access by name.
 * Frames already running keep executing the old code; replaced loads are
 * freed once nothing can run them (retire.c).  Loads importing the
 * file are checked again first (api.c); any error changes nothing. */
#define _DEFAULT_SOURCE 1
#include "reload.h"
#include "api.h"
#include "check.h"
#include "opcodes.h"
#include "sched.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static bool reload_is_old(ReloadCtx *c, Module *m) {
    for (uint32_t j = 0; j < c->nolds; j++) if (c->olds[j] == m) return true;
    return false;
}

static uint32_t name_hash(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static uint32_t ptr_hash(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    return (uint32_t)((x >> 4) * 2654435761u);
}

/* The old load's types by name and by identity (two open-addressed halves
 * of one table): reusing or finding a type is one look-up, not a scan of
 * every type of the load (quadratic for scripts with many types). */
static void index_types(VM *vm, ReloadCtx *c) {
    uint32_t cap = 16;
    while (cap < c->ntypes * 2) cap *= 2;
    c->tidx = mem_calloc(vm, sizeof(uint32_t) * cap * 2);
    c->tmask = cap - 1;
    for (uint32_t i = 0; i < c->ntypes; i++) {
        uint32_t h = name_hash(c->types[i].type->name) & c->tmask;
        while (c->tidx[h]) h = (h + 1) & c->tmask;
        c->tidx[h] = i + 1;
        uint32_t *byptr = c->tidx + cap;
        h = ptr_hash(c->types[i].type) & c->tmask;
        while (byptr[h]) h = (h + 1) & c->tmask;
        byptr[h] = i + 1;
    }
}

Type *reload_reuse_type(VM *vm, const char *name, TypeKind k, const char *file) {
    ReloadCtx *c = vm->reload;
    if (!c) return NULL;
    if (!c->tidx) index_types(vm, c);
    for (uint32_t h = name_hash(name) & c->tmask; c->tidx[h]; h = (h + 1) & c->tmask) {
        ReloadType *rt = &c->types[c->tidx[h] - 1];
        if (rt->reused || rt->type->kind != k || strcmp(rt->type->name, name) != 0) continue;
        if (file && rt->file && strcmp(file, rt->file) != 0) continue;     /* another file's type of that name */
        rt->reused = true;
        rt->old_nom = rt->type->nom;
        rt->old_decl = rt->type->decl;
        rt->type->nom = mem_calloc(vm, sizeof(NominalInfo));
        return rt->type;
    }
    return NULL;
}

static ReloadType *reused_entry(ReloadCtx *c, Type *t) {
    if (!c || !c->tidx) return NULL;              /* no type was reused yet */
    uint32_t *byptr = c->tidx + c->tmask + 1;
    for (uint32_t h = ptr_hash(t) & c->tmask; byptr[h]; h = (h + 1) & c->tmask) {
        ReloadType *rt = &c->types[byptr[h] - 1];
        if (rt->type == t && rt->reused) return rt;
    }
    return NULL;
}

bool reload_reused(VM *vm, Type *t) { return reused_entry(vm->reload, t) != NULL; }

void reload_order_variants(VM *vm, Type *t, TypeDecl *td) {
    ReloadType *rt = reused_entry(vm->reload, t);
    NominalInfo *a = rt ? rt->old_nom : NULL;
    uint32_t n = td->nvariants;
    if (!a || !n || a->nvariants > n) return;          /* a removed variant: the reload is refused */
    uint32_t *pos = mem_alloc(vm, sizeof(uint32_t) * n);    /* id -> declaration position */
    bool *taken = mem_calloc(vm, n);
    bool ok = true;
    for (uint32_t id = 0; id < a->nvariants && ok; id++) {
        uint32_t k = 0;
        while (k < n && strcmp(td->variants[k].name, a->variant_names[id]) != 0) k++;
        ok = k < n && !taken[k];
        if (ok) { pos[id] = k; taken[k] = true; }
    }
    uint32_t id = a->nvariants;
    for (uint32_t k = 0; k < n && ok; k++) if (!taken[k]) pos[id++] = k;   /* new variants: new ids */
    bool same = true;
    for (uint32_t i = 0; i < n && ok; i++) same = same && pos[i] == i;
    if (ok && !same) {
        Variant *v = mem_alloc(vm, sizeof(Variant) * n);
        for (uint32_t i = 0; i < n; i++) v[i] = td->variants[pos[i]];
        memcpy(td->variants, v, sizeof(Variant) * n);
        mem_free(vm, v, sizeof(Variant) * n);
        NominalInfo *b = t->nom;
        b->nordinals = n;
        b->ordinal_of = pos;
        b->id_at = mem_alloc(vm, sizeof(uint32_t) * n);
        for (uint32_t i = 0; i < n; i++) b->id_at[pos[i]] = i;
        pos = NULL;
    }
    if (pos) mem_free(vm, pos, sizeof(uint32_t) * n);
    mem_free(vm, taken, n);
}

bool reload_kept(VM *vm, uint32_t slot) {
    ReloadCtx *c = vm->reload;
    return c && slot < c->kept_size && c->kept[slot];
}

static void keep_slot(VM *vm, ReloadCtx *c, uint32_t slot) {
    c->kept[slot] = 1;
    VEC_PUSH(vm, c->kept_slots, c->nkept, c->capkept, slot);
}


/* The old load's globals by name, in declaration order among equal names
 * (linear probing keeps insertion order): one look-up per new global
 * instead of a scan of every old one. */

static void index_globals(VM *vm, ReloadCtx *c) {
    Globals *g = &vm->g;
    uint32_t n = 0, cap = 16;
    for (uint32_t j = 0; j < c->nolds; j++) n += module_nglobals(c->olds[j]);
    while (cap < n * 2) cap *= 2;
    c->gidx = mem_calloc(vm, sizeof(uint32_t) * cap);
    c->gmask = cap - 1;
    for (uint32_t j = 0; j < c->nolds; j++)
        for (uint32_t k = 0; k < module_nglobals(c->olds[j]); k++) {
            uint32_t s = module_global(c->olds[j], k);
            if (!g->gnames[s]) continue;
            uint32_t h = name_hash(g->gnames[s]) & c->gmask;
            while (c->gidx[h]) h = (h + 1) & c->gmask;
            c->gidx[h] = s + 1;
        }
}

int reload_keep_global(VM *vm, const char *name, const char *file, Type *t) {
    ReloadCtx *c = vm->reload;
    if (!c) return -1;
    Globals *g = &vm->g;
    if (!c->gidx) index_globals(vm, c);
    for (uint32_t h = name_hash(name) & c->gmask; c->gidx[h]; h = (h + 1) & c->gmask) {
        uint32_t s = c->gidx[h] - 1;
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
/* layouts: what changed, and migrating live instances */

static LayoutHist *layout_at(NominalInfo *n, uint64_t gen) {
    for (uint32_t h = 0; h < n->nhist; h++) if (n->hist[h].until >= gen) return &n->hist[h];
    return NULL;
}

static int find_field(NominalInfo *n, const char *name, Type *t) {
    for (uint32_t i = 0; i < n->nfields; i++)
        if (strcmp(n->field_names[i], name) == 0 && n->field_types[i] == t) return (int)i;
    return -1;
}

int reload_old_slot(VM *vm, Type *t, uint64_t gen, uint32_t slot) {
    LayoutHist *l = layout_at(t->nom, gen);
    if (!l) return (int)slot;                         /* the layout that code saw is still current */
    int s = slot < l->n ? find_field(t->nom, l->names[slot], l->types[slot]) : -1;
    if (s < 0) rt_error(vm, "field '%s' of %s was removed by hot reload", slot < l->n ? l->names[slot] : "?", t->name);
    return s;
}

/* A new field's value: its declared default, or its type's. */
static bool has_type_default(Type *t) {
    switch (t->kind) {
    case T_INT: case T_FLOAT: case T_BOOL: case T_STRING: case T_OPTIONAL: case T_ARRAY: case T_DICT: return true;
    default: return false;
    }
}

static bool field_default(VM *vm, Type *owner, uint32_t i, Value *out) {
    NominalInfo *n = owner->nom;
    Type *t = n->field_types[i];
    out->u = 0;
    if (n->field_defaults && n->field_defaults[i]) return vm_execute(vm, n->field_defaults[i], NULL, NULL, 0, out);
    switch (t->kind) {
    case T_STRING: out->p = str_new(vm, "", 0); return true;
    case T_OPTIONAL: *out = opt_none(t->a); return true;
    case T_ARRAY: out->p = arr_new(vm, t, 0); return true;
    case T_DICT: out->p = dict_new(vm, t); return true;
    case T_INT: case T_FLOAT: case T_BOOL: return true;
    default:
        rt_error(vm, "new field '%s' of %s needs a default value for hot reload", n->field_names[i], owner->name);
        return false;
    }
}

bool reload_fill_new_fields(VM *vm, Instance *o, uint64_t gen) {
    LayoutHist *l = layout_at(o->type->nom, gen);
    NominalInfo *n = o->type->nom;
    for (uint32_t i = 0; l && i < n->nfields; i++) {
        bool known = false;
        for (uint32_t k = 0; k < l->n && !known; k++) known = strcmp(l->names[k], n->field_names[i]) == 0 && l->types[k] == n->field_types[i];
        if (!known && !field_default(vm, o->type, i, &o->f[i])) return false;
    }
    return true;
}

static bool fields_changed(NominalInfo *a, NominalInfo *b) {
    if (a->nfields != b->nfields) return true;
    for (uint32_t i = 0; i < a->nfields; i++)
        if (strcmp(a->field_names[i], b->field_names[i]) != 0 || a->field_types[i] != b->field_types[i]) return true;
    return false;
}

/* Dispatch slot i of a class (its vtable protos, named "Owner.method") or
 * of a trait (its declaration, in the reloaded load's arena).  A class's
 * checker data is not used: inherited slots point into the checker data of
 * other loads, which their own reloads free. */
static uint32_t slot_count(Type *t, NominalInfo *n, void *decl) {
    return t->kind == T_CLASS ? n->nvtable : chk_dispatch_count(decl);
}

static const char *slot_name(Type *t, NominalInfo *n, void *decl, uint32_t i, Type **sig, bool *co) {
    if (t->kind != T_CLASS) { *sig = chk_dispatch_sig(decl, i, co); return chk_dispatch_name(decl, i); }
    Proto *p = n->vtable[i];
    if (!p) { *sig = NULL; *co = false; return ""; }
    const char *dot = strrchr(p->name, '.');
    *sig = p->ftype;
    *co = p->is_coroutine;
    return dot ? dot + 1 : p->name;
}

/* Old dispatch slot -> new slot by name, SLOT_CHANGED when the parameter
 * types, return type or coroutine-ness changed, SLOT_GONE when removed. */
static void dispatch_map(VM *vm, ReloadType *rt) {
    Type *t = rt->type;
    NominalInfo *a = rt->old_nom, *b = t->nom;
    uint32_t na = slot_count(t, a, rt->old_decl), nb = slot_count(t, b, t->decl);
    rt->shape_changed = na != nb;
    if (!na) return;
    rt->map = mem_alloc(vm, sizeof(int32_t) * na);
    rt->nmap = na;
    for (uint32_t i = 0; i < na; i++) {
        bool oc, nc;
        Type *os, *ns;
        const char *nm = slot_name(t, a, rt->old_decl, i, &os, &oc);
        int32_t to = SLOT_GONE;
        for (uint32_t k = 0; k < nb && to == SLOT_GONE; k++) {
            if (strcmp(nm, slot_name(t, b, t->decl, k, &ns, &nc)) != 0) continue;
            to = ns == os && nc == oc ? (int32_t)k : SLOT_CHANGED;
        }
        rt->map[i] = to;
        if (to != (int32_t)i) rt->remap = rt->shape_changed = true;
    }
}

/* Old enum field -> new one with the same name and type, or SLOT_GONE. */
static void enum_field_map(VM *vm, ReloadType *rt) {
    NominalInfo *a = rt->old_nom, *b = rt->type->nom;
    if (!a->nenum_fields) return;
    rt->map = mem_alloc(vm, sizeof(int32_t) * a->nenum_fields);
    rt->nmap = a->nenum_fields;
    for (uint32_t i = 0; i < a->nenum_fields; i++) {
        int32_t to = SLOT_GONE;
        for (uint32_t k = 0; k < b->nenum_fields && to == SLOT_GONE; k++)
            if (strcmp(a->enum_field_names[i], b->enum_field_names[k]) == 0 && a->enum_field_types[i] == b->enum_field_types[k]) to = (int32_t)k;
        rt->map[i] = to;
        if (to != (int32_t)i) rt->remap = true;
    }
}

static NominalInfo *old_nom_of(ReloadCtx *c, Type *t) {
    ReloadType *rt = reused_entry(c, t);
    return rt ? rt->old_nom : t->nom;
}

static bool has_instances(VM *vm, Type *t) {
    for (Obj *ob = vm->tracked; ob; ob = OBJ_LINK(ob)->next)
        if (ob->kind == OBJ_INSTANCE && ((Instance *)ob)->type == t) return true;
    return false;
}

/* A class that stops extending a class or implementing a trait while
 * instances of it live: values stored under the lost type would break the
 * new code's typing, so that is refused. */
static bool ancestry_lost(VM *vm, ReloadCtx *c, ReloadType *rt, char *buf, size_t n) {
    NominalInfo *a = rt->old_nom, *b = rt->type->nom;
    const char *lost = NULL;
    for (Type *p = a->parent; p && !lost; p = old_nom_of(c, p)->parent) {
        bool kept = false;
        for (Type *q = b->parent; q && !kept; q = q->nom->parent) kept = q == p;
        if (!kept) lost = p->name;
    }
    for (uint32_t i = 0; i < a->ntraits && !lost; i++) {
        bool kept = false;
        for (uint32_t k = 0; k < b->ntraits && !kept; k++) kept = b->traits[k] == a->traits[i];
        if (!kept) lost = a->traits[i]->name;
    }
    if (!lost || !has_instances(vm, rt->type)) return false;
    snprintf(buf, n, "hot reload cannot make '%s' stop being a '%s' while instances of it are alive", rt->type->name, lost);
    return true;
}

/* A class of another (not recompiled) load extending this class, or
 * implementing this trait: its dispatch tables and layout were built from
 * the old declaration. */
static Type *outside_user(VM *vm, ReloadCtx *c, Type *t) {
    for (size_t k = 0; k < vm->nmodules; k++) {
        CheckResult *cr = vm->results[k];
        if (vm->modules[k]->replaced || reload_is_old(c, vm->modules[k]) || !cr) continue;
        for (uint32_t i = 0; i < cr->ntypes + cr->ninst_types; i++) {
            Type *x = (i < cr->ntypes ? cr->types[i] : cr->inst_types[i - cr->ntypes])->type;
            if (!x || x->kind != T_CLASS || reused_entry(c, x)) continue;
            for (Type *p = x->nom->parent; p; p = p->nom->parent) if (p == t) return x;
            for (uint32_t q = 0; q < x->nom->ntraits; q++) if (x->nom->traits[q] == t) return x;
        }
    }
    return NULL;
}

/* What cannot be installed; NULL when the reload may proceed. */
static const char *refused(VM *vm, ReloadCtx *c, ReloadType *rt, char *buf, size_t n) {
    NominalInfo *a = rt->old_nom, *b = rt->type->nom;
    for (uint32_t i = 0; i < a->nvariants; i++) {
        bool found = false;
        for (uint32_t k = 0; k < b->nvariants && !found; k++) found = strcmp(a->variant_names[i], b->variant_names[k]) == 0;
        if (!found) { snprintf(buf, n, "hot reload cannot remove enum variant '%s'", a->variant_names[i]); return buf; }
    }
    if (rt->type->kind == T_CLASS && ancestry_lost(vm, c, rt, buf, n)) return buf;
    if (rt->shape_changed || fields_changed(a, b)) {
        Type *x = outside_user(vm, c, rt->type);
        if (x) {
            snprintf(buf, n, "hot reload cannot change the methods or fields of '%s': '%s' of another load %s it",
                     rt->type->name, x->name, rt->type->kind == T_TRAIT ? "implements" : "extends");
            return buf;
        }
    }
    for (uint32_t i = 0; i < b->nfields; i++) {            /* new fields need a value */
        if (find_field(a, b->field_names[i], b->field_types[i]) >= 0) continue;
        if ((b->field_defaults && b->field_defaults[i]) || has_type_default(b->field_types[i])) continue;
        snprintf(buf, n, "new field '%s' of %s needs a default value for hot reload", b->field_names[i], rt->type->name);
        return buf;
    }
    return NULL;
}

/* Moves every live instance of a type whose fields changed to the new
 * layout, by field name: same name and type keep their value, new ones take
 * their default, removed ones are released. */
static bool migrate(VM *vm, ReloadType *rt) {
    NominalInfo *a = rt->old_nom, *b = rt->type->nom;
    for (Obj *ob = vm->tracked; ob; ob = OBJ_LINK(ob)->next) {
        if (ob->kind != OBJ_INSTANCE || ((Instance *)ob)->type != rt->type) continue;
        Instance *o = (Instance *)ob;
        Value nv[256];
        bool moved[256] = {0};
        for (uint32_t i = 0; i < b->nfields && i < 256; i++) {
            int k = find_field(a, b->field_names[i], b->field_types[i]);
            if (k >= 0) { nv[i] = o->f[k]; moved[k] = true; continue; }
            if (!field_default(vm, rt->type, i, &nv[i])) {
                for (uint32_t q = 0; q < i; q++)       /* undo this object's new values */
                    if (find_field(a, b->field_names[q], b->field_types[q]) < 0) val_release(vm, b->field_types[q], nv[q]);
                return false;
            }
        }
        for (uint32_t k = 0; k < a->nfields; k++)
            if (!moved[k]) val_release(vm, a->field_types[k], o->f[k]);
        Value *dst = o->f;
        if (b->nfields > o->ninl) dst = mem_alloc(vm, sizeof(Value) * b->nfields);
        else if (o->f != o->inl) dst = o->inl;
        if (o->f != o->inl && dst != o->f) mem_free(vm, o->f, sizeof(Value) * a->nfields);
        memcpy(dst, nv, sizeof(Value) * b->nfields);
        o->f = dst;
    }
    return true;
}

/* Records the replaced layout so that old code finds fields by name. */
static void push_history(VM *vm, ReloadType *rt) {
    NominalInfo *a = rt->old_nom, *b = rt->type->nom;
    b->hist = a->hist;                        /* older layouts first */
    b->nhist = a->nhist;
    a->hist = NULL;
    a->nhist = 0;
    b->hist = mem_realloc(vm, b->hist, sizeof(LayoutHist) * b->nhist, sizeof(LayoutHist) * (b->nhist + 1));
    LayoutHist *l = &b->hist[b->nhist++];
    l->until = vm->code_generation;
    l->n = a->nfields;
    l->names = (const char **)a->field_names;    /* taken over from the old facts */
    l->types = a->field_types;
    if (a->field_defaults) mem_free(vm, a->field_defaults, sizeof(Proto *) * a->nfields);
    a->field_defaults = NULL;
    a->field_names = NULL;
    a->field_types = NULL;
    a->nfields = 0;
}

/* ------------------------------------------------------------------ */
/* installing the new code */

static uint32_t add_str_const(VM *vm, Proto *p, const char *s) {
    if (p->nconsts == p->capconsts) {
        uint32_t nc = p->capconsts ? p->capconsts * 2 : 4;
        mem_grow_pair(vm, &p->consts, sizeof(Value), &p->const_is_str, sizeof(bool), p->capconsts, nc);
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
    if (c->only_file) return strcmp(file, c->only_file) == 0;   /* a file reload: one name, as the load spells it */
    if (file == c->memo_file) return c->memo_result;       /* protos of one file share the pointer */
    char *key = api_module_key(vm, file);
    bool r = reload_skips(vm, key);
    mem_free(vm, key, strlen(key) + 1);
    c->memo_file = file;
    c->memo_result = r;
    return r;
}

/* Functions, methods, accessors and generic instances: named, and not
 * nested (a nested function is reached only through closures made by the
 * code around it, which keep their code). */
static bool is_named(Proto *p) {
    return p->name && p->is_toplevel && !p->is_lambda && !p->hidden && strcmp(p->name, "<script>") != 0;
}

/* Named protos of a load by (file, name), in an open-addressed table. */
typedef struct ProtoIndex { Proto **slots; uint32_t mask; } ProtoIndex;


static bool same_place(Proto *a, Proto *b) {
    return strcmp(a->name, b->name) == 0 &&
           ((!a->file && !b->file) || (a->file && b->file && strcmp(a->file, b->file) == 0));
}

static void index_build(VM *vm, ProtoIndex *ix, Module **ms, uint32_t n) {
    uint32_t cap = 16, total = 0;
    for (uint32_t j = 0; j < n; j++) total += ms[j]->nprotos;
    while (cap < total * 2) cap *= 2;
    ix->slots = mem_calloc(vm, sizeof(Proto *) * cap);
    ix->mask = cap - 1;
    for (uint32_t j = 0; j < n; j++)
        for (uint32_t i = 0; i < ms[j]->nprotos; i++) {
            Proto *q = ms[j]->all_protos[i];
            if (!is_named(q)) continue;
            uint32_t h = name_hash(q->name) & ix->mask;
            while (ix->slots[h]) h = (h + 1) & ix->mask;
            ix->slots[h] = q;
        }
}

static bool same_signature(Proto *p, Proto *q) {
    return q->ftype == p->ftype && q->is_coroutine == p->is_coroutine && q->inout_self == p->inout_self && q->nparams == p->nparams;
}

/* The proto of the same file and name, preferring the same signature
 * (generic instantiations share their template's name). */
static Proto *counterpart(ProtoIndex *ix, Proto *p) {
    Proto *first = NULL;
    for (uint32_t h = name_hash(p->name) & ix->mask; ix->slots[h]; h = (h + 1) & ix->mask) {
        Proto *q = ix->slots[h];
        if (!same_place(q, p)) continue;
        if (same_signature(p, q)) return q;
        if (!first) first = q;
    }
    return first;
}

/* Whether p is a generic instantiation of the replaced load. */
static bool old_instance(VM *vm, ReloadCtx *c, Proto *p) {
    for (size_t k = 0; k < vm->nmodules; k++) {
        CheckResult *cr = vm->results[k];
        if (!cr || !reload_is_old(c, vm->modules[k])) continue;
        for (uint32_t i = 0; i < cr->ninstances; i++) if (cr->instances[i]->proto == p) return true;
    }
    return false;
}

static void set_entry(VM *vm, Proto *p, uint32_t word) {
    if (p->entry == p->code) p->entry = mem_alloc(vm, sizeof(uint32_t));
    p->entry[0] = word;
}

static void forward_load(VM *vm, ReloadCtx *c, Module *o, ProtoIndex *in) {
    for (uint32_t i = 0; i < o->nprotos; i++) {
        Proto *p = o->all_protos[i];
        if (!is_named(p) || !p->ftype || !recompiled(vm, p->file)) continue;
        if (p->entry != p->code) continue;        /* forwarded by an earlier reload already */
        Proto *q = counterpart(in, p);
        char msg[300];
        if (q && same_signature(p, q)) {
            VEC_PUSH(vm, p->protos, p->nprotos, p->capprotos, q);
            set_entry(vm, p, MK_ABx(OP_FORWARD, 0, p->nprotos - 1));
            c->info.functions_changed++;
            continue;
        }
        if (old_instance(vm, c, p)) continue;    /* an instantiation the new code does not make: its old code stays */
        snprintf(msg, sizeof msg, "function '%s' was %s by hot reload", p->name, q ? "changed" : "removed");
        set_entry(vm, p, MK_ABx(OP_FWDFAIL, 0, add_str_const(vm, p, msg)));
        if (q) c->info.functions_changed++; else c->info.functions_removed++;
    }
}

/* Every named function of the old loads (of the recompiled files) becomes
 * a forwarder to its counterpart, or a stub failing with the reason. */
static void install_functions(VM *vm, ReloadCtx *c, Module *m) {
    ProtoIndex in, io;
    index_build(vm, &in, &m, 1);
    index_build(vm, &io, c->olds, c->nolds);
    for (uint32_t j = 0; j < c->nolds; j++) forward_load(vm, c, c->olds[j], &in);
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

/* A global of the recompiled files that the new load did not take over is
 * released and marked dead (old code touching it fails).  Globals of files
 * not recompiled move to the new load, except in a file reload, where they
 * stay with the load that keeps running their code. */
static void release_old_global(VM *vm, ReloadCtx *c, Module *m, uint32_t s) {
    Globals *g = &vm->g;
    if (g->ginit[s]) val_release(vm, g->gtypes[s], g->globals[s]);
    g->ginit[s] = false;
    mark_dead(vm, s);
    bool retyped = false;                 /* the same name in a new slot: re-initialised */
    for (uint32_t n = 0; n < m->nglobals && !retyped; n++)
        retyped = g->gnames[m->first_global + n] && g->gnames[s] && strcmp(g->gnames[m->first_global + n], g->gnames[s]) == 0;
    if (retyped) c->info.globals_reinitialised++;
    else c->info.globals_removed++;
}

static void install_globals(VM *vm, ReloadCtx *c, Module *m) {
    Globals *g = &vm->g;
    for (uint32_t j = 0; j < c->nolds; j++) {
        Module *o = c->olds[j];
        uint32_t *rest = NULL, nrest = 0, caprest = 0;     /* a file reload: the other files' slots */
        for (uint32_t k = 0; k < module_nglobals(o); k++) {
            uint32_t s = module_global(o, k);
            if (reload_kept(vm, s)) continue;
            if (recompiled(vm, g->gfiles[s])) release_old_global(vm, c, m, s);
            else if (c->only_file) VEC_PUSH(vm, rest, nrest, caprest, s);
            else VEC_PUSH(vm, c->kept_slots, c->nkept, c->capkept, s);      /* not ours (a prelude) */
        }
        if (o->kept) mem_free(vm, o->kept, sizeof(uint32_t) * o->nkept);
        if (nrest) rest = mem_realloc(vm, rest, sizeof(uint32_t) * caprest, sizeof(uint32_t) * nrest);   /* freed by count */
        else VEC_FREE(vm, rest, caprest);
        o->kept = rest;
        o->nkept = nrest;
        o->nglobals = 0;
    }
    c->info.globals_added = (int)m->nglobals - c->info.globals_reinitialised;
    /* the kept slots now belong to the new load (exactly sized: freed by count) */
    if (c->nkept) c->kept_slots = mem_realloc(vm, c->kept_slots, sizeof(uint32_t) * c->capkept, sizeof(uint32_t) * c->nkept);
    else VEC_FREE(vm, c->kept_slots, c->capkept);
    m->kept = c->kept_slots;
    m->nkept = c->nkept;
    c->kept_slots = NULL;
    c->nkept = c->capkept = 0;
}

/* ------------------------------------------------------------------ */
/* old code: rewritten in place to the new slots (it may still run in
 * suspended coroutines, closures and loads importing the reloaded files) */

static const uint8_t op_extra[] = {
#define OP(name, fmt, extra, meaning) extra,
    WRIT_OPCODES(OP)
#undef OP
};

static uint32_t ins_len(uint32_t ins) {
    int op = INS_OP(ins);
    if (op == OP_CALL || op == OP_CALLV || op == OP_CALLN || op == OP_CALLH || op == OP_CALLM || op == OP_CALLT)
        return 2 + (INS_B(ins) + 3) / 4;
    return 1u + op_extra[op];
}

/* The instruction at pc (len words) becomes a runtime error. */
static void fail_at(VM *vm, Proto *p, uint32_t pc, uint32_t len, const char *msg) {
    p->code[pc] = MK_ABx(OP_FWDFAIL, 0, add_str_const(vm, p, msg));
    for (uint32_t k = 1; k < len; k++) p->code[pc + k] = MK_ABC(OP_NOP, 0, 0, 0);
}

static bool is_dead(VM *vm, uint32_t g) {
    return g / 8 < vm->capgdead && (vm->gdead[g / 8] & (1u << (g % 8)));
}

/* A dispatch word (type index | slot << 16) of old code: the new slot, or
 * a failing call. */
static void remap_slot(VM *vm, ReloadCtx *c, Proto *p, uint32_t pc, uint32_t len) {
    uint32_t w = p->code[pc + 1];
    ReloadType *rt = reused_entry(c, p->types[w & 0xffff]);
    uint32_t s = w >> 16;
    if (!rt || !rt->remap || s >= rt->nmap) return;
    int32_t to = rt->map[s];
    if (to >= 0) { p->code[pc + 1] = (w & 0xffff) | ((uint32_t)to << 16); return; }
    char msg[300];
    Type *sig;
    bool co;
    snprintf(msg, sizeof msg, "function '%s' was %s by hot reload", slot_name(rt->type, rt->old_nom, rt->old_decl, s, &sig, &co),
             to == SLOT_GONE ? "removed" : "changed");
    fail_at(vm, p, pc, len, msg);
}

static void patch_proto(VM *vm, ReloadCtx *c, Proto *p, bool layouts) {
    char msg[300];
    for (uint32_t pc = 0; pc < p->ncode;) {
        uint32_t ins = p->code[pc];
        int op = INS_OP(ins);
        uint32_t len = ins_len(ins);
        switch (op) {
        case OP_GETF: case OP_GETF_REF: case OP_SETF: case OP_NEWOBJ:    /* fields found by name from now on */
            if (layouts)
                p->code[pc] = (ins & ~0xffu) | (uint32_t)(op == OP_GETF ? OP_GETF_OLD : op == OP_GETF_REF ? OP_GETF_REF_OLD
                                                        : op == OP_SETF ? OP_SETF_OLD : OP_NEWOBJ_OLD);
            break;
        case OP_CALLM: case OP_CALLT: remap_slot(vm, c, p, pc, len); break;
        case OP_BINDM: if (INS_C(ins)) remap_slot(vm, c, p, pc, len); break;
        case OP_ENUMF: {
            uint32_t w = p->code[pc + 1];
            ReloadType *rt = reused_entry(c, p->types[w & 0xffff]);
            uint32_t f = w >> 16;
            if (!rt || !rt->remap || f >= rt->nmap) break;
            if (rt->map[f] >= 0) { p->code[pc + 1] = (w & 0xffff) | ((uint32_t)rt->map[f] << 16); break; }
            snprintf(msg, sizeof msg, "field '%s' of %s was removed by hot reload", rt->old_nom->enum_field_names[f], rt->type->name);
            fail_at(vm, p, pc, len, msg);
            break;
        }
        case OP_SETG: case OP_SETG_REF: case OP_GAPPEND:
            if (is_dead(vm, INS_Bx(ins))) {
                snprintf(msg, sizeof msg, "global '%s' was changed by hot reload", vm->g.gnames[INS_Bx(ins)] ? vm->g.gnames[INS_Bx(ins)] : "?");
                fail_at(vm, p, pc, len, msg);
            }
            break;
        default: break;
        }
        pc += len;
    }
}

static bool needs_patch(VM *vm, ReloadCtx *c, bool layouts) {
    if (layouts || vm->capgdead) return true;
    for (uint32_t i = 0; i < c->ntypes; i++) if (c->types[i].reused && c->types[i].remap) return true;
    return false;
}

/* The code that may use what this reload changed: every replaced load
 * (suspended coroutines, closures), the load being replaced, and the
 * loads importing it. */
static void patch_old_code(VM *vm, ReloadCtx *c, bool layouts) {
    uint32_t nd;
    Module **deps = reload_dependents(vm, &nd);
    for (size_t k = 0; k < vm->nmodules; k++) {
        Module *m = vm->modules[k];
        bool dep = false;
        for (uint32_t i = 0; i < nd && !dep; i++) dep = deps[i] == m;
        if (!m->replaced && !reload_is_old(c, m) && !dep) continue;
        for (uint32_t i = 0; i < m->nprotos; i++) patch_proto(vm, c, m->all_protos[i], layouts);
    }
}

/* ------------------------------------------------------------------ */
/* loads importing the reloaded one */

static bool key_in(char **set, uint32_t n, const char *key) {
    for (uint32_t i = 0; i < n; i++) if (strcmp(set[i], key) == 0) return true;
    return false;
}

/* Imports are compared by the imported file's key, which the importing
 * program keeps: the program it was checked against may be gone. */
static bool imports_any(struct Program *p, char **set, uint32_t n) {
    for (uint32_t i = 0; p && i < p->n; i++)
        if (p->items[i]->kind == S_IMPORT && p->items[i]->imp->key && key_in(set, n, p->items[i]->imp->key)) return true;
    return false;
}

Module **reload_dependents(VM *vm, uint32_t *n) {
    ReloadCtx *c = vm->reload;
    if (!c->deps_done) {
        c->deps_done = true;
        char **set = NULL;                  /* the keys of the recompiled files, then of each dependent's */
        uint32_t ns = 0, caps = 0, nown = 0;
        for (uint32_t i = 0; i < c->nskip; i++) VEC_PUSH(vm, set, ns, caps, c->skip[i]);
        nown = ns;
        uint32_t capd = 0;
        for (size_t k = 0; k < vm->nmodules; k++) {       /* load order: a load imports only earlier ones */
            Module *m = vm->modules[k];
            if (m->replaced || reload_is_old(c, m) || !vm->results[k] || strcmp(m->name, "<library>") == 0) continue;
            char *keys[64];
            uint32_t nk = 0;
            keys[nk++] = api_module_key(vm, m->name);
            for (uint32_t f = 0; f < m->nfiles && nk < 64; f++) keys[nk++] = api_module_key(vm, m->files[f]);
            bool dep = false;
            for (uint32_t i = 0; i < nk && !dep; i++) {
                LoadedFile *lf = api_loaded(vm, keys[i]);
                dep = lf && imports_any(lf->prog, set, ns);
            }
            if (dep) VEC_PUSH(vm, c->deps, c->ndeps, capd, m);
            for (uint32_t i = 0; i < nk; i++) {
                if (dep) VEC_PUSH(vm, set, ns, caps, keys[i]);
                else mem_free(vm, keys[i], strlen(keys[i]) + 1);
            }
        }
        for (uint32_t i = nown; i < ns; i++) mem_free(vm, set[i], strlen(set[i]) + 1);
        VEC_FREE(vm, set, caps);
        if (c->ndeps) c->deps = mem_realloc(vm, c->deps, sizeof(Module *) * capd, sizeof(Module *) * c->ndeps);
    }
    *n = c->ndeps;
    return c->deps;
}

/* A file reload keeps the interface the rest of its load was compiled
 * against: every global of the file kept (same name and type, no new one)
 * and every type's layout and dispatch slots unchanged.  The fingerprint
 * (iface.c) makes that nearly certain; this makes it sure. */
static bool file_reload_fits(VM *vm, ReloadCtx *c, Module *m) {
    if (m->nglobals) return false;
    ProtoIndex in;                        /* every function keeps its signature (inout self and */
    index_build(vm, &in, &m, 1);          /* coroutine-ness come from bodies) */
    bool same = true;
    for (uint32_t j = 0; j < c->nolds && same; j++)
        for (uint32_t i = 0; i < c->olds[j]->nprotos && same; i++) {
            Proto *p = c->olds[j]->all_protos[i];
            if (!is_named(p) || !p->ftype || p->entry != p->code || !recompiled(vm, p->file)) continue;
            Proto *q = counterpart(&in, p);
            same = (q && same_signature(p, q)) || old_instance(vm, c, p);
        }
    mem_free(vm, in.slots, sizeof(Proto *) * (in.mask + 1));
    if (!same) return false;
    Globals *g = &vm->g;
    for (uint32_t j = 0; j < c->nolds; j++)
        for (uint32_t k = 0; k < module_nglobals(c->olds[j]); k++) {
            uint32_t s = module_global(c->olds[j], k);
            if (g->gnames[s] && recompiled(vm, g->gfiles[s]) && !reload_kept(vm, s)) return false;
        }
    for (uint32_t i = 0; i < c->ntypes; i++) {
        ReloadType *rt = &c->types[i];
        if (rt->reused && (rt->remap || rt->shape_changed || fields_changed(rt->old_nom, rt->type->nom))) return false;
    }
    return true;
}

bool reload_commit(VM *vm, Module *m, Diags *d, const Source *src) {
    ReloadCtx *c = vm->reload;
    bool layouts = false;
    for (uint32_t i = 0; i < c->ntypes; i++) {
        ReloadType *rt = &c->types[i];
        if (!rt->reused) continue;
        if (rt->type->kind == T_ENUM) enum_field_map(vm, rt);
        else if (rt->type->kind == T_CLASS || rt->type->kind == T_TRAIT) dispatch_map(vm, rt);
    }
    if (c->only_file && !file_reload_fits(vm, c, m)) {
        c->abort_file = true;             /* the whole load is recompiled instead */
        return false;
    }
    for (uint32_t i = 0; i < c->ntypes; i++) {
        ReloadType *rt = &c->types[i];
        if (!rt->reused) continue;
        char buf[300];
        if (refused(vm, c, rt, buf, sizeof buf)) {
            Span sp = {1, 1, 1, 2, 0, 0};
            diag_error(d, src, sp, "%s", buf);
            return false;
        }
        if (fields_changed(rt->old_nom, rt->type->nom)) layouts = true;
    }
    if (c->only_file) c->deps_done = true;      /* same interface: other loads need no re-check */
    reload_dependents(vm, &(uint32_t){0});      /* before vm->loaded changes */
    install_functions(vm, c, m);
    install_globals(vm, c, m);
    if (layouts) {                        /* live instances move to the new layouts */
        for (uint32_t i = 0; i < c->ntypes; i++) {
            ReloadType *rt = &c->types[i];
            if (!rt->reused || !fields_changed(rt->old_nom, rt->type->nom)) continue;
            migrate(vm, rt);              /* a failing default leaves that object's new fields zero */
            push_history(vm, rt);
            c->info.types_migrated++;
        }
    }
    if (needs_patch(vm, c, layouts)) patch_old_code(vm, c, layouts);
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
    for (uint32_t j = 0; j < c->nolds; j++)      /* a file reload leaves a load of several files running the rest */
        if (!c->only_file || c->olds[j]->nfiles == 0) c->olds[j]->replaced = true;
    Module *root = c->old->family ? c->old->family : c->old;
    m->family = c->only_file && !root->replaced ? root : NULL;   /* the load it split off, still running */
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

/* The load running the newest code of file `name`: the newest load not
 * replaced that compiled it. */
static Module *owner_of(VM *vm, const char *name, bool from_file) {
    for (size_t i = vm->nmodules; i-- > 0;) {
        Module *m = vm->modules[i];
        if (m->replaced || (!from_file && m->family)) continue;    /* a string names a whole load */
        bool hit = same_file(name, m->name);
        for (uint32_t f = 0; !hit && from_file && f < m->nfiles; f++) hit = same_file(name, m->files[f]);
        if (hit) return m;
    }
    return NULL;
}

static size_t module_index(VM *vm, Module *m) {
    size_t i = 0;
    while (vm->modules[i] != m) i++;
    return i;
}

static bool has_prelude(Module *m) {
    for (uint32_t f = 0; f < m->nfiles; f++) if (lib_module_of_prelude(m->files[f])) return true;
    return false;
}

/* The current text and fingerprint of file f of the load `root` (spelled
 * as root spells it): from the newest load of the family compiling it. */
static Module *current_text(VM *vm, Module *root, const char *f, const char **text, size_t *len, uint64_t *fp) {
    for (size_t i = vm->nmodules; i-- > 0;) {
        Module *m = vm->modules[i];
        if (m->replaced || (m != root && m->family != root)) continue;
        if (strcmp(m->name, f) == 0) { *text = m->text; *len = m->src.len; *fp = m->fp; return m; }
        for (uint32_t k = 0; k < m->nfiles; k++)
            if (strcmp(m->files[k], f) == 0) { *text = m->texts[k]; *len = m->textlens[k]; *fp = m->fps[k]; return m; }
    }
    return NULL;
}

/* The load of `root`'s family compiling file f now (root itself or a load split off it). */
static Module *family_owner(VM *vm, Module *root, const char *f) {
    const char *t;
    size_t n;
    uint64_t fp;
    Module *o = current_text(vm, root, f, &t, &n, &fp);
    return o ? o : root;
}

/* Loads count as new as their newest split-off load: the position of the
 * root's family's newest load, from the end (0: the newest load). */
static size_t family_age(VM *vm, Module *root) {
    for (size_t i = vm->nmodules; i-- > 0;) {
        Module *m = vm->modules[i];
        if (m == root || (!m->replaced && m->family == root)) return vm->nmodules - 1 - i;
    }
    return vm->nmodules;
}

bool reload_each_file(VM *vm, reload_file_fn fn, void *ud) {
    for (size_t i = vm->nmodules; i-- > 0;) {
        Module *m = vm->modules[i];
        if (m->replaced) continue;
        Module *root = m->family ? m->family : m;
        if (family_age(vm, root) != vm->nmodules - 1 - i) continue;   /* searched where its newest load is */
        for (uint32_t k = 0; k <= root->nfiles; k++) {
            const char *f = k == 0 ? root->name : root->files[root->nfiles - k];
            if (fn(vm, family_owner(vm, root, f), f, root, ud)) return true;
        }
    }
    return false;
}

/* Whether a load with compile data imported from m (its syntax trees point
 * into m's: symbols, default values, generic bodies used when later loads
 * compile against it). */
bool reload_compile_data_needed(VM *vm, Module *m) {
    for (size_t k = 0; k < vm->nmodules; k++) {
        Module *r = vm->modules[k];
        if (r == m || !vm->arenas[k]) continue;
        for (uint32_t i = 0; i < r->nagainst; i++) if (r->against[i] == m) return true;
    }
    return false;
}

/* Frees the checker data and syntax trees of replaced loads that no load
 * compiles against any more (their code may still run: retire.c). */
static void free_compile_data(VM *vm) {
    for (bool freed = true; freed;) {
        freed = false;
        for (size_t k = 0; k < vm->nmodules; k++) {
            Module *o = vm->modules[k];
            if (!o->replaced || !vm->arenas[k] || has_prelude(o) || reload_compile_data_needed(vm, o)) continue;
            VEC_FREE(vm, o->fns, o->capfns);
            o->nfns = 0;
            chk_result_free(vm, (CheckResult *)vm->results[k]);
            mem_free(vm, vm->results[k], sizeof(CheckResult));
            vm->results[k] = NULL;
            arena_free(vm->arenas[k]);
            mem_free(vm, vm->arenas[k], sizeof(Arena));
            vm->arenas[k] = NULL;
            if (o->against) mem_free(vm, o->against, sizeof(Module *) * o->nagainst);
            o->against = NULL;
            o->nagainst = 0;
            freed = true;
        }
    }
}

bool reload_compiles_newest(VM *vm, Module *m, const char *f) {
    const char *t;
    size_t n;
    uint64_t fp;
    return current_text(vm, m->family ? m->family : m, f, &t, &n, &fp) == m;
}

/* Compiles the reload: the new load, installed over c->olds (or refused). */
static writ_status run_reload(VM *vm, ReloadCtx *c, const char *name, char *text, size_t len, bool from_string, writ_reload_info *info) {
    for (uint32_t j = 0; j < c->nolds; j++) {       /* their types (generic instances too) are reused by name */
        CheckResult *cr = vm->results[module_index(vm, c->olds[j])];
        for (uint32_t i = 0; cr && i < cr->ntypes + cr->ninst_types; i++) {
            TypeInfo *ti = i < cr->ntypes ? cr->types[i] : cr->inst_types[i - cr->ntypes];
            bool dup = false;
            for (uint32_t k = 0; j && k < c->ntypes && !dup; k++) dup = c->types[k].type == ti->type;
            ReloadType rt = { .type = ti->type, .file = ti->file };
            if (!dup) VEC_PUSH(vm, c->types, c->ntypes, c->captypes, rt);
        }
    }
    c->kept_size = vm->g.cap ? vm->g.cap : 1;
    c->kept = mem_calloc(vm, c->kept_size);
    vm->reload = c;
    writ_status st = api_load(vm, name, text, len, true, from_string, NULL);
    vm->reload = NULL;
    rollback(vm, c);                      /* a no-op once committed */
    for (uint32_t j = 0; c->committed && j < c->nolds; j++) {
        Module *o = c->olds[j];
        if (!o->replaced) continue;       /* a load a file reload split: still running its other files */
        reload_note_replaced(vm, o, has_prelude(o));   /* its library prelude stays in use */
    }
    if (c->committed) {
        free_compile_data(vm);
        reload_retire(vm);
    }
    if (info && !c->abort_file) *info = c->info;
    for (uint32_t i = 0; i < c->nskip; i++) mem_free(vm, c->skip[i], strlen(c->skip[i]) + 1);
    VEC_FREE(vm, c->skip, c->capskip);
    for (uint32_t i = 0; i < c->ntypes; i++) if (c->types[i].map) mem_free(vm, c->types[i].map, sizeof(int32_t) * c->types[i].nmap);
    VEC_FREE(vm, c->types, c->captypes);
    if (c->ndeps) mem_free(vm, c->deps, sizeof(Module *) * c->ndeps);
    VEC_FREE(vm, c->kept_slots, c->capkept);
    if (c->gidx) mem_free(vm, c->gidx, sizeof(uint32_t) * (c->gmask + 1));
    if (c->tidx) mem_free(vm, c->tidx, sizeof(uint32_t) * (c->tmask + 1) * 2);
    mem_free(vm, c->kept, c->kept_size);
    return st;
}

/* Files found equal to the text a load holds, by stat: one with the same
 * device, inode, size and modification time is not read again — when its
 * time is at least two seconds older than the check, since the clock that
 * stamps files is coarse and a write right after the check could keep the
 * stamp ("racily clean" in git).  text: the load's text it equals. */
typedef struct FileStamp {
    char *path;
    dev_t dev; ino_t ino; off_t size;
    struct timespec mtime, ctime;          /* ctime: a file moved back or re-stamped (touch -r) changes it */
    const char *text;
} FileStamp;

static FileStamp *stamp_of(VM *vm, const char *path) {
    for (size_t i = 0; i < vm->nstamps; i++) if (strcmp(vm->stamps[i].path, path) == 0) return &vm->stamps[i];
    return NULL;
}

static bool same_stamp(const FileStamp *s, const struct stat *st) {
    return s->dev == st->st_dev && s->ino == st->st_ino && s->size == st->st_size &&
           s->mtime.tv_sec == st->st_mtim.tv_sec && s->mtime.tv_nsec == st->st_mtim.tv_nsec &&
           s->ctime.tv_sec == st->st_ctim.tv_sec && s->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

static void remember_stamp(VM *vm, const char *path, const struct stat *st, const char *text) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (st->st_mtim.tv_sec + 2 > now.tv_sec || st->st_ctim.tv_sec + 2 > now.tv_sec) return;   /* too recent to trust */
    FileStamp *s = stamp_of(vm, path);
    if (!s) {
        FileStamp n = {0};
        n.path = mem_strndup(vm, path, strlen(path));
        VEC_PUSH(vm, vm->stamps, vm->nstamps, vm->capstamps, n);
        s = &vm->stamps[vm->nstamps - 1];
    }
    s->dev = st->st_dev;
    s->ino = st->st_ino;
    s->size = st->st_size;
    s->mtime = st->st_mtim;
    s->ctime = st->st_ctim;
    s->text = text;
}

void reload_free_stamps(VM *vm) {
    for (size_t i = 0; i < vm->nstamps; i++) mem_free(vm, vm->stamps[i].path, strlen(vm->stamps[i].path) + 1);
    VEC_FREE(vm, vm->stamps, vm->capstamps);
    vm->nstamps = 0;
}

/* Whether file f (holding `cur` in its load) changed on disk; *disk gets its
 * new text when it did.  false with *disk NULL: unchanged; error: unreadable. */
static bool file_changed(VM *vm, const char *f, const char *cur, size_t curlen, char **disk, size_t *dlen, bool *error) {
    struct stat st;
    bool have = stat(f, &st) == 0;
    FileStamp *s = have ? stamp_of(vm, f) : NULL;
    *disk = NULL;
    *error = false;
    if (s && s->text == cur && (size_t)s->size == curlen && same_stamp(s, &st)) return false;
    if (api_read_file(vm, f, disk, dlen) != WRIT_OK) { *error = true; return false; }
    if (*dlen != curlen || memcmp(*disk, cur, curlen) != 0) return true;
    mem_free(vm, *disk, *dlen + 1);
    *disk = NULL;
    if (have) remember_stamp(vm, f, &st, cur);
    return false;
}

/* A file reload: when exactly one file of the load changed on disk and its
 * interface fingerprint did not, only that file is compiled, as a load of
 * its own importing the others (docs/design.md "Hot reload").  false: not
 * possible (or given up before anything changed), reload the whole load. */
static bool file_reload(VM *vm, Module *root, writ_reload_info *info, writ_status *st) {
    const char *file = NULL;
    char *text = NULL;
    size_t len = 0;
    uint64_t fp = 0;
    Module *owner = NULL;
    for (uint32_t i = 0; i <= root->nfiles; i++) {
        const char *f = i == 0 ? root->name : root->files[i - 1];
        if ((i == 0 && root->from_string) || lib_module_of_prelude(f)) continue;
        const char *cur;
        size_t curlen, dlen;
        uint64_t curfp;
        char *disk;
        bool error;
        Module *o = current_text(vm, root, f, &cur, &curlen, &curfp);
        bool changed = o && file_changed(vm, f, cur, curlen, &disk, &dlen, &error);
        if (!o || error) { if (text) mem_free(vm, text, len + 1); return false; }
        if (!changed) continue;
        if (text) {                        /* a second changed file */
            mem_free(vm, disk, dlen + 1);
            mem_free(vm, text, len + 1);
            return false;
        }
        file = f; text = disk; len = dlen; fp = curfp; owner = o;
    }
    if (!text) return false;
    ReloadCtx c;
    memset(&c, 0, sizeof c);
    c.old = owner;
    c.olds = &c.old;
    c.nolds = 1;
    c.only_file = file;
    c.want_fp = fp;
    char *key = api_module_key(vm, file);
    VEC_PUSH(vm, c.skip, c.nskip, c.capskip, key);
    *st = run_reload(vm, &c, file, text, len, false, info);
    return !c.abort_file;
}

static writ_status reload_load(VM *vm, const char *name, char *text, size_t len, bool from_file, writ_reload_info *info) {
    if (info) memset(info, 0, sizeof *info);
    if (vm->entry_depth) {
        mem_free(vm, text, len + 1);
        return api_misuse(vm, "writ_reload cannot run while script code of this VM runs");
    }
    Module *old = owner_of(vm, name, from_file);
    if (!old) {
        mem_free(vm, text, len + 1);
        return api_misuse(vm, "'%s' was never loaded", name);
    }
    Module *root = old->family ? old->family : old;
    writ_status st;
    if (from_file) {
        mem_free(vm, text, len + 1);
        if (file_reload(vm, root, info, &st)) return st;
        st = api_read_file(vm, root->name, &text, &len);      /* the whole load, from its main file */
        if (st != WRIT_OK) return st;
    }
    ReloadCtx c;
    memset(&c, 0, sizeof c);
    c.old = root;
    Module **olds = NULL;                 /* the load and the loads file reloads split off it */
    uint32_t capolds = 0;
    VEC_PUSH(vm, olds, c.nolds, capolds, root);
    for (size_t i = 0; i < vm->nmodules; i++)
        if (!vm->modules[i]->replaced && vm->modules[i]->family == root) VEC_PUSH(vm, olds, c.nolds, capolds, vm->modules[i]);
    c.olds = olds;
    char *key = api_module_key(vm, root->name);
    VEC_PUSH(vm, c.skip, c.nskip, c.capskip, key);
    for (uint32_t f = 0; f < root->nfiles; f++) {
        if (lib_module_of_prelude(root->files[f])) continue;     /* library preludes stay */
        key = api_module_key(vm, root->files[f]);
        VEC_PUSH(vm, c.skip, c.nskip, c.capskip, key);
    }
    st = run_reload(vm, &c, root->name, text, len, root->from_string, info);
    VEC_FREE(vm, olds, capolds);
    return st;
}

static writ_status reload_impl(writ_vm *vm, const char *path, writ_reload_info *info) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!path) return api_misuse(vm, "writ_reload needs a path");
    char *text;
    size_t len;
    writ_status st = api_read_file(vm, path, &text, &len);
    if (st != WRIT_OK) return st;
    return reload_load(vm, path, text, len, true, info);
}

static writ_status reload_string_impl(writ_vm *vm, const char *name, const char *source, size_t len, writ_reload_info *info) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!name || (!source && len)) return api_misuse(vm, "writ_reload_string needs a name and source text");
    char *text = mem_strndup(vm, source ? source : "", len);
    return reload_load(vm, name, text, len, false, info);
}

/* ---- public entry points: each runs inside API_PROTECT (api.h) ---- */

writ_status writ_reload(writ_vm *vm, const char *path, writ_reload_info *info) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, reload_impl(vm, path, info));
}

writ_status writ_reload_string(writ_vm *vm, const char *name, const char *source, size_t len, writ_reload_info *info) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, reload_string_impl(vm, name, source, len, info));
}
