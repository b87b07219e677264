/* embed_bench.c — the embedding runtime's costs (issue 5), printed as a
 * table: a script calling a registered C function and host-type methods
 * shaped like drawing calls (ns per call), hot reload latency (median and
 * p95) of a realistic 1,000-line script and of a synthetic one of small
 * functions, and coroutines (spawn + resume
 * cost, bytes per live coroutine).  Built and run by `make bench`. */
#define _DEFAULT_SOURCE 1
#include <writ.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this thread (page faults included): on a busy machine the
 * wall clock also counts waiting for a core. */
static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct Counter { long bytes, peak; } Counter;
static void *counting_alloc(void *ud, void *p, size_t old, size_t n) {
    Counter *c = ud;
    c->bytes += (long)n - (long)old;
    if (c->bytes > c->peak) c->peak = c->bytes;
    if (n == 0) { free(p); return NULL; }
    return realloc(p, n);
}

static writ_status add1(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)vm; (void)n; (void)ud;
    *ret = writ_int(a[0].as.i + 1);
    return WRIT_OK;
}

static writ_status nop(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)vm; (void)a; (void)n; (void)ret; (void)ud;
    return WRIT_OK;
}
static double color_sum;
static writ_status rect(writ_vm *vm, const writ_value *a, int n, writ_value *ret, void *ud) {
    (void)vm; (void)n; (void)ret; (void)ud;
    const double *c = writ_struct_floats(a[5], NULL);        /* the Color, read in place */
    color_sum += c[0] + a[1].as.f;
    return WRIT_OK;
}

static void die(writ_vm *vm) { fputs(writ_error_text(vm), stderr); exit(1); }

static double run_fn(writ_vm *vm, const char *name) {
    double t0 = now();
    if (writ_call_name(vm, NULL, name, NULL, 0, NULL) != WRIT_OK) die(vm);
    return now() - t0;
}

/* Each function's best time of five rounds (the rounds interleave them). */
static void best_of_5(writ_vm *vm, const char *const names[3], double best[3]) {
    for (int k = 0; k < 3; k++) best[k] = 1e9;
    for (int r = 0; r < 5; r++)
        for (int k = 0; k < 3; k++) {
            double t = run_fn(vm, names[k]);
            if (t < best[k]) best[k] = t;
        }
}

static void host_calls(void) {
    writ_vm *vm = writ_vm_new(NULL);
    writ_register_fn(vm, "add1", "(int) -> int", add1, NULL);
    const char *src =
        "func withHost() { var x = 0\n for i in 0..10000000 { x = add1(x) }\n assert(x == 10000000) }\n"
        "func plain(v: int) -> int { return v + 1 }\n"
        "func withScript() { var x = 0\n for i in 0..10000000 { x = plain(x) }\n assert(x == 10000000) }\n"
        "func empty() { var x = 0\n for i in 0..10000000 { x = x + 1 }\n assert(x == 10000000) }\n";
    if (writ_load_string(vm, "calls.writ", src, strlen(src)) != WRIT_OK) die(vm);
    static const char *const names[3] = { "withHost", "withScript", "empty" };
    double best[3];
    best_of_5(vm, names, best);
    printf("| host function call (script -> C), per call | %.1f ns |\n", (best[0] - best[2]) / 1e7 * 1e9);
    printf("| script function call, per call (for scale) | %.1f ns |\n", (best[1] - best[2]) / 1e7 * 1e9);
    writ_vm_free(vm);
}

/* Host-type methods as a drawing host has them: c.moveTo(x, y) and
 * c.fillRect(x, y, w, h, color) with a Color struct (writ-canvas). */
static void host_methods(void) {
    static int canvas;
    writ_vm *vm = writ_vm_new(NULL);
    writ_host_type *t = writ_define_type(vm, "Canvas");
    writ_type_method(vm, t, "moveTo", "(x: float, y: float)", nop, NULL);
    writ_type_method(vm, t, "fillRect", "(x: float, y: float, w: float, h: float, color: Color)", rect, NULL);
    writ_value c = writ_host_object(vm, t, &canvas, false);
    writ_define_global(vm, "canvas", "Canvas", c, true);
    const char *src =
        "func moves(c: Canvas) { for i in 0..10000000 { c.moveTo(1.0, 2.0) } }\n"
        "func rects(c: Canvas) { let red = Color.RED\n for i in 0..10000000 { c.fillRect(1.0, 2.0, 3.0, 4.0, red) } }\n"
        "func empty(c: Canvas) { var x = 0.0\n for i in 0..10000000 { x = x + 1.0 } }\n"
        "func runMoves() { moves(canvas) }\nfunc runRects() { rects(canvas) }\nfunc runEmpty() { empty(canvas) }\n";
    if (writ_load_string(vm, "methods.writ", src, strlen(src)) != WRIT_OK) die(vm);
    static const char *const names[3] = { "runMoves", "runRects", "runEmpty" };
    double best[3];
    best_of_5(vm, names, best);
    printf("| host method c.moveTo(x, y), per call | %.1f ns |\n", (best[0] - best[2]) / 1e7 * 1e9);
    printf("| host method c.fillRect(x, y, w, h, color: Color), per call | %.1f ns |\n", (best[1] - best[2]) / 1e7 * 1e9);
    writ_release(vm, c);
    writ_vm_free(vm);
}

static char *big_script(int variant) {
    size_t cap = 1 << 20, n = 0;
    char *s = malloc(cap);
    n += (size_t)sprintf(s + n, "var total = 0\nclass Acc { public sum: int = 0\n public func add(v: int) { sum += v } }\nlet acc = Acc()\n");
    int lines = 4;
    for (int f = 0; lines < 1000; f++) {
        n += (size_t)sprintf(s + n,
            "func f%d(a: int, b: int) -> int {\n"
            "    var r = a * %d + b\n"
            "    if r > 100 { r -= %d }\n"
            "    for i in 0..3 { r += i }\n"
            "    acc.add(r)\n"
            "    return r\n"
            "}\n", f, f + variant, f);
        lines += 7;
    }
    n += (size_t)sprintf(s + n, "func update() { total += f0(1, 2) }\n");
    return s;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void discard(void *ud, const char *s, size_t n) { (void)ud; (void)s; (void)n; }

/* Reloads alternate between two versions (a and b) of one script, N times;
 * prints the median and the 95th percentile of writ_reload_string's wall
 * time, and its median CPU time. */
static void reload_latency(const char *what, const char *a, const char *b, const char *call) {
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.write = discard;                  /* the script's own prints */
    writ_vm *vm = writ_vm_new(&cfg);
    if (writ_load_string(vm, "big.writ", a, strlen(a)) != WRIT_OK) die(vm);
    enum { N = 200 };
    double t[N], cpu[N];
    for (int i = 0; i < N; i++) {
        const char *src = i % 2 ? a : b;
        double c0 = cpu_now(), t0 = now();
        if (writ_reload_string(vm, "big.writ", src, strlen(src), NULL) != WRIT_OK) die(vm);
        t[i] = now() - t0;
        cpu[i] = cpu_now() - c0;
        if (call && writ_call_name(vm, NULL, call, NULL, 0, NULL) != WRIT_OK) die(vm);
    }
    qsort(t, N, sizeof t[0], cmp_double);
    qsort(cpu, N, sizeof cpu[0], cmp_double);
    printf("| hot reload of %s: median | %.3f ms |\n", what, t[N / 2] * 1e3);
    printf("| hot reload of %s: p95 | %.3f ms |\n", what, t[N * 95 / 100] * 1e3);
    printf("| hot reload of %s: median CPU time | %.3f ms |\n", what, cpu[N / 2] * 1e3);
    writ_vm_free(vm);
}

/* The realistic script (bench/gen_large.py --with-types --stop-early
 * --lines 1000: structs, classes, loops, strings, arrays, dictionaries,
 * closures, top-level code) and an edited copy: one constant changed. */
static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(1); }
    s[n] = 0;
    fclose(f);
    return s;
}

static void reload_realistic(const char *path) {
    char *a = read_text(path);
    char *b = malloc(strlen(a) + 16);
    const char *at = strstr(a, "const LIMIT_1 = ");
    if (!at) { fprintf(stderr, "%s: no 'const LIMIT_1' to edit\n", path); exit(1); }
    at += strlen("const LIMIT_1 = ");
    sprintf(b, "%.*s1%s", (int)(at - a), a, at);          /* 361 -> 1361 */
    int lines = 0;
    for (const char *p = a; *p; p++) lines += *p == '\n';
    char what[64];
    snprintf(what, sizeof what, "a realistic %d-line script", lines);
    reload_latency(what, a, b, NULL);
    free(a);
    free(b);
}

static void reload_synthetic(void) {
    char *a = big_script(1), *b = big_script(2);
    reload_latency("a 1,000-line script of small functions", a, b, "update");
    free(a);
    free(b);
}

static void coroutines(void) {
    Counter c = {0, 0};
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.alloc = counting_alloc;
    cfg.alloc_ud = &c;
    writ_vm *vm = writ_vm_new(&cfg);
    const char *src =
        "var done = 0\n"
        "func worker(n: int) { var k = 0\n while k < n { yield\n k += 1 }\n done += 1 }\n"
        "func spawnAll(count: int, steps: int) { for i in 0..count { start worker(steps) } }\n";
    if (writ_load_string(vm, "co.writ", src, strlen(src)) != WRIT_OK) die(vm);
    const int N = 10000, STEPS = 10;
    writ_value args[2] = { writ_int(N), writ_int(STEPS) };
    /* twice: the first round's memory is fresh (a page fault per few
     * coroutines: about 10 us each on this VM), the second reuses it */
    double spawn[2], resume[2];
    long per = 0;
    for (int round = 0; round < 2; round++) {
        long before = c.bytes;
        double t0 = now();
        if (writ_call_name(vm, NULL, "spawnAll", args, 2, NULL) != WRIT_OK) die(vm);
        spawn[round] = now() - t0;
        per = (c.bytes - before) / N;
        t0 = now();
        while (writ_task_count(vm) > 0) if (writ_tick(vm, 0.016) != WRIT_OK) die(vm);
        resume[round] = now() - t0;
    }
    printf("| start a coroutine (runs to its first yield), memory reused | %.0f ns |\n", spawn[1] / N * 1e9);
    printf("| start a coroutine, fresh memory (page faults) | %.0f ns |\n", spawn[0] / N * 1e9);
    printf("| resume a suspended coroutine (one tick step) | %.0f ns |\n", resume[1] / ((double)N * STEPS) * 1e9);
    printf("| memory per live coroutine (task + stack) | %ld bytes |\n", per);
    writ_vm_free(vm);
}

/* usage: embed_bench [SCRIPT]: SCRIPT is the realistic reload script
 * (`make bench` generates it); without it only the synthetic one. */
/* Runs fn in a child process: each measurement starts from a fresh heap
 * (memory an earlier one freed would hide the page faults of a reload). */
static void isolated(void (*fn)(const char *), const char *arg) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) { fn(arg); fflush(stdout); _exit(0); }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "embed_bench: a measurement failed\n");
        exit(1);
    }
}

static void reload_synthetic_arg(const char *unused) { (void)unused; reload_synthetic(); }

int main(int argc, char **argv) {
    printf("| embedding (bench/embed_bench.c) | |\n|---|---|\n");
    host_calls();
    host_methods();
    if (argc > 1) isolated(reload_realistic, argv[1]);
    isolated(reload_synthetic_arg, NULL);
    coroutines();
    return 0;
}
