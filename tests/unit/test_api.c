#define _DEFAULT_SOURCE 1
/* test_api.c — the embedding API (writ.h): VM lifetime, loading strings and
 * files, output sink, diagnostics and runtime errors as text, misuse, a
 * counting allocator that must return to zero, several VMs at once. */
#include "../../include/writ.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures, checks;
#define CHECK(c) do { checks++; if (!(c)) { failures++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); } } while (0)

typedef struct Out { char buf[4096]; size_t n; } Out;
static void sink(void *ud, const char *s, size_t n) {
    Out *o = ud;
    if (o->n + n < sizeof o->buf) { memcpy(o->buf + o->n, s, n); o->n += n; o->buf[o->n] = 0; }
}

typedef struct Counter { long live; long bytes; } Counter;
static void *counting_alloc(void *ud, void *p, size_t old, size_t n) {
    Counter *c = ud;
    if (n == 0) { if (p) { c->live--; c->bytes -= (long)old; } free(p); return NULL; }
    void *r = realloc(p, n);
    if (!p) c->live++;
    c->bytes += (long)n - (long)old;
    return r;
}

static writ_vm *new_vm(Out *o, Counter *c) {
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.write = sink;
    cfg.write_ud = o;
    if (c) { cfg.alloc = counting_alloc; cfg.alloc_ud = c; }
    return writ_vm_new(&cfg);
}

static void test_hello(void) {
    Out o = {0};
    Counter c = {0};
    writ_vm *vm = new_vm(&o, &c);
    CHECK(vm != NULL);
    const char *src = "let xs = [1, 2, 3]\nprint(xs.map((x: int) => x * 2))\nprint(\"hi ${xs.len()}\")\n";
    CHECK(writ_load_string(vm, "hello.writ", src, strlen(src)) == WRIT_OK);
    CHECK(strcmp(o.buf, "[2, 4, 6]\nhi 3\n") == 0);
    CHECK(strcmp(writ_error_text(vm), "") == 0);
    writ_vm_free(vm);
    CHECK(c.live == 0 && c.bytes == 0);
}

static void test_compile_error(void) {
    Out o = {0};
    Counter c = {0};
    writ_vm *vm = new_vm(&o, &c);
    const char *src = "print(\"before\")\nlet x: int = \"s\"\nprnt(1)\n";
    CHECK(writ_load_string(vm, "bad.writ", src, strlen(src)) == WRIT_ERROR_COMPILE);
    const char *t = writ_error_text(vm);
    CHECK(strstr(t, "error: type mismatch: expected int, found string") != NULL);
    CHECK(strstr(t, " --> bad.writ:2:14") != NULL);
    CHECK(strstr(t, "unknown function 'prnt'") != NULL);
    CHECK(o.n == 0);                       /* nothing ran */
    writ_vm_free(vm);
    CHECK(c.live == 0 && c.bytes == 0);
}

static void test_runtime_error_and_reuse(void) {
    Out o = {0};
    Counter c = {0};
    writ_vm *vm = new_vm(&o, &c);
    const char *src = "func f(a: Array<string>, i: int) -> string { return a[i] }\n"
                      "print(\"x\")\nlet names = [\"a\", \"b\"]\nprint(f(names, 7))\n";
    CHECK(writ_load_string(vm, "rt.writ", src, strlen(src)) == WRIT_ERROR_RUNTIME);
    const char *t = writ_error_text(vm);
    CHECK(strstr(t, "error: index 7 out of bounds for length 2") != NULL);
    CHECK(strstr(t, "  at f (rt.writ:1)\n  at <script> (rt.writ:4)") != NULL);
    CHECK(strcmp(o.buf, "x\n") == 0);
    /* the VM stays usable */
    const char *ok = "print(40 + 2)\n";
    CHECK(writ_load_string(vm, "ok.writ", ok, strlen(ok)) == WRIT_OK);
    CHECK(strcmp(o.buf, "x\n42\n") == 0);
    writ_vm_free(vm);
    CHECK(c.live == 0 && c.bytes == 0);
}

static void test_misuse_and_io(void) {
    CHECK(writ_load_string(NULL, "x", "", 0) == WRIT_ERROR_MISUSE);
    Out o = {0};
    writ_vm *vm = new_vm(&o, NULL);
    CHECK(writ_load_string(vm, NULL, "", 0) == WRIT_ERROR_MISUSE);
    CHECK(writ_load_file(vm, NULL) == WRIT_ERROR_MISUSE);
    CHECK(writ_load_file(vm, "/nonexistent/file.writ") == WRIT_ERROR_IO);
    CHECK(strstr(writ_error_text(vm), "cannot read '/nonexistent/file.writ'") != NULL);
    CHECK(writ_check_file(vm, "/") == WRIT_ERROR_IO);
    writ_vm_free(vm);
    writ_vm_free(NULL);
    CHECK(strcmp(writ_error_text(NULL), "") == 0);
}

static void test_two_vms(void) {
    Out a = {0}, b = {0};
    writ_vm *va = new_vm(&a, NULL), *vb = new_vm(&b, NULL);
    const char *sa = "var n = 1\nfunc inc() { n += 1 }\ninc()\nprint(n)\n";
    const char *sb = "var n = 10\nprint(n)\n";
    CHECK(writ_load_string(va, "a.writ", sa, strlen(sa)) == WRIT_OK);
    CHECK(writ_load_string(vb, "b.writ", sb, strlen(sb)) == WRIT_OK);
    CHECK(strcmp(a.buf, "2\n") == 0);
    CHECK(strcmp(b.buf, "10\n") == 0);
    writ_vm_free(va);
    writ_vm_free(vb);
}

static void test_unwind_releases(void) {
    /* an error deep inside nested calls holding arrays, strings and closures leaks nothing */
    Out o = {0};
    Counter c = {0};
    writ_vm *vm = new_vm(&o, &c);
    const char *src =
        "func deep(n: int, acc: Array<string>) -> int {\n"
        "    let local = [\"x\" .. n, \"y\"]\n"
        "    let f = (k: int) => local.len() + k\n"
        "    if n == 0 { return 1 / (n - n) }\n"
        "    acc.push(\"level $n\")\n"
        "    return deep(n - 1, acc) + f(1)\n"
        "}\n"
        "print(deep(50, []))\n";
    CHECK(writ_load_string(vm, "deep.writ", src, strlen(src)) == WRIT_ERROR_RUNTIME);
    CHECK(strstr(writ_error_text(vm), "division by zero") != NULL);
    writ_vm_free(vm);
    CHECK(c.live == 0 && c.bytes == 0);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_module_loaded_once_per_vm(void) {
    /* a module imported by two separate loads runs once; both see its globals */
    char dir[] = "/tmp/writ_api_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char lib[256], a[256], b[256];
    snprintf(lib, sizeof lib, "%s/lib.writ", dir);
    snprintf(a, sizeof a, "%s/a.writ", dir);
    snprintf(b, sizeof b, "%s/b.writ", dir);
    write_file(lib, "print(\"lib loaded\")\nexport var count = 0\nexport func bump() -> int { count += 1\n return count }\n"
                    "export struct P { public x: int = 1 }\n");
    write_file(a, "import { bump, P } from \"lib\"\nprint(bump())\nprint(P())\n");
    write_file(b, "import { bump, count, P } from \"./lib\"\nprint(bump())\nprint(count)\nlet p: P = P(x: 3)\nprint(p.x)\n");
    Out o = {0};
    Counter c = {0};
    writ_vm *vm = new_vm(&o, &c);
    CHECK(writ_load_file(vm, a) == WRIT_OK);
    CHECK(writ_load_file(vm, b) == WRIT_OK);
    CHECK(strcmp(o.buf, "lib loaded\n1\nP { x: 1 }\n2\n2\n3\n") == 0);
    if (strcmp(o.buf, "lib loaded\n1\nP { x: 1 }\n2\n2\n3\n") != 0) fprintf(stderr, "got: %s | %s\n", o.buf, writ_error_text(vm));
    writ_vm_free(vm);
    CHECK(c.live == 0 && c.bytes == 0);
    remove(lib); remove(a); remove(b); rmdir(dir);
}

int main(void) {
    test_hello();
    test_compile_error();
    test_runtime_error_and_reuse();
    test_misuse_and_io();
    test_two_vms();
    test_unwind_releases();
    test_module_loaded_once_per_vm();
    printf("test_api: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
