/* object.h — heap objects under reference counting.  Every object starts
 * with an Obj header (count + kind).  Freeing never recurses on the C stack:
 * obj_release pushes children onto the VM's free list (vm->freeing) and a
 * loop drains it, so dropping a million-node chain is flat. */
#ifndef WRIT_OBJECT_H
#define WRIT_OBJECT_H

#include "common.h"
#include "types.h"

typedef enum ObjKind {
    OBJ_STRING, OBJ_ARRAY, OBJ_DICT, OBJ_TUPLE, OBJ_CLOSURE, OBJ_CELL, OBJ_INTBOX,
    OBJ_INSTANCE, OBJ_WEAK, OBJ_RESULT, OBJ_WAIT, OBJ_TASK, OBJ_HOST, OBJ_ANY, OBJ_NATIVE,
} ObjKind;

typedef struct Obj {
    uint32_t rc;
    uint8_t kind;      /* ObjKind */
    uint8_t flags;     /* per kind: STR_GROWN, CLOSURE_BOUND, Cell 1; Instance 0x80 = on toJson's path (lib/json.c) */
    uint16_t spare;
} Obj;

/* Instances, closures and cells are the objects that can form reference
 * cycles; they sit on the VM's list of tracked objects (link right after
 * the header) so that destroying the VM frees cycles too. */
typedef struct GcLink {
    struct Obj *prev, *next;
} GcLink;
#define OBJ_LINK(o) ((GcLink *)((char *)(o) + sizeof(Obj)))
static inline bool obj_tracked(const Obj *o) {
    return o->kind == OBJ_INSTANCE || o->kind == OBJ_CLOSURE || o->kind == OBJ_CELL;
}

/* Freed instances with fewer than INST_POOL_CLASSES fields are kept on a
 * per-VM free list per field count (at most INST_POOL_MAX each), so struct
 * arithmetic such as `a + b` reuses blocks instead of calling the allocator. */
#define INST_POOL_CLASSES 17
#define INST_POOL_MAX 4096

/* Immutable UTF-8 string.  data is NUL-terminated (not counted in len).
 * h.flags & STR_GROWN: the block was sized by str_append (str_block_size). */
#define STR_GROWN 1
typedef struct Str {
    Obj h;
    uint32_t hash;     /* 0 = not computed yet */
    bool ascii;        /* every byte < 0x80: code point index == byte index */
    int64_t len;       /* bytes */
    int64_t cplen;     /* code points */
    char data[];
} Str;

typedef struct Arr {
    Obj h;
    Type *type;        /* Array<T> */
    int64_t len, cap;
    Value *data;
} Arr;

/* Insertion-ordered hash map: dense entry array + open-addressed index. */
typedef struct DictEntry {
    Value key, val;
    uint64_t hash;     /* DICT_DEAD marks a removed entry */
} DictEntry;
#define DICT_DEAD UINT64_MAX

typedef struct Dict {
    Obj h;
    Type *type;        /* Dictionary<K, V> */
    int64_t count;     /* live entries */
    int64_t used;      /* entries slots used (live + dead) */
    int64_t cap;       /* entries capacity */
    DictEntry *entries;
    int32_t *index;    /* size mask+1; -1 empty; else entry position */
    uint64_t mask;
    uint64_t version;  /* bumped when a key is added or removed (iteration rule) */
} Dict;

typedef struct Tuple {
    Obj h;
    Type *type;        /* (A, B, ...) */
    Value v[];
} Tuple;

struct Proto;
/* h.flags & CLOSURE_BOUND: a bound method; cap[0] is the receiver (a
 * reference), passed as the method's first argument. */
#define CLOSURE_BOUND 1
typedef struct Closure {
    Obj h;
    GcLink link;
    struct Proto *proto;
    uint32_t ncap;
    Value cap[];       /* kinds from proto->cap_is_ref */
} Closure;

/* A captured mutable variable shared by reference. */
typedef struct Cell {
    Obj h;             /* flags: 1 = v holds a reference */
    GcLink link;
    Value v;
} Cell;

/* A struct or class instance.  type is the dynamic type (for classes, the
 * object's own class even when seen through a parent or trait); field kinds
 * come from type->nom.  Structs are values: they are copied before a write
 * when shared (rc > 1), so sharing the object is invisible. */
struct WeakRef;
typedef struct Instance {
    Obj h;
    GcLink link;
    struct WeakRef *weak;   /* this object's weak record (counted), or NULL */
    Type *type;
    Value *f;               /* the fields: `inl` below, or storage of their own once a hot
                             * reload changed the layout (the object keeps its address) */
    uint32_t ninl;          /* fields allocated inline */
    Value inl[];
} Instance;

/* An instance of a host type: the host's C object.  Its prefix matches
 * Instance (weak record, type) so that Weak, `is` and `as` work alike. */
typedef struct HostObj {
    Obj h;
    GcLink link;            /* unused: host objects cannot form script cycles */
    struct WeakRef *weak;
    Type *type;             /* T_HOST; type->decl is the HostType */
    void *ptr;
    bool owned;             /* VM-owned: the destructor runs when the last reference goes */
    bool valid;             /* false once the host invalidated it */
} HostObj;

/* The record behind Weak<T> values: outlives its object, which clears
 * `target` when it is freed. */
typedef struct WeakRef {
    Obj h;
    Obj *target;       /* not counted */
} WeakRef;

/* Result<T>: err == NULL is Success(payload); else Error(err). */
typedef struct ResultObj {
    Obj h;
    Type *type;        /* Result<T> */
    Str *err;
    Value payload;
} ResultObj;

/* Wait (stdlib.md §2): a description of a suspension; each `yield` of it
 * starts a fresh wait in the yielding task. */
typedef enum WaitKind { WAIT_NEXT, WAIT_SECONDS, WAIT_FRAMES, WAIT_UNTIL, WAIT_HOST } WaitKind;
typedef struct WaitObj {
    Obj h;
    uint8_t kind;      /* WaitKind */
    double secs;       /* WAIT_SECONDS */
    int64_t frames;    /* WAIT_FRAMES */
    Closure *cond;     /* WAIT_UNTIL (counted) */
    uint8_t host_state;    /* WAIT_HOST: 0 pending, 1 completed, 2 cancelled */
    int64_t done_frame;    /* WAIT_HOST: frameCount when completed (tasks resume on a later tick) */
} WaitObj;

/* A value of static type `any`: the value with the static type it had when
 * it was boxed (the dynamic class of an instance is still in the instance). */
typedef struct AnyBox {
    Obj h;
    Type *type;        /* never T_ANY */
    Value v;           /* owned when type->is_ref */
} AnyBox;

/* An object of a native reference type (Json, Regex, host types): the
 * NativeType's functions own the payload that follows the header. */
struct NativeType;
typedef struct NativeObj {
    Obj h;
    const struct NativeType *nt;
} NativeObj;

/* Optional<int> payload. */
typedef struct IntBox {
    Obj h;
    int64_t v;
} IntBox;

static inline void obj_retain(Obj *o) { if (o) o->rc++; }
void obj_free(VM *vm, Obj *o);       /* rc reached 0: frees o and releases its children */
struct Proto;
Closure *closure_new(VM *vm, struct Proto *p, uint32_t ncap, uint8_t flags);   /* captures zeroed */
void obj_free_tracked(VM *vm);       /* VM teardown: frees every remaining tracked object (cycles) */
void instance_pool_free(VM *vm);     /* VM teardown: returns the pooled instance blocks */
static inline void obj_release(VM *vm, Obj *o) {
    if (o && --o->rc == 0) obj_free(vm, o);
}
#define RETAIN(v) obj_retain((Obj *)(v))
#define RELEASE(vm, v) obj_release((vm), (Obj *)(v))

/* Release a slot whose static type is t (no-op for scalars). */
static inline void val_release(VM *vm, Type *t, Value v) { if (t->is_ref) obj_release(vm, v.o); }
static inline void val_retain(Type *t, Value v) { if (t->is_ref) obj_retain(v.o); }

#endif
