#define _DEFAULT_SOURCE 1
/* test_lib_host.c — the library modules on host types: reflect (fields,
 * getField/setField through storage and accessors, read-only fields,
 * methods, invoke with defaults and errors, invalidated objects) and toJson
 * (a host type with fields is an object of them; an opaque one is an error). */
#include "../../include/writ.h"
#include "testkit.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Unit { int32_t hp; float speed; char name[16]; } Unit;

static writ_status get_name(writ_vm *vm, void *obj, writ_value *out, void *ud) {
    (void)ud;
    *out = writ_string(vm, ((Unit *)obj)->name, strlen(((Unit *)obj)->name));
    return WRIT_OK;
}
static writ_status set_name(writ_vm *vm, void *obj, writ_value v, void *ud) {
    (void)vm; (void)ud;
    size_t n;
    const char *s = writ_string_data(v, &n);
    if (n > 15) n = 15;
    memcpy(((Unit *)obj)->name, s, n);
    ((Unit *)obj)->name[n] = 0;
    return WRIT_OK;
}
/* heal(amount: int = 5) -> int */
static writ_status heal(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud) {
    (void)vm; (void)nargs; (void)ud;
    Unit *u = writ_host_ptr(args[0]);
    u->hp += (int32_t)args[1].as.i;
    *ret = writ_int(u->hp);
    return WRIT_OK;
}
/* shout() */
static writ_status shout(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud) {
    (void)vm; (void)args; (void)nargs; (void)ud; (void)ret;
    return WRIT_OK;
}

static const char *run(const char *src, Unit *u, writ_status *st) {
    static Out o;
    o.n = 0;
    o.buf[0] = 0;
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.write = sink;
    cfg.write_ud = &o;
    writ_vm *vm = writ_vm_new(&cfg);
    writ_host_type *t = writ_define_type(vm, "Unit");
    writ_type_field(vm, t, "hp", "int", WRIT_STORE_I32, offsetof(Unit, hp), false);
    writ_type_field(vm, t, "speed", "float", WRIT_STORE_F32, offsetof(Unit, speed), true);
    writ_type_property(vm, t, "name", "string", get_name, set_name, NULL);
    writ_type_method(vm, t, "heal", "(amount: int = 5) -> int", heal, NULL);
    writ_type_method(vm, t, "shout", "()", shout, NULL);
    writ_host_type *opaque = writ_define_type(vm, "Handle");
    static int dummy;
    writ_value h = writ_host_object(vm, opaque, &dummy, false);
    writ_define_global(vm, "handle", "Handle", h, true);
    writ_value m = writ_host_object(vm, t, u, false);
    writ_define_global(vm, "unit", "Unit", m, true);
    *st = writ_load_string(vm, "host.writ", src, strlen(src));
    if (*st != WRIT_OK) {
        size_t k = strlen(o.buf);
        snprintf(o.buf + k, sizeof o.buf - k, "%s", writ_error_text(vm));
    }
    writ_release(vm, m);
    writ_release(vm, h);
    writ_vm_free(vm);
    return o.buf;
}

static void expect(const char *src, const char *want) {
    Unit u = { 10, 1.5f, "ann" };
    writ_status st;
    const char *got = run(src, &u, &st);
    bool ok = strncmp(got, want, strlen(want)) == 0;
    CHECK(ok);
    if (!ok) fprintf(stderr, "script:\n%s\nwant:\n%s\ngot:\n%s\n", src, want, got);
}

int main(void) {
    expect("print(fields(unit))\nprint(methods(unit))\nprint(hasField(unit, \"speed\"))\nprint(hasMethod(unit, \"heal\"))\n"
           "print(getField(unit, \"hp\"))\nprint(getField(unit, \"name\"))\nsetField(unit, \"hp\", 42)\nsetField(unit, \"name\", \"bo\")\n"
           "print(unit.hp)\nprint(unit.name)\nprint(invoke(unit, \"heal\"))\nprint(invoke(unit, \"heal\", 3))\nprint(invoke(unit, \"shout\"))\n"
           "print(toJson(unit))\nprint(toJson([unit, unit]))\nprint(instanceof(unit, \"Unit\"))\nprint(typeof(getField(unit, \"speed\")))\n"
           "print(fields(handle))\n",
           "[\"hp\", \"speed\", \"name\"]\n[\"heal\", \"shout\"]\ntrue\ntrue\n10\nann\n42\nbo\n47\n50\nnull\n"
           "{\"hp\":50,\"speed\":1.5,\"name\":\"bo\"}\n[{\"hp\":50,\"speed\":1.5,\"name\":\"bo\"},{\"hp\":50,\"speed\":1.5,\"name\":\"bo\"}]\n"
           "true\nfloat\n[]\n");
    expect("setField(unit, \"speed\", 2.0)\n", "error: field 'speed' of Unit is read-only");
    expect("setField(unit, \"hp\", \"x\")\n", "error: cannot assign string to field 'hp' of type int");
    expect("getField(unit, \"mana\")\n", "error: Unit has no public field 'mana'");
    expect("invoke(unit, \"fly\")\n", "error: Unit has no public method 'fly'");
    expect("invoke(unit, \"heal\", 1, 2)\n", "error: wrong number of arguments to Unit.heal: expected 1, found 2");
    expect("invoke(unit, \"heal\", 1.5)\n", "error: argument 1 of Unit.heal: expected int, found float");
    expect("print(toJson(handle))\n", "error: toJson cannot encode Handle");
    if (failures) fprintf(stderr, "test_lib_host: %d of %d checks failed\n", failures, checks);
    return failures ? 1 : 0;
}
