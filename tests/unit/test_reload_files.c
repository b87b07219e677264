#define _DEFAULT_SOURCE 1
/* test_reload_files.c — hot reload of a load of several files when one of
 * them changes (src/reload.c file_reload, src/iface.c): a file whose
 * interface fingerprint is unchanged is compiled alone; anything else
 * recompiles the whole load.  Checks behaviour (new code runs everywhere,
 * state kept, errors refused), which path was taken (writ_reload_info
 * counts only the recompiled file's functions) and memory over many edits. */
#include "../../include/writ.h"
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

static Out out;
static Counter counter;

static writ_vm *new_vm(void) { return testkit_vm(&out, &counter); }

static void end_vm(writ_vm *vm) { testkit_end(vm, &counter); }



static const char *at(const char *name) { return testkit_at(name); }
static void put(const char *name, const char *text) { testkit_put(name, text); }

static void putf(const char *name, const char *fmt, int a, int b) {
    char buf[4096];
    snprintf(buf, sizeof buf, fmt, a, b);
    put(name, buf);
}

static int64_t call_int(writ_vm *vm, const char *module, const char *fn) {
    writ_value r;
    writ_status st = writ_call_name(vm, module, fn, NULL, 0, &r);
    CHECK(st == WRIT_OK);
    if (st != WRIT_OK) { fprintf(stderr, "  %s: %s", fn, writ_error_text(vm)); return -1; }
    return r.as.i;
}

static writ_status reload(writ_vm *vm, writ_reload_info *info) {
    writ_status st = writ_reload(vm, at("main.writ"), info);
    if (st != WRIT_OK && getenv("RELOAD_VERBOSE")) fprintf(stderr, "%s", writ_error_text(vm));
    return st;
}

/* shapes.writ: two functions and a class (three named functions with its method) */
static const char *shapes_fmt =
    "export class Shape { public size: int = 1\n"
    "  public func area() -> int { return size * size * %d } }\n"
    "export func scale() -> int { return %d }\n"
    "export func grow(s: Shape) { s.size += 1 }\n"
    "export var made = 0\n";
/* draw.writ imports shapes */
static const char *draw_fmt =
    "import { Shape, scale } from \"shapes\"\n"
    "export func paint(s: Shape) -> int { return s.area() * scale() + %d + %d }\n"
    "func count() -> int { return -1 }\n";            /* main's count() is the one the host finds */
static const char *main_fmt =
    "import { Shape, grow, made } from \"shapes\"\n"
    "import { paint } from \"draw\"\n"
    "var shapes: Array<Shape> = [Shape(), Shape()]\n"
    "var frames = 0\n"
    "func frame() -> int { frames += 1\n grow(shapes[0])\n return paint(shapes[0]) + %d * 0 + %d * 0 }\n"
    "func count() -> int { return frames }\n";

static void setup(void) {
    putf("shapes.writ", shapes_fmt, 1, 1);
    putf("draw.writ", draw_fmt, 0, 0);
    putf("main.writ", main_fmt, 0, 0);
}

/* Body edits of any one file: only that file is compiled, every caller runs
 * the new code, globals and objects are kept; memory stays flat. */
static void test_body_edits(void) {
    setup();
    writ_vm *vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    CHECK(call_int(vm, NULL, "frame") == 4);              /* size 2: 2*2*1 * 1 + 0 */
    writ_reload_info info;
    putf("shapes.writ", shapes_fmt, 10, 1);               /* area and scale change */
    CHECK(reload(vm, &info) == WRIT_OK);
    CHECK(info.functions_changed == 3 && info.globals_added == 0 && info.types_migrated == 0);
    if (info.functions_changed != 3) fprintf(stderr, "  changed %d\n", info.functions_changed);
    CHECK(call_int(vm, NULL, "frame") == 90);             /* size 3: 3*3*10 * 1 */
    putf("draw.writ", draw_fmt, 5, 0);
    CHECK(reload(vm, &info) == WRIT_OK && info.functions_changed == 2);
    CHECK(call_int(vm, NULL, "frame") == 165);            /* size 4: 160 + 5 */
    CHECK(call_int(vm, NULL, "count") == 3);              /* main's, not draw.writ's newer one */
    writ_value g;                                         /* shapes.writ's global, through its load's main file */
    CHECK(writ_get_global(vm, at("main.writ"), "made", &g) == WRIT_OK && g.as.i == 0);
    CHECK(writ_set_global(vm, at("main.writ"), "made", writ_int(7)) == WRIT_OK);
    CHECK(writ_get_global(vm, NULL, "made", &g) == WRIT_OK && g.as.i == 7);
    putf("main.writ", main_fmt, 1, 0);
    CHECK(reload(vm, &info) == WRIT_OK && info.functions_changed == 2);
    CHECK(call_int(vm, NULL, "frame") == 255);            /* size 5, kept */
    CHECK(call_int(vm, NULL, "count") == 4);              /* frames kept */
    /* many edits, each file in turn: memory flat once every file was split off */
    long base = 0;
    for (int i = 0; i < 300; i++) {
        if (i % 3 == 0) putf("shapes.writ", shapes_fmt, 11 - i % 2, 1);
        else if (i % 3 == 1) putf("draw.writ", draw_fmt, 5, i);
        else putf("main.writ", main_fmt, 1, i);
        CHECK(reload(vm, &info) == WRIT_OK);
        CHECK(info.functions_changed <= 3);
        if (info.functions_changed > 3) fprintf(stderr, "  edit %d: %d changed\n", i, info.functions_changed);
        call_int(vm, NULL, "frame");
        if (i == 29) base = counter.bytes;
    }
    printf("file reloads: %ld bytes after 30 edits, %ld after 300\n", base, counter.bytes);
    CHECK(counter.bytes - base < 4 * 1024);
    CHECK(call_int(vm, NULL, "count") == 304);
    end_vm(vm);
}

/* An interface change recompiles the whole load (after file reloads split
 * it): a new field is migrated, a new function is used by the importers. */
static void test_interface_change(void) {
    setup();
    writ_vm *vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    CHECK(call_int(vm, NULL, "frame") == 4);
    writ_reload_info info;
    putf("shapes.writ", shapes_fmt, 2, 1);
    CHECK(reload(vm, &info) == WRIT_OK && info.functions_changed == 3);
    putf("draw.writ", draw_fmt, 1, 0);
    CHECK(reload(vm, &info) == WRIT_OK && info.functions_changed == 2);
    CHECK(call_int(vm, NULL, "frame") == 19);             /* size 3: 18 + 1 */
    put("shapes.writ",
        "export class Shape { public size: int = 1\n public depth: int = 2\n"
        "  public func area() -> int { return size * size * depth } }\n"
        "export func scale() -> int { return 1 }\n"
        "export func grow(s: Shape) { s.size += 1 }\n"
        "export func bonus() -> int { return 1000 }\n"
        "export var made = 0\n");
    put("draw.writ", "import { Shape, scale, bonus } from \"shapes\"\n"
                     "export func paint(s: Shape) -> int { return s.area() * scale() + bonus() }\n");
    CHECK(reload(vm, &info) == WRIT_OK);
    CHECK(info.types_migrated == 1 && info.functions_added == 1 && info.functions_changed > 4);
    CHECK(call_int(vm, NULL, "frame") == 1032);           /* size 4, depth 2 */
    CHECK(call_int(vm, NULL, "count") == 3);
    /* and file reloads again after that */
    put("draw.writ", "import { Shape, scale, bonus } from \"shapes\"\n"
                     "export func paint(s: Shape) -> int { return s.area() * scale() + bonus() * 2 }\n");
    CHECK(reload(vm, &info) == WRIT_OK && info.functions_changed == 1);
    CHECK(call_int(vm, NULL, "frame") == 2050);           /* size 5 */
    end_vm(vm);
}

/* A compile error in a body: refused, the old code keeps running; fixed: installed. */
static void test_errors(void) {
    setup();
    writ_vm *vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    put("draw.writ", "import { Shape, scale } from \"shapes\"\n"
                     "export func paint(s: Shape) -> int { return s.area() * scale() + \"x\" }\n");
    CHECK(reload(vm, NULL) == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "draw.writ:2");
    CHECK(call_int(vm, NULL, "frame") == 4);
    putf("draw.writ", draw_fmt, 7, 0);
    CHECK(reload(vm, NULL) == WRIT_OK);
    CHECK(call_int(vm, at("draw.writ"), "count") == -1);
    CHECK(call_int(vm, NULL, "frame") == 16);
    /* a syntax error: also refused */
    put("shapes.writ", "export class Shape { public size: int = 1\n public func area() -> int { return size * } }\n");
    CHECK(reload(vm, NULL) == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "shapes.writ");
    CHECK(call_int(vm, NULL, "frame") == 23);
    end_vm(vm);
}

/* What the fingerprint leaves out still guards the interface: a global
 * whose initialiser changed its type, and a body that starts to yield,
 * take the whole load. */
static void test_interface_guards(void) {
    put("lib.writ", "export let rate = 2\nexport func step() -> int { return 1 }\n");
    put("main.writ", "import { rate, step } from \"lib\"\nfunc show() -> string { return \"${rate} ${step()}\" }\n"
                     "func run() { let x = step()\n print(\"ran ${x}\") }\n");
    writ_vm *vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    writ_reload_info info;
    put("lib.writ", "export let rate = 2.5\nexport func step() -> int { return 1 }\n");
    CHECK(reload(vm, &info) == WRIT_OK);
    CHECK(info.globals_reinitialised == 1 && info.functions_changed == 3);   /* the whole load */
    writ_value r;
    CHECK(writ_call_name(vm, NULL, "show", NULL, 0, &r) == WRIT_OK);
    CHECK(strcmp(writ_string_data(r, NULL), "2.5 1") == 0);
    writ_release(vm, r);
    put("lib.writ", "export let rate = 7.5\nexport func step() -> int { return 2 }\n");   /* kept: same type */
    CHECK(reload(vm, &info) == WRIT_OK && info.functions_changed == 1 && info.globals_reinitialised == 0);
    CHECK(writ_call_name(vm, NULL, "show", NULL, 0, &r) == WRIT_OK);
    CHECK(strcmp(writ_string_data(r, NULL), "2.5 2") == 0);
    writ_release(vm, r);
    /* step becomes a coroutine: main's `let x = step()` no longer checks */
    put("lib.writ", "export let rate = 7.5\nexport func step() -> int { yield\n return 3 }\n");
    writ_status st = reload(vm, &info);
    CHECK(st == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "main.writ");
    CHECK(writ_call_name(vm, NULL, "show", NULL, 0, &r) == WRIT_OK);
    CHECK(strcmp(writ_string_data(r, NULL), "2.5 2") == 0);
    writ_release(vm, r);
    end_vm(vm);
}

/* Private types of the same name in two files stay apart across a file reload. */
static void test_same_type_names(void) {
    put("a.writ", "class Item { public v: int = 1\n public func get() -> int { return v } }\n"
                  "let item = Item()\nexport func a() -> int { return item.get() }\n");
    put("b.writ", "class Item { public w: string = \"b\"\n public func get() -> int { return 20 } }\n"
                  "let item = Item()\nexport func b() -> int { return item.get() }\n");
    put("main.writ", "import { a } from \"a\"\nimport { b } from \"b\"\nfunc both() -> int { return a() + b() }\n");
    writ_vm *vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    CHECK(call_int(vm, NULL, "both") == 21);
    put("b.writ", "class Item { public w: string = \"b\"\n public func get() -> int { return 30 } }\n"
                  "let item = Item()\nexport func b() -> int { return item.get() }\n");
    CHECK(reload(vm, NULL) == WRIT_OK);
    CHECK(call_int(vm, NULL, "both") == 31);
    put("a.writ", "class Item { public v: int = 1\n public func get() -> int { return v * 100 } }\n"
                  "let item = Item()\nexport func a() -> int { return item.get() }\n");
    CHECK(reload(vm, NULL) == WRIT_OK);
    CHECK(call_int(vm, NULL, "both") == 130);
    end_vm(vm);
}

/* A coroutine running a file's old code finishes on it; other loads
 * importing the file run the new code; their use does not keep old versions. */
static void test_old_frames_and_other_loads(void) {
    setup();
    put("ticker.writ", "import { scale } from \"shapes\"\nvar seen: Array<int> = []\n"
                       "func tick() { while true { seen.push(scale())\n yield } }\nstart tick()\n"
                       "func last() -> int { return seen[seen.len() - 1] }\n");
    writ_vm *vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    CHECK(writ_load_file(vm, at("ticker.writ")) == WRIT_OK);
    CHECK(call_int(vm, at("ticker.writ"), "last") == 1);
    long base = 0;
    for (int i = 0; i < 200; i++) {
        putf("shapes.writ", shapes_fmt, 1, 100 + i);
        CHECK(reload(vm, NULL) == WRIT_OK);
        CHECK(writ_tick(vm, 0.1) == WRIT_OK);
        CHECK(call_int(vm, at("ticker.writ"), "last") == 100 + i);
        if (i == 19) base = counter.bytes;
    }
    printf("file reloads imported by another load: %ld bytes after 20 edits, %ld after 200\n", base, counter.bytes);
    CHECK(counter.bytes - base < 4 * 1024);
    end_vm(vm);
}

/* Loads importing a reloaded file are found on every reload, not only the
 * first (they are matched by the imported file, not by its old program). */
static void test_dependents_every_time(void) {
    put("lib.writ", "export func power(x: int) -> int { return x * 2 }\n");
    put("user.writ", "import { power } from \"lib\"\nfunc go() -> int { return power(5) }\n");
    writ_vm *vm = new_vm();
    CHECK(writ_load_file(vm, at("lib.writ")) == WRIT_OK);
    CHECK(writ_load_file(vm, at("user.writ")) == WRIT_OK);
    for (int i = 0; i < 3; i++) {                        /* compatible interface changes */
        char src[256];
        snprintf(src, sizeof src, "export func power(x: int) -> int { return x * 2 }\nexport func extra%d() {}\n", i);
        put("lib.writ", src);
        CHECK(writ_reload(vm, at("lib.writ"), NULL) == WRIT_OK);
    }
    put("lib.writ", "export func power(x: string) -> int { return 1 }\n");
    CHECK(writ_reload(vm, at("lib.writ"), NULL) == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "user.writ");
    CHECK(call_int(vm, at("user.writ"), "go") == 10);
    end_vm(vm);
}

/* A file compiled against an earlier version of an imported file keeps
 * pointing into that version's syntax trees (here: a field default calling
 * an imported function), which later compiles against it use: that version
 * stays until nothing compiled against it is left. */
static void test_compiled_against(void) {
    const char *theme = "export func accent() -> int { return %d }\n";
    const char *widgets = "import { accent } from \"theme\"\n"
                          "export class Series { public color: int = accent()\n public n: int = %d }\n";
    const char *dash = "import { Series } from \"widgets\"\n"
                       "func colour() -> int { return Series().color + Series().n * 0 + %d }\n";
    putf("theme.writ", theme, 1, 0);
    putf("widgets.writ", widgets, 0, 0);
    putf("main.writ", dash, 0, 0);
    writ_vm *vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    long base = 0;
    for (int i = 0; i < 60; i++) {
        putf("theme.writ", theme, 10 + i, 0);
        CHECK(reload(vm, NULL) == WRIT_OK);
        putf("widgets.writ", widgets, i + 1, 0);
        CHECK(reload(vm, NULL) == WRIT_OK);
        putf("theme.writ", theme, 1000 + i, 0);
        CHECK(reload(vm, NULL) == WRIT_OK);
        putf("main.writ", dash, i + 1, 0);
        CHECK(reload(vm, NULL) == WRIT_OK);
        CHECK(call_int(vm, NULL, "colour") == 1000 + i + i + 1);
        if (i == 9) base = counter.bytes;
    }
    printf("file reloads compiled against older versions: %ld bytes after 10 rounds, %ld after 60\n", base, counter.bytes);
    CHECK(counter.bytes - base < 4 * 1024);
    end_vm(vm);
}

/* Second review: a check-only compile of an importing load (re-checked on
 * each reload) made its own generic instance type whose method table
 * pointed at the code it then freed; function values keep their identity
 * in code that was not recompiled. */
static void test_regressions2(void) {
    put("c.writ", "export class Box<T> { public v: T\n public func get() -> T { return v } }\n");
    put("b.writ", "import { Box } from \"c\"\nfunc run() -> int { return Box<int>(v: 7).get() }\n");
    writ_vm *vm = new_vm();
    CHECK(writ_load_file(vm, at("c.writ")) == WRIT_OK);
    CHECK(writ_load_file(vm, at("b.writ")) == WRIT_OK);
    for (int i = 0; i < 4; i++) {
        char src[256];
        snprintf(src, sizeof src, "export class Box<T> { public v: T\n public func get() -> T { let k = %d\n return v } }\n"
                                  "export func extra%d() {}\n", i, i);     /* an interface change: b.writ re-checked */
        put("c.writ", src);
        CHECK(writ_reload(vm, at("c.writ"), NULL) == WRIT_OK);
        CHECK(call_int(vm, at("b.writ"), "run") == 7);
    }
    end_vm(vm);

    put("lib.writ", "export func f() -> int { return 1 }\n");
    put("main.writ", "import { f } from \"lib\"\nvar g = f\nfunc same() -> int { return g == f ? 1 : 0 }\n");
    vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    for (int i = 2; i < 6; i++) {
        putf("lib.writ", "export func f() -> int { return %d }\n", i, 0);
        CHECK(reload(vm, NULL) == WRIT_OK);
        CHECK(call_int(vm, NULL, "same") == 1);
    }
    end_vm(vm);
}

/* Review findings, each once a bug of file reloads. */
static void test_regressions(void) {
    /* a struct method becoming mutating is a signature change made in a body: the whole load */
    put("lib.writ", "export struct Counter { public n: int = 0\n public func get() -> int { return n } }\n");
    put("main.writ", "import { Counter } from \"lib\"\nvar c = Counter()\nfunc peek() -> int { return c.get() }\n");
    writ_vm *vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    put("lib.writ", "export struct Counter { public n: int = 0\n public func get() -> int { n += 1\n return n } }\n");
    CHECK(reload(vm, NULL) == WRIT_OK);
    CHECK(call_int(vm, NULL, "peek") == 1 && call_int(vm, NULL, "peek") == 2);
    end_vm(vm);

    /* writ_reload_string names a whole load, not a file split off one */
    put("lib.writ", "export func k() -> int { return 1 }\n");
    put("main.writ", "import { k } from \"lib\"\nfunc run() -> int { return k() * 10 }\n");
    vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    put("lib.writ", "export func k() -> int { return 2 }\n");
    CHECK(reload(vm, NULL) == WRIT_OK);
    const char *src = "export func k() -> int { return 3 }\n";
    CHECK(writ_reload_string(vm, at("lib.writ"), src, strlen(src), NULL) == WRIT_ERROR_MISUSE);
    CHECK(call_int(vm, NULL, "run") == 20);
    end_vm(vm);

    /* the newest definition of a name is found: a file reload makes its load the newest */
    put("lib.writ", "export func k() -> int { return 1 }\n");
    put("main.writ", "import { k } from \"lib\"\nfunc update() -> int { return 100 + k() }\n");
    put("other.writ", "func update() -> int { return 2 }\n");
    vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    CHECK(writ_load_file(vm, at("other.writ")) == WRIT_OK);
    CHECK(call_int(vm, NULL, "update") == 2);
    put("main.writ", "import { k } from \"lib\"\nfunc update() -> int { return 200 + k() }\n");
    CHECK(reload(vm, NULL) == WRIT_OK);
    CHECK(call_int(vm, NULL, "update") == 201);
    end_vm(vm);

    /* a class the reload removed keeps the load it inherits from alive while its instances live */
    put("shapes.writ", "export class Shape { public func area() -> int { return 1 } }\n"
                       "export var held: Array<Shape> = []\nexport func total() -> int { return held[0].area() }\n");
    put("sub.writ", "import { Shape, held } from \"shapes\"\nclass Sub extends Shape {}\nheld.push(Sub())\nfunc f() -> int { return 0 }\n");
    vm = new_vm();
    CHECK(writ_load_file(vm, at("shapes.writ")) == WRIT_OK);
    CHECK(writ_load_file(vm, at("sub.writ")) == WRIT_OK);
    put("sub.writ", "import { Shape, held } from \"shapes\"\nfunc f() -> int { return 1 }\n");
    CHECK(writ_reload(vm, at("sub.writ"), NULL) == WRIT_OK);
    put("shapes.writ", "export class Shape { public func area() -> int { return 2 } }\n"
                       "export var held: Array<Shape> = []\nexport func total() -> int { return held[0].area() }\n");
    CHECK(writ_reload(vm, at("shapes.writ"), NULL) == WRIT_OK);
    CHECK(call_int(vm, NULL, "total") == 2);
    end_vm(vm);

    /* another load is re-checked as its files are now, after a file reload of its main file */
    put("lib.writ", "export func power(x: int) -> int { return x * 2 }\n");
    put("helper.writ", "export func h() -> int { return 1 }\n");
    put("user.writ", "import { power } from \"lib\"\nimport { h } from \"helper\"\nfunc go() -> int { return power(5) + h() }\n");
    vm = new_vm();
    CHECK(writ_load_file(vm, at("lib.writ")) == WRIT_OK);
    CHECK(writ_load_file(vm, at("user.writ")) == WRIT_OK);
    put("user.writ", "import { power } from \"lib\"\nimport { h } from \"helper\"\nfunc go() -> int { return h() + 100 }\n");
    CHECK(writ_reload(vm, at("user.writ"), NULL) == WRIT_OK);
    CHECK(call_int(vm, at("user.writ"), "go") == 101);
    put("lib.writ", "export func power(x: string) -> int { return 1 }\n");
    CHECK(writ_reload(vm, at("lib.writ"), NULL) == WRIT_OK);
    CHECK(call_int(vm, at("user.writ"), "go") == 101);
    /* ... and an imported file of another load is re-checked too */
    put("lib.writ", "export func power(x: int) -> int { return x * 2 }\n");
    CHECK(writ_reload(vm, at("lib.writ"), NULL) == WRIT_OK);
    put("mid.writ", "import { power } from \"lib\"\nexport func twice() -> int { return power(2) }\n");
    put("top.writ", "import { twice } from \"mid\"\nfunc t() -> int { return twice() }\n");
    CHECK(writ_load_file(vm, at("top.writ")) == WRIT_OK);
    CHECK(call_int(vm, at("top.writ"), "t") == 4);
    put("lib.writ", "export func power(x: string) -> int { return 1 }\n");
    CHECK(writ_reload(vm, at("lib.writ"), NULL) == WRIT_ERROR_COMPILE);
    HAS(writ_error_text(vm), "mid.writ");
    CHECK(call_int(vm, at("top.writ"), "t") == 4);
    end_vm(vm);

    /* lines of code a file reload replaced are no longer code */
    put("lib.writ", "export func k() -> int {\n let a = 1\n return a\n}\n");
    put("main.writ", "import { k } from \"lib\"\nfunc run() -> int { return k() }\n");
    vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    CHECK(writ_line_has_code(vm, at("lib.writ"), 2));
    put("lib.writ", "export func k() -> int {\n\n return 7\n}\n");
    CHECK(reload(vm, NULL) == WRIT_OK);
    CHECK(call_int(vm, NULL, "run") == 7);
    CHECK(!writ_line_has_code(vm, at("lib.writ"), 2) && writ_line_has_code(vm, at("lib.writ"), 3));
    end_vm(vm);

    /* checking a generic function's template again on each reload adds no
     * types (its type parameters were new types every time: ~800 bytes a reload) */
    const char *gen = "export func wrap<T>(x: T) -> Array<T> { return [x] }\nexport func k() -> int { return %d }\n";
    putf("lib.writ", gen, 0, 0);
    put("main.writ", "import { wrap, k } from \"lib\"\nfunc run() -> int { return wrap(\"s\").len() + k() }\n");
    vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    long base = 0;
    for (int i = 0; i < 200; i++) {
        putf("lib.writ", gen, i + 1, 0);
        CHECK(reload(vm, NULL) == WRIT_OK);
        CHECK(call_int(vm, NULL, "run") == i + 2);
        if (i == 19) base = counter.bytes;
    }
    CHECK(counter.bytes - base < 1024);
    if (counter.bytes - base >= 1024) fprintf(stderr, "  generic: %ld bytes after 20 reloads, %ld after 200\n", base, counter.bytes);
    end_vm(vm);
}

static void set_mtime(const char *name, time_t t) {
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    CHECK(utimensat(AT_FDCWD, at(name), ts, 0) == 0);
}

/* Unchanged files are known by their stat stamp (not read again) only when
 * their time is old enough to trust; a file written within the stamp
 * clock's granularity with the same size is still seen. */
static void test_stamps(void) {
    put("a.writ", "export func a() -> int { return 1 }\n");
    put("b.writ", "export func b() -> int { return 2 }\n");
    put("main.writ", "import { a } from \"a\"\nimport { b } from \"b\"\nfunc both() -> int { return a() * 10 + b() }\n");
    time_t old = time(NULL) - 100;
    set_mtime("a.writ", old);
    set_mtime("b.writ", old);
    set_mtime("main.writ", old);
    writ_vm *vm = new_vm();
    CHECK(writ_load_file(vm, at("main.writ")) == WRIT_OK);
    writ_reload_info info;
    CHECK(reload(vm, &info) == WRIT_OK);                  /* nothing changed: the whole load; stamps kept */
    put("a.writ", "export func a() -> int { return 3 }\n");
    CHECK(reload(vm, &info) == WRIT_OK && info.functions_changed == 1);
    CHECK(call_int(vm, NULL, "both") == 32);
    /* same size, same (recent) time as when it was last compared: still read, still seen */
    time_t now = time(NULL);
    set_mtime("b.writ", now);
    put("a.writ", "export func a() -> int { return 4 }\n");
    CHECK(reload(vm, &info) == WRIT_OK && info.functions_changed == 1);   /* b compared, equal, too recent to trust */
    put("b.writ", "export func b() -> int { return 5 }\n");
    set_mtime("b.writ", now);
    CHECK(reload(vm, &info) == WRIT_OK && info.functions_changed == 1);
    CHECK(call_int(vm, NULL, "both") == 45);
    /* an old stamp is trusted, a new one read */
    set_mtime("b.writ", old);
    put("a.writ", "export func a() -> int { return 6 }\n");
    set_mtime("a.writ", old + 1);
    CHECK(reload(vm, &info) == WRIT_OK && call_int(vm, NULL, "both") == 65);
    end_vm(vm);
}

int main(void) {
    testkit_dir_make("reload_files");
    test_body_edits();
    test_interface_change();
    test_errors();
    test_interface_guards();
    test_same_type_names();
    test_old_frames_and_other_loads();
    test_dependents_every_time();
    test_compiled_against();
    test_regressions();
    test_regressions2();
    test_stamps();
    testkit_dir_remove();
    printf("test_reload_files: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
