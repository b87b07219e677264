#define _DEFAULT_SOURCE 1
/* test_embed.c — the embedding API beyond loading: calls by name and by
 * handle, values across the boundary, host functions, constants and
 * globals, coroutines driven by the host, limits, and every misuse path.
 * A counting allocator checks that each VM returns to zero. */
#include "../../include/writ.h"
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stddef.h>

static Out out;
static Counter counter;

static writ_vm *new_vm(void) { return testkit_vm(&out, &counter); }

static void end_vm(writ_vm *vm) { testkit_end(vm, &counter); }

static writ_status load(writ_vm *vm, const char *src) { return writ_load_string(vm, "main.writ", src, strlen(src)); }

/* ---- calling script functions ---- */

static void test_calls(void) {
    writ_vm *vm = new_vm();
    CHECK(load(vm,
        "func add(a: int, b: int = 10) -> int { return a + b }\n"
        "func greet(name: string) -> string { return \"hi \" .. name }\n"
        "func sum(...xs: float) -> float { var s = 0.0\n for x in xs { s += x }\n return s }\n"
        "func nothing() { print(\"side effect\") }\n"
        "func boom(n: int) -> int { return 10 / n }\n"
        "struct P { public x: int\n public y: int\n static func make(v: int) -> P { return P(x: v, y: v) } }\n"
        "class Counter { public n: int = 0\n public func bump(by: int) -> int { n += by\n return n } }\n"
        "func counter() -> Counter { return Counter() }\n"
        "func names() -> Array<string> { return [\"a\", \"b\"] }\n"
        "func table() -> Dictionary<string, int> { return {\"one\": 1, \"two\": 2} }\n"
        "func maybe(b: bool) -> Optional<int> { return b ? 7 : null }\n") == WRIT_OK);
    writ_value r;
    writ_value args[3] = { writ_int(2), writ_int(3) };
    CHECK(writ_call_name(vm, NULL, "add", args, 2, &r) == WRIT_OK && r.kind == WRIT_INT && r.as.i == 5);
    CHECK(writ_call_name(vm, "main.writ", "add", args, 1, &r) == WRIT_OK && r.as.i == 12);   /* default */
    /* handles */
    writ_fn *add = NULL;
    CHECK(writ_function(vm, NULL, "add", &add) == WRIT_OK && add);
    long total = 0;
    for (int i = 0; i < 1000; i++) {
        writ_value a[2] = { writ_int(i), writ_int(1) };
        CHECK(writ_call(vm, add, a, 2, &r) == WRIT_OK);
        total += r.as.i;
    }
    CHECK(total == 1000 * 999 / 2 + 1000);
    writ_fn_free(vm, add);
    /* strings */
    writ_value name = writ_string(vm, "bob", 3);
    CHECK(writ_call_name(vm, NULL, "greet", &name, 1, &r) == WRIT_OK);
    size_t len;
    CHECK(strcmp(writ_string_data(r, &len), "hi bob") == 0 && len == 6);
    writ_release(vm, r);
    writ_release(vm, name);
    /* variadic, with an int accepted for a float */
    writ_value fl[3] = { writ_float(1.5), writ_int(2), writ_float(0.5) };
    CHECK(writ_call_name(vm, NULL, "sum", fl, 3, &r) == WRIT_OK && r.kind == WRIT_FLOAT && r.as.f == 4.0);
    CHECK(writ_call_name(vm, NULL, "sum", NULL, 0, &r) == WRIT_OK && r.as.f == 0.0);
    CHECK(writ_call_name(vm, NULL, "nothing", NULL, 0, &r) == WRIT_OK && r.kind == WRIT_VOID);
    HAS(out.buf, "side effect\n");
    /* static method, struct fields */
    writ_value seven = writ_int(7);
    CHECK(writ_call_name(vm, NULL, "P.make", &seven, 1, &r) == WRIT_OK && r.kind == WRIT_STRUCT);
    CHECK(writ_field_count(r) == 2 && strcmp(writ_field_name(r, 1), "y") == 0);
    writ_value fx;
    CHECK(writ_field_get(vm, r, "x", &fx) == WRIT_OK && fx.as.i == 7);
    CHECK(writ_field_set(vm, &r, "y", writ_int(9)) == WRIT_OK);
    CHECK(strcmp(writ_display(vm, r), "P { x: 7, y: 9 }") == 0);
    writ_value str = writ_string(vm, "s", 1);
    CHECK(writ_field_set(vm, &r, "y", str) == WRIT_ERROR_MISUSE);
    writ_release(vm, str);
    HAS(writ_error_text(vm), "field 'y' of P: expected int, found string");
    writ_release(vm, r);
    /* objects and methods */
    writ_value obj;
    CHECK(writ_call_name(vm, NULL, "counter", NULL, 0, &obj) == WRIT_OK && obj.kind == WRIT_OBJECT);
    writ_value by = writ_int(4);
    CHECK(writ_call_method(vm, obj, "bump", &by, 1, &r) == WRIT_OK && r.as.i == 4);
    CHECK(writ_call_method(vm, obj, "bump", &by, 1, &r) == WRIT_OK && r.as.i == 8);
    CHECK(writ_call_method(vm, obj, "fly", NULL, 0, &r) == WRIT_ERROR_MISUSE);
    HAS(writ_error_text(vm), "Counter has no public method 'fly'");
    writ_release(vm, obj);
    /* arrays, dictionaries, optionals */
    CHECK(writ_call_name(vm, NULL, "names", NULL, 0, &r) == WRIT_OK && writ_array_len(r) == 2);
    writ_value el;
    CHECK(writ_array_get(vm, r, 1, &el) == WRIT_OK && strcmp(writ_string_data(el, NULL), "b") == 0);
    writ_release(vm, el);
    CHECK(writ_array_push(vm, r, writ_int(3)) == WRIT_ERROR_MISUSE);
    writ_value c = writ_string(vm, "c", 1);
    CHECK(writ_array_push(vm, r, c) == WRIT_OK && writ_array_len(r) == 3);
    writ_release(vm, c);
    CHECK(writ_array_get(vm, r, 5, &el) == WRIT_ERROR_MISUSE);
    CHECK(strcmp(writ_display(vm, r), "[\"a\", \"b\", \"c\"]") == 0);
    writ_release(vm, r);
    CHECK(writ_call_name(vm, NULL, "table", NULL, 0, &r) == WRIT_OK && writ_dict_len(r) == 2);
    writ_value k = writ_string(vm, "two", 3), v;
    CHECK(writ_dict_get(vm, r, k, &v) == WRIT_OK && v.as.i == 2);
    CHECK(writ_dict_set(vm, r, k, writ_int(22)) == WRIT_OK);
    CHECK(writ_dict_get(vm, r, k, &v) == WRIT_OK && v.as.i == 22);
    size_t pos = 0;
    writ_value dk, dv;
    int seen = 0;
    while (writ_dict_next(vm, r, &pos, &dk, &dv)) { seen++; writ_release(vm, dk); }
    CHECK(seen == 2);
    writ_release(vm, k);
    writ_release(vm, r);
    writ_value t = writ_bool(true), f = writ_bool(false);
    CHECK(writ_call_name(vm, NULL, "maybe", &t, 1, &r) == WRIT_OK && r.kind == WRIT_INT && r.as.i == 7);
    CHECK(writ_call_name(vm, NULL, "maybe", &f, 1, &r) == WRIT_OK && r.kind == WRIT_NULL);
    /* a host-built array passed in */
    const writ_type *at = writ_type_of(vm, "Array<float>");
    CHECK(at != NULL && strcmp(writ_type_name(at), "Array<float>") == 0);
    CHECK(writ_type_of(vm, "Array<Nope>") == NULL);
    CHECK(writ_type_of(vm, "Dictionary<string, Counter>") != NULL);
    /* misuse: wrong names, counts, types */
    CHECK(writ_call_name(vm, NULL, "nope", NULL, 0, &r) == WRIT_ERROR_MISUSE);
    HAS(writ_error_text(vm), "unknown function 'nope'");
    CHECK(writ_call_name(vm, NULL, "add", NULL, 0, &r) == WRIT_ERROR_MISUSE);
    HAS(writ_error_text(vm), "wrong number of arguments to 'add'");
    writ_value bad = writ_string(vm, "x", 1);
    CHECK(writ_call_name(vm, NULL, "add", &bad, 1, &r) == WRIT_ERROR_MISUSE);
    HAS(writ_error_text(vm), "argument 1 of 'add': expected int, found string");
    writ_release(vm, bad);
    CHECK(writ_call_name(vm, "other.writ", "add", args, 2, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_call_name(vm, NULL, "add", NULL, 2, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_call(vm, NULL, NULL, 0, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_array_len(writ_int(3)) == 0 && writ_string_data(writ_int(3), NULL) == NULL);
    /* a runtime error: trace, then the VM keeps working */
    writ_value zero = writ_int(0);
    CHECK(writ_call_name(vm, NULL, "boom", &zero, 1, &r) == WRIT_ERROR_RUNTIME);
    HAS(writ_error_text(vm), "error: division by zero\n  at boom (main.writ:7)");
    CHECK(writ_call_name(vm, NULL, "add", args, 2, &r) == WRIT_OK && r.as.i == 5);
    end_vm(vm);
}

/* ---- host functions ---- */

static writ_status damage(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)vm; (void)n;
    *(int *)ud += 1;
    *ret = writ_float(a[0].as.f - a[1].as.f);
    return WRIT_OK;
}

static writ_status shout(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)n; (void)ud;
    size_t len;
    const char *s = writ_string_data(a[0], &len);
    char buf[64];
    size_t k = len < 60 ? len : 60;
    for (size_t i = 0; i < k; i++) buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    buf[k] = '!';
    *ret = writ_string(vm, buf, k + 1);
    return WRIT_OK;
}

static writ_status total(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)vm; (void)ud;
    int64_t s = 0;
    CHECK(n == 1 && a[0].kind == WRIT_ARRAY);
    for (int64_t i = 0; i < writ_array_len(a[0]); i++) {
        writ_value e;
        writ_array_get(vm, a[0], i, &e);
        s += e.as.i;
    }
    *ret = writ_int(s);
    return WRIT_OK;
}

static writ_status refuse(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)a; (void)n; (void)ret; (void)ud;
    return writ_fail(vm, "the door is locked");
}

static writ_status liar(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)vm; (void)a; (void)n; (void)ud;
    *ret = writ_bool(true);                 /* declared to return int */
    return WRIT_OK;
}

static writ_status callback(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)n; (void)ud;
    writ_value r;
    writ_status st = writ_call_name(vm, NULL, "twice", a, 1, &r);   /* nested entry */
    if (st != WRIT_OK) return st;
    *ret = r;
    return WRIT_OK;
}

static writ_status lookup_result(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)n; (void)ud;
    (void)a;
    return writ_call_name(vm, NULL, "mk", NULL, 0, ret);
}

static void test_host_functions(void) {
    writ_vm *vm = new_vm();
    int calls = 0;
    CHECK(writ_register_fn(vm, "damage", "(hp: float, amount: float = 1.0) -> float", damage, &calls) == WRIT_OK);
    CHECK(writ_register_fn(vm, "shout", "(string) -> string", shout, NULL) == WRIT_OK);
    CHECK(writ_register_fn(vm, "total", "(...xs: int) -> int", total, NULL) == WRIT_OK);
    CHECK(writ_register_fn(vm, "refuse", "()", refuse, NULL) == WRIT_OK);
    CHECK(writ_register_fn(vm, "liar", "() -> int", liar, NULL) == WRIT_OK);
    CHECK(writ_register_fn(vm, "callback", "(int) -> int", callback, NULL) == WRIT_OK);
    CHECK(writ_register_fn(vm, "lookup", "() -> Result<int>", lookup_result, NULL) == WRIT_OK);
    /* misuse at registration */
    CHECK(writ_register_fn(vm, "damage", "() -> int", damage, NULL) == WRIT_ERROR_MISUSE);
    HAS(writ_error_text(vm), "'damage' is already defined");
    CHECK(writ_register_fn(vm, "sqrt", "() -> int", damage, NULL) == WRIT_ERROR_MISUSE);
    CHECK(writ_register_fn(vm, "bad name", "()", damage, NULL) == WRIT_ERROR_MISUSE);
    CHECK(writ_register_fn(vm, "bad", "(x: Nope)", damage, NULL) == WRIT_ERROR_MISUSE);
    HAS(writ_error_text(vm), "bad signature for 'bad'");
    CHECK(writ_register_fn(vm, "bad", "int", damage, NULL) == WRIT_ERROR_MISUSE);
    CHECK(writ_register_fn(vm, "bad", "()", NULL, NULL) == WRIT_ERROR_MISUSE);
    CHECK(writ_register_fn(NULL, "bad", "()", damage, NULL) == WRIT_ERROR_MISUSE);
    CHECK(load(vm,
        "print(damage(10.0, 2.5))\n"
        "print(damage(hp: 5.0))\n"
        "print(shout(\"hey\"))\n"
        "print(total(1, 2, 3))\n"
        "print(total())\n"
        "func twice(x: int) -> int { return x * 2 }\n"
        "print(callback(21))\n"
        "func mk() -> Result<int> { return Success(5) }\n"
        "print(lookup() ?? 0)\n") == WRIT_OK);
    CHECK(strcmp(out.buf, "7.5\n4.0\nHEY!\n6\n0\n42\n5\n") == 0);
    CHECK(calls == 2);
    /* the checker checks every call against the signature */
    CHECK(load(vm, "damage(\"x\", 1.0)\n") == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "expected float, found string");
    writ_diagnostic dg;
    CHECK(writ_diagnostic_count(vm) == 1 && writ_diagnostic_get(vm, 0, &dg));
    CHECK(strcmp(dg.file, "main.writ") == 0 && dg.line == 1 && dg.column == 8 && dg.end_column == 11);
    HAS(dg.message, "expected float, found string");
    CHECK(!writ_diagnostic_get(vm, 1, &dg));
    CHECK(load(vm, "let s: int = shout(\"a\")\n") == WRIT_ERROR_COMPILE);
    /* failures become runtime errors at the call site, with a host frame */
    CHECK(load(vm, "func open() { refuse() }\nopen()\n") == WRIT_ERROR_RUNTIME);
    HAS(writ_error_text(vm), "error: the door is locked\n  at refuse (host)\n  at open (main.writ:1)\n  at <script> (main.writ:2)");
    CHECK(load(vm, "print(liar())\n") == WRIT_ERROR_RUNTIME);
    HAS(writ_error_text(vm), "host function 'liar' returned a wrong value: expected int, found bool");
    out.n = 0;
    out.buf[0] = 0;
    CHECK(load(vm, "print(damage(1.0, 1.0))\n") == WRIT_OK);      /* still usable */
    CHECK(strcmp(out.buf, "0.0\n") == 0);
    end_vm(vm);
}

/* ---- constants and globals ---- */

static void test_globals(void) {
    writ_vm *vm = new_vm();
    CHECK(writ_define_const(vm, "MAX_HP", writ_int(100)) == WRIT_OK);
    writ_value title = writ_string(vm, "Quest", 5);
    CHECK(writ_define_const(vm, "TITLE", title) == WRIT_OK);
    writ_release(vm, title);
    CHECK(writ_define_global(vm, "speed", "float", writ_float(2.0), false) == WRIT_OK);
    CHECK(writ_define_global(vm, "level", "int", writ_int(1), true) == WRIT_OK);
    CHECK(writ_define_global(vm, "level", "int", writ_int(1), true) == WRIT_ERROR_MISUSE);
    CHECK(writ_define_global(vm, "x", "Nope", writ_int(1), true) == WRIT_ERROR_MISUSE);
    CHECK(writ_define_global(vm, "y", "int", writ_float(1.5), true) == WRIT_ERROR_MISUSE);
    CHECK(load(vm, "print(MAX_HP)\nprint(TITLE)\nspeed = speed * 2.0\nprint(level)\nvar score = 3\n") == WRIT_OK);
    CHECK(strcmp(out.buf, "100\nQuest\n1\n") == 0);
    writ_value v;
    CHECK(writ_get_global(vm, NULL, "speed", &v) == WRIT_OK && v.as.f == 4.0);
    CHECK(writ_get_global(vm, NULL, "score", &v) == WRIT_OK && v.as.i == 3);
    CHECK(writ_set_global(vm, "main.writ", "score", writ_int(10)) == WRIT_OK);
    CHECK(writ_set_global(vm, NULL, "score", writ_bool(true)) == WRIT_ERROR_MISUSE);
    CHECK(writ_get_global(vm, NULL, "nope", &v) == WRIT_ERROR_MISUSE);
    CHECK(load(vm, "level = 2\n") == WRIT_ERROR_COMPILE);            /* read-only for scripts */
    CHECK(load(vm, "MAX_HP = 2\n") == WRIT_ERROR_COMPILE);
    end_vm(vm);
}

/* ---- coroutines driven by the host ---- */

static void test_tasks(void) {
    writ_vm *vm = new_vm();
    CHECK(load(vm,
        "func fetch(n: int) -> int { yield waitForFrames(2)\n return n * 10 }\n"
        "class Guard { public name: string\n public func watch() { while true { yield\n print(\"$name looks\") } } }\n"
        "func guard(n: string) -> Guard { return Guard(name: n) }\n") == WRIT_OK);
    writ_fn *fetch;
    CHECK(writ_function(vm, NULL, "fetch", &fetch) == WRIT_OK);
    writ_value task, four = writ_int(4), r;
    CHECK(writ_call(vm, fetch, &four, 1, &task) == WRIT_OK && task.kind == WRIT_TASK);
    CHECK(writ_task_state_of(task) == WRIT_TASK_SUSPENDED && writ_task_count(vm) == 1);
    CHECK(writ_task_result(vm, task, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_tick(vm, 0.1) == WRIT_OK && writ_task_state_of(task) == WRIT_TASK_SUSPENDED);
    CHECK(writ_tick(vm, 0.1) == WRIT_OK && writ_task_state_of(task) == WRIT_TASK_FINISHED);
    CHECK(writ_task_result(vm, task, &r) == WRIT_OK && r.as.i == 40);
    writ_release(vm, task);
    writ_fn_free(vm, fetch);
    /* a method coroutine is owned by its object */
    writ_value name = writ_string(vm, "g1", 2), g;
    CHECK(writ_call_name(vm, NULL, "guard", &name, 1, &g) == WRIT_OK);
    writ_release(vm, name);
    CHECK(writ_call_method(vm, g, "watch", NULL, 0, &task) == WRIT_OK);
    CHECK(writ_owner_has_tasks(vm, g));
    out.n = 0;
    out.buf[0] = 0;
    CHECK(writ_tick(vm, 0.1) == WRIT_OK && strcmp(out.buf, "g1 looks\n") == 0);
    writ_cancel_owner(vm, g);
    CHECK(!writ_owner_has_tasks(vm, g) && writ_task_state_of(task) == WRIT_TASK_CANCELLED);
    CHECK(writ_task_count(vm) == 0);
    writ_release(vm, task);
    writ_release(vm, g);
    end_vm(vm);
}

/* ---- debugging ---- */

typedef struct Dbg { char log[2048]; size_t n; int hits; writ_debug_action next; } Dbg;

static void logf_(Dbg *d, const char *fmt, const char *a, int b) {
    if (d->n < sizeof d->log - 100) d->n += (size_t)snprintf(d->log + d->n, sizeof d->log - d->n, fmt, a, b);
}

static writ_debug_action on_break(writ_vm *vm, const char *file, int line, void *ud) {
    Dbg *d = ud;
    (void)file;
    d->hits++;
    writ_frame_info fi;
    writ_stack_frame(vm, 0, &fi);
    logf_(d, "[%s:%d", fi.function, line);
    for (int i = 0; i < writ_local_count(vm, 0); i++) {
        const char *name;
        writ_value v;
        writ_local(vm, 0, i, &name, &v);
        logf_(d, " %s=%d", name, v.kind == WRIT_INT ? (int)v.as.i : -1);
        writ_release(vm, v);
    }
    logf_(d, "%s]%d", "", writ_stack_depth(vm));
    writ_debug_action a = d->next;
    d->next = WRIT_DEBUG_CONTINUE;
    return a;
}

static void on_call(writ_vm *vm, const char *fn, const char *file, int line, bool ret, void *ud) {
    (void)vm; (void)file; (void)line;
    logf_(ud, ret ? "<%s%d" : ">%s%d", fn, 0);
}

static void test_debugger(void) {
    writ_vm *vm = new_vm();
    CHECK(load(vm,
        "func add(a: int, b: int) -> int {\n"       /* 1 */
        "    let s = a + b\n"                       /* 2 */
        "    return s\n"                            /* 3 */
        "}\n"                                       /* 4 */
        "func main() -> int {\n"                    /* 5 */
        "    var t = 0\n"                           /* 6 */
        "    t = add(t, 2)\n"                       /* 7 */
        "    t = add(t, 3)\n"                       /* 8 */
        "    return t\n"                            /* 9 */
        "}\n") == WRIT_OK);
    CHECK(writ_line_has_code(vm, "main.writ", 2) && !writ_line_has_code(vm, "main.writ", 20));
    Dbg d;
    memset(&d, 0, sizeof d);
    writ_set_break_handler(vm, on_break, &d);
    CHECK(writ_set_breakpoint(vm, "main.writ", 7, true) == WRIT_OK);
    d.next = WRIT_DEBUG_STEP_INTO;
    writ_value r;
    CHECK(writ_call_name(vm, NULL, "main", NULL, 0, &r) == WRIT_OK && r.as.i == 5);
    /* stop at 7 (t=0), step into add (line 2: a, b), continue */
    CHECK(d.hits == 2);
    CHECK(strstr(d.log, "[main:7 t=0]1") == d.log);
    HAS(d.log, "[add:2 a=0 b=2]2");
    /* step over from line 7 stops at line 8 in main, not inside add */
    memset(&d, 0, sizeof d);
    d.next = WRIT_DEBUG_STEP_OVER;
    CHECK(writ_call_name(vm, NULL, "main", NULL, 0, &r) == WRIT_OK);
    CHECK(d.hits == 2);
    HAS(d.log, "[main:8 t=2]1");
    /* abort */
    memset(&d, 0, sizeof d);
    d.next = WRIT_DEBUG_ABORT;
    CHECK(writ_call_name(vm, NULL, "main", NULL, 0, &r) == WRIT_ERROR_RUNTIME);
    HAS(writ_error_text(vm), "error: aborted by debugger\n  at main (main.writ:7)");
    writ_frame_info fi;
    CHECK(writ_trace_depth(vm) == 1 && writ_trace_frame(vm, 0, &fi) && fi.line == 7 && strcmp(fi.function, "main") == 0);
    CHECK(writ_set_breakpoint(vm, "main.writ", 7, false) == WRIT_OK);
    memset(&d, 0, sizeof d);
    CHECK(writ_call_name(vm, NULL, "main", NULL, 0, &r) == WRIT_OK && d.hits == 0);
    /* call hooks */
    writ_set_call_hook(vm, on_call, &d);
    CHECK(writ_call_name(vm, NULL, "main", NULL, 0, &r) == WRIT_OK);
    HAS(d.log, ">add0<add0>add0<add0");
    writ_set_call_hook(vm, NULL, NULL);
    writ_set_break_handler(vm, NULL, NULL);
    end_vm(vm);
}

/* ---- configuration: input source, io root, random seed ---- */

typedef struct Input { const char *text; size_t pos; } Input;
static size_t read_input(void *ud, char *buf, size_t cap) {
    Input *in = ud;
    size_t n = strlen(in->text + in->pos);
    if (n > cap) n = cap;
    if (n > 3) n = 3;                       /* small chunks: lines cross refills */
    memcpy(buf, in->text + in->pos, n);
    in->pos += n;
    return n;
}

static void test_config_options(void) {
    char dir[] = "/tmp/writ-root-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[300];
    snprintf(path, sizeof path, "%s/data.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("from the root", f);
    fclose(f);
    Input in = { "first line\r\nsecond\nlast", 0 };
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.write = sink;
    cfg.write_ud = &out;
    cfg.alloc = counting_alloc;
    cfg.alloc_ud = &counter;
    cfg.read = read_input;
    cfg.read_ud = &in;
    cfg.root_dir = dir;
    cfg.seed_random = true;
    cfg.random_seed = 42;
    out.n = 0;
    out.buf[0] = 0;
    writ_vm *vm = writ_vm_new(&cfg);
    CHECK(writ_enable_module(vm, "io", true) == WRIT_OK);
    CHECK(load(vm,
        "print(readLine() ?? \"eof\")\n"
        "print(readLine() ?? \"eof\")\n"
        "print(readLine() ?? \"eof\")\n"
        "print(readLine() ?? \"eof\")\n"
        "print(readFile(\"data.txt\") ?? \"missing\")\n"
        "print(fileExists(\"data.txt\"))\n"
        "print(writeFile(\"out.txt\", \"w\").isSuccess)\n"
        "print(randomInt(1, 1000000))\n") == WRIT_OK);
    const char *want = "first line\nsecond\nlast\neof\nfrom the root\ntrue\ntrue\n";
    CHECK(strncmp(out.buf, want, strlen(want)) == 0);
    if (strncmp(out.buf, want, strlen(want)) != 0) fprintf(stderr, "  out: [%s]\n", out.buf);
    char seeded[64];                  /* the seed gives the numbers seedRandom(42) gives */
    size_t sl = strlen(out.buf + strlen(want));
    if (sl >= sizeof seeded) sl = sizeof seeded - 1;
    memcpy(seeded, out.buf + strlen(want), sl);
    seeded[sl] = 0;
    out.n = 0;
    out.buf[0] = 0;
    CHECK(load(vm, "seedRandom(42)\nprint(randomInt(1, 1000000))\n") == WRIT_OK);
    CHECK(strcmp(out.buf, seeded) == 0);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    CHECK(access(path, F_OK) == 0);
    unlink(path);
    snprintf(path, sizeof path, "%s/data.txt", dir);
    unlink(path);
    rmdir(dir);
    end_vm(vm);
}

/* ---- tick source and host waits ---- */

static double fake_clock;
static double read_clock(void *ud) { (void)ud; return fake_clock; }
static writ_value door_wait;
static writ_status wait_for_door(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)a; (void)n; (void)ud;
    door_wait = writ_wait_new(vm);
    writ_retain(door_wait);                  /* one for the script, one kept by the host */
    *ret = door_wait;
    return WRIT_OK;
}

static void test_clock_and_host_waits(void) {
    writ_vm *vm = new_vm();
    CHECK(writ_register_fn(vm, "waitForDoor", "() -> Wait", wait_for_door, NULL) == WRIT_OK);
    CHECK(load(vm,
        "func poll() -> int { return frameCount() }\n"
        "func seconds() -> float { return gameTime() }\n"
        "func guard() { print(\"waiting\")\n yield waitForDoor()\n print(\"door opened at ${frameCount()}\") }\n"
        "start guard()\n") == WRIT_OK);
    writ_set_tick_source(vm, read_clock, NULL);
    writ_value r;
    fake_clock = 10.0;
    CHECK(writ_call_name(vm, NULL, "poll", NULL, 0, &r) == WRIT_OK && r.as.i == 0);   /* first reading: no tick */
    fake_clock = 10.5;
    CHECK(writ_call_name(vm, NULL, "poll", NULL, 0, &r) == WRIT_OK && r.as.i == 1);   /* one tick of 0.5 */
    CHECK(writ_call_name(vm, NULL, "poll", NULL, 0, &r) == WRIT_OK && r.as.i == 1);   /* same frame: no tick */
    CHECK(writ_call_name(vm, NULL, "seconds", NULL, 0, &r) == WRIT_OK && r.as.f == 0.5);
    CHECK(writ_task_count(vm) == 1);
    CHECK(writ_wait_complete(vm, door_wait) == WRIT_OK);
    out.n = 0;
    out.buf[0] = 0;
    fake_clock = 11.0;
    CHECK(writ_call_name(vm, NULL, "poll", NULL, 0, &r) == WRIT_OK && r.as.i == 2);
    CHECK(strcmp(out.buf, "door opened at 2\n") == 0);
    CHECK(writ_wait_complete(vm, writ_int(1)) == WRIT_ERROR_MISUSE);
    writ_release(vm, door_wait);
    /* a cancelled host wait cancels the task */
    writ_set_tick_source(vm, NULL, NULL);
    writ_value task;
    CHECK(writ_call_name(vm, NULL, "guard", NULL, 0, &task) == WRIT_OK && writ_task_count(vm) == 1);
    CHECK(writ_wait_cancel(vm, door_wait) == WRIT_OK && writ_task_count(vm) == 0);
    CHECK(writ_task_state_of(task) == WRIT_TASK_CANCELLED);
    writ_release(vm, task);
    writ_release(vm, door_wait);
    end_vm(vm);
}

/* ---- limits ---- */

static void test_limits(void) {
    writ_vm *vm = new_vm();
    CHECK(load(vm, "func spin() { while true { } }\nfunc fine() -> int { var s = 0\n for i in 0..100 { s += i }\n return s }\n"
                   "func deep(n: int) -> int { return n == 0 ? 0 : 1 + deep(n - 1) }\n"
                   "func hog() { var a: Array<string> = []\n while true { a.push(\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\") } }\n") == WRIT_OK);
    CHECK(writ_set_limits(vm, 100000, 0, 0) == WRIT_OK);
    writ_value r;
    CHECK(writ_call_name(vm, NULL, "spin", NULL, 0, &r) == WRIT_ERROR_LIMIT);
    HAS(writ_error_text(vm), "error: instruction limit exceeded (100000 instructions)\n  at spin (main.writ:1)");
    CHECK(writ_call_name(vm, NULL, "fine", NULL, 0, &r) == WRIT_OK && r.as.i == 4950);   /* fresh budget */
    CHECK(writ_set_limits(vm, 0, 0, 50) == WRIT_OK);
    writ_value n = writ_int(100);
    CHECK(writ_call_name(vm, NULL, "deep", &n, 1, &r) == WRIT_ERROR_LIMIT);
    HAS(writ_error_text(vm), "stack overflow: call depth limit (50) exceeded");
    n = writ_int(10);
    CHECK(writ_call_name(vm, NULL, "deep", &n, 1, &r) == WRIT_OK && r.as.i == 10);
    CHECK(writ_set_limits(vm, 0, 4u << 20, 0) == WRIT_OK);
    CHECK(writ_call_name(vm, NULL, "hog", NULL, 0, &r) == WRIT_ERROR_LIMIT);
    HAS(writ_error_text(vm), "memory limit exceeded (4194304 bytes)");
    CHECK(writ_call_name(vm, NULL, "fine", NULL, 0, &r) == WRIT_OK && r.as.i == 4950);
    CHECK(writ_set_limits(vm, 0, 0, 0) == WRIT_OK);
    end_vm(vm);
}

/* ---- host types ---- */

typedef struct Player {
    char name[32];
    int32_t hp;
    uint8_t level;
    float speed;
    double pos[2];
    bool alive;
} Player;

static int destroyed;

static void *player_new(writ_vm *vm, const writ_value *a, int n, void *ud) {
    (void)n; (void)ud;
    size_t len;
    const char *name = writ_string_data(a[0], &len);
    if (len == 0) { writ_fail(vm, "a player needs a name"); return NULL; }
    Player *p = calloc(1, sizeof *p);
    snprintf(p->name, sizeof p->name, "%.*s", (int)len, name);
    p->hp = (int32_t)a[1].as.i;
    p->alive = true;
    return p;
}

static void player_free(void *obj, void *ud) { (void)ud; destroyed++; free(obj); }

static writ_status player_get_name(writ_vm *vm, void *obj, writ_value *out, void *ud) {
    (void)ud;
    *out = writ_string(vm, ((Player *)obj)->name, strlen(((Player *)obj)->name));
    return WRIT_OK;
}

static writ_status player_set_name(writ_vm *vm, void *obj, writ_value v, void *ud) {
    (void)vm; (void)ud;
    size_t len;
    const char *s = writ_string_data(v, &len);
    snprintf(((Player *)obj)->name, sizeof ((Player *)obj)->name, "%.*s", (int)len, s);
    return WRIT_OK;
}

static writ_status player_heal(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)vm; (void)n; (void)ud;
    Player *p = writ_host_ptr(a[0]);
    p->hp += (int32_t)a[1].as.i;
    *ret = writ_int(p->hp);
    return WRIT_OK;
}

static writ_status player_count(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)vm; (void)a; (void)n;
    *ret = writ_int(*(int *)ud);
    return WRIT_OK;
}

static void test_host_types(void) {
    writ_vm *vm = new_vm();
    int count = 3;
    writ_host_type *pt = writ_define_type(vm, "Player");
    CHECK(pt != NULL);
    CHECK(writ_define_type(vm, "Player") == NULL);
    CHECK(writ_type_property(vm, pt, "name", "string", player_get_name, player_set_name, NULL) == WRIT_OK);
    CHECK(writ_type_field(vm, pt, "hp", "int", WRIT_STORE_I32, offsetof(Player, hp), false) == WRIT_OK);
    CHECK(writ_type_field(vm, pt, "level", "int", WRIT_STORE_U8, offsetof(Player, level), false) == WRIT_OK);
    CHECK(writ_type_field(vm, pt, "speed", "float", WRIT_STORE_F32, offsetof(Player, speed), false) == WRIT_OK);
    CHECK(writ_type_field(vm, pt, "pos", "V2", WRIT_STORE_FLOATS64, offsetof(Player, pos), false) == WRIT_OK);
    CHECK(writ_type_field(vm, pt, "alive", "bool", WRIT_STORE_BOOL, offsetof(Player, alive), true) == WRIT_OK);
    CHECK(writ_type_field(vm, pt, "hp", "int", WRIT_STORE_I32, 0, false) == WRIT_ERROR_MISUSE);
    CHECK(writ_type_method(vm, pt, "heal", "(amount: int) -> int", player_heal, NULL) == WRIT_OK);
    CHECK(writ_type_static(vm, pt, "count", "() -> int", player_count, &count) == WRIT_OK);
    CHECK(writ_type_constructor(vm, pt, "(name: string, hp: int = 100)", player_new, NULL) == WRIT_OK);
    CHECK(writ_type_destructor(vm, pt, player_free, NULL) == WRIT_OK);
    destroyed = 0;
    CHECK(load(vm,
        "struct V2 { public x: float\n public y: float }\n"
        "let p = Player(name: \"ann\")\n"
        "print(p.hp)\n"
        "p.hp -= 30\n"
        "p.level = 7\n"
        "p.speed = 1.5\n"
        "p.pos = V2(x: 1.0, y: 2.0)\n"
        "p.pos.x += 10.0\n"
        "print(p.heal(5))\n"
        "print(p)\n"
        "p.name = \"bea\"\n"
        "print(p.name .. \" \" .. typeof(p) .. \" \" .. Player.count())\n"
        "let w = Weak(p)\n"
        "print(w.get() != null)\n"
        "var q: Optional<Player> = Player(name: \"tmp\", hp: 1)\n"
        "q = null\n"
        "func make() -> Player { return Player(name: \"cy\") }\n") == WRIT_OK);
    CHECK(strcmp(out.buf, "100\n75\nPlayer { name: \"ann\", hp: 75, level: 7, speed: 1.5, pos: V2 { x: 11.0, y: 2.0 }, alive: true }\n"
                          "bea Player 3\ntrue\n") == 0);
    CHECK(destroyed == 1);                              /* the temporary one */
    /* compile-time checks */
    CHECK(load(vm, "let p2 = Player(name: 3)\n") == WRIT_ERROR_COMPILE);
    CHECK(load(vm, "let p3 = Player(name: \"x\")\np3.alive = false\n") == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "field 'alive' of Player is read-only");
    CHECK(load(vm, "let p4 = Player(name: \"x\")\nprint(p4.mana)\n") == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "unknown field 'mana' on Player");
    CHECK(load(vm, "let p5 = Player(name: \"x\")\np5.fly()\n") == WRIT_ERROR_COMPILE);
    /* runtime checks: narrow storage, constructor failure */
    CHECK(load(vm, "let p6 = Player(name: \"x\")\np6.level = 300\n") == WRIT_ERROR_RUNTIME);
    HAS(writ_error_text(vm), "value 300 does not fit field 'level' (uint8)");
    CHECK(load(vm, "let p7 = Player(name: \"\")\n") == WRIT_ERROR_RUNTIME);
    HAS(writ_error_text(vm), "a player needs a name");
    /* a host-owned (lent) object, then invalidated */
    Player lent = { "lent", 10, 1, 0, {0, 0}, true };
    writ_value h = writ_host_object(vm, pt, &lent, false);
    CHECK(writ_host_ptr(h) == &lent);
    CHECK(writ_define_global(vm, "hero", "Player", h, true) == WRIT_OK);
    CHECK(load(vm, "func hurt() { hero.hp -= 4 }\nhurt()\n") == WRIT_OK && lent.hp == 6);
    CHECK(writ_invalidate(vm, h) == WRIT_OK && writ_host_ptr(h) == NULL);
    CHECK(writ_call_name(vm, NULL, "hurt", NULL, 0, NULL) == WRIT_ERROR_RUNTIME);
    HAS(writ_error_text(vm), "Player object is no longer valid");
    writ_release(vm, h);
    writ_value made;
    CHECK(writ_call_name(vm, NULL, "make", NULL, 0, &made) == WRIT_OK && made.kind == WRIT_HOST);
    CHECK(strcmp(((Player *)writ_host_ptr(made))->name, "cy") == 0);
    writ_release(vm, made);
    int before = destroyed;
    end_vm(vm);
    CHECK(destroyed >= before + 1);                      /* p and the rest, at teardown */
}

/* ---- hot reload ---- */

static const char *reload_v1 =
    "var count = 0\n"
    "var history: Array<int> = []\n"
    "class Ball { public x: float = 0.0\n public func describe() -> string { return \"ball at $x\" } }\n"
    "let ball = Ball()\n"
    "func update() { count += 1\n history.push(count)\n ball.x += 1.0 }\n"
    "func draw() -> string { return \"v1 $count \" .. ball.describe() }\n"
    "func helper() -> int { return 1 }\n"
    "func blinker() { while true { yield\n print(\"blink v1 $count\") } }\n"
    "start blinker()\n"
    "print(\"top v1\")\n";
static const char *reload_v2 =
    "var count = 0\n"
    "var history: Array<int> = []\n"
    "var added = 42\n"
    "class Ball { public x: float = 0.0\n public func describe() -> string { return \"BALL@$x\" } }\n"
    "let ball = Ball()\n"
    "func update() { count += 10\n history.push(count)\n ball.x += 1.0 }\n"
    "func draw() -> string { return \"v2 $count $added \" .. ball.describe() .. \" ${history.len()}\" }\n"
    "func blinker() { while true { yield\n print(\"blink v2 $count\") } }\n"
    "print(\"top v2\")\n";

static void draw_is(writ_vm *vm, writ_fn *draw, const char *want) {
    writ_value r;
    CHECK(writ_call(vm, draw, NULL, 0, &r) == WRIT_OK);
    const char *got = writ_string_data(r, NULL);
    CHECK(got && strcmp(got, want) == 0);
    if (got && strcmp(got, want) != 0) fprintf(stderr, "  draw: got \"%s\", want \"%s\"\n", got, want);
    writ_release(vm, r);
}

static void test_reload(void) {
    writ_vm *vm = new_vm();
    CHECK(writ_load_string(vm, "game.writ", reload_v1, strlen(reload_v1)) == WRIT_OK);
    writ_fn *update, *draw, *helper;
    CHECK(writ_function(vm, NULL, "update", &update) == WRIT_OK);
    CHECK(writ_function(vm, NULL, "draw", &draw) == WRIT_OK);
    CHECK(writ_function(vm, NULL, "helper", &helper) == WRIT_OK);
    for (int i = 0; i < 3; i++) { CHECK(writ_call(vm, update, NULL, 0, NULL) == WRIT_OK); CHECK(writ_tick(vm, 0.1) == WRIT_OK); }
    draw_is(vm, draw, "v1 3 ball at 3.0");
    /* the edit: new function bodies, a new global; state, objects and the coroutine live on */
    out.n = 0;
    out.buf[0] = 0;
    writ_reload_info info;
    CHECK(writ_reload_string(vm, "game.writ", reload_v2, strlen(reload_v2), &info) == WRIT_OK);
    CHECK(strcmp(out.buf, "") == 0);                              /* top-level statements do not run again */
    if (out.n) fprintf(stderr, "  out: [%s]\n", out.buf);
    CHECK(info.functions_removed == 1 && info.globals_added == 1 && info.types_kept == 1);
    for (int i = 0; i < 2; i++) { CHECK(writ_call(vm, update, NULL, 0, NULL) == WRIT_OK); CHECK(writ_tick(vm, 0.1) == WRIT_OK); }
    draw_is(vm, draw, "v2 23 42 BALL@5.0 5");                    /* handles follow names */
    CHECK(strcmp(out.buf, "blink v1 13\nblink v1 23\n") == 0);    /* a running coroutine keeps its code */
    CHECK(writ_call(vm, helper, NULL, 0, NULL) == WRIT_ERROR_RUNTIME);
    HAS(writ_error_text(vm), "function 'helper' was removed by hot reload");
    writ_value v;
    CHECK(writ_get_global(vm, NULL, "added", &v) == WRIT_OK && v.as.i == 42);
    /* a broken edit: diagnostics, and the old code keeps running */
    const char *bad = "var count = 0\nfunc update() { count += \"x\" }\n";
    CHECK(writ_reload_string(vm, "game.writ", bad, strlen(bad), &info) == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "cannot apply operator '+' to int and string");
    CHECK(writ_call(vm, update, NULL, 0, NULL) == WRIT_OK);
    draw_is(vm, draw, "v2 33 42 BALL@6.0 6");
    /* what cannot migrate yet is refused: the old code keeps running */
    const char *layout = "var count = 0\nclass Ball { public x: float = 0.0\n public target: Target }\nclass Target {}\nfunc update() {}\n";
    CHECK(writ_reload_string(vm, "game.writ", layout, strlen(layout), &info) == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "new field 'target' of Ball needs a default value for hot reload");
    draw_is(vm, draw, "v2 33 42 BALL@6.0 6");
    /* a removed global: old code reading it fails cleanly; a retyped one is re-initialised */
    const char *v3 =
        "var count = \"reset\"\n"
        "class Ball { public x: float = 0.0\n public func describe() -> string { return \"b\" } }\n"
        "func update() {}\n"
        "func draw() -> string { return \"v3 $count\" }\n"
        "func blinker() { yield }\n";
    CHECK(writ_reload_string(vm, "game.writ", v3, strlen(v3), &info) == WRIT_OK);
    CHECK(info.globals_removed == 3 && info.globals_reinitialised == 1);   /* history, ball, added; count retyped */
    draw_is(vm, draw, "v3 reset");
    out.n = 0;
    out.buf[0] = 0;
    CHECK(writ_tick(vm, 0.1) == WRIT_ERROR_RUNTIME);  /* the old blinker reads the old count */
    HAS(writ_error_text(vm), "global 'count' was changed by hot reload");
    /* misuse */
    CHECK(writ_reload_string(vm, "nope.writ", "", 0, &info) == WRIT_ERROR_MISUSE);
    CHECK(writ_reload(vm, "/nonexistent/x.writ", &info) == WRIT_ERROR_IO);
    writ_fn_free(vm, update);
    writ_fn_free(vm, draw);
    writ_fn_free(vm, helper);
    end_vm(vm);
}

/* Layout changes: live instances migrate by field name; old code finds
 * fields by name and fails cleanly on removed ones. */
static void test_reload_layout(void) {
    writ_vm *vm = new_vm();
    const char *v1 =
        "class Enemy { public name: string\n public hp: int = 10\n public mana: int = 5 }\n"
        "struct P { public x: int\n public y: int }\n"
        "let boss = Enemy(name: \"boss\")\n"
        "var spot = P(x: 1, y: 2)\n"
        "var crowd: Array<Enemy> = [Enemy(name: \"a\"), Enemy(name: \"b\")]\n"
        "func show() -> string { return \"${boss.name} ${boss.hp} ${spot.x},${spot.y} ${crowd.len()}\" }\n"
        "func drain() { while true { yield\n boss.mana -= 1 } }\n"
        "func heal() { while true { yield\n boss.hp += 1 } }\n"
        "start heal()\n";
    CHECK(writ_load_string(vm, "game.writ", v1, strlen(v1)) == WRIT_OK);
    writ_value task;
    CHECK(writ_call_name(vm, NULL, "drain", NULL, 0, &task) == WRIT_OK);
    CHECK(writ_tick(vm, 0.1) == WRIT_OK);
    writ_fn *show;
    CHECK(writ_function(vm, NULL, "show", &show) == WRIT_OK);
    draw_is(vm, show, "boss 11 1,2 2");
    /* new fields (with a default, a type default), a removed field, reordered struct fields */
    const char *v2 =
        "class Enemy { public level: int = 3\n public name: string\n public hp: int = 10\n public tags: Array<string> = [\"x\"]\n public title: string }\n"
        "struct P { public y: int\n public x: int\n public z: int = 9 }\n"
        "let boss = Enemy(name: \"boss\", title: \"t\")\n"
        "var spot = P(x: 1, y: 2)\n"
        "var crowd: Array<Enemy> = []\n"
        "func show() -> string { return \"${boss.name} ${boss.hp} L${boss.level} ${boss.tags} '${boss.title}' ${spot.x},${spot.y},${spot.z} ${crowd.len()} ${crowd[1].level}\" }\n"
        "func drain() { yield }\n"
        "func heal() { yield }\n";
    writ_reload_info info;
    CHECK(writ_reload_string(vm, "game.writ", v2, strlen(v2), &info) == WRIT_OK);
    if (info.types_migrated != 2) fprintf(stderr, "%s", writ_error_text(vm));
    CHECK(info.types_migrated == 2);
    draw_is(vm, show, "boss 11 L3 [\"x\"] '' 1,2,9 2 3");
    /* the old heal coroutine reaches hp by name; the old drain coroutine needs mana: removed */
    out.n = 0;
    out.buf[0] = 0;
    CHECK(writ_tick(vm, 0.1) == WRIT_ERROR_RUNTIME);
    HAS(writ_error_text(vm), "field 'mana' of Enemy was removed by hot reload");
    CHECK(writ_task_state_of(task) == WRIT_TASK_FAILED);
    writ_release(vm, task);
    CHECK(writ_tick(vm, 0.1) == WRIT_OK);              /* heal goes on */
    draw_is(vm, show, "boss 13 L3 [\"x\"] '' 1,2,9 2 3");
    /* a new field without any default is refused */
    const char *v3 =
        "class Target {}\n"
        "class Enemy { public level: int = 3\n public name: string\n public hp: int = 10\n public tags: Array<string> = [\"x\"]\n public title: string\n public target: Target }\n"
        "struct P { public y: int\n public x: int\n public z: int = 9 }\n"
        "let boss = Enemy(name: \"boss\", title: \"t\", target: Target())\n"
        "func show() -> string { return \"v3\" }\n";
    CHECK(writ_reload_string(vm, "game.writ", v3, strlen(v3), &info) == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "new field 'target' of Enemy needs a default value for hot reload");
    draw_is(vm, show, "boss 13 L3 [\"x\"] '' 1,2,9 2 3");
    /* enum variants: appending is fine, removing is refused */
    const char *e1 = "enum Mood { Calm, Angry }\nvar mood = Mood.Angry\nfunc m() -> string { return \"$mood\" }\n";
    const char *e2 = "enum Mood { Calm, Angry, Bored }\nvar mood = Mood.Angry\nfunc m() -> string { return \"$mood ${Mood.Bored}\" }\n";
    const char *e3 = "enum Mood { Calm, Bored }\nvar mood = Mood.Calm\nfunc m() -> string { return \"$mood\" }\n";
    CHECK(writ_load_string(vm, "mood.writ", e1, strlen(e1)) == WRIT_OK);
    CHECK(writ_reload_string(vm, "mood.writ", e2, strlen(e2), &info) == WRIT_OK);
    writ_value r;
    CHECK(writ_call_name(vm, "mood.writ", "m", NULL, 0, &r) == WRIT_OK && strcmp(writ_string_data(r, NULL), "Mood.Angry Mood.Bored") == 0);
    writ_release(vm, r);
    CHECK(writ_reload_string(vm, "mood.writ", e3, strlen(e3), &info) == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "hot reload cannot remove enum variant 'Angry'");
    writ_fn_free(vm, show);
    end_vm(vm);
}

int main(void) {
    test_calls();
    test_reload_layout();
    test_reload();
    test_host_types();
    test_host_functions();
    test_globals();
    test_tasks();
    test_limits();
    test_clock_and_host_waits();
    test_debugger();
    test_config_options();
    if (failures) {
        fprintf(stderr, "test_embed: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("test_embed: %d checks passed\n", checks);
    return 0;
}
