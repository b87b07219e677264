/* testvm.h — a minimal VM for unit tests of the front end and runtime
 * pieces before/without the full interpreter: libc allocator, type table. */
#ifndef WRIT_TESTVM_H
#define WRIT_TESTVM_H
#include "vm.h"
#include <stdlib.h>
static void *testvm_alloc(void *ud, void *p, size_t o, size_t n) {
    (void)ud; (void)o;
    if (n == 0) { free(p); return NULL; }
    return realloc(p, n);
}
static inline VM *testvm_new(void) {
    VM *vm = calloc(1, sizeof(VM));
    vm->alloc = testvm_alloc;
    ty_init(vm, &vm->types);
    return vm;
}
#endif
