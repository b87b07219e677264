#define _DEFAULT_SOURCE 1
/* test_reload_retire.c — replaced loads are freed once nothing can run or
 * name their code (src/retire.c), and kept while something can: a
 * coroutine suspended in old code, a closure made by old code, the trace
 * of the last runtime error.  A counting allocator shows that repeated
 * reloads do not grow the VM; AddressSanitizer (`make sanitize`) shows
 * that nothing reads freed code. */
#include "../../include/writ.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;
#define CHECK(c) do { checks++; if (!(c)) { failures++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); } } while (0)

typedef struct Counter { long bytes; } Counter;
static void *counting_alloc(void *ud, void *p, size_t old, size_t n) {
    Counter *c = ud;
    c->bytes += (long)n - (long)old;
    if (n == 0) { free(p); return NULL; }
    return realloc(p, n);
}

static void quiet(void *ud, const char *s, size_t n) { (void)ud; (void)s; (void)n; }

static writ_vm *new_vm(Counter *c) {
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.alloc = counting_alloc;
    cfg.alloc_ud = c;
    cfg.write = quiet;
    return writ_vm_new(&cfg);
}

static writ_status reload(writ_vm *vm, const char *src) {
    return writ_reload_string(vm, "r.writ", src, strlen(src), NULL);
}

static long get_int(writ_vm *vm, const char *name) {
    writ_value v;
    if (writ_get_global(vm, NULL, name, &v) != WRIT_OK) return -999;
    return (long)v.as.i;
}

/* Two versions of a small game script: classes, structs, a lambda. */
static const char *version(int k) {
    static char buf[2][1024];
    snprintf(buf[k & 1], sizeof buf[0],
        "var score = 0\n"
        "struct V { public x: float = 0.0\n public func len() -> float { return x * %d.0 } }\n"
        "class Enemy { public hp: int = 10\n public func hit(d: int) { hp -= d + %d } }\n"
        "let boss = Enemy()\n"
        "func step() -> int { return %d }\n"
        "func update() { score += step()\n boss.hit(1)\n let f = (a: int) => a * %d\n score += f(1) - f(1) }\n",
        k + 1, k, k + 1, k + 2);
    return buf[k & 1];
}

/* Reloading again and again keeps the VM's size steady: each replaced
 * load is freed. */
static void test_steady_size(void) {
    Counter c = {0};
    writ_vm *vm = new_vm(&c);
    CHECK(writ_load_string(vm, "r.writ", version(0), strlen(version(0))) == WRIT_OK);
    long after5 = 0;
    for (int i = 1; i <= 60; i++) {
        CHECK(reload(vm, version(i)) == WRIT_OK);
        CHECK(writ_call_name(vm, NULL, "update", NULL, 0, NULL) == WRIT_OK);
        if (i == 5) after5 = c.bytes;
    }
    CHECK(get_int(vm, "score") > 60);
    /* without freeing, 55 more loads would add several KB each */
    CHECK(c.bytes <= after5 + 2048);
    if (c.bytes > after5 + 2048) fprintf(stderr, "  grew from %ld to %ld bytes\n", after5, c.bytes);
    writ_vm_free(vm);
    CHECK(c.bytes == 0);
}

/* A coroutine suspended in the first load keeps that load (its frame runs
 * old code) but calls the newest step() through forwarders that lead
 * straight to it: the loads in between are freed. */
static void test_coroutine_keeps_its_load(void) {
    Counter c = {0};
    writ_vm *vm = new_vm(&c);
    char src[1024];
    snprintf(src, sizeof src, "%s%s", version(0),
             "func loop() { while true { score += step()\n yield } }\nstart loop()\n");
    CHECK(writ_load_string(vm, "r.writ", src, strlen(src)) == WRIT_OK);
    long after5 = 0;
    for (int i = 1; i <= 40; i++) {
        CHECK(reload(vm, version(i)) == WRIT_OK);       /* loop() is gone from the new code */
        long before = get_int(vm, "score");
        CHECK(writ_tick(vm, 0.016) == WRIT_OK);
        CHECK(get_int(vm, "score") == before + i + 1);   /* the newest step() */
        if (i == 5) after5 = c.bytes;
    }
    CHECK(c.bytes <= after5 + 2048);
    writ_vm_free(vm);
    CHECK(c.bytes == 0);
}

/* A closure made by old code keeps its code after any number of reloads. */
static void test_closure_keeps_its_load(void) {
    Counter c = {0};
    writ_vm *vm = new_vm(&c);
    const char *v1 = "var cb: (int) -> int = (a: int) => a + 1000\nfunc use() -> int { return cb(1) }\n";
    const char *v2 = "var cb: (int) -> int = (a: int) => a + 2000\nfunc use() -> int { return cb(2) }\n";
    CHECK(writ_load_string(vm, "r.writ", v1, strlen(v1)) == WRIT_OK);
    for (int i = 0; i < 10; i++) CHECK(reload(vm, i % 2 ? v1 : v2) == WRIT_OK);
    writ_value r;
    CHECK(writ_call_name(vm, NULL, "use", NULL, 0, &r) == WRIT_OK && r.as.i == 1001);   /* the kept global's closure */
    writ_vm_free(vm);
    CHECK(c.bytes == 0);
}

/* The trace of the last runtime error names old code: still readable after reloads. */
static void test_trace_survives(void) {
    Counter c = {0};
    writ_vm *vm = new_vm(&c);
    const char *v1 = "func inner() -> int { let a: Array<int> = []\n return a[3] }\nfunc outer() -> int { return inner() }\n";
    const char *v2 = "func inner() -> int { return 1 }\nfunc outer() -> int { return inner() }\n";
    CHECK(writ_load_string(vm, "r.writ", v1, strlen(v1)) == WRIT_OK);
    CHECK(writ_call_name(vm, NULL, "outer", NULL, 0, NULL) == WRIT_ERROR_RUNTIME);
    for (int i = 0; i < 4; i++) CHECK(reload(vm, i % 2 ? v1 : v2) == WRIT_OK);
    writ_frame_info fi;
    CHECK(writ_trace_depth(vm) >= 2);
    CHECK(writ_trace_frame(vm, 0, &fi) && strcmp(fi.function, "inner") == 0 && strcmp(fi.file, "r.writ") == 0);
    CHECK(writ_trace_frame(vm, 1, &fi) && strcmp(fi.function, "outer") == 0);
    writ_value r;
    CHECK(writ_call_name(vm, NULL, "outer", NULL, 0, &r) == WRIT_ERROR_RUNTIME);   /* v1 again */
    CHECK(reload(vm, v2) == WRIT_OK);
    CHECK(writ_call_name(vm, NULL, "outer", NULL, 0, &r) == WRIT_OK && r.as.i == 1);
    writ_vm_free(vm);
    CHECK(c.bytes == 0);
}

/* A function handle taken before reloads follows the name to the newest code. */
static void test_handle_follows(void) {
    Counter c = {0};
    writ_vm *vm = new_vm(&c);
    CHECK(writ_load_string(vm, "r.writ", version(0), strlen(version(0))) == WRIT_OK);
    writ_fn *fn = NULL;
    CHECK(writ_function(vm, "r.writ", "step", &fn) == WRIT_OK);
    for (int i = 1; i <= 6; i++) {
        CHECK(reload(vm, version(i)) == WRIT_OK);
        writ_value r;
        CHECK(writ_call(vm, fn, NULL, 0, &r) == WRIT_OK && r.as.i == i + 1);
    }
    writ_fn_free(vm, fn);
    writ_vm_free(vm);
    CHECK(c.bytes == 0);
}

/* An instance of a class the reload removed, kept in a global of its
 * parent class, still dispatches to the old load's proto (whose entry now
 * fails cleanly): that load is kept while the later ones are freed. */
static void test_removed_class_keeps_its_load(void) {
    Counter c = {0};
    writ_vm *vm = new_vm(&c);
    const char *v1 = "class Base { public func m() -> int { return 1 } }\n"
                     "class Foo extends Base { public func m() -> int { return 7 } }\n"
                     "var b: Base = Foo()\nfunc call() -> int { return b.m() }\n";
    const char *v2 = "class Base { public func m() -> int { return 1 } }\nvar b: Base = Base()\nfunc call() -> int { return b.m() }\n";
    const char *v3 = "class Base { public func m() -> int { return 1 } }\nvar b: Base = Base()\nfunc call() -> int { return b.m() + 100 }\n";
    CHECK(writ_load_string(vm, "r.writ", v1, strlen(v1)) == WRIT_OK);
    writ_value r;
    CHECK(writ_call_name(vm, NULL, "call", NULL, 0, &r) == WRIT_OK && r.as.i == 7);
    for (int i = 0; i < 8; i++) {
        CHECK(reload(vm, i % 2 ? v3 : v2) == WRIT_OK);
        CHECK(writ_call_name(vm, NULL, "call", NULL, 0, &r) == WRIT_ERROR_RUNTIME);
        CHECK(strstr(writ_error_text(vm), "function 'Foo.m' was removed by hot reload") != NULL);
    }
    writ_vm_free(vm);
    CHECK(c.bytes == 0);
}

int main(void) {
    test_steady_size();
    test_coroutine_keeps_its_load();
    test_closure_keeps_its_load();
    test_trace_survives();
    test_handle_follows();
    test_removed_class_keeps_its_load();
    printf("test_reload_retire: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
