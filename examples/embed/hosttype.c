/* hosttype.c — a host type backed by a C struct: scripts read and write its
 * fields directly in the host's memory (no getter callbacks, no copies),
 * call its methods, construct it, and the VM runs the destructor when the
 * last script reference goes.  A lent object is invalidated before the
 * host frees it. */
#include <writ.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Ship {
    double x, y;        /* position, a Writ struct of two floats */
    float fuel;
    int32_t cargo;
    uint8_t crew;
    bool docked;
} Ship;

static void *ship_new(writ_vm *vm, const writ_value *args, int nargs, void *ud) {
    (void)vm; (void)nargs; (void)ud;
    Ship *s = calloc(1, sizeof *s);
    s->fuel = (float)args[0].as.f;
    s->crew = 3;
    return s;
}

static void ship_free(void *obj, void *ud) {
    (void)ud;
    printf("(host) freeing a ship with %.1f fuel\n", ((Ship *)obj)->fuel);
    free(obj);
}

/* thrust(dx: float, dy: float) -> bool: burns fuel, fails when empty */
static writ_status ship_thrust(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud) {
    (void)nargs; (void)ud;
    Ship *s = writ_host_ptr(args[0]);
    double cost = (args[1].as.f < 0 ? -args[1].as.f : args[1].as.f) + (args[2].as.f < 0 ? -args[2].as.f : args[2].as.f);
    if (cost > s->fuel) return writ_fail(vm, "out of fuel (%.1f left, %.1f needed)", s->fuel, cost);
    s->fuel -= (float)cost;
    s->x += args[1].as.f;
    s->y += args[2].as.f;
    *ret = writ_bool(s->fuel > 0);
    return WRIT_OK;
}

static const char *script =
    "struct Pos { public x: float\n public y: float }\n"
    "let scout = Ship(fuel: 10.0)\n"
    "scout.thrust(2.0, 1.0)\n"
    "scout.cargo += 40\n"
    "print(scout)\n"
    "mother.pos.x += 100.0              // writes the host's struct in place\n"
    "mother.cargo = 500\n"
    "func flyOut() { scout.thrust(20.0, 0.0) }\n";

int main(void) {
    writ_vm *vm = writ_vm_new(NULL);
    writ_host_type *t = writ_define_type(vm, "Ship");
    writ_type_field(vm, t, "pos", "Pos", WRIT_STORE_FLOATS64, offsetof(Ship, x), false);
    writ_type_field(vm, t, "fuel", "float", WRIT_STORE_F32, offsetof(Ship, fuel), true);
    writ_type_field(vm, t, "cargo", "int", WRIT_STORE_I32, offsetof(Ship, cargo), false);
    writ_type_field(vm, t, "crew", "int", WRIT_STORE_U8, offsetof(Ship, crew), false);
    writ_type_field(vm, t, "docked", "bool", WRIT_STORE_BOOL, offsetof(Ship, docked), false);
    writ_type_method(vm, t, "thrust", "(dx: float, dy: float) -> bool", ship_thrust, NULL);
    writ_type_constructor(vm, t, "(fuel: float)", ship_new, NULL);
    writ_type_destructor(vm, t, ship_free, NULL);

    Ship mother = { 0, 0, 1000, 0, 12, true };     /* host-owned: lent to the VM */
    writ_value m = writ_host_object(vm, t, &mother, false);
    writ_define_global(vm, "mother", "Ship", m, true);

    if (writ_load_string(vm, "ships.writ", script, strlen(script)) != WRIT_OK) {
        fputs(writ_error_text(vm), stderr);
        return 1;
    }
    printf("(host) mother ship: x = %.1f, cargo = %d\n", mother.x, mother.cargo);
    if (writ_call_name(vm, NULL, "flyOut", NULL, 0, NULL) != WRIT_OK) printf("(host) script error:\n%s", writ_error_text(vm));
    writ_invalidate(vm, m);                         /* before the host's object goes away */
    writ_release(vm, m);
    writ_vm_free(vm);                               /* frees the scout: its destructor runs */
    return 0;
}
