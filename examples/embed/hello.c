/* hello.c — the smallest useful host: a VM, one host function the script
 * calls (checked against its signature at compile time), a script loaded
 * from a string, and a script function called from C through a handle. */
#include <writ.h>
#include <stdio.h>
#include <string.h>

/* (name: string, times: int = 1) -> string */
static writ_status greet(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud) {
    (void)nargs; (void)ud;
    size_t len;
    const char *name = writ_string_data(args[0], &len);
    char buf[256];
    int n = 0;
    for (int64_t i = 0; i < args[1].as.i && n < 200; i++) n += snprintf(buf + n, sizeof buf - (size_t)n, "hello %.*s! ", (int)len, name);
    *ret = writ_string(vm, buf, (size_t)n);
    return WRIT_OK;
}

static const char *script =
    "print(greet(\"world\"))\n"
    "print(greet(\"writ\", times: 2))\n"
    "func area(w: float, h: float) -> float { return w * h }\n";

int main(void) {
    writ_vm *vm = writ_vm_new(NULL);
    if (writ_register_fn(vm, "greet", "(name: string, times: int = 1) -> string", greet, NULL) != WRIT_OK ||
        writ_load_string(vm, "hello.writ", script, strlen(script)) != WRIT_OK) {
        fputs(writ_error_text(vm), stderr);
        writ_vm_free(vm);
        return 1;
    }
    writ_fn *area;
    writ_value args[2] = { writ_float(3.0), writ_float(4.5) }, result;
    if (writ_function(vm, NULL, "area", &area) != WRIT_OK || writ_call(vm, area, args, 2, &result) != WRIT_OK) {
        fputs(writ_error_text(vm), stderr);
        writ_vm_free(vm);
        return 1;
    }
    printf("area from C: %g\n", result.as.f);
    /* a type mismatch is an error result, not a crash */
    writ_value wrong[2] = { writ_bool(true), writ_float(1.0) };
    if (writ_call(vm, area, wrong, 2, &result) == WRIT_ERROR_MISUSE) printf("rejected: %s", writ_error_text(vm));
    writ_fn_free(vm, area);
    writ_vm_free(vm);
    return 0;
}
