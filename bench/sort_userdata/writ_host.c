/* sort_userdata host for Writ: Key is a host type wrapping a C string with
 * a C comparison method; rand(n) is a host function. */
#define _DEFAULT_SOURCE 1
#include <writ.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rng.h"

typedef struct Key { char *s; } Key;

static writ_status h_rand(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)vm; (void)n; (void)ud;
    *ret = writ_int(rng_next(a[0].as.i));
    return WRIT_OK;
}

static void *key_new(writ_vm *vm, const writ_value *a, int n, void *ud) {
    (void)vm; (void)n; (void)ud;
    size_t len;
    const char *s = writ_string_data(a[0], &len);
    Key *k = malloc(sizeof *k);
    k->s = strndup(s, len);
    return k;
}

static void key_free(void *obj, void *ud) { (void)ud; free(((Key *)obj)->s); free(obj); }

static writ_status key_less(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)vm; (void)n; (void)ud;
    *ret = writ_bool(strcmp(((Key *)writ_host_ptr(a[0]))->s, ((Key *)writ_host_ptr(a[1]))->s) < 0);
    return WRIT_OK;
}

static writ_status key_text(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)n; (void)ud;
    const char *s = ((Key *)writ_host_ptr(a[0]))->s;
    *ret = writ_string(vm, s, strlen(s));
    return WRIT_OK;
}

int main(int argc, char **argv) {
    const char *script = argc > 1 ? argv[1] : "sort.writ";
    writ_vm *vm = writ_vm_new(NULL);
    writ_register_fn(vm, "rand", "(n: int) -> int", h_rand, NULL);
    writ_host_type *t = writ_define_type(vm, "Key");
    writ_type_constructor(vm, t, "(s: string)", key_new, NULL);
    writ_type_destructor(vm, t, key_free, NULL);
    writ_type_method(vm, t, "less", "(other: Key) -> bool", key_less, NULL);
    writ_type_method(vm, t, "text", "() -> string", key_text, NULL);
    if (writ_load_file(vm, script) != WRIT_OK) { fputs(writ_error_text(vm), stderr); return 1; }
    double t0 = bench_now();
    writ_value r;
    if (writ_call_name(vm, NULL, "run", NULL, 0, &r) != WRIT_OK) { fputs(writ_error_text(vm), stderr); return 1; }
    double t1 = bench_now();
    printf("%s\n%.2f\n", writ_string_data(r, NULL), (t1 - t0) * 1e3);
    writ_release(vm, r);
    writ_vm_free(vm);
    return 0;
}
