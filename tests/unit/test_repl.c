/* test_repl.c — the REPL session of src/repl.h without a terminal: when an
 * entry needs more lines, values of lone expressions, names replaced by
 * later entries, failed entries changing nothing, and every byte returned
 * (counting allocator). */
#include "../../include/writ.h"
#include "../../src/repl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;
#define CHECK(c) do { checks++; if (!(c)) { failures++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); } } while (0)

typedef struct Counter { long live; } Counter;
static void *counting_alloc(void *ud, void *p, size_t old, size_t n) {
    Counter *c = ud;
    (void)old;
    if (n == 0) { if (p) c->live--; free(p); return NULL; }
    void *r = realloc(p, n);
    if (!p) c->live++;
    return r;
}

typedef struct Out { char buf[4096]; size_t n; } Out;
static void sink(void *ud, const char *s, size_t n) {
    Out *o = ud;
    if (o->n + n < sizeof o->buf) { memcpy(o->buf + o->n, s, n); o->n += n; o->buf[o->n] = 0; }
}

static bool incomplete(writ_vm *vm, const char *s) { return repl_incomplete(vm, s, strlen(s)); }

static void test_incomplete(writ_vm *vm) {
    CHECK(!incomplete(vm, "1 + 2\n"));
    CHECK(!incomplete(vm, "\n"));
    CHECK(incomplete(vm, "f(1,\n"));
    CHECK(incomplete(vm, "let a = [\n"));
    CHECK(incomplete(vm, "func f() {\n"));
    CHECK(incomplete(vm, "func f() {\n  if x {\n  }\n"));
    CHECK(!incomplete(vm, "func f() {\n  if x {\n  }\n}\n"));
    CHECK(incomplete(vm, "let s = 1 +\n"));
    CHECK(incomplete(vm, "let s =\n"));
    CHECK(incomplete(vm, "x.\n"));
    CHECK(incomplete(vm, "let f = (x: int) =>\n"));
    CHECK(incomplete(vm, "a &&\n"));
    CHECK(incomplete(vm, "let c = ok ?\n"));          /* the conditional '?' */
    CHECK(!incomplete(vm, "let v = r?\n"));           /* postfix '?' ends the line */
    CHECK(!incomplete(vm, "var g: Array<Array<int>>\n"));   /* '>' does not continue */
    CHECK(!incomplete(vm, "a < b\n"));
    CHECK(incomplete(vm, "let t = \"\"\"\n  text\n"));
    CHECK(!incomplete(vm, "let t = \"\"\"\n  text\n  \"\"\"\n"));
    CHECK(incomplete(vm, "/* open comment\n"));
    CHECK(!incomplete(vm, "/* closed */ 1\n"));
    CHECK(!incomplete(vm, "\"(\" + \"[\"\n"));       /* brackets inside strings do not count */
    CHECK(!incomplete(vm, "\"${f(1)}\"\n"));
    CHECK(!incomplete(vm, "let s = \"unterminated\n"));   /* a lexical error: reported at once */
    CHECK(!incomplete(vm, "f(1, #\n"));
    CHECK(!incomplete(vm, "x) + (\n"));               /* more closers than openers: an error */
    CHECK(!incomplete(vm, "1 // comment ending in +\n"));
}

static writ_status eval(Repl *r, const char *s, const char **shown) { return repl_eval(r, s, strlen(s), shown, NULL); }

static void test_session(writ_vm *vm, Out *o) {
    Repl *r = repl_new(vm);
    const char *shown;
    CHECK(eval(r, "var x = 1\n", &shown) == WRIT_OK && shown == NULL);
    CHECK(eval(r, "x += 41\n", &shown) == WRIT_OK && shown == NULL);
    CHECK(eval(r, "x\n", &shown) == WRIT_OK && shown && strcmp(shown, "42") == 0);
    CHECK(eval(r, "\"a\" .. x\n", &shown) == WRIT_OK && shown && strcmp(shown, "a42") == 0);
    CHECK(eval(r, "[\"s\", \"t\"]\n", &shown) == WRIT_OK && shown && strcmp(shown, "[\"s\", \"t\"]") == 0);
    CHECK(eval(r, "print(\"out\")\n", &shown) == WRIT_OK && shown == NULL);
    CHECK(strcmp(o->buf, "out\n") == 0);
    /* a failed compile declares nothing */
    CHECK(eval(r, "var y: int = \"no\"\n", &shown) == WRIT_ERROR_COMPILE && shown == NULL);
    CHECK(strstr(writ_error_text(vm), "type mismatch") != NULL);
    CHECK(eval(r, "y\n", &shown) == WRIT_ERROR_COMPILE);
    CHECK(strstr(writ_error_text(vm), "unknown variable 'y'") != NULL);
    /* a later declaration replaces the earlier one, with another type */
    CHECK(eval(r, "func f() -> int { return x }\n", &shown) == WRIT_OK);
    CHECK(eval(r, "var x = \"text\"\n", &shown) == WRIT_OK);
    CHECK(eval(r, "x\n", &shown) == WRIT_OK && shown && strcmp(shown, "text") == 0);
    CHECK(eval(r, "f()\n", &shown) == WRIT_OK && shown && strcmp(shown, "42") == 0);   /* early binding */
    /* a runtime error keeps the session */
    CHECK(eval(r, "[1][2]\n", &shown) == WRIT_ERROR_RUNTIME && shown == NULL);
    CHECK(strstr(writ_error_text(vm), "index 2 out of bounds for length 1") != NULL);
    CHECK(eval(r, "f() + 1\n", &shown) == WRIT_OK && shown && strcmp(shown, "43") == 0);
    size_t n = 0;
    CHECK(repl_eval(r, "\"a\\0b\"\n", 7, &shown, &n) == WRIT_OK && n == 3 && memcmp(shown, "a\0b", 3) == 0);
    repl_free(r);
}

int main(void) {
    Counter c = {0};
    Out o = {0};
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.alloc = counting_alloc;
    cfg.alloc_ud = &c;
    cfg.write = sink;
    cfg.write_ud = &o;
    writ_vm *vm = writ_vm_new(&cfg);
    test_incomplete(vm);
    test_session(vm, &o);
    writ_vm_free(vm);
    CHECK(c.live == 0);
    printf("test_repl: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
