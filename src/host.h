/* host.h — host functions and host globals registered through writ.h
 * (runtime.md §6, §8), as the checker, compiler and VM see them. */
#ifndef WRIT_HOST_H
#define WRIT_HOST_H

#include "../include/writ.h"
#include "vm.h"
#include "rt.h"

typedef struct HostFn {
    LibFn lib;                 /* first: name and signature as a library function, fn = host_marker */
    writ_host_fn fn;
    void *ud;
    Type *ftype;               /* set by the compiler at the first call (methods: receiver first) */
    struct HostType *owner;    /* a method's type: the receiver must still be valid */
    char *trace_name;          /* "Type.method" for methods and statics, else NULL (lib.name) */
    bool direct;               /* every parameter passes as its slot's payload (no any, Optional, enum or class) */
    bool scalar_ret;           /* the result is int, float, bool or void: stored without conversion */
    uint8_t kinds[16];         /* direct: each parameter's writ_kind */
    uint8_t rkind;             /* scalar_ret: the result's writ_kind (WRIT_VOID for none) */
} HostFn;

/* A host constant, value global or bound variable, declared to scripts by name. */
typedef struct HostGlobal {
    char *name;
    Type *type;                /* bound variables: resolved by the checker from type_spelling */
    Value value;               /* constants: the value (owned); globals live in their slot */
    bool is_const, read_only;
    int32_t slot;              /* value globals: the slot in the VM's global table; else -1 */
    void *ptr;                 /* bound variables: the C variable (else NULL) */
    int storage;               /* bound variables: its writ_storage */
    char *type_spelling;       /* bound variables: the Writ type as registered */
} HostGlobal;

typedef struct HostField {
    char *name;
    char *type_spelling;       /* resolved by the checker into type */
    Type *type;
    int storage;               /* writ_storage, or -1 for accessors */
    size_t offset;
    bool read_only;
    writ_getter get;
    writ_setter set;
    void *ud;
} HostField;

typedef struct HostType {
    Type *type;                /* T_HOST, decl = this */
    char *name;
    HostField *fields; uint32_t nfields, capfields;
    HostFn **methods; uint32_t nmethods, capmethods;   /* lib.sig without the receiver */
    HostFn **statics; uint32_t nstatics, capstatics;
    HostFn *ctor;              /* its lib.sig returns the type; fn wraps ctor_fn */
    writ_constructor ctor_fn; void *ctor_ud;
    writ_destructor dtor; void *dtor_ud;
} HostType;

void host_free_all(VM *vm);
/* The writ_kind a parameter of static type t arrives with when its slot's
 * payload is the whole value (api_to_writ would only copy it), or -1 when
 * it needs api_to_writ (any, Optional, enums as ordinals, classes with
 * their dynamic type). */
int host_direct_kind(const Type *t);
HostObj *host_obj_new(VM *vm, HostType *ht, void *ptr, bool owned);
void host_obj_free(VM *vm, HostObj *o);        /* rc reached 0 */
/* Field i of a valid object as a slot of its type (owned); false after rt_error. */
bool host_get_field(VM *vm, HostObj *o, uint32_t i, Value *out);
/* Stores v (borrowed) into field i; false after rt_error (does not fit, setter failed). */
bool host_set_field(VM *vm, HostObj *o, uint32_t i, Value v);
/* Bound variable i of vm->hostglobals: read (owned) / write (borrowed) the C
 * variable; false after rt_error (a value that does not fit). */
bool host_var_get(VM *vm, uint32_t i, Value *out);
bool host_var_set(VM *vm, uint32_t i, Value v);
HostField *host_find_field(HostType *ht, const char *name, uint32_t *index);
HostFn *host_find_method(HostType *ht, const char *name);
HostFn *host_find_static(HostType *ht, const char *name);

#endif
