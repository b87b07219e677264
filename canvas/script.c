/* script.c — the VM of writ-canvas: registers Canvas, Frame, Gradient and
 * Image, loads the script, resolves its callbacks once (checking their
 * signatures), calls them by handle every frame, and reports runtime
 * errors without stopping the host. */
#define _DEFAULT_SOURCE 1
#include "script.h"
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A callback the script may define, with the one signature it must have. */
typedef struct Callback { const char *name, *type, *decl; size_t slot; bool required; } Callback;

static const Callback callbacks[] = {
    {"draw", "(Canvas, Frame) -> void", "func draw(c: Canvas, f: Frame)", offsetof(Script, draw), true},
    {"update", "(float) -> void", "func update(dt: float)", offsetof(Script, update), false},
    {"onKey", "(string) -> void", "func onKey(key: string)", offsetof(Script, on_key), false},
    {"onMouse", "(float, float, int) -> void", "func onMouse(x: float, y: float, button: int)", offsetof(Script, on_mouse), false},
    {"onResize", "(int, int) -> void", "func onResize(w: int, h: int)", offsetof(Script, on_resize), false},
};

/* Resolves every callback and checks its signature; false with the reason in why. */
static bool find_callbacks(Script *s, char *why, size_t n) {
    for (size_t i = 0; i < sizeof callbacks / sizeof callbacks[0]; i++) {
        const Callback *cb = &callbacks[i];
        writ_fn **slot = (writ_fn **)((char *)s + cb->slot);
        if (*slot) { writ_fn_free(s->vm, *slot); *slot = NULL; }
        if (writ_function(s->vm, s->path, cb->name, slot) != WRIT_OK) {
            *slot = NULL;
            if (!cb->required) continue;
            snprintf(why, n, "error: %s defines no '%s' function\n  help: add `%s { ... }`; it is called every frame\n",
                     s->path, cb->name, cb->decl);
            return false;
        }
        const writ_type *have = writ_fn_type(s->vm, *slot), *want = writ_type_of(s->vm, cb->type);
        if (have != want) {
            snprintf(why, n, "error: '%s' in %s has the wrong signature %s\n  help: declare it as `%s`\n",
                     cb->name, s->path, have ? writ_type_name(have) : "?", cb->decl);
            writ_fn_free(s->vm, *slot);
            *slot = NULL;
            return false;
        }
    }
    return true;
}

bool script_refresh(Script *s, char *why, size_t n) {
    return find_callbacks(s, why, n);
}

static bool register_all(Script *s, const char *base_dir) {
    writ_vm *vm = s->vm;
    if (!canvas_register(vm, &s->types) || !paint_register(vm, &s->types) || !text_register(vm, &s->types)) return false;
    s->images = image_register(vm, &s->types, base_dir);
    if (!s->images) return false;
    s->canvas.vector2 = writ_type_of(vm, "Vector2");
    s->canvas.rectangle = writ_type_of(vm, "Rectangle");
    s->canvas_v = writ_host_object(vm, s->types.canvas, &s->canvas, false);
    s->frame_v = writ_host_object(vm, s->types.frame, &s->frame, false);
    return s->canvas.vector2 && s->canvas.rectangle;
}

int script_open(Script *s, const CanvasOptions *o, uint64_t instruction_limit, bool keep) {
    memset(s, 0, sizeof *s);
    const char *path = o->script;
    int width = o->width, height = o->height;
    s->path = path;
    s->fixed_clock = o->headless;
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.instruction_limit = instruction_limit;
    cfg.seed_random = o->headless;         /* headless runs are reproducible: fixed dt, clock and seed */
    cfg.random_seed = 1;
    char *home = strdup(path);             /* io paths (readFile("feed.json")) are the script's neighbours */
    cfg.root_dir = home ? dirname(home) : NULL;
    s->vm = writ_vm_new(&cfg);
    free(home);
    if (!s->vm) { fprintf(stderr, "writ-canvas: out of memory\n"); return EXIT_HOST; }
    writ_enable_module(s->vm, "*", true);             /* a development tool: like `writ run` */
    s->canvas.text = text_state_new();
    if (!s->canvas.text || !canvas_resize(&s->canvas, width, height)) {
        fprintf(stderr, "writ-canvas: cannot create a %dx%d drawing surface\n", width, height);
        return EXIT_HOST;
    }
    s->frame.width = s->canvas.width;
    s->frame.height = s->canvas.height;
    char *copy = strdup(path);
    bool ok = copy && register_all(s, dirname(copy)) && (s->system = system_register(s->vm, &s->frame, o->demo_data));
    free(copy);
    if (!ok) {
        fprintf(stderr, "writ-canvas: registering the Canvas types failed: %s", writ_error_text(s->vm));
        return EXIT_HOST;
    }
    writ_status st = script_load(s);
    if (st == WRIT_OK || keep) return 0;
    return st == WRIT_ERROR_COMPILE ? EXIT_SCRIPT_COMPILE : st == WRIT_ERROR_IO ? EXIT_HOST : EXIT_SCRIPT_RUNTIME;
}

writ_status script_load(Script *s) {
    writ_status st = writ_load_file(s->vm, s->path);
    char why[512];
    if (st == WRIT_OK && !find_callbacks(s, why, sizeof why)) st = WRIT_ERROR_COMPILE;
    else snprintf(why, sizeof why, "%s", writ_error_text(s->vm));
    free(s->load_error);
    s->load_error = NULL;
    if (st != WRIT_OK) {
        fputs(why, stderr);
        s->load_error = strdup(why);
        return st;
    }
    s->loaded = true;
    return WRIT_OK;
}

/* Seconds since local midnight, for Frame.clock. */
static double local_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    return tm.tm_hour * 3600.0 + tm.tm_min * 60.0 + tm.tm_sec + ts.tv_nsec * 1e-9;
}

/* A failed callback: printed unless it repeats the last error verbatim. */
static void report_text(Script *s, const char *where, const char *text) {
    s->errors++;
    if (s->last_error && strcmp(s->last_error, text) == 0) {
        s->error_repeats++;
    } else {
        if (s->error_repeats) fprintf(stderr, "(the previous error repeated %ld more times)\n", s->error_repeats);
        fprintf(stderr, "writ-canvas: %s failed in frame %lld (the host keeps running):\n%s", where,
                (long long)s->frame.number, text);
        free(s->last_error);
        s->last_error = strdup(text);
        s->error_repeats = 0;
    }
    if (s->on_error) s->on_error(s, where, text, s->on_error_ud);
}

static void report(Script *s, const char *where) { report_text(s, where, writ_error_text(s->vm)); }

static bool call(Script *s, writ_fn *fn, const char *where, const writ_value *args, int n) {
    if (!fn || writ_call(s->vm, fn, args, n, NULL) == WRIT_OK) return true;
    report(s, where);
    return false;
}

void script_frame(Script *s, double dt) {
    Frame *f = &s->frame;
    f->number++;
    f->dt = dt;
    f->time += dt;
    f->width = s->canvas.width;
    f->height = s->canvas.height;
    f->clock = s->fixed_clock ? HEADLESS_CLOCK + f->time : local_clock();
    if (writ_tick(s->vm, dt) != WRIT_OK) report(s, "a coroutine");
    if (s->halted) return;                  /* the last frame stays, under the error overlay */
    writ_value a = writ_float(dt);
    bool ok = call(s, s->update, "update()", &a, 1);
    canvas_begin_frame(&s->canvas);
    writ_value args[2] = { s->canvas_v, s->frame_v };
    ok = call(s, s->draw, "draw()", args, 2) && ok;
    const char *broken = canvas_end_frame(&s->canvas);
    if (broken) {
        char text[300];
        snprintf(text, sizeof text, "error: the canvas stopped drawing (Cairo: %s); "
                 "its state was reset for the next frame\n", broken);
        report_text(s, "draw()", text);
        ok = false;
    }
    if (!ok && s->halt_on_error) s->halted = true;
}

void script_key(Script *s, const char *key) {
    if (!s->on_key) return;
    writ_value k = writ_string(s->vm, key, strlen(key));
    call(s, s->on_key, "onKey()", &k, 1);
    writ_release(s->vm, k);
}

void script_mouse_move(Script *s, double x, double y) {
    s->frame.mouse[0] = x;
    s->frame.mouse[1] = y;
}

void script_mouse_button(Script *s, double x, double y, int button, bool down) {
    script_mouse_move(s, x, y);
    s->frame.mouseDown = down;
    if (!down) return;
    writ_value a[3] = { writ_float(x), writ_float(y), writ_int(button) };
    call(s, s->on_mouse, "onMouse()", a, 3);
}

bool script_resize(Script *s, int width, int height) {
    if (width == s->canvas.width && height == s->canvas.height) return true;
    if (!canvas_resize(&s->canvas, width, height)) return false;
    writ_value a[2] = { writ_int(s->canvas.width), writ_int(s->canvas.height) };
    call(s, s->on_resize, "onResize()", a, 2);
    return true;
}

void script_close(Script *s) {
    if (s->vm) {
        if (s->error_repeats) fprintf(stderr, "(the previous error repeated %ld more times)\n", s->error_repeats);
        writ_cancel_all(s->vm);
        if (s->canvas_v.kind == WRIT_HOST) { writ_invalidate(s->vm, s->canvas_v); writ_release(s->vm, s->canvas_v); }
        if (s->frame_v.kind == WRIT_HOST) { writ_invalidate(s->vm, s->frame_v); writ_release(s->vm, s->frame_v); }
        image_cache_free(s->vm, s->images);
        system_free(s->vm, s->system);
        writ_vm_free(s->vm);      /* frees the function handles too */
    }
    canvas_free(&s->canvas);
    free(s->last_error);
    free(s->load_error);
    memset(s, 0, sizeof *s);
}
