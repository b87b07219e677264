/* test_lib_modules.c — library modules with Writ preludes (lib/modules.c):
 * a prelude is compiled into a VM only when a load names one of its exports,
 * once per VM (later loads reuse its types and statics), with the preludes it
 * needs, by a load of its own (kept when a script load fails or is reloaded);
 * disabled modules stay undeclared; memory returns to zero. */
#include "../../include/writ.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;
#define CHECK(c) do { checks++; if (!(c)) { failures++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); } } while (0)

typedef struct Out { char buf[8192]; size_t n; } Out;
static void sink(void *ud, const char *s, size_t n) {
    Out *o = ud;
    if (o->n + n < sizeof o->buf) { memcpy(o->buf + o->n, s, n); o->n += n; o->buf[o->n] = 0; }
}

typedef struct Counter { long live; long bytes; long peak; } Counter;
static void *counting_alloc(void *ud, void *p, size_t old, size_t n) {
    Counter *c = ud;
    if (n == 0) { if (p) { c->live--; c->bytes -= (long)old; } free(p); return NULL; }
    void *r = realloc(p, n);
    if (!p) c->live++;
    c->bytes += (long)n - (long)old;
    if (c->bytes > c->peak) c->peak = c->bytes;
    return r;
}

static writ_vm *new_vm(Out *o, Counter *c) {
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.write = sink;
    cfg.write_ud = o;
    cfg.alloc = counting_alloc;
    cfg.alloc_ud = c;
    return writ_vm_new(&cfg);
}

static writ_status load(writ_vm *vm, const char *name, const char *src) {
    writ_status st = writ_load_string(vm, name, src, strlen(src));
    if (st != WRIT_OK && st != WRIT_ERROR_COMPILE) fprintf(stderr, "%s", writ_error_text(vm));
    return st;
}

static long bytes_after_load(const char *src) {
    Out o = {0};
    Counter c = {0};
    writ_vm *vm = new_vm(&o, &c);
    CHECK(load(vm, "m.writ", src) == WRIT_OK);
    long b = c.bytes;
    writ_vm_free(vm);
    CHECK(c.live == 0 && c.bytes == 0);
    return b;
}

static void test_lazy(void) {
    /* a script naming no prelude type compiles none: far less memory than one naming Vector2 */
    long hello = bytes_after_load("print(\"hello\")\n");
    long vec = bytes_after_load("print(Vector2(1.0, 2.0))\n");
    long tween = bytes_after_load("print(Tween(from: 0.0, to: 1.0, duration: 1.0).update(0.5))\n");
    CHECK(hello * 4 < vec);
    CHECK(hello * 2 < tween);        /* tween and the interpolation prelude it needs */
}

static void test_reuse_across_loads(void) {
    Out o = {0};
    Counter c = {0};
    writ_vm *vm = new_vm(&o, &c);
    CHECK(load(vm, "a.writ", "print(Vector2.UP)\n") == WRIT_OK);
    /* a failed load that names Color: the color prelude it caused stays compiled */
    CHECK(load(vm, "bad.writ", "let c: Color = 1\n") == WRIT_ERROR_COMPILE);
    /* later loads see the geometry prelude of the first load and add color */
    CHECK(load(vm, "b.writ", "print(Vector2.UP + Vector2.ONE)\nprint(Color.RED.toHSV())\n") == WRIT_OK);
    CHECK(load(vm, "c.writ", "print(Color.fromHex(\"#00FF00\") == Color.GREEN)\nprint(Vector3.ONE.length() > 1.0)\n") == WRIT_OK);
    const char *want = "Vector2 { x: 0.0, y: 1.0 }\nVector2 { x: 1.0, y: 2.0 }\nVector3 { x: 0.0, y: 1.0, z: 1.0 }\ntrue\ntrue\n";
    CHECK(strcmp(o.buf, want) == 0);
    if (strcmp(o.buf, want) != 0) fprintf(stderr, "got: %s | %s\n", o.buf, writ_error_text(vm));
    writ_vm_free(vm);
    CHECK(c.live == 0 && c.bytes == 0);
}

static void test_disabled(void) {
    Out o = {0};
    Counter c = {0};
    writ_vm *vm = new_vm(&o, &c);
    CHECK(writ_enable_module(vm, "geometry", false) == WRIT_OK);
    CHECK(load(vm, "a.writ", "print(Vector2(1.0, 2.0))\n") == WRIT_ERROR_COMPILE);
    CHECK(strstr(writ_error_text(vm), "Vector2") != NULL);
    /* color needs geometry: treated as disabled too */
    CHECK(load(vm, "b.writ", "print(Color.RED)\n") == WRIT_ERROR_COMPILE);
    CHECK(writ_enable_module(vm, "random", false) == WRIT_OK);
    CHECK(load(vm, "c.writ", "seedRandom(1)\n") == WRIT_ERROR_COMPILE);
    CHECK(strstr(writ_error_text(vm), "unknown function 'seedRandom'") != NULL);
    CHECK(writ_enable_module(vm, "geometry", true) == WRIT_OK);
    CHECK(load(vm, "d.writ", "print(Color.RED.r + Vector2.ONE.x)\n") == WRIT_OK);
    CHECK(strcmp(o.buf, "2.0\n") == 0);
    writ_vm_free(vm);
    CHECK(c.live == 0 && c.bytes == 0);
}

static void test_random_per_vm(void) {
    /* each VM has its own generator: the same seed gives the same numbers in both */
    Out o1 = {0}, o2 = {0};
    writ_vm *a = new_vm(&o1, &(Counter){0});
    writ_vm *b = new_vm(&o2, &(Counter){0});
    const char *src = "seedRandom(5)\nprint(randomInt(0, 1000000))\nnoiseSeed(3)\nprint(noise2D(0.3, 0.7))\n";
    CHECK(load(a, "r.writ", src) == WRIT_OK);
    CHECK(load(b, "r.writ", "seedRandom(5)\nprint(random())\n") == WRIT_OK);
    CHECK(load(b, "r2.writ", src) == WRIT_OK);
    CHECK(strncmp(o2.buf + strcspn(o2.buf, "\n") + 1, o1.buf, o1.n) == 0);
    writ_vm_free(a);
    writ_vm_free(b);
}

static void test_reload(void) {
    /* preludes are compiled by a load of their own: a hot reload keeps them, and the reloaded
     * code may name library types the first version did not */
    Out o = {0};
    Counter c = {0};
    writ_vm *vm = new_vm(&o, &c);
    CHECK(load(vm, "game.writ", "var p = Vector2(1.0, 2.0)\nfunc show() { print(p) }\nshow()\n") == WRIT_OK);
    const char *v2 = "var p = Vector2(1.0, 2.0)\nfunc show() { print(p + Vector2.ONE)\nprint(Color.RED.toHex()) }\n";
    writ_status st = writ_reload_string(vm, "game.writ", v2, strlen(v2), NULL);
    CHECK(st == WRIT_OK);
    if (st != WRIT_OK) fprintf(stderr, "%s\n", writ_error_text(vm));
    writ_value out;
    CHECK(writ_call_name(vm, "game.writ", "show", NULL, 0, &out) == WRIT_OK);
    const char *want = "Vector2 { x: 1.0, y: 2.0 }\nVector2 { x: 2.0, y: 3.0 }\n#FF0000\n";
    CHECK(strcmp(o.buf, want) == 0);
    if (strcmp(o.buf, want) != 0) fprintf(stderr, "got: %s\n", o.buf);
    writ_vm_free(vm);
    CHECK(c.live == 0 && c.bytes == 0);
}

static void test_failed_load_keeps_library(void) {
    /* a load that fails to compile leaves the preludes it caused compiled: the next load reuses them */
    Out o = {0};
    Counter c = {0};
    writ_vm *vm = new_vm(&o, &c);
    CHECK(load(vm, "bad.writ", "let v: Vector2 = 1\n") == WRIT_ERROR_COMPILE);
    long before = c.bytes;
    CHECK(load(vm, "ok.writ", "print(Vector2.ONE.x)\n") == WRIT_OK);
    CHECK(c.bytes - before < 200000);   /* a load keeps ~64 KB of arena; the vectors prelude is ~1.3 MB */
    CHECK(strcmp(o.buf, "1.0\n") == 0);
    writ_vm_free(vm);
    CHECK(c.live == 0 && c.bytes == 0);
}

int main(void) {
    test_reload();
    test_failed_load_keeps_library();
    test_lazy();
    test_reuse_across_loads();
    test_disabled();
    test_random_per_vm();
    printf("test_lib_modules: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
