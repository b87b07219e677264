/* image.c — the Image type: PNG files loaded with Cairo, cached by path
 * (loading the same file again, e.g. every frame, costs a lookup), drawn
 * at their size or scaled.  The cache owns the images; scripts hold lent
 * handles, invalidated when the cache goes. */
#include "canvas.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdio.h>

#define METHOD(name) static writ_status name(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud)

typedef struct Image {
    int32_t width, height;           /* read by scripts (offset fields) */
    cairo_surface_t *surface;
} Image;

typedef struct CachedImage { char *path; Image *img; writ_value handle; } CachedImage;

typedef struct ImageCache {
    writ_host_type *type;
    char *base_dir;                  /* relative paths start at the script's folder */
    CachedImage *items;
    size_t n, cap;
} ImageCache;

static char *resolve(const ImageCache *ic, const char *path) {
    size_t n = strlen(path), b = ic->base_dir && path[0] != '/' ? strlen(ic->base_dir) : 0;
    char *full = malloc(b + n + 2);
    if (!full) return NULL;
    if (b) { memcpy(full, ic->base_dir, b); full[b] = '/'; memcpy(full + b + 1, path, n + 1); }
    else memcpy(full, path, n + 1);
    return full;
}

/* Image.load(path) -> Image: "cannot load image" errors name the file and why */
METHOD(s_load) {
    ImageCache *ic = ud;
    const char *path = writ_string_data(args[0], NULL);
    char *full = resolve(ic, path ? path : "");
    if (!full) return writ_fail(vm, "%s", "out of memory");
    for (size_t i = 0; i < ic->n; i++)
        if (strcmp(ic->items[i].path, full) == 0) {
            free(full);
            writ_retain(ic->items[i].handle);
            *ret = ic->items[i].handle;
            return WRIT_OK;
        }
    FILE *probe = fopen(full, "rb");
    if (!probe) {
        writ_status st = writ_fail(vm, "cannot load image '%s': %s", path, strerror(errno));
        free(full);
        return st;
    }
    fclose(probe);
    cairo_surface_t *s = cairo_image_surface_create_from_png(full);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        writ_status st = writ_fail(vm, "cannot load image '%s': %s", path, cairo_status_to_string(cairo_surface_status(s)));
        cairo_surface_destroy(s);
        free(full);
        return st;
    }
    if (ic->n == ic->cap) {
        size_t nc = ic->cap ? ic->cap * 2 : 8;
        CachedImage *ni = realloc(ic->items, nc * sizeof *ni);
        if (!ni) { cairo_surface_destroy(s); free(full); return writ_fail(vm, "%s", "out of memory"); }
        ic->items = ni;
        ic->cap = nc;
    }
    Image *img = malloc(sizeof *img);
    if (!img) { cairo_surface_destroy(s); free(full); return writ_fail(vm, "%s", "out of memory"); }
    img->width = cairo_image_surface_get_width(s);
    img->height = cairo_image_surface_get_height(s);
    img->surface = s;
    CachedImage *ci = &ic->items[ic->n++];
    ci->path = full;
    ci->img = img;
    ci->handle = writ_host_object(vm, ic->type, img, false);
    writ_retain(ci->handle);
    *ret = ci->handle;
    return WRIT_OK;
}

/* drawImage(img, x, y), drawImageScaled(img, x, y, w, h) */
static void draw_image(cairo_t *cr, Image *img, double x, double y, double w, double h) {
    if (img->width <= 0 || img->height <= 0 || w == 0 || h == 0) return;
    cairo_save(cr);
    cairo_new_path(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, w / img->width, h / img->height);
    cairo_set_source_surface(cr, img->surface, 0, 0);
    cairo_rectangle(cr, 0, 0, img->width, img->height);
    cairo_fill(cr);
    cairo_restore(cr);
}
METHOD(m_draw_image) {
    Image *img = writ_host_ptr(args[1]);
    if (!img) return writ_fail(vm, "%s", "drawImage: the image is no longer valid");
    draw_image(CANVAS(args)->cr, img, F(2), F(3), img->width, img->height);
    return WRIT_OK;
}
METHOD(m_draw_image_scaled) {
    Image *img = writ_host_ptr(args[1]);
    if (!img) return writ_fail(vm, "%s", "drawImageScaled: the image is no longer valid");
    draw_image(CANVAS(args)->cr, img, F(2), F(3), F(4), F(5));
    return WRIT_OK;
}

struct ImageCache *image_register(writ_vm *vm, CanvasTypes *types, const char *base_dir) {
    ImageCache *ic = calloc(1, sizeof *ic);
    if (!ic) return NULL;
    ic->base_dir = base_dir ? strdup(base_dir) : NULL;
    writ_host_type *t = writ_define_type(vm, "Image");
    ic->type = types->image = t;
    bool ok = t && writ_type_field(vm, t, "width", "int", WRIT_STORE_I32, offsetof(Image, width), true) == WRIT_OK &&
              writ_type_field(vm, t, "height", "int", WRIT_STORE_I32, offsetof(Image, height), true) == WRIT_OK &&
              writ_type_static(vm, t, "load", "(path: string) -> Image", s_load, ic) == WRIT_OK &&
              writ_type_method(vm, types->canvas, "drawImage", "(img: Image, x: float, y: float)", m_draw_image, NULL) == WRIT_OK &&
              writ_type_method(vm, types->canvas, "drawImageScaled", "(img: Image, x: float, y: float, w: float, h: float)",
                               m_draw_image_scaled, NULL) == WRIT_OK;
    if (!ok) { image_cache_free(vm, ic); return NULL; }
    return ic;
}

void image_cache_free(writ_vm *vm, struct ImageCache *ic) {
    if (!ic) return;
    for (size_t i = 0; i < ic->n; i++) {
        CachedImage *ci = &ic->items[i];
        writ_invalidate(vm, ci->handle);
        writ_release(vm, ci->handle);
        cairo_surface_destroy(ci->img->surface);
        free(ci->img);
        free(ci->path);
    }
    free(ic->items);
    free(ic->base_dir);
    free(ic);
}
