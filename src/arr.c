/* arr.c — growable arrays of untagged slots.  The array's own type
 * (Array<T>) says whether the slots hold counted references; freeing is in
 * object.c, the script-visible methods in lib/array.c. */
#include "rt.h"
#include "vm.h"

Arr *arr_new(VM *vm, Type *array_type, int64_t cap) {
    Arr *a = mem_alloc(vm, sizeof(Arr));
    a->h = (Obj){ .rc = 1, .kind = OBJ_ARRAY };
    a->type = array_type;
    a->len = 0;
    a->cap = cap > 0 ? cap : 0;
    a->data = a->cap ? mem_alloc(vm, sizeof(Value) * (size_t)a->cap) : NULL;
    return a;
}

void arr_reserve(VM *vm, Arr *a, int64_t cap) {
    if (cap <= a->cap) return;
    a->data = mem_realloc(vm, a->data, sizeof(Value) * (size_t)a->cap, sizeof(Value) * (size_t)cap);
    a->cap = cap;
}

void arr_push(VM *vm, Arr *a, Value v) {
    if (unlikely(a->len == a->cap)) arr_reserve(vm, a, a->cap ? a->cap * 2 : 8);
    a->data[a->len++] = v;
}
