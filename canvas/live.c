/* live.c — see live.h.
 *
 * One reload per frame at most: any saved file reloads the script's whole
 * load (writ_reload re-reads the script and every module it imports), so
 * saving three modules at once is one reload.  Timings: "compile" is the
 * writ_reload call; "save-to-frame" runs from the first inotify event of
 * the save (time-stamped by the watch thread) to the end of the first frame
 * drawn with the new code. */
#define _DEFAULT_SOURCE 1
#include "live.h"
#include "watch.h"
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct Live {
    Script *s;
    const CanvasOptions *o;
    Watch *watch;
    char *fault;                /* the overlay's text: a compile or runtime error; NULL: none */
    char fault_title[160];
    bool fault_runtime;         /* the fault is a runtime error (else a compile or load error) */
    long errors_seen;           /* Script.errors when the previous frame ended */
    double save_time;           /* first event of the save whose new code awaits its first frame; < 0: none */
    double compile_ms;
    double frame_ms, script_ms; /* smoothed, for the --stats overlay */
    double last_frame;          /* when the previous frame ended */
    double *times;              /* --stats: per frame, script ms and frame ms interleaved */
    size_t ntimes, captimes;
    PangoFontDescription *mono;
};

double live_now(void) { return watch_now(); }

void live_wait(Live *l, double until) {
    if (l->watch) { watch_wait(l->watch, until); return; }
    double d = until - live_now();
    if (d <= 0) return;
    struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };
    nanosleep(&ts, NULL);
}

static void set_fault(Live *l, const char *title, const char *text) {
    l->fault_runtime = false;
    free(l->fault);
    l->fault = text ? strdup(text) : NULL;
    snprintf(l->fault_title, sizeof l->fault_title, "%s", title ? title : "");
}

/* Script's runtime error hook: overlay; with --watch, draw/update wait for the next reload. */
static void on_script_error(Script *s, const char *where, const char *text, void *ud) {
    Live *l = ud;
    char title[160];
    snprintf(title, sizeof title, "runtime error in %s%s", where,
             l->watch && s->halt_on_error ? " — halted until the next reload" : "");
    set_fault(l, title, text);
    l->fault_runtime = true;
}

static void watch_loaded_files(Live *l) {
    if (!l->watch) return;
    watch_add(l->watch, l->s->path);            /* also when its first load failed */
    const char *f;
    for (size_t i = 0; (f = writ_loaded_file(l->s->vm, i)); i++) watch_add(l->watch, f);
}

Live *live_new(Script *s, const CanvasOptions *o) {
    Live *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->s = s;
    l->o = o;
    l->save_time = -1;
    l->mono = pango_font_description_from_string("DejaVu Sans Mono 11px");
    s->on_error = on_script_error;
    s->on_error_ud = l;
    if (o->watch) {
        char err[200];
        l->watch = watch_new(err, sizeof err);
        if (!l->watch) { fprintf(stderr, "writ-canvas: --watch: %s\n", err); live_free(l); return NULL; }
        s->halt_on_error = true;
        watch_loaded_files(l);
    }
    if (!s->loaded) set_fault(l, "the script did not load — fix it and save", s->load_error);
    return l;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double live_percentile(const double *v, size_t n, size_t first, size_t stride, double p) {
    size_t k = 0;
    double *xs = malloc(sizeof(double) * (n / stride + 1));
    if (!xs) return 0;
    for (size_t i = first; i < n; i += stride) xs[k++] = v[i];
    qsort(xs, k, sizeof(double), cmp_double);
    double r = k ? xs[(size_t)(p * (double)(k - 1) + 0.5)] : 0;
    free(xs);
    return r;
}

/* --stats at exit: script and frame time over the run (the first frame,
 * which compiles library preludes and warms caches, left out). */
static void print_summary(Live *l) {
    size_t n = l->ntimes / 2;
    if (n < 2) return;
    double *v = l->times + 2, total = 0;
    size_t m = (n - 1) * 2;
    for (size_t i = 0; i < m; i += 2) total += v[i];
    fprintf(stderr, "stats: %zu frames; script mean %.3f ms, p50 %.3f ms, p95 %.3f ms; frame p50 %.2f ms (%.1f fps)\n",
            n, total / (double)(n - 1), live_percentile(v, m, 0, 2, 0.5), live_percentile(v, m, 0, 2, 0.95),
            live_percentile(v, m, 1, 2, 0.5), 1000.0 / live_percentile(v, m, 1, 2, 0.5));
}

void live_free(Live *l) {
    if (!l) return;
    if (l->o->stats) print_summary(l);
    free(l->times);
    watch_free(l->watch);
    free(l->fault);
    if (l->mono) pango_font_description_free(l->mono);
    free(l);
}

/* What a reload reports: the error text, or callbacks that do not fit. */
static void after_reload(Live *l, writ_status st, double first_event) {
    Script *s = l->s;
    if (st != WRIT_OK && !s->loaded) {             /* script_load printed it */
        set_fault(l, "the script did not load — fix it and save", s->load_error);
        return;
    }
    if (st != WRIT_OK) {
        const char *text = writ_error_text(s->vm);
        fprintf(stderr, "writ-canvas: reload failed; the last good code keeps running:\n%s", text);
        set_fault(l, st == WRIT_ERROR_COMPILE ? "compile error — the last good code keeps running"
                                              : "reload failed — the last good code keeps running", text);
        return;
    }
    char why[512];
    if (!script_refresh(s, why, sizeof why)) {
        fprintf(stderr, "writ-canvas: %s", why);
        set_fault(l, "the script's callbacks do not fit", why);
        return;
    }
    set_fault(l, NULL, NULL);
    s->halted = false;                          /* a faulted draw/update gets another chance */
    l->save_time = first_event;
    watch_loaded_files(l);                      /* modules the edit imported */
}

void live_before_frame(Live *l) {
    if (!l->watch) return;
    WatchChange ch[32];
    size_t n = watch_take(l->watch, ch, sizeof ch / sizeof ch[0]);
    if (!n) return;
    double first = ch[0].first_event;
    for (size_t i = 1; i < n; i++) if (ch[i].first_event < first) first = ch[i].first_event;
    Script *s = l->s;
    double t0 = live_now();
    writ_status st = s->loaded ? writ_reload(s->vm, s->path, NULL) : script_load(s);
    l->compile_ms = (live_now() - t0) * 1e3;
    after_reload(l, st, first);
}

/* The fault as a box of monospace text along the bottom edge, growing
 * upward as far as the canvas allows (the title and message come first). */
static void draw_fault(Live *l, cairo_t *cr, int w, int h) {
    PangoLayout *lay = pango_cairo_create_layout(cr);
    pango_layout_set_font_description(lay, l->mono);
    pango_layout_set_width(lay, (w - 32) * PANGO_SCALE);
    pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
    char *text = malloc(strlen(l->fault_title) + strlen(l->fault) + 3);
    if (!text) { g_object_unref(lay); return; }
    sprintf(text, "%s\n\n%s", l->fault_title, l->fault);
    size_t len = strlen(text);
    while (len && text[len - 1] == '\n') text[--len] = 0;
    pango_layout_set_text(lay, text, -1);
    free(text);
    int tw, th;
    pango_layout_get_pixel_size(lay, &tw, &th);
    double box = th + 24 > h ? h : th + 24;
    cairo_save(cr);
    cairo_identity_matrix(cr);
    cairo_reset_clip(cr);
    cairo_rectangle(cr, 0, h - box, w, box);
    cairo_set_source_rgba(cr, 0.16, 0.02, 0.03, 0.92);
    cairo_fill(cr);
    cairo_rectangle(cr, 0, h - box, w, 3);
    cairo_set_source_rgb(cr, 0.94, 0.33, 0.31);
    cairo_fill(cr);
    cairo_move_to(cr, 16, h - box + 12);
    cairo_set_source_rgb(cr, 1.0, 0.9, 0.9);
    pango_cairo_show_layout(cr, lay);
    cairo_restore(cr);
    g_object_unref(lay);
}

static void draw_stats(Live *l, cairo_t *cr, int w) {
    char line[160];
    snprintf(line, sizeof line, "frame %.2f ms · script %.2f ms%s", l->frame_ms, l->script_ms, "");
    if (l->compile_ms > 0)
        snprintf(line + strlen(line), sizeof line - strlen(line), " · reload %.2f ms", l->compile_ms);
    PangoLayout *lay = pango_cairo_create_layout(cr);
    pango_layout_set_font_description(lay, l->mono);
    pango_layout_set_text(lay, line, -1);
    int tw, th;
    pango_layout_get_pixel_size(lay, &tw, &th);
    cairo_save(cr);
    cairo_identity_matrix(cr);
    cairo_reset_clip(cr);
    cairo_rectangle(cr, w - tw - 16, 0, tw + 16, th + 8);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.6);
    cairo_fill(cr);
    cairo_move_to(cr, w - tw - 8, 4);
    cairo_set_source_rgb(cr, 0.85, 1.0, 0.85);
    pango_cairo_show_layout(cr, lay);
    cairo_restore(cr);
    g_object_unref(lay);
}

void live_after_frame(Live *l, double script_ms) {
    Canvas *c = &l->s->canvas;
    double now = live_now();
    double frame_ms = l->last_frame > 0 ? (now - l->last_frame) * 1e3 : script_ms;
    l->last_frame = now;
    /* smoothed over about 30 frames, the first frame taken as it is */
    double k = l->frame_ms == 0 ? 1.0 : 1.0 / 30;
    l->frame_ms += (frame_ms - l->frame_ms) * k;
    if (l->o->stats) {
        if (l->ntimes + 2 > l->captimes) {
            size_t cap = l->captimes ? l->captimes * 2 : 512;
            double *t = realloc(l->times, cap * sizeof *t);
            if (t) { l->times = t; l->captimes = cap; }
        }
        if (l->ntimes + 2 <= l->captimes) { l->times[l->ntimes++] = script_ms; l->times[l->ntimes++] = frame_ms; }
    }
    l->script_ms += (script_ms - l->script_ms) * k;
    /* without --watch nothing is halted: a frame without errors clears a runtime fault */
    if (!l->watch && l->fault_runtime && l->s->errors == l->errors_seen) set_fault(l, NULL, NULL);
    l->errors_seen = l->s->errors;
    if (l->fault) draw_fault(l, c->cr, c->width, c->height);
    if (l->o->stats) draw_stats(l, c->cr, c->width);
    cairo_surface_flush(c->surface);
    fflush(stdout);                 /* print() output per frame, also into a pipe or file */
    if (l->save_time >= 0) {
        if (l->o->stats)
            fprintf(stderr, "reload: compile %.2f ms, save-to-frame %.1f ms\n", l->compile_ms,
                    (live_now() - l->save_time) * 1e3);
        l->save_time = -1;
    }
}
