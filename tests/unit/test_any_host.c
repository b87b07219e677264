#define _DEFAULT_SOURCE 1
/* test_any_host.c — `any` across the host boundary: an untyped host function
 * "(...args: any) -> any" receives each argument with its own type and its
 * result is converted with `as` (runtime.md §6); `any` values are boxed
 * (AnyBox) inside the VM. */
#include "../../include/writ.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;
#define CHECK(c) do { checks++; if (!(c)) { failures++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); } } while (0)

typedef struct Out { char buf[4096]; size_t n; } Out;
static void sink(void *ud, const char *s, size_t n) {
    Out *o = ud;
    if (o->n + n < sizeof o->buf) { memcpy(o->buf + o->n, s, n); o->n += n; o->buf[o->n] = 0; }
}

/* describe(...args: any) -> any: the kinds joined, as a string */
static writ_status describe(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud) {
    (void)ud;
    const writ_value *arr = &args[0];
    (void)nargs;
    char buf[256] = "";
    int64_t n = writ_array_len(*arr);
    for (int64_t i = 0; i < n; i++) {
        writ_value e;
        if (writ_array_get(vm, *arr, i, &e) != WRIT_OK) return writ_fail(vm, "bad element");
        static const char *const names[] = {"void", "null", "int", "float", "bool", "string"};
        strcat(buf, e.kind <= WRIT_STRING ? names[e.kind] : "other");
        strcat(buf, " ");
        writ_release(vm, e);
    }
    *ret = writ_string(vm, buf, strlen(buf));
    return WRIT_OK;
}

/* first(...args: any) -> any: the first argument back */
static writ_status first(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud) {
    (void)ud; (void)nargs;
    return writ_array_get(vm, args[0], 0, ret);
}

int main(void) {
    Out o = {0};
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.write = sink;
    cfg.write_ud = &o;
    writ_vm *vm = writ_vm_new(&cfg);
    CHECK(writ_register_fn(vm, "describe", "(...args: any) -> any", describe, NULL) == WRIT_OK);
    CHECK(writ_register_fn(vm, "first", "(...args: any) -> any", first, NULL) == WRIT_OK);
    const char *src =
        "let o: Optional<int> = null\n"
        "print(describe(1, 2.5, true, \"s\", o))\n"
        "print(first(41) as int + 1)\n"
        "print(first(\"x\") as string)\n"
        "print(typeof(first(1.5)))\n";
    writ_status st = writ_load_string(vm, "any_host", src, strlen(src));
    if (st != WRIT_OK) fprintf(stderr, "%s\n", writ_error_text(vm));
    CHECK(st == WRIT_OK);
    CHECK(strcmp(o.buf, "int float bool string null \n42\nx\nfloat\n") == 0);
    if (strcmp(o.buf, "int float bool string null \n42\nx\nfloat\n") != 0) fprintf(stderr, "got: %s", o.buf);
    writ_vm_free(vm);
    if (failures) fprintf(stderr, "test_any_host: %d of %d checks failed\n", failures, checks);
    return failures ? 1 : 0;
}
