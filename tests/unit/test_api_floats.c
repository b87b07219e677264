/* test_api_floats.c — the fast paths a drawing host needs (writ.h):
 * float-only structs (Color, Vector2, Rectangle) read as a borrowed array
 * of doubles and built from one, and a function handle's type compared
 * with an interned type to check a script's callback signature. */
#include "../../include/writ.h"
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static double sum_seen;
/* (c: Color, r: Rectangle) -> Vector2: reads both through writ_struct_floats */
static writ_status paint(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud) {
    (void)nargs;
    int nc, nr;
    const double *c = writ_struct_floats(args[0], &nc);
    const double *r = writ_struct_floats(args[1], &nr);
    if (!c || !r || nc != 4 || nr != 4) return writ_fail(vm, "not float structs");
    sum_seen = c[0] + c[1] + c[2] + c[3];
    double v[2] = { r[0] + r[2], r[1] + r[3] };
    return writ_struct_from_floats(vm, ud, v, 2, ret);
}

static void test_floats(void) {
    Counter cnt = {0};
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.alloc = counting_alloc;
    cfg.alloc_ud = &cnt;
    writ_vm *vm = writ_vm_new(&cfg);
    const writ_type *v2 = writ_type_of(vm, "Vector2");
    CHECK(v2 != NULL);
    CHECK(writ_register_fn(vm, "paint", "(c: Color, r: Rectangle) -> Vector2", paint, (void *)v2) == WRIT_OK);
    const char *src =
        "struct Mixed { public a: float = 1.0\n public n: int = 2 }\n"
        "func corner() -> Vector2 { return paint(Color(0.25, 0.5, 0.75, 1.0), Rectangle(1.0, 2.0, 10.0, 20.0)) }\n"
        "func mixed() -> Mixed { return Mixed() }\n"
        "func draw(x: float, y: int) {}\n";
    CHECK(writ_load_string(vm, "floats.writ", src, strlen(src)) == WRIT_OK);
    writ_value out;
    CHECK(writ_call_name(vm, NULL, "corner", NULL, 0, &out) == WRIT_OK);
    CHECK(sum_seen == 2.5);
    int n = -1;
    const double *f = writ_struct_floats(out, &n);
    CHECK(f && n == 2 && f[0] == 11.0 && f[1] == 22.0);
    CHECK(out.type == v2);
    CHECK(strcmp(writ_display(vm, out), "Vector2(x: 11.0, y: 22.0)") == 0 || strstr(writ_display(vm, out), "11") != NULL);
    writ_release(vm, out);

    /* not float-only structs and non-structs: NULL and count 0 */
    CHECK(writ_call_name(vm, NULL, "mixed", NULL, 0, &out) == WRIT_OK);
    n = -1;
    CHECK(writ_struct_floats(out, &n) == NULL && n == 0);
    writ_release(vm, out);
    CHECK(writ_struct_floats(writ_float(1.0), NULL) == NULL);

    /* building: wrong count or type is misuse */
    double three[3] = { 1, 2, 3 };
    CHECK(writ_struct_from_floats(vm, v2, three, 3, &out) == WRIT_ERROR_MISUSE);
    CHECK(strstr(writ_error_text(vm), "has 2 fields, got 3") != NULL);
    CHECK(writ_struct_from_floats(vm, writ_type_of(vm, "Mixed"), three, 2, &out) == WRIT_ERROR_MISUSE);
    CHECK(writ_struct_from_floats(vm, writ_type_of(vm, "int"), three, 1, &out) == WRIT_ERROR_MISUSE);
    CHECK(writ_struct_from_floats(vm, NULL, three, 1, &out) == WRIT_ERROR_MISUSE);
    CHECK(writ_struct_from_floats(vm, writ_type_of(vm, "Vector3"), three, 3, &out) == WRIT_OK);
    CHECK(strstr(writ_display(vm, out), "3") != NULL);
    writ_release(vm, out);

    /* a callback's signature: interned types compare by pointer */
    writ_fn *draw;
    CHECK(writ_function(vm, NULL, "draw", &draw) == WRIT_OK);
    CHECK(writ_fn_type(vm, draw) == writ_type_of(vm, "(float, int) -> void"));
    CHECK(writ_fn_type(vm, draw) != writ_type_of(vm, "(float, float) -> void"));
    CHECK(strcmp(writ_type_name(writ_fn_type(vm, draw)), "(float, int) -> void") == 0);
    CHECK(writ_fn_type(NULL, draw) == NULL && writ_fn_type(vm, NULL) == NULL);
    writ_fn_free(vm, draw);
    writ_vm_free(vm);
    CHECK(cnt.live == 0);
}

/* Host method arguments as the host sees them (the direct path of CALLH
 * and the converting one for Optional/any/class parameters). */
static int seen_calls;
static writ_status probe(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud) {
    const writ_type **want = ud;
    seen_calls++;
    CHECK(nargs == 6);
    CHECK(args[0].kind == WRIT_HOST && writ_host_ptr(args[0]) == &seen_calls);
    CHECK(args[1].kind == WRIT_FLOAT && args[1].as.f == 1.5);
    CHECK(args[2].kind == WRIT_STRUCT && args[2].type == want[0] && writ_struct_floats(args[2], NULL)[0] == 0.25);
    size_t n;
    CHECK(args[3].kind == WRIT_STRING && strcmp(writ_string_data(args[3], &n), "hi") == 0 && n == 2);
    CHECK(args[4].kind == WRIT_BOOL && args[4].as.b);
    CHECK((seen_calls == 1 && args[5].kind == WRIT_NULL) ||
          (seen_calls == 2 && args[5].kind == WRIT_STRUCT && args[5].type == want[0]));
    *ret = writ_int(7);
    return WRIT_OK;
}

static void test_method_args(void) {
    writ_vm *vm = writ_vm_new(NULL);
    const writ_type *want[1] = { writ_type_of(vm, "Color") };
    writ_host_type *t = writ_define_type(vm, "Probe");
    CHECK(writ_type_method(vm, t, "probe", "(x: float, c: Color, s: string, b: bool, o: Optional<Color>) -> int", probe, want) == WRIT_OK);
    writ_value obj = writ_host_object(vm, t, &seen_calls, false);
    CHECK(writ_define_global(vm, "p", "Probe", obj, true) == WRIT_OK);
    const char *src =
        "func run(q: Probe) -> int {\n"
        "    let a = q.probe(1.5, Color(0.25, 0.0, 0.0, 1.0), \"hi\", true, null)\n"
        "    return a + q.probe(1.5, Color(0.25, 0.0, 0.0, 1.0), \"hi\", true, Color.RED)\n"
        "}\n"
        "print(run(p))\n";
    CHECK(writ_load_string(vm, "probe.writ", src, strlen(src)) == WRIT_OK);
    CHECK(seen_calls == 2);
    writ_release(vm, obj);
    writ_vm_free(vm);
}

int main(void) {
    test_floats();
    test_method_args();
    printf("test_api_floats: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
