/* main.c — writ-canvas: the command line, the headless frame loop and PNG
 * output.  The windowed loop is in window.c.
 *
 *   writ-canvas [--size WxH] [--fps F] [--headless] [--frames N] [--out DIR]
 *               [--watch] [--stats] SCRIPT */
#define _DEFAULT_SOURCE 1
#include "script.h"
#include "window.h"
#include "live.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char usage[] =
    "usage: writ-canvas [--size WxH] [--fps F] [--headless] [--frames N] [--out DIR] [--watch] [--stats]\n"
    "                   [--demo-data] SCRIPT\n"
    "  --size WxH   canvas size in pixels (default 800x600)\n"
    "  --fps F      frames per second (default 60); headless frames advance time by exactly 1/F\n"
    "  --headless   draw offscreen, no window or display needed (default --frames 1)\n"
    "  --frames N   stop after N frames (default: until the window is closed)\n"
    "  --out DIR    write every frame as DIR/frame-00001.png, ... (windowed: read back from the window)\n"
    "  --watch      hot-reload SCRIPT and the modules it imports when one is saved; errors show\n"
    "               on screen and the last good code keeps running (headless: frames in real time)\n"
    "  --stats      after each reload print `reload: compile X ms, save-to-frame Y ms` to stderr;\n"
    "               frame and script time on screen\n"
    "  --demo-data  sampleSystem() returns smooth made-up numbers (reproducible screenshots)\n"
    "  --bench-reload N  headless: reload compile times, N whole-load reloads and N one-file\n"
    "               reloads (each file in turn gains or loses a trailing newline; restored at\n"
    "               the end: run it on a copy), a frame drawn after each\n";

static bool parse_size(const char *s, int *w, int *h) {
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X')) return false;
    const char *b = end + 1;
    long c = strtol(b, &end, 10);
    if (end == b || *end || a < 1 || c < 1 || a > 16384 || c > 16384) return false;
    *w = (int)a;
    *h = (int)c;
    return true;
}

/* Returns 0, or 2 after printing the problem. */
static int parse_args(int argc, char **argv, CanvasOptions *o) {
    memset(o, 0, sizeof *o);
    o->width = 800;
    o->height = 600;
    o->fps = 60;
    o->frames = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(a, "--size") || !strcmp(a, "--fps") || !strcmp(a, "--frames") || !strcmp(a, "--out") ||
                     !strcmp(a, "--bench-reload");
        if (takes && !val) { fprintf(stderr, "writ-canvas: %s needs a value\n%s", a, usage); return 2; }
        char *end = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(usage, stdout); exit(0); }
        else if (!strcmp(a, "--headless")) o->headless = true;
        else if (!strcmp(a, "--watch")) o->watch = true;
        else if (!strcmp(a, "--stats")) o->stats = true;
        else if (!strcmp(a, "--demo-data")) o->demo_data = true;
        else if (!strcmp(a, "--size")) {
            if (!parse_size(val, &o->width, &o->height)) { fprintf(stderr, "writ-canvas: --size wants WxH (e.g. 640x480), got '%s'\n", val); return 2; }
            i++;
        } else if (!strcmp(a, "--fps")) {
            o->fps = strtod(val, &end);
            if (end == val || *end || !(o->fps > 0 && o->fps <= 1000)) { fprintf(stderr, "writ-canvas: --fps wants a number in (0, 1000], got '%s'\n", val); return 2; }
            i++;
        } else if (!strcmp(a, "--frames")) {
            o->frames = strtol(val, &end, 10);
            if (end == val || *end || o->frames < 0) { fprintf(stderr, "writ-canvas: --frames wants a count >= 0, got '%s'\n", val); return 2; }
            i++;
        } else if (!strcmp(a, "--bench-reload")) {
            o->bench_reloads = strtol(val, &end, 10);
            if (end == val || *end || o->bench_reloads < 1) { fprintf(stderr, "writ-canvas: --bench-reload wants a count >= 1, got '%s'\n", val); return 2; }
            o->headless = true;
            i++;
        } else if (!strcmp(a, "--out")) { o->out = val; i++; }
        else if (a[0] == '-' && a[1]) { fprintf(stderr, "writ-canvas: unknown option '%s'\n%s", a, usage); return 2; }
        else if (o->script) { fprintf(stderr, "writ-canvas: one script only ('%s' and '%s')\n", o->script, a); return 2; }
        else o->script = a;
    }
    if (!o->script) { fputs(usage, stderr); return 2; }
    if (o->frames < 0) o->frames = o->headless ? 1 : 0;     /* 0: no limit */
    return 0;
}

bool write_frame_png(cairo_surface_t *surface, const char *dir, int64_t number) {
    char path[4096];
    snprintf(path, sizeof path, "%s/frame-%05lld.png", dir, (long long)number);
    cairo_status_t st = cairo_surface_write_to_png(surface, path);
    if (st != CAIRO_STATUS_SUCCESS) { fprintf(stderr, "writ-canvas: cannot write %s: %s\n", path, cairo_status_to_string(st)); return false; }
    return true;
}

/* mkdir -p */
static bool make_dirs(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(path, 0777) != 0 && errno != EEXIST) return false;
            *p = '/';
        }
    return mkdir(path, 0777) == 0 || errno == EEXIST;
}

/* Headless: a fixed dt of 1/fps, so runs are deterministic; with --watch the
 * frames are also paced to the wall clock, so that edits land between them,
 * and a save starts the next frame at once (the schedule restarts there). */
static int run_headless(Script *s, const CanvasOptions *o, Live *l) {
    double next = live_now();
    for (long i = 0; !o->frames || i < o->frames; i++) {
        if (o->watch) {
            live_wait(l, next);
            double now = live_now();
            next = (now < next ? now : next) + 1.0 / o->fps;
        }
        live_before_frame(l);
        double t1 = live_now();
        script_frame(s, 1.0 / o->fps);
        double t2 = live_now();
        live_after_frame(l, (t2 - t1) * 1e3);
        if (o->out && !write_frame_png(s->canvas.surface, o->out, s->frame.number)) return EXIT_HOST;
    }
    return 0;
}

/* One reload of a --bench-reload run: its compile time in ms, or < 0 after printing why it failed. */
static double timed_reload(Script *s, const CanvasOptions *o) {
    char why[512];
    double t0 = live_now();
    writ_status st = writ_reload(s->vm, s->path, NULL);
    double ms = (live_now() - t0) * 1e3;
    if (st != WRIT_OK || !script_refresh(s, why, sizeof why)) {
        fprintf(stderr, "writ-canvas: reload failed:\n%s", st != WRIT_OK ? writ_error_text(s->vm) : why);
        return -1;
    }
    script_frame(s, 1.0 / o->fps);
    return ms;
}

static void report(const char *what, const double *ms, long n) {
    printf("%s over %ld reloads: p50 %.3f ms, p95 %.3f ms, min %.3f ms\n", what, n, live_percentile(ms, (size_t)n, 0, 1, 0.5),
           live_percentile(ms, (size_t)n, 0, 1, 0.95), live_percentile(ms, (size_t)n, 0, 1, 0));
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static bool spill(const char *path, const char *text, size_t len, bool extra_newline) {
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    bool ok = fwrite(text, 1, len, f) == len && (!extra_newline || fputc('\n', f) != EOF);
    return fclose(f) == 0 && ok;
}

/* --bench-reload N: reload compile times without the file watcher, a frame
 * drawn between reloads as in live coding (so caches are as cold as there).
 * N reloads of the unchanged script (the whole load is compiled again), then
 * N saves of its files in turn, each adding or removing a trailing newline
 * (the interface stays: that file alone is compiled).  The files are
 * restored at the end; run it on a copy. */
static int bench_reload(Script *s, const CanvasOptions *o) {
    script_frame(s, 1.0 / o->fps);
    long n = o->bench_reloads;
    enum { MAXF = 64 };
    double *ms = malloc((size_t)n * (MAXF + 1) * sizeof *ms), *per = ms + n;   /* per[k * n + j]: file k's j-th */
    if (!ms) return EXIT_HOST;
    int st = 0;
    for (long i = 0; i < n && !st; i++) if ((ms[i] = timed_reload(s, o)) < 0) st = EXIT_SCRIPT_COMPILE;
    if (!st) report("whole-load reload (no change)", ms, n);
    char *paths[MAXF], *texts[MAXF];
    size_t lens[MAXF];
    long counts[MAXF] = {0};
    int nf = 0;
    for (const char *f; !st && nf < MAXF && (f = writ_loaded_file(s->vm, (size_t)nf)); nf++) {
        paths[nf] = strdup(f);
        texts[nf] = slurp(f, &lens[nf]);
        if (!texts[nf]) { fprintf(stderr, "writ-canvas: cannot read %s\n", f); st = EXIT_HOST; free(paths[nf]); }
    }
    for (long i = 0; i < n && !st && nf; i++) {
        int k = (int)(i % nf);
        if (!spill(paths[k], texts[k], lens[k], (i / nf) % 2 == 0)) { fprintf(stderr, "writ-canvas: cannot write %s\n", paths[k]); st = EXIT_HOST; }
        else if ((ms[i] = timed_reload(s, o)) < 0) st = EXIT_SCRIPT_COMPILE;
        else per[k * n + counts[k]++] = ms[i];
    }
    if (!st && nf) {
        char what[64];
        snprintf(what, sizeof what, "one-file reload (%d files in turn)", nf);
        report(what, ms, n);
        for (int k = 0; k < nf; k++) {
            const char *base = strrchr(paths[k], '/');
            printf("  %-16s p50 %.3f ms\n", base ? base + 1 : paths[k], live_percentile(per + k * n, (size_t)counts[k], 0, 1, 0.5));
        }
    }
    for (int k = 0; k < nf; k++) {
        if (texts[k] && !spill(paths[k], texts[k], lens[k], false)) fprintf(stderr, "writ-canvas: cannot restore %s\n", paths[k]);
        free(paths[k]);
        free(texts[k]);
    }
    free(ms);
    return st;
}

int main(int argc, char **argv) {
    CanvasOptions o;
    int st = parse_args(argc, argv, &o);
    if (st) return st;
    if (o.out && !make_dirs(o.out)) {
        fprintf(stderr, "writ-canvas: cannot create %s: %s\n", o.out, strerror(errno));
        return EXIT_HOST;
    }
    Script s;
    st = script_open(&s, &o, CANVAS_INSTRUCTION_LIMIT, o.watch);
    Live *l = st == 0 ? live_new(&s, &o) : NULL;
    if (st == 0 && !l) st = EXIT_HOST;
    if (st == 0 && o.bench_reloads) st = bench_reload(&s, &o);
    else if (st == 0) st = o.headless ? run_headless(&s, &o, l) : window_run(&s, &o, l);
    live_free(l);
    script_close(&s);
    return st;
}
