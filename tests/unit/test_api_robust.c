#define _DEFAULT_SOURCE 1
/* test_api_robust.c — the embedding API under failure and misuse: an
 * allocator that fails after N allocations (every N over creation, compile,
 * run and host calls), host bound variables (runtime.md §8), imports of
 * string modules under the root directory, and misuse the C type system
 * allows (runtime.md §9).  A counting allocator checks every VM returns to
 * zero. */
#include "../../include/writ.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <stddef.h>

static int failures, checks;
#define CHECK(c) do { checks++; if (!(c)) { failures++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); } } while (0)
#define HAS(hay, needle) do { const char *h_ = (hay); checks++; if (!h_ || !strstr(h_, (needle))) { failures++; \
    fprintf(stderr, "%s:%d: missing \"%s\" in \"%s\"\n", __FILE__, __LINE__, (needle), h_ ? h_ : "(null)"); } } while (0)

typedef struct Out { char buf[8192]; size_t n; } Out;
static Out out;
static void sink(void *ud, const char *s, size_t n) {
    Out *o = ud;
    if (o->n + n < sizeof o->buf) { memcpy(o->buf + o->n, s, n); o->n += n; o->buf[o->n] = 0; }
}
static void clear_out(void) { out.n = 0; out.buf[0] = 0; }

/* Counts live blocks and bytes; fails every allocation once `budget`
 * allocations have been made (budget < 0: never), or with `once` only
 * that one. */
typedef struct Alloc { long live, bytes, made, budget, failed; bool once; } Alloc;
static Alloc al;
static void *test_alloc(void *ud, void *p, size_t old, size_t n) {
    Alloc *a = ud;
    if (n == 0) {
        if (p) { a->live--; a->bytes -= (long)old; }
        free(p);
        return NULL;
    }
    if (n > old && a->budget >= 0 && a->made >= a->budget && (!a->once || a->made == a->budget)) {
        a->failed++;
        if (a->once) a->made++;
        return NULL;
    }
    a->made++;
    void *r = realloc(p, n);
    if (!r) return NULL;
    if (!p) a->live++;
    a->bytes += (long)n - (long)old;
    return r;
}

static writ_vm *new_vm_with(const char *root) {
    writ_config cfg;
    writ_config_init(&cfg);
    clear_out();
    cfg.write = sink;
    cfg.write_ud = &out;
    cfg.alloc = test_alloc;
    cfg.alloc_ud = &al;
    cfg.root_dir = root;
    al.budget = -1;
    return writ_vm_new(&cfg);
}
static writ_vm *new_vm(void) { return new_vm_with(NULL); }

static void end_vm_at(writ_vm *vm, int line) {
    writ_vm_free(vm);
    checks++;
    if (al.live || al.bytes) {
        failures++;
        fprintf(stderr, "%s:%d: VM did not return to zero: live %ld bytes %ld\n", __FILE__, line, al.live, al.bytes);
    }
    memset(&al, 0, sizeof al);
    al.budget = -1;
}
#define end_vm(vm) end_vm_at((vm), __LINE__)

static writ_status loadn(writ_vm *vm, const char *name, const char *src) {
    return writ_load_string(vm, name, src, strlen(src));
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); return; }
    fputs(text, f);
    fclose(f);
}

/* ---- imports of string modules start at the root directory ---- */
static void test_root_dir_imports(void) {
    char dir[] = "/tmp/writ_root_XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); failures++; return; }
    char path[512];
    snprintf(path, sizeof path, "%s/lib", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/game", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/lib/util.writ", dir);
    write_file(path, "import { helper } from \"./inner\"\nexport func twice(x: int) -> int { return helper(x) * 2 }\n");
    snprintf(path, sizeof path, "%s/lib/inner.writ", dir);
    write_file(path, "export func helper(x: int) -> int { return x + 1 }\n");

    writ_vm *vm = new_vm_with(dir);
    CHECK(loadn(vm, "main", "import { twice } from \"./lib/util\"\nprint(twice(4))\n") == WRIT_OK);
    HAS(out.buf, "10\n");
    /* the directory part of the string's name counts, under the root */
    clear_out();
    CHECK(loadn(vm, "game/level", "import { twice } from \"../lib/util\"\nprint(twice(1))\n") == WRIT_OK);
    HAS(out.buf, "4\n");
    /* a hot reload of the string resolves its imports the same way */
    writ_reload_info info;
    const char *again = "import { twice } from \"./lib/util\"\nfunc f() -> int { return twice(20) }\n";
    CHECK(writ_reload_string(vm, "main", again, strlen(again), &info) == WRIT_OK);
    writ_value r;
    CHECK(writ_call_name(vm, "main", "f", NULL, 0, &r) == WRIT_OK && r.kind == WRIT_INT && r.as.i == 42);
    /* a missing module is a diagnostic naming the import as written */
    CHECK(loadn(vm, "other", "import { twice } from \"./nope/util\"\n") == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "module not found: \"./nope/util\"");
    end_vm(vm);

    /* without a root directory: the working directory (here: not the root) */
    char cwd[512];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir("/") == 0);
    vm = new_vm();
    CHECK(loadn(vm, "main", "import { twice } from \"./lib/util\"\n") == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "module not found");
    CHECK(chdir(dir) == 0);
    CHECK(loadn(vm, "main2", "import { twice } from \"./lib/util\"\nprint(twice(2))\n") == WRIT_OK);
    HAS(out.buf, "6\n");
    /* an absolute name: its own directory */
    snprintf(path, sizeof path, "%s/abs", dir);
    clear_out();
    CHECK(chdir("/") == 0);
    CHECK(loadn(vm, path, "import { twice } from \"./lib/util\"\nprint(twice(3))\n") == WRIT_OK);
    HAS(out.buf, "8\n");
    end_vm(vm);
    CHECK(chdir(cwd) == 0);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    CHECK(system(path) == 0);
}

/* ---- host bound variables (runtime.md §8) ---- */
static void test_bound_vars(void) {
    int32_t level = 3;
    double speed = 1.5;
    uint8_t hp = 200;
    bool paused = false;
    float pos[2] = {1.0f, 2.0f};
    int64_t frame = 40;
    writ_vm *vm = new_vm();
    CHECK(writ_bind_var(vm, "level", "int", WRIT_STORE_I32, &level, false) == WRIT_OK);
    CHECK(writ_bind_var(vm, "speed", "float", WRIT_STORE_F64, &speed, false) == WRIT_OK);
    CHECK(writ_bind_var(vm, "hp", "int", WRIT_STORE_U8, &hp, false) == WRIT_OK);
    CHECK(writ_bind_var(vm, "paused", "bool", WRIT_STORE_BOOL, &paused, false) == WRIT_OK);
    CHECK(writ_bind_var(vm, "pos", "Vector2", WRIT_STORE_FLOATS32, pos, false) == WRIT_OK);
    CHECK(writ_bind_var(vm, "frame", "int", WRIT_STORE_I64, &frame, true) == WRIT_OK);
    /* misuse: each refused with a message, nothing registered */
    CHECK(writ_bind_var(vm, "level", "int", WRIT_STORE_I32, &level, false) == WRIT_ERROR_MISUSE);
    HAS(writ_error_text(vm), "'level' is already defined");
    CHECK(writ_bind_var(vm, "x", "int", WRIT_STORE_I32, NULL, false) == WRIT_ERROR_MISUSE);
    CHECK(writ_bind_var(vm, NULL, "int", WRIT_STORE_I32, &level, false) == WRIT_ERROR_MISUSE);
    CHECK(writ_bind_var(vm, "x", NULL, WRIT_STORE_I32, &level, false) == WRIT_ERROR_MISUSE);
    CHECK(writ_bind_var(vm, "x", "int", (writ_storage)99, &level, false) == WRIT_ERROR_MISUSE);
    CHECK(writ_bind_var(vm, "x", "int", (writ_storage)-1, &level, false) == WRIT_ERROR_MISUSE);
    CHECK(writ_bind_var(vm, "while", "int", WRIT_STORE_I32, &level, false) == WRIT_ERROR_MISUSE);
    CHECK(writ_bind_var(NULL, "x", "int", WRIT_STORE_I32, &level, false) == WRIT_ERROR_MISUSE);
    /* reads see the C variables, writes land in them */
    CHECK(loadn(vm, "a", "print(\"$level $speed $hp $paused $pos $frame\")\n"
                          "level = level * 10 + 1\nspeed += 0.25\nhp -= 50\npaused = !paused\n"
                          "pos.x = 8.5\npos = pos + Vector2(1.0, 1.0)\n") == WRIT_OK);
    HAS(out.buf, "3 1.5 200 false Vector2 { x: 1.0, y: 2.0 } 40\n");
    CHECK(level == 31 && speed == 1.75 && hp == 150 && paused && pos[0] == 9.5f && pos[1] == 3.0f);
    /* the host changes them between entries; compiled functions see the new values */
    CHECK(loadn(vm, "b", "func get() -> float { return level + speed + hp }\nfunc bump(n: int) { level += n }\n") == WRIT_OK);
    level = 1; speed = 0.5; hp = 2;
    writ_value r;
    CHECK(writ_call_name(vm, "b", "get", NULL, 0, &r) == WRIT_OK && r.kind == WRIT_FLOAT && r.as.f == 3.5);
    writ_value n = writ_int(41);
    CHECK(writ_call_name(vm, "b", "bump", &n, 1, NULL) == WRIT_OK && level == 42);
    /* a value that does not fit the storage: runtime error, the variable unchanged */
    clear_out();
    CHECK(loadn(vm, "c", "hp = 300\n") == WRIT_ERROR_RUNTIME);
    HAS(writ_error_text(vm), "value 300 does not fit variable 'hp' (uint8)");
    CHECK(hp == 2);
    /* read-only: script writes are compile errors */
    CHECK(loadn(vm, "d", "frame = 1\n") == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "cannot assign to read-only host variable 'frame'");
    CHECK(loadn(vm, "d2", "frame += 1\n") == WRIT_ERROR_COMPILE);
    CHECK(frame == 40);
    /* the API points the host at the C variable */
    CHECK(writ_get_global(vm, NULL, "level", &r) == WRIT_ERROR_MISUSE);
    HAS(writ_error_text(vm), "bound variable");
    CHECK(writ_set_global(vm, NULL, "level", writ_int(1)) == WRIT_ERROR_MISUSE);
    /* a type that does not fit the storage is reported where the name is used */
    CHECK(writ_bind_var(vm, "bad", "string", WRIT_STORE_I32, &level, false) == WRIT_OK);
    CHECK(writ_bind_var(vm, "bad2", "Nope", WRIT_STORE_I32, &level, false) == WRIT_OK);
    CHECK(loadn(vm, "e", "print(bad)\n") == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "host variable 'bad': type string does not match its storage");
    CHECK(loadn(vm, "f", "bad2 = 1\n") == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "host variable 'bad2' has an unknown type 'Nope'");
    /* a script that does not use them is unaffected */
    clear_out();
    CHECK(loadn(vm, "g", "print(1)\n") == WRIT_OK);
    HAS(out.buf, "1\n");
    end_vm(vm);
}

/* ---- allocation failure: every allocation of a scenario fails in turn ---- */

static writ_status h_twice(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)n; (void)ud;
    writ_value s = writ_string(vm, "host", 4);              /* an API call inside a host call */
    if (s.kind != WRIT_STRING) return writ_fail(vm, "no string");
    writ_release(vm, s);
    writ_value r;
    writ_status st = writ_call_name(vm, NULL, "tag", a, 1, &r);   /* and a nested entry */
    if (st != WRIT_OK) return writ_fail(vm, "nested call failed");
    *ret = r;
    return WRIT_OK;
}

typedef struct Pt { double x, y; } Pt;
static void *pt_new(writ_vm *vm, const writ_value *a, int n, void *ud) {
    (void)vm; (void)n; (void)ud;
    Pt *p = malloc(sizeof *p);
    p->x = a[0].as.f; p->y = a[1].as.f;
    return p;
}
static void pt_free(void *obj, void *ud) { (void)ud; free(obj); }

static const char *oom_script =
    "func tag(s: string) -> string { return \"<\" .. s .. \">\" }\n"
    "class Node { public name: string\n public kids: Array<Node> = []\n public func add(n: Node) { kids.push(n) } }\n"
    "struct Box<T> { public v: T }\n"
    "func build(n: int) -> Node { let root = Node(name: \"r\")\n for i in 0..n { root.add(Node(name: \"k$i\")) }\n return root }\n"
    "func work(n: int) -> string {\n"
    "    var d: Dictionary<string, int> = {}\n"
    "    var parts: Array<string> = []\n"
    "    for i in 0..n { d[\"k$i\"] = i * i\n parts.push(tag(\"$i\")) }\n"
    "    let f = (x: int) => x + n\n"
    "    let b = Box<string>(v: parts.join(\",\"))\n"
    "    let v = Vector2(1.0, 2.0) + Vector2(0.5, 0.5)\n"
    "    return \"${b.v} ${d.len()} ${f(1)} $v ${build(n).kids.len()} ${twice(\"x\")} ${P(1.0, 2.0).x}\"\n"
    "}\n"
    "func co(n: int) { for i in 0..n { counter += 1\n yield } }\n"
    "var counter = 0\n"
    "print(work(3))\n";

/* One embedding session; every step either works or fails cleanly. */
static void oom_session(writ_vm *vm) {
    writ_value r, arg;
    (void)writ_register_fn(vm, "twice", "(s: string) -> string", h_twice, NULL);
    writ_host_type *pt = writ_define_type(vm, "P");
    if (pt) {
        (void)writ_type_field(vm, pt, "x", "float", WRIT_STORE_F64, offsetof(Pt, x), false);
        (void)writ_type_constructor(vm, pt, "(x: float, y: float)", pt_new, NULL);
        (void)writ_type_destructor(vm, pt, pt_free, NULL);
    }
    static int32_t level = 1;
    (void)writ_bind_var(vm, "level", "int", WRIT_STORE_I32, &level, false);
    (void)writ_define_global(vm, "gname", "string", writ_null(), false);
    if (loadn(vm, "oom.writ", oom_script) != WRIT_OK && al.budget < 0) fprintf(stderr, "%s", writ_error_text(vm));
    arg = writ_int(5);
    if (writ_call_name(vm, NULL, "work", &arg, 1, &r) == WRIT_OK) writ_release(vm, r);
    writ_fn *co = NULL;
    if (writ_function(vm, NULL, "co", &co) == WRIT_OK) {
        arg = writ_int(3);
        if (writ_call(vm, co, &arg, 1, &r) == WRIT_OK) writ_release(vm, r);
        writ_fn_free(vm, co);
    }
    for (int i = 0; i < 3; i++) (void)writ_tick(vm, 0.016);
    writ_value s = writ_string(vm, "abc", 3);
    const writ_type *at = writ_type_of(vm, "Array<string>");
    if (at && writ_array_new(vm, at, &r) == WRIT_OK) {
        for (int i = 0; i < 20 && s.kind == WRIT_STRING; i++) (void)writ_array_push(vm, r, s);
        (void)writ_display(vm, r);
        writ_release(vm, r);
    }
    writ_release(vm, s);
    const writ_type *v2 = writ_type_of(vm, "Vector2");
    if (v2 && writ_struct_from_floats(vm, v2, (const double[]){3, 4}, 2, &r) == WRIT_OK) {
        arg = writ_int(1);
        const double *xy = writ_struct_floats(r, NULL);
        CHECK(xy && xy[0] == 3 && xy[1] == 4);
        writ_release(vm, r);
    }
    const char *again = "func extra() -> int { return level + 1 }\nprint(extra())\n";
    (void)writ_reload_string(vm, "oom.writ", again, strlen(again), NULL);
    (void)loadn(vm, "late.writ", "level = level + 1\nlet xs = [1, 2, 3].map((x: int) => \"$x\")\nprint(xs)\n");
}

/* After the failures stop, the VM works. */
static void check_usable(writ_vm *vm, long n) {
    clear_out();
    writ_status st = loadn(vm, "after.writ", "func sq(x: int) -> int { return x * x }\nprint(\"ok ${sq(7)}\")\n");
    writ_value r, a = writ_int(3);
    checks++;
    if (st != WRIT_OK || !strstr(out.buf, "ok 49")) {
        failures++;
        fprintf(stderr, "budget %ld: VM not usable after the failures: %d %s", n, (int)st, writ_error_text(vm));
        return;
    }
    CHECK(writ_call_name(vm, "after.writ", "sq", &a, 1, &r) == WRIT_OK && r.as.i == 9);
}

static void run_budget(long n, bool once) {
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.write = sink;
    cfg.write_ud = &out;
    cfg.alloc = test_alloc;
    cfg.alloc_ud = &al;
    memset(&al, 0, sizeof al);
    al.budget = n;
    al.once = once;
    writ_vm *vm = writ_vm_new(&cfg);
    if (!vm) {
        checks++;
        if (al.live || al.bytes) { failures++; fprintf(stderr, "budget %ld: a failed writ_vm_new left %ld blocks\n", n, al.live); }
        return;
    }
    oom_session(vm);
    al.budget = -1;
    check_usable(vm, n);
    writ_vm_free(vm);
    checks++;
    if (al.live || al.bytes) { failures++; fprintf(stderr, "budget %ld%s: %ld blocks (%ld bytes) left\n", n, once ? " once" : "", al.live, al.bytes); }
}

static void test_alloc_failure(void) {
    /* the whole session with no failure: how many allocations it makes */
    run_budget(-1, false);
    writ_config cfg;
    writ_config_init(&cfg);
    memset(&al, 0, sizeof al);
    al.budget = -1;
    cfg.alloc = test_alloc;
    cfg.alloc_ud = &al;
    cfg.write = sink;
    cfg.write_ud = &out;
    writ_vm *vm = writ_vm_new(&cfg);
    oom_session(vm);
    long total = al.made;
    HAS(out.buf, "5");
    writ_vm_free(vm);
    CHECK(total > 100);
    /* every allocation up to the total fails in turn: from then on (a dead allocator), or
     * only that one (a transient failure the session runs past) */
    int runs = 0;
    const char *stride = getenv("WRIT_OOM_STRIDE");
    long step = stride ? atol(stride) : 0;
    for (long n = 0; n <= total; n += step > 0 ? step : 1 + n / 64, runs++) {
        run_budget(n, false);
        run_budget(n, true);
    }
    /* the errors are the documented ones */
    memset(&al, 0, sizeof al);
    al.budget = -1;
    vm = writ_vm_new(&cfg);
    CHECK(loadn(vm, "a.writ", "func grow(n: int) -> int { var xs: Array<string> = []\n for i in 0..n { xs.push(\"item $i\") }\n return xs.len() }\n") == WRIT_OK);
    writ_value r, a = writ_int(100000);
    al.budget = al.made + 50;                     /* the run fails part-way */
    CHECK(writ_call_name(vm, NULL, "grow", &a, 1, &r) == WRIT_ERROR_LIMIT);
    HAS(writ_error_text(vm), "error: out of memory");
    al.budget = al.made;                          /* compiling fails at once */
    CHECK(loadn(vm, "b.writ", "print(1)\n") == WRIT_ERROR_LIMIT);
    HAS(writ_error_text(vm), "error: out of memory");
    al.budget = -1;
    check_usable(vm, -2);
    al.budget = al.made + 200;                    /* a trace when there is memory to write it */
    al.once = true;
    CHECK(writ_call_name(vm, NULL, "grow", &a, 1, &r) == WRIT_ERROR_LIMIT);
    HAS(writ_error_text(vm), "error: out of memory\n  at grow (a.writ:");
    al.budget = -1;
    writ_vm_free(vm);
    CHECK(al.live == 0 && al.bytes == 0);
    printf("test_api_robust: allocation failure at %d budgets of %ld allocations\n", runs, total);
}

/* ---- misuse the C type system allows (runtime.md §9) ---- */

static writ_vm *inner_vm;
static int inner_mode;
static writ_status h_misuse(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)a; (void)n; (void)ud;
    writ_value r;
    switch (inner_mode) {
    case 0: writ_vm_free(vm); break;                               /* refused: an entry runs */
    case 1: CHECK(writ_reload_string(vm, "m", "", 0, NULL) == WRIT_ERROR_MISUSE); break;
    case 2: writ_cancel_all(vm); break;                            /* the running task stops at its next yield */
    case 3: CHECK(loadn(vm, "nested", "print(\"nested\")\n") == WRIT_OK); break;
    case 4: {                                                       /* recursion through the host: its limit */
        writ_value one = writ_int(1);
        writ_status st = writ_call_name(vm, NULL, "f", &one, 1, &r);
        CHECK(st == WRIT_OK || st == WRIT_ERROR_LIMIT);
        break;
    }
    case 5: writ_vm_free(inner_vm); inner_vm = NULL; break;        /* another VM: fine */
    }
    *ret = writ_int(7);
    return WRIT_OK;
}

static void test_misuse(void) {
    writ_config_init(NULL);
    writ_vm *vm = new_vm(), *other = new_vm();
    CHECK(writ_register_fn(vm, "hm", "() -> int", h_misuse, NULL) == WRIT_OK);
    CHECK(loadn(vm, "m", "func f(x: int) -> int { return x + hm() }\nfunc co() { while true { let v = hm()\n yield } }\n"
                          "class K { public v: int = 1 }\nenum E { A, B }\n") == WRIT_OK);
    CHECK(loadn(other, "o", "func g() -> int { return 1 }\n") == WRIT_OK);
    writ_value r, a = writ_int(1);
    /* handles: freed, freed twice, of another VM, reused */
    writ_fn *f = NULL, *g = NULL;
    CHECK(writ_function(vm, NULL, "f", &f) == WRIT_OK);
    CHECK(writ_function(other, NULL, "g", &g) == WRIT_OK);
    CHECK(writ_call(vm, g, NULL, 0, &r) == WRIT_ERROR_MISUSE);
    HAS(writ_error_text(vm), "belongs to another VM");
    CHECK(writ_start(vm, g, writ_null(), NULL, 0, &r) == WRIT_ERROR_MISUSE);
    writ_fn_free(vm, g);                                 /* not this VM's: ignored */
    CHECK(writ_call(other, g, NULL, 0, &r) == WRIT_OK && r.as.i == 1);
    writ_fn_free(vm, f);
    writ_fn_free(vm, f);
    CHECK(writ_call(vm, f, &a, 1, &r) == WRIT_ERROR_MISUSE);
    HAS(writ_error_text(vm), "the function handle was freed");
    CHECK(writ_start(vm, f, writ_null(), NULL, 0, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_fn_type(vm, f) == NULL && writ_fn_type(vm, g) == NULL && writ_fn_type(vm, NULL) == NULL);
    CHECK(writ_loaded_file(vm, 1000) == NULL && writ_loaded_file(NULL, 0) == NULL);
    CHECK(writ_struct_from_floats(vm, NULL, NULL, 2, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_struct_from_floats(vm, writ_type_of(vm, "int"), NULL, 0, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_struct_from_floats(vm, writ_type_of(vm, "Vector2"), NULL, 2, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_struct_from_floats(vm, writ_type_of(vm, "Vector2"), (const double[]){1, 2}, 3, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_struct_from_floats(vm, writ_type_of(vm, "Vector2"), (const double[]){1, 2}, 2, NULL) == WRIT_ERROR_MISUSE);
    CHECK(writ_struct_floats(a, NULL) == NULL);
    writ_fn *f2 = NULL;
    CHECK(writ_function(vm, NULL, "f", &f2) == WRIT_OK);
    inner_mode = 5;                                      /* (frees nothing of vm) */
    inner_vm = NULL;
    CHECK(writ_call(vm, f2, &a, 1, &r) == WRIT_OK && r.as.i == 8);
    CHECK(writ_call(vm, f2, NULL, 1, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_call(vm, f2, &a, -1, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_call_name(vm, NULL, "f", NULL, 2, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_call_name(vm, NULL, NULL, &a, 1, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_call_method(vm, writ_null(), "v", NULL, 0, &r) == WRIT_ERROR_MISUSE);
    CHECK(writ_call_method(vm, a, NULL, NULL, 0, &r) == WRIT_ERROR_MISUSE);
    /* values whose kind and handle disagree */
    writ_value s = writ_string(vm, "abc", 3);
    writ_value bad_arr = s; bad_arr.kind = WRIT_ARRAY;
    writ_value bad_dict = s; bad_dict.kind = WRIT_DICT;
    writ_value bad_obj = s; bad_obj.kind = WRIT_OBJECT;
    writ_value bad_task = s; bad_task.kind = WRIT_TASK;
    writ_value bad_res = s; bad_res.kind = WRIT_RESULT;
    writ_value nul_str = s; nul_str.as.ref = NULL;
    writ_value vals[] = { bad_arr, bad_dict, bad_obj, bad_task, bad_res, nul_str };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        writ_value v = vals[i], x = writ_int(0);
        size_t pos = 0;
        CHECK(writ_array_len(v) == 0 && writ_dict_len(v) == 0);
        CHECK(writ_array_get(vm, v, 0, &x) != WRIT_OK);
        CHECK(writ_array_set(vm, v, 0, a) != WRIT_OK);
        CHECK(writ_array_push(vm, v, a) != WRIT_OK);
        CHECK(writ_array_remove(vm, v, 0) != WRIT_OK);
        CHECK(writ_dict_get(vm, v, a, &x) != WRIT_OK);
        CHECK(writ_dict_set(vm, v, a, a) != WRIT_OK);
        CHECK(writ_dict_remove(vm, v, a) != WRIT_OK);
        CHECK(!writ_dict_next(vm, v, &pos, &x, &x));
        CHECK(writ_field_get(vm, v, "v", &x) != WRIT_OK);
        CHECK(writ_field_get_at(vm, v, 0, &x) != WRIT_OK);
        CHECK(writ_field_set(vm, &v, "v", a) != WRIT_OK);
        (void)writ_field_count(v);
        (void)writ_field_name(v, 0);
        (void)writ_enum_name(v);
        (void)writ_result_ok(v);
        CHECK(writ_result_get(vm, v, &x) != WRIT_OK);
        (void)writ_task_state_of(v);
        CHECK(writ_task_result(vm, v, &x) != WRIT_OK);
        writ_task_cancel(vm, v);
        (void)writ_owner_has_tasks(vm, v);
        writ_cancel_owner(vm, v);
        CHECK(writ_invalidate(vm, v) != WRIT_OK);
        CHECK(writ_host_ptr(v) == NULL);
        (void)writ_display(vm, v);
        CHECK(writ_wait_complete(vm, v) != WRIT_OK);
        CHECK(writ_call_name(vm, NULL, "f", &v, 1, &x) == WRIT_ERROR_MISUSE);
        CHECK(writ_set_global(vm, NULL, "nope", v) != WRIT_OK);
        CHECK(writ_struct_floats(v, NULL) == NULL);
    }
    writ_release(vm, s);
    /* NULL out-parameters and names */
    CHECK(writ_array_get(vm, a, 0, NULL) != WRIT_OK);
    CHECK(writ_field_get(vm, a, NULL, NULL) != WRIT_OK);
    CHECK(writ_field_set(vm, NULL, "v", a) != WRIT_OK);
    CHECK(!writ_dict_next(vm, a, NULL, NULL, NULL));
    CHECK(writ_result_get(vm, a, NULL) != WRIT_OK);
    CHECK(writ_task_result(vm, a, NULL) != WRIT_OK);
    writ_value ns = writ_string(vm, NULL, 3);
    CHECK(ns.kind != WRIT_STRING || writ_string_data(ns, NULL) != NULL);
    writ_release(vm, ns);
    CHECK(writ_type_of(vm, NULL) == NULL && writ_type_of(vm, "Array<") == NULL);
    CHECK(writ_type_name(NULL) != NULL);
    CHECK(writ_array_new(vm, NULL, &r) != WRIT_OK && writ_dict_new(vm, writ_type_of(vm, "int"), &r) != WRIT_OK);
    CHECK(!writ_diagnostic_get(vm, 0, NULL) && !writ_diagnostic_get(vm, -1, NULL));
    CHECK(!writ_stack_frame(vm, 0, NULL) && !writ_trace_frame(vm, -3, NULL));
    CHECK(!writ_local(vm, 0, 0, NULL, NULL) && writ_local_count(vm, -1) <= 0);
    CHECK(writ_set_breakpoint(vm, NULL, 1, true) != WRIT_OK);
    CHECK(!writ_line_has_code(vm, NULL, 1));
    CHECK(writ_get_global(vm, NULL, "nope", NULL) != WRIT_OK);
    CHECK(writ_define_global(vm, "gx", NULL, a, false) != WRIT_OK);
    writ_value xs = writ_string(vm, "x", 1);
    CHECK(writ_define_global(vm, "gx", "int", xs, false) != WRIT_OK);
    writ_release(vm, xs);
    CHECK(writ_type_field(vm, NULL, "x", "int", WRIT_STORE_I32, 0, false) != WRIT_OK);
    CHECK(writ_type_field(vm, (writ_host_type *)vm, "x", "int", WRIT_STORE_I32, 0, false) != WRIT_OK);
    CHECK(writ_host_object(vm, NULL, &a, false).kind != WRIT_HOST);
    CHECK(writ_enable_module(vm, "nope", true) == WRIT_ERROR_MISUSE);
    CHECK(writ_reload(vm, NULL, NULL) == WRIT_ERROR_MISUSE && writ_reload_string(vm, NULL, NULL, 3, NULL) == WRIT_ERROR_MISUSE);
    CHECK(writ_load_string(vm, "x", NULL, 3) == WRIT_ERROR_MISUSE && writ_load_file(vm, NULL) == WRIT_ERROR_MISUSE);
    /* calling in while an entry runs */
    inner_mode = 0;                                       /* writ_vm_free from a host function */
    CHECK(writ_call_name(vm, NULL, "f", &a, 1, &r) == WRIT_OK && r.as.i == 8);
    HAS(writ_error_text(vm), "writ_vm_free");
    inner_mode = 1;
    CHECK(writ_call_name(vm, NULL, "f", &a, 1, &r) == WRIT_OK);
    inner_mode = 3;
    clear_out();
    CHECK(writ_call_name(vm, NULL, "f", &a, 1, &r) == WRIT_OK);
    HAS(out.buf, "nested\n");
    inner_mode = 4;
    CHECK(writ_call_name(vm, NULL, "f", &a, 1, &r) == WRIT_OK && r.as.i == 8);
    inner_mode = 2;                                       /* cancel every task from inside one */
    writ_fn *co = NULL;
    CHECK(writ_function(vm, NULL, "co", &co) == WRIT_OK);
    writ_value t1 = writ_int(0);
    CHECK(writ_start(vm, co, writ_null(), NULL, 0, &t1) == WRIT_OK);
    CHECK(writ_tick(vm, 0.1) == WRIT_OK);
    CHECK(writ_task_count(vm) == 0);
    writ_release(vm, t1);
    inner_mode = 5;                                       /* another VM freed from inside this one */
    inner_vm = other;
    CHECK(writ_call_name(vm, NULL, "f", &a, 1, &r) == WRIT_OK);
    CHECK(inner_vm == NULL);
    end_vm(vm);
}

int main(void) {
    test_misuse();
    test_root_dir_imports();
    test_bound_vars();
    test_alloc_failure();
    if (failures) {
        fprintf(stderr, "test_api_robust: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("test_api_robust: %d checks passed\n", checks);
    return 0;
}
