/* canvas.h — writ-canvas, a live-coding drawing host built on the public
 * embedding API (include/writ.h) only.  A script draws with a Canvas host
 * type (Cairo + Pango) every frame; the host runs the frame loop in an SDL
 * window or headless into an offscreen image (docs/canvas.md).
 *
 *   main.c    command line, frame loop, PNG output
 *   window.c  the SDL window: events, presenting, reading the window back
 *   script.c  the VM: loading, callbacks (draw/update/onKey/...), errors
 *   canvas.c  the Canvas type: state, shapes, paths, paint, transforms
 *   paint.c   the Gradient type and stroke style (caps, joins, dashes)
 *   text.c    fonts, text and measuring (Pango)
 *   image.c   the Image type: PNG loading with a cache
 *   imgdiff.c golden-image comparison tool for the tests (not linked in) */
#ifndef WRIT_CANVAS_H
#define WRIT_CANVAS_H

#include <writ.h>
#include <cairo.h>
#include <stdbool.h>
#include <stdint.h>

/* The drawing target a script sees as `Canvas`.  width/height are read by
 * scripts directly (offset fields). */
typedef struct Canvas {
    int32_t width, height;
    cairo_surface_t *surface;        /* an image surface the frame is drawn into */
    cairo_t *cr;
    struct TextState *text;          /* text.c */
    const writ_type *vector2, *rectangle;   /* results of measureText, textBounds */
    int saves;                       /* save() depth this frame */
} Canvas;

/* Frame.clock of the first headless frame: 10:08:30, so screenshots of
 * clocks are reproducible (and show the watchmakers' favourite time). */
#define HEADLESS_CLOCK (10 * 3600.0 + 8 * 60.0 + 30.0)

/* Per-frame facts a script sees as `Frame` (read-only offset fields). */
typedef struct Frame {
    int32_t width, height;
    double time, dt;                 /* seconds since start, since the last frame */
    double clock;                    /* local time of day in seconds (headless: from HEADLESS_CLOCK) */
    int64_t number;                  /* 1 for the first frame */
    double mouse[2];                 /* Vector2 */
    bool mouseDown;
} Frame;

/* Host types and their registration (before the script is compiled). */
typedef struct CanvasTypes {
    writ_host_type *canvas, *frame, *gradient, *image;
} CanvasTypes;

bool canvas_register(writ_vm *vm, CanvasTypes *types);       /* canvas.c: Canvas and Frame */
bool paint_register(writ_vm *vm, CanvasTypes *types);        /* paint.c: Gradient, stroke style */
bool text_register(writ_vm *vm, CanvasTypes *types);         /* text.c */
/* image.c: Image and drawImage; the cache it returns owns the images */
struct ImageCache *image_register(writ_vm *vm, CanvasTypes *types, const char *base_dir);
void image_cache_free(writ_vm *vm, struct ImageCache *cache);

/* (Re)creates the surface for w x h; false when Cairo fails. */
bool canvas_resize(Canvas *c, int w, int h);
/* Starts a frame: identity transform, default state, empty path. */
void canvas_begin_frame(Canvas *c);
/* Ends a frame: unbalanced save()s are popped so the next frame starts
 * clean; a Cairo context in an error state (a NaN coordinate, ...) is
 * replaced, and its error text returned (else NULL). */
const char *canvas_end_frame(Canvas *c);
void canvas_free(Canvas *c);
void text_state_free(struct TextState *t);
struct TextState *text_state_new(void);
void text_reset(struct TextState *t);
bool text_push(struct TextState *t);     /* save(): the font and text anchor */
void text_pop(struct TextState *t);      /* restore() */

/* Color argument of a host method: a borrowed view of its r, g, b, a. */
static inline void canvas_set_color(cairo_t *cr, writ_value color) {
    const double *k = writ_struct_floats(color, NULL);
    if (k) cairo_set_source_rgba(cr, k[0], k[1], k[2], k[3]);
}

/* The method receiver and a float argument. */
#define CANVAS(args) ((Canvas *)writ_host_ptr((args)[0]))
#define F(i) (args[i].as.f)

#endif
