/* window.c — the windowed loop: an SDL window whose renderer shows the
 * Cairo image surface through a streaming texture (ARGB8888 is Cairo's
 * premultiplied ARGB32 on little- and big-endian alike), with vsync when
 * the driver offers it and a sleep to the frame rate otherwise.  Events go
 * to the script: keys, mouse buttons and motion, resizes.  With --out each
 * frame is read back from the window's renderer (what was on screen). */
#include "window.h"
#include "live.h"
#include <SDL.h>
#include <stdio.h>
#include <string.h>

typedef struct Window {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int tex_w, tex_h;
} Window;

static bool window_open(Window *w, const CanvasOptions *o) {
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "writ-canvas: cannot open a window: %s\n  help: use --headless to draw without a display\n", SDL_GetError());
        return false;
    }
    /* without a display SDL falls back to an invisible "offscreen" or "dummy" window: a run
     * that shows nothing and never ends; refuse unless asked for by SDL_VIDEODRIVER */
    const char *drv = SDL_GetCurrentVideoDriver(), *asked = SDL_getenv("SDL_VIDEODRIVER");
    if (drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy")) && !(asked && *asked)) {
        fprintf(stderr, "writ-canvas: no display to open a window on (SDL found only its '%s' driver)\n"
                        "  help: use --headless to draw without a display\n", drv);
        return false;
    }
    w->win = SDL_CreateWindow(o->script, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, o->width, o->height,
                              SDL_WINDOW_RESIZABLE);
    if (w->win) w->ren = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_PRESENTVSYNC);
    if (w->win && !w->ren) w->ren = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_SOFTWARE);
    if (!w->win || !w->ren) {
        fprintf(stderr, "writ-canvas: cannot open a window: %s\n", SDL_GetError());
        return false;
    }
    return true;
}

static void window_close(Window *w) {
    if (w->tex) SDL_DestroyTexture(w->tex);
    if (w->ren) SDL_DestroyRenderer(w->ren);
    if (w->win) SDL_DestroyWindow(w->win);
    SDL_Quit();
}

/* Copies the canvas into the texture (recreated when the size changed). */
static bool upload(Window *w, Canvas *c) {
    if (!w->tex || w->tex_w != c->width || w->tex_h != c->height) {
        if (w->tex) SDL_DestroyTexture(w->tex);
        w->tex = SDL_CreateTexture(w->ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING, c->width, c->height);
        if (!w->tex) { fprintf(stderr, "writ-canvas: %s\n", SDL_GetError()); return false; }
        w->tex_w = c->width;
        w->tex_h = c->height;
    }
    SDL_UpdateTexture(w->tex, NULL, cairo_image_surface_get_data(c->surface), cairo_image_surface_get_stride(c->surface));
    SDL_RenderClear(w->ren);
    SDL_RenderCopy(w->ren, w->tex, NULL, NULL);
    return true;
}

/* The window's pixels (before presenting) as DIR/frame-N.png. */
static bool screenshot(Window *w, const char *dir, int64_t number) {
    int ww, wh;
    if (SDL_GetRendererOutputSize(w->ren, &ww, &wh) != 0) return false;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, ww, wh);
    cairo_surface_flush(s);
    bool ok = SDL_RenderReadPixels(w->ren, NULL, SDL_PIXELFORMAT_ARGB8888, cairo_image_surface_get_data(s),
                                   cairo_image_surface_get_stride(s)) == 0;
    if (!ok) fprintf(stderr, "writ-canvas: cannot read the window back: %s\n", SDL_GetError());
    cairo_surface_mark_dirty(s);
    ok = ok && write_frame_png(s, dir, number);
    cairo_surface_destroy(s);
    return ok;
}

/* Events since the last frame; false when the window was closed. */
static bool pump(Script *s) {
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        switch (e.type) {
        case SDL_QUIT: return false;
        case SDL_KEYDOWN: script_key(s, SDL_GetKeyName(e.key.keysym.sym)); break;
        case SDL_MOUSEMOTION: script_mouse_move(s, e.motion.x, e.motion.y); break;
        case SDL_MOUSEBUTTONDOWN: case SDL_MOUSEBUTTONUP:
            script_mouse_button(s, e.button.x, e.button.y, e.button.button, e.type == SDL_MOUSEBUTTONDOWN);
            break;
        case SDL_WINDOWEVENT:
            if (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED && !script_resize(s, e.window.data1, e.window.data2))
                fprintf(stderr, "writ-canvas: cannot resize the canvas to %dx%d\n", e.window.data1, e.window.data2);
            break;
        default: break;
        }
    }
    return true;
}

int window_run(Script *s, const CanvasOptions *o, Live *l) {
    Window w = {0};
    if (!window_open(&w, o)) { window_close(&w); return EXIT_HOST; }
    int status = 0;
    const uint64_t freq = SDL_GetPerformanceFrequency();
    const double frame_time = 1.0 / o->fps;
    uint64_t last = SDL_GetPerformanceCounter();
    double dt = frame_time;                      /* the first frame: one nominal frame */
    for (long n = 0; !o->frames || n < o->frames; n++) {
        if (!pump(s)) break;
        live_before_frame(l);
        double t1 = live_now();
        script_frame(s, dt);
        double t2 = live_now();
        live_after_frame(l, (t2 - t1) * 1e3);
        if (!upload(&w, &s->canvas)) { status = EXIT_HOST; break; }
        if (o->out && !screenshot(&w, o->out, s->frame.number)) { status = EXIT_HOST; break; }
        SDL_RenderPresent(w.ren);
        double spent = (double)(SDL_GetPerformanceCounter() - last) / (double)freq;
        if (spent < frame_time) live_wait(l, live_now() + frame_time - spent);   /* no vsync, or a faster display; a save wakes it */
        uint64_t now = SDL_GetPerformanceCounter();
        dt = (double)(now - last) / (double)freq;
        if (dt > 0.25) dt = 0.25;                /* after a stall (a breakpoint, a dragged window) */
        last = now;
    }
    window_close(&w);
    return status;
}
