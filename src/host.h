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
    Type *ftype;               /* set by the compiler at the first call (variadic: an array) */
} HostFn;

/* A host constant or value global, declared to scripts by name. */
typedef struct HostGlobal {
    char *name;
    Type *type;
    Value value;               /* constants: the value (owned); globals live in their slot */
    bool is_const, read_only;
    int32_t slot;              /* value globals: the slot in the VM's global table; constants -1 */
} HostGlobal;

void host_free_all(VM *vm);

#endif
