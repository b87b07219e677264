/* script.h — the script side of writ-canvas: one VM, the Canvas and Frame
 * it draws with, and the callbacks it defines (script.c). */
#ifndef WRIT_CANVAS_SCRIPT_H
#define WRIT_CANVAS_SCRIPT_H

#include "canvas.h"

/* Exit statuses, as `writ run` uses them. */
enum { EXIT_SCRIPT_COMPILE = 65, EXIT_SCRIPT_RUNTIME = 70, EXIT_HOST = 1 };

/* Default per-entry instruction budget: an endless loop in draw becomes a
 * runtime error after about this many instructions, and the host goes on. */
#define CANVAS_INSTRUCTION_LIMIT 200000000ULL

/* The options of a run (the command line, main.c). */
typedef struct CanvasOptions {
    int width, height;
    double fps;
    bool headless, watch, stats;
    bool demo_data;              /* sampleSystem() from deterministic curves, not /proc */
    long frames;                 /* 0: no limit */
    long bench_reloads;          /* --bench-reload N (main.c) */
    const char *out;             /* NULL: no PNG output */
    const char *script;
} CanvasOptions;

typedef struct Script Script;
typedef struct SystemHost SystemHost;
/* Called for every runtime error of a callback (after the host's own
 * printing, which repeats of the same message skip). */
typedef void (*script_error_fn)(Script *s, const char *where, const char *text, void *ud);

struct Script {
    writ_vm *vm;
    const char *path;
    CanvasTypes types;
    struct ImageCache *images;
    Canvas canvas;
    Frame frame;
    writ_value canvas_v, frame_v;    /* lent handles of canvas and frame */
    writ_fn *draw, *update, *on_key, *on_mouse, *on_resize;
    /* errors: the last one (for an overlay), and how often it repeated */
    char *last_error;
    long error_repeats;
    long errors;                     /* runtime errors of callbacks so far */
    script_error_fn on_error;
    void *on_error_ud;
    SystemHost *system;              /* System and sampleSystem() (system.c) */
    bool fixed_clock;                /* Frame.clock from frame time (headless), not the wall clock */
    bool loaded;                     /* the script compiled and ran its top level */
    char *load_error;                /* why the last script_load failed */
    bool halt_on_error;              /* live coding: a failing draw/update waits for the next reload */
    bool halted;                     /* ... and is waiting now */
};

/* Creates the VM, registers the types, loads path and finds the callbacks.
 * Returns 0, or an exit status after printing why.  keep: a script that
 * does not compile or run still leaves the VM open (s->loaded false) for a
 * later script_load (--watch). */
int script_open(Script *s, const CanvasOptions *o, uint64_t instruction_limit, bool keep);
/* Loads s->path (after a failed first load) and finds the callbacks. */
writ_status script_load(Script *s);
/* After a hot reload: finds the callbacks again (they may have been added,
 * removed or retyped); false with the reason in why. */
bool script_refresh(Script *s, char *why, size_t n);
/* One frame: coroutines tick by dt, update(dt), then draw(c, f) into the
 * canvas.  Runtime errors are reported and the host goes on. */
void script_frame(Script *s, double dt);
void script_key(Script *s, const char *key);
void script_mouse_move(Script *s, double x, double y);
void script_mouse_button(Script *s, double x, double y, int button, bool down);
/* The drawing surface follows the window: new size, then onResize(w, h). */
bool script_resize(Script *s, int width, int height);
void script_close(Script *s);

/* system.c: the System type and sampleSystem() for dashboards. */
SystemHost *system_register(writ_vm *vm, const Frame *frame, bool demo);
void system_free(writ_vm *vm, SystemHost *h);

/* main.c: writes the canvas (or any image surface) as DIR/frame-NNNNN.png */
bool write_frame_png(cairo_surface_t *surface, const char *dir, int64_t number);

#endif
