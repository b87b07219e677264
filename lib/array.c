/* lib/array.c — the methods of `Array<T>` (stdlib.md §6) that need no
 * callback.  args[0] is the receiver; T comes from the array's own type,
 * so one native serves every element type.  The callback-taking methods
 * (map, filter, reduce, find, any, all, sort with a comparator) are listed
 * with fn = NULL: the compiler expands them inline, so callbacks run as
 * ordinary bytecode with no C frame underneath. */
#include "rt.h"
#include "vm.h"
#include <math.h>

#define RECV ((Arr *)args[0].p)
#define ELEM(a) ((a)->type->a)

static bool index_error(VM *vm, int64_t i, int64_t len) {
    rt_error(vm, "index %lld out of bounds for length %lld", (long long)i, (long long)len);
    return false;
}

static bool a_len(VM *vm, Value *args, Value *ret) { (void)vm; ret->i = RECV->len; return true; }

static bool a_is_empty(VM *vm, Value *args, Value *ret) { (void)vm; ret->u = RECV->len == 0; return true; }

static bool a_push(VM *vm, Value *args, Value *ret) {
    (void)ret;
    Arr *a = RECV;
    val_retain(ELEM(a), args[1]);
    arr_push(vm, a, args[1]);
    return true;
}

static bool a_pop(VM *vm, Value *args, Value *ret) {
    Arr *a = RECV;
    if (a->len == 0) { rt_error(vm, "pop from empty array"); return false; }
    *ret = a->data[--a->len];   /* the array's reference moves to the caller */
    return true;
}

static bool a_insert(VM *vm, Value *args, Value *ret) {
    (void)ret;
    Arr *a = RECV;
    int64_t i = args[1].i;
    if (i < 0 || i > a->len) return index_error(vm, i, a->len);
    if (a->len == a->cap) arr_reserve(vm, a, a->cap ? a->cap * 2 : 8);
    memmove(a->data + i + 1, a->data + i, sizeof(Value) * (size_t)(a->len - i));
    val_retain(ELEM(a), args[2]);
    a->data[i] = args[2];
    a->len++;
    return true;
}

static bool a_remove(VM *vm, Value *args, Value *ret) {
    Arr *a = RECV;
    int64_t i = args[1].i;
    if (i < 0 || i >= a->len) return index_error(vm, i, a->len);
    *ret = a->data[i];
    memmove(a->data + i, a->data + i + 1, sizeof(Value) * (size_t)(a->len - i - 1));
    a->len--;
    return true;
}

static bool a_clear(VM *vm, Value *args, Value *ret) {
    (void)ret;
    Arr *a = RECV;
    int64_t n = a->len;
    a->len = 0;                 /* empty before anything is freed */
    if (ELEM(a)->is_ref)
        for (int64_t i = 0; i < n; i++) obj_release(vm, a->data[i].o);
    return true;
}

static int64_t find_index(VM *vm, Arr *a, Value v) {
    Type *t = ELEM(a);
    switch (t->kind) {
    case T_INT:
        for (int64_t i = 0; i < a->len; i++) if (a->data[i].i == v.i) return i;
        return -1;
    case T_STRING:
        for (int64_t i = 0; i < a->len; i++) if (str_eq(a->data[i].p, v.p)) return i;
        return -1;
    default:
        for (int64_t i = 0; i < a->len; i++) if (val_equal(vm, t, a->data[i], v)) return i;
        return -1;
    }
}

static bool a_contains(VM *vm, Value *args, Value *ret) {
    ret->u = find_index(vm, RECV, args[1]) >= 0;
    return true;
}

static bool a_index_of(VM *vm, Value *args, Value *ret) {
    ret->i = find_index(vm, RECV, args[1]);
    return true;
}

static bool a_first(VM *vm, Value *args, Value *ret) {
    Arr *a = RECV;
    *ret = a->len ? opt_some(vm, ELEM(a), a->data[0]) : opt_none(ELEM(a));
    return true;
}

static bool a_last(VM *vm, Value *args, Value *ret) {
    Arr *a = RECV;
    *ret = a->len ? opt_some(vm, ELEM(a), a->data[a->len - 1]) : opt_none(ELEM(a));
    return true;
}

/* New array of the same type holding a[from, to) (elements retained). */
static Arr *copy_range(VM *vm, Arr *a, int64_t from, int64_t to) {
    Arr *r = arr_new(vm, a->type, to - from);
    if (to > from) memcpy(r->data, a->data + from, sizeof(Value) * (size_t)(to - from));
    r->len = to - from;
    if (ELEM(a)->is_ref)
        for (int64_t i = 0; i < r->len; i++) obj_retain(r->data[i].o);
    return r;
}

static bool a_slice(VM *vm, Value *args, Value *ret) {
    Arr *a = RECV;
    int64_t s = args[1].i, e = args[2].i;
    if (s < 0 || s > e || e > a->len) {
        rt_error(vm, "slice %lld..%lld out of bounds for length %lld",
                 (long long)s, (long long)e, (long long)a->len);
        return false;
    }
    ret->p = copy_range(vm, a, s, e);
    return true;
}

static bool a_copy(VM *vm, Value *args, Value *ret) {
    ret->p = copy_range(vm, RECV, 0, RECV->len);
    return true;
}

static bool a_reverse(VM *vm, Value *args, Value *ret) {
    (void)vm;
    Arr *a = RECV;
    for (int64_t i = 0, j = a->len - 1; i < j; i++, j--) {
        Value t = a->data[i];
        a->data[i] = a->data[j];
        a->data[j] = t;
    }
    RETAIN(a);
    ret->p = a;
    return true;
}

/* ---- sort(): stable merge sort on int / float / string ---- */

typedef int (*CmpFn)(Value, Value);

static int cmp_int(Value a, Value b) { return (a.i > b.i) - (a.i < b.i); }

/* NaN sorts after every number; NaNs (and ±0) keep their order. */
static int cmp_float(Value a, Value b) {
    bool na = isnan(a.f), nb = isnan(b.f);
    if (na || nb) return na - nb;
    return (a.f > b.f) - (a.f < b.f);
}

static int cmp_str(Value a, Value b) { return str_cmp(a.p, b.p); }

/* Bottom-up merge sort (no recursion): runs of 16 by insertion sort, then
 * merges alternating between the array and a scratch buffer. */
static void merge_sort(VM *vm, Value *v, int64_t n, CmpFn cmp) {
    const int64_t RUN = 16;
    for (int64_t lo = 0; lo < n; lo += RUN) {
        int64_t hi = lo + RUN < n ? lo + RUN : n;
        for (int64_t i = lo + 1; i < hi; i++) {
            Value x = v[i];
            int64_t j = i;
            for (; j > lo && cmp(v[j - 1], x) > 0; j--) v[j] = v[j - 1];
            v[j] = x;
        }
    }
    if (n <= RUN) return;
    Value *tmp = mem_alloc(vm, sizeof(Value) * (size_t)n);
    Value *src = v, *dst = tmp;
    for (int64_t w = RUN; w < n; w *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * w) {
            int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = cmp(src[j], src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        Value *t = src; src = dst; dst = t;
    }
    if (src != v) memcpy(v, src, sizeof(Value) * (size_t)n);
    mem_free(vm, tmp, sizeof(Value) * (size_t)n);
}

static bool a_sort(VM *vm, Value *args, Value *ret) {
    Arr *a = RECV;
    CmpFn cmp;
    switch (ELEM(a)->kind) {
    case T_INT: cmp = cmp_int; break;
    case T_FLOAT: cmp = cmp_float; break;
    case T_STRING: cmp = cmp_str; break;
    default:      /* the checker rejects this; never crash if it slips through */
        rt_error(vm, "sort() without a comparator needs int, float or string elements, found %s",
                 ELEM(a)->name);
        return false;
    }
    merge_sort(vm, a->data, a->len, cmp);
    RETAIN(a);
    ret->p = a;
    return true;
}

static bool a_join(VM *vm, Value *args, Value *ret) {
    Arr *a = RECV;
    Str *sep = args[1].p;
    Buf b;
    buf_init(&b, vm);
    for (int64_t i = 0; i < a->len; i++) {
        if (i) buf_put(&b, sep->data, (size_t)sep->len);
        display_value(vm, &b, ELEM(a), a->data[i], false);
    }
    ret->p = str_new(vm, b.data ? b.data : "", b.len);
    buf_free(&b);
    return true;
}

const LibFn lib_array_methods[] = {
    { "len", "() -> int", a_len },
    { "isEmpty", "() -> bool", a_is_empty },
    { "push", "(value: T) -> void", a_push },
    { "pop", "() -> T", a_pop },
    { "insert", "(index: int, value: T) -> void", a_insert },
    { "remove", "(index: int) -> T", a_remove },
    { "clear", "() -> void", a_clear },
    { "contains", "(value: T) -> bool", a_contains },
    { "indexOf", "(value: T) -> int", a_index_of },
    { "first", "() -> Optional<T>", a_first },
    { "last", "() -> Optional<T>", a_last },
    { "slice", "(start: int, end: int) -> Array<T>", a_slice },
    { "copy", "() -> Array<T>", a_copy },
    { "reverse", "() -> Array<T>", a_reverse },
    { "sort", "() -> Array<T>", a_sort },
    { "sort", "(compare: (T, T) -> int) -> Array<T>", NULL },
    { "map", "(transform: (T) -> U) -> Array<U>", NULL },
    { "filter", "(keep: (T) -> bool) -> Array<T>", NULL },
    { "reduce", "(initial: U, combine: (U, T) -> U) -> U", NULL },
    { "find", "(match: (T) -> bool) -> Optional<T>", NULL },
    { "any", "(match: (T) -> bool) -> bool", NULL },
    { "all", "(match: (T) -> bool) -> bool", NULL },
    { "join", "(separator: string) -> string", a_join },
    { NULL, NULL, NULL },
};
