/* object.c — object lifetimes: freeing every ObjKind without recursion on
 * the C stack, the small constructors (tuple, IntBox, Cell) and the
 * Optional<T> slot encoding helpers.  Strings, arrays and dictionaries are
 * built in str.c / arr.c / dict.c but freed here, so there is exactly one
 * place that knows which children each kind holds. */
#include "sched.h"
#include "host.h"
#include "rt.h"
#include "vm.h"

/* ---- deferred free list ----
 * A child whose count drops to zero is pushed onto vm->freeing instead of
 * being freed at once; the outermost obj_free drains the list in a loop.
 * Dropping a million-node chain therefore uses a flat loop and a list that
 * grows with the chain's width, never C stack proportional to its depth. */

static void track(VM *vm, Obj *o) {
    GcLink *l = OBJ_LINK(o);
    l->prev = NULL;
    l->next = vm->tracked;
    if (vm->tracked) OBJ_LINK(vm->tracked)->prev = o;
    vm->tracked = o;
}

static void untrack(VM *vm, Obj *o) {
    GcLink *l = OBJ_LINK(o);
    if (l->prev) OBJ_LINK(l->prev)->next = l->next; else vm->tracked = l->next;
    if (l->next) OBJ_LINK(l->next)->prev = l->prev;
}

/* Never jumps: freeing runs while an allocation failure is being reported.
 * Without room the object stays allocated (writ_vm_free reclaims it). */
static void defer(VM *vm, Obj *o) {
    if (vm->nfreeing == vm->capfreeing) {
        size_t nc = vm->capfreeing ? vm->capfreeing * 2 : 64;
        Obj **f = mem_try_realloc(vm, vm->freeing, sizeof(Obj *) * vm->capfreeing, sizeof(Obj *) * nc);
        if (!f) return;
        vm->freeing = f;
        vm->capfreeing = nc;
    }
    vm->freeing[vm->nfreeing++] = o;
}

static inline void drop(VM *vm, Obj *o) {
    if (o && --o->rc == 0) defer(vm, o);
}

static void drop_slots(VM *vm, Value *v, int64_t n) {
    for (int64_t i = 0; i < n; i++) drop(vm, v[i].o);
}

static void free_arr(VM *vm, Arr *a) {
    if (a->type->a->is_ref) drop_slots(vm, a->data, a->len);
    if (a->data) mem_free(vm, a->data, sizeof(Value) * (size_t)a->cap);
    mem_free(vm, a, sizeof(Arr));
}

static void free_dict(VM *vm, Dict *d) {
    bool kref = d->type->a->is_ref, vref = d->type->b->is_ref;
    if (kref || vref) {
        for (int64_t i = 0; i < d->used; i++) {
            DictEntry *e = &d->entries[i];
            if (e->hash == DICT_DEAD) continue;   /* already released by remove */
            if (kref) drop(vm, e->key.o);
            if (vref) drop(vm, e->val.o);
        }
    }
    if (d->entries) mem_free(vm, d->entries, sizeof(DictEntry) * (size_t)d->cap);
    if (d->index) mem_free(vm, d->index, sizeof(int32_t) * (size_t)(d->mask + 1));
    mem_free(vm, d, sizeof(Dict));
}

static void free_tuple(VM *vm, Tuple *t) {
    uint32_t n = t->type->n;
    for (uint32_t i = 0; i < n; i++)
        if (t->type->args[i]->is_ref) drop(vm, t->v[i].o);
    mem_free(vm, t, sizeof(Tuple) + sizeof(Value) * n);
}

static void free_closure(VM *vm, Closure *c) {
    if (!vm->closing) proto_count_closure(c->proto, -1);    /* hot reload frees a replaced load at zero */
    if (c->h.flags & CLOSURE_BOUND) {
        drop(vm, c->cap[0].o);
        mem_free(vm, c, sizeof(Closure) + sizeof(Value) * c->ncap);
        return;
    }
    for (uint32_t i = 0; i < c->ncap; i++)
        if (proto_cap_is_ref(c->proto, i)) drop(vm, c->cap[i].o);
    mem_free(vm, c, sizeof(Closure) + sizeof(Value) * c->ncap);
}

/* An instance's storage: the object, and its fields when they moved out. */
static void instance_storage_free(VM *vm, Instance *o) {
    if (o->f != o->inl) mem_free(vm, o->f, sizeof(Value) * o->type->nom->nfields);
    mem_free(vm, o, sizeof(Instance) + sizeof(Value) * o->ninl);
}

static void free_instance(VM *vm, Instance *o) {
    NominalInfo *n = o->type->nom;
    if (o->weak) { o->weak->target = NULL; drop(vm, &o->weak->h); }
    if (!n->scalar_fields)
        for (uint32_t i = 0; i < n->nfields; i++)
            if (n->field_types[i]->is_ref) drop(vm, o->f[i].o);
    uint32_t k = o->ninl;
    if (k < INST_POOL_CLASSES && vm->nipool[k] < INST_POOL_MAX) {     /* keep the block for reuse */
        if (o->f != o->inl) mem_free(vm, o->f, sizeof(Value) * n->nfields);
        OBJ_LINK(o)->next = (Obj *)vm->ipool[k];
        vm->ipool[k] = o;
        vm->nipool[k]++;
        return;
    }
    instance_storage_free(vm, o);
}

/* A block for an instance of t (fields inline): from the pool when one is free. */
static Instance *instance_block(VM *vm, Type *t) {
    uint32_t k = t->nom->nfields;
    Instance *o;
    if (k < INST_POOL_CLASSES && vm->ipool[k]) {
        o = vm->ipool[k];
        vm->ipool[k] = (Instance *)OBJ_LINK(o)->next;
        vm->nipool[k]--;
    } else {
        o = mem_alloc(vm, sizeof(Instance) + sizeof(Value) * k);
    }
    o->h = (Obj){ .rc = 1, .kind = OBJ_INSTANCE };
    o->weak = NULL;
    o->type = t;
    o->f = o->inl;
    o->ninl = k;
    track(vm, &o->h);
    return o;
}

void instance_pool_free(VM *vm) {
    for (uint32_t k = 0; k < INST_POOL_CLASSES; k++) {
        while (vm->ipool[k]) {
            Instance *o = vm->ipool[k];
            vm->ipool[k] = (Instance *)OBJ_LINK(o)->next;
            mem_free(vm, o, sizeof(Instance) + sizeof(Value) * k);
        }
        vm->nipool[k] = 0;
    }
}

static void free_one(VM *vm, Obj *o) {
    if (obj_tracked(o)) untrack(vm, o);
    switch ((ObjKind)o->kind) {
    case OBJ_STRING: mem_free(vm, o, str_block_size((Str *)o)); break;
    case OBJ_ARRAY: free_arr(vm, (Arr *)o); break;
    case OBJ_DICT: free_dict(vm, (Dict *)o); break;
    case OBJ_TUPLE: free_tuple(vm, (Tuple *)o); break;
    case OBJ_CLOSURE: free_closure(vm, (Closure *)o); break;
    case OBJ_CELL: {
        Cell *c = (Cell *)o;
        if (c->h.flags & 1) drop(vm, c->v.o);
        mem_free(vm, c, sizeof(Cell));
        break;
    }
    case OBJ_INTBOX: mem_free(vm, o, sizeof(IntBox)); break;
    case OBJ_INSTANCE: free_instance(vm, (Instance *)o); break;
    case OBJ_WEAK: mem_free(vm, o, sizeof(WeakRef)); break;
    case OBJ_ANY: {
        AnyBox *b = (AnyBox *)o;
        if (b->type->is_ref) drop(vm, b->v.o);
        mem_free(vm, b, sizeof(AnyBox));
        break;
    }
    case OBJ_NATIVE: ((NativeObj *)o)->nt->free(vm, (NativeObj *)o); break;
    case OBJ_RESULT: {
        ResultObj *r = (ResultObj *)o;
        if (r->err) drop(vm, &r->err->h);
        else if (r->type->a->is_ref) drop(vm, r->payload.o);
        mem_free(vm, r, sizeof(ResultObj));
        break;
    }
    case OBJ_WAIT: {
        WaitObj *w = (WaitObj *)o;
        if (w->cond) drop(vm, &w->cond->h);
        mem_free(vm, w, sizeof(WaitObj));
        break;
    }
    case OBJ_TASK: sched_free_task(vm, (Task *)o); break;
    case OBJ_HOST: host_obj_free(vm, (HostObj *)o); break;
    }
}

void obj_free(VM *vm, Obj *o) {
    if (vm->draining) {     /* called from inside the drain loop: queue it */
        defer(vm, o);
        return;
    }
    vm->draining = true;
    free_one(vm, o);
    while (vm->nfreeing) free_one(vm, vm->freeing[--vm->nfreeing]);
    vm->draining = false;
}

/* ---- constructors ---- */

Tuple *tuple_new(VM *vm, Type *tuple_type) {
    Tuple *t = mem_calloc(vm, sizeof(Tuple) + sizeof(Value) * tuple_type->n);
    t->h.rc = 1;
    t->h.kind = OBJ_TUPLE;
    t->type = tuple_type;
    return t;
}

Instance *instance_new(VM *vm, Type *t) {
    Instance *o = instance_block(vm, t);
    memset(o->f, 0, sizeof(Value) * t->nom->nfields);
    return o;
}

WeakRef *weak_of(VM *vm, Instance *o) {
    if (!o->weak) {
        WeakRef *w = mem_alloc(vm, sizeof(WeakRef));
        w->h = (Obj){ .rc = 1, .kind = OBJ_WEAK };   /* the object's own reference */
        w->target = &o->h;
        o->weak = w;
    }
    o->weak->h.rc++;
    return o->weak;
}

ResultObj *result_new(VM *vm, Type *t, Str *err, Value payload) {
    ResultObj *r = mem_alloc(vm, sizeof(ResultObj));
    r->h = (Obj){ .rc = 1, .kind = OBJ_RESULT };
    r->type = t;
    r->err = err;
    r->payload = payload;
    return r;
}

Closure *closure_new(VM *vm, struct Proto *p, uint32_t ncap, uint8_t flags) {
    Closure *c = mem_calloc(vm, sizeof(Closure) + sizeof(Value) * ncap);
    c->h = (Obj){ .rc = 1, .kind = OBJ_CLOSURE, .flags = flags };
    c->proto = p;
    c->ncap = ncap;
    proto_count_closure(p, 1);
    track(vm, &c->h);
    return c;
}

/* Teardown: every tracked object still alive belongs to a cycle (or is held
 * by one).  Pin them all, release what they hold that is not tracked (a
 * pinned object never reaches zero meanwhile), then free their storage. */
void obj_free_tracked(VM *vm) {
    for (Obj *o = vm->tracked; o; o = OBJ_LINK(o)->next) o->rc += 1u << 30;
    vm->draining = true;
    for (Obj *o = vm->tracked; o; o = OBJ_LINK(o)->next) {
        switch ((ObjKind)o->kind) {
        case OBJ_INSTANCE: {
            Instance *in = (Instance *)o;
            NominalInfo *n = in->type->nom;
            if (in->weak) { in->weak->target = NULL; drop(vm, &in->weak->h); in->weak = NULL; }
            for (uint32_t i = 0; i < n->nfields; i++)
                if (n->field_types[i]->is_ref && in->f[i].o && !obj_tracked(in->f[i].o)) drop(vm, in->f[i].o);
            break;
        }
        case OBJ_CLOSURE: {
            Closure *c = (Closure *)o;
            for (uint32_t i = 0; i < c->ncap; i++) {
                bool ref = (c->h.flags & CLOSURE_BOUND) ? i == 0 : proto_cap_is_ref(c->proto, i);
                if (ref && c->cap[i].o && !obj_tracked(c->cap[i].o)) drop(vm, c->cap[i].o);
            }
            break;
        }
        case OBJ_CELL: {
            Cell *c = (Cell *)o;
            if ((c->h.flags & 1) && c->v.o && !obj_tracked(c->v.o)) drop(vm, c->v.o);
            break;
        }
        default: break;
        }
    }
    while (vm->nfreeing) free_one(vm, vm->freeing[--vm->nfreeing]);
    vm->draining = false;
    while (vm->tracked) {
        Obj *o = vm->tracked;
        untrack(vm, o);
        if (o->kind == OBJ_INSTANCE) { instance_storage_free(vm, (Instance *)o); continue; }
        size_t sz = o->kind == OBJ_CLOSURE ? sizeof(Closure) + sizeof(Value) * ((Closure *)o)->ncap : sizeof(Cell);
        mem_free(vm, o, sz);
    }
}

Instance *instance_copy(VM *vm, Instance *o) {
    NominalInfo *n = o->type->nom;
    Instance *c = instance_block(vm, o->type);
    memcpy(c->f, o->f, sizeof(Value) * n->nfields);
    if (!n->scalar_fields)
        for (uint32_t i = 0; i < n->nfields; i++)
            if (n->field_types[i]->is_ref) obj_retain(c->f[i].o);
    return c;
}

IntBox *intbox_new(VM *vm, int64_t v) {
    IntBox *b = mem_alloc(vm, sizeof(IntBox));
    b->h = (Obj){ .rc = 1, .kind = OBJ_INTBOX };
    b->v = v;
    return b;
}

Cell *cell_new(VM *vm, bool holds_ref) {
    Cell *c = mem_alloc(vm, sizeof(Cell));
    c->h = (Obj){ .rc = 1, .kind = OBJ_CELL, .flags = holds_ref ? 1 : 0 };
    c->v.u = 0;
    track(vm, &c->h);
    return c;
}

/* ---- Optional<T> slots (layout in types.h) ---- */

bool opt_is_null(Type *inner, Value v) {
    switch (inner->kind) {
    case T_NULL: return true;
    case T_ENUM: return v.i == -1;
    case T_FLOAT: return v.u == OPT_FLOAT_NULL_BITS;
    case T_BOOL: return v.u == OPT_BOOL_NULL;
    default: return v.p == NULL;   /* references and IntBox pointers */
    }
}

Value opt_payload(Type *inner, Value v) {
    if (inner->kind == T_INT) return (Value){ .i = ((IntBox *)v.p)->v };
    return v;
}

Value opt_none(Type *inner) {
    switch (inner->kind) {
    case T_ENUM: return (Value){ .i = -1 };
    case T_FLOAT: return (Value){ .u = OPT_FLOAT_NULL_BITS };
    case T_BOOL: return (Value){ .u = OPT_BOOL_NULL };
    default: return (Value){ .p = NULL };
    }
}

Value opt_some(VM *vm, Type *inner, Value v) {
    if (inner->kind == T_INT) return (Value){ .p = intbox_new(vm, v.i) };
    val_retain(inner, v);
    return v;
}

/* ---- any ---- */

AnyBox *any_box(VM *vm, Type *t, Value v) {
    if (t->kind == T_ANY) { RETAIN(v.p); return (AnyBox *)v.p; }
    AnyBox *b = mem_alloc(vm, sizeof(AnyBox));
    b->h = (Obj){ .rc = 1, .kind = OBJ_ANY };
    b->type = t;
    b->v = v;
    val_retain(t, v);
    return b;
}

/* Can a value of static type s (v) be used as a t?  *out owned on success. */
static bool unbox_as(VM *vm, Type *s, Value v, Type *t, Value *out, bool numeric) {
    if (s == t) { val_retain(t, v); *out = v; return true; }
    if (s->kind == T_ANY) return unbox_as(vm, ((AnyBox *)v.p)->type, ((AnyBox *)v.p)->v, t, out, numeric);
    if (s->kind == T_OPTIONAL) {        /* an Optional is its value, or null */
        if (opt_is_null(s->a, v)) s = vm->types.t_null;
        else return unbox_as(vm, s->a, opt_payload(s->a, v), t, out, numeric);
    }
    if (t->kind == T_OPTIONAL) {
        if (s->kind == T_NULL) { *out = opt_none(t->a); return true; }
        Value inner;
        if (!unbox_as(vm, s, v, t->a, &inner, numeric)) return false;
        if (t->a->kind == T_INT) *out = (Value){ .p = intbox_new(vm, inner.i) };
        else *out = inner;              /* already owned */
        return true;
    }
    if (numeric && t->kind == T_FLOAT && s->kind == T_INT) { out->f = (double)v.i; return true; }
    if ((t->kind == T_CLASS || t->kind == T_TRAIT) && (s->kind == T_CLASS || s->kind == T_TRAIT) && v.p &&
        ty_is_subtype(((Instance *)v.p)->type, t)) {
        RETAIN(v.p);
        *out = v;
        return true;
    }
    return false;
}

bool any_unbox(VM *vm, AnyBox *b, Type *t, Value *out) {
    return unbox_as(vm, b->type, b->v, t, out, true);
}

bool any_is(VM *vm, AnyBox *b, Type *t) {
    Value v;
    if (!unbox_as(vm, b->type, b->v, t, &v, false)) return false;
    val_release(vm, t, v);
    return true;
}
