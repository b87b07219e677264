/* imgdiff.c — compares two PNG files pixel by pixel for the golden-image
 * tests (tests/canvas/run): a pixel differs when one of its channels
 * differs by more than the tolerance; the images match when at most
 * max-bad of the pixels differ (antialiasing and font hinting vary a
 * little between Cairo/FreeType builds).  Reads PNGs with Cairo.
 *
 *   canvas-imgdiff [--tolerance T] [--max-bad FRACTION] [--diff OUT.png] EXPECTED ACTUAL
 * exit 0: match, 1: differ, 2: usage or unreadable file */
#include <cairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The PNG as ARGB32 (whatever format it was stored in), or NULL. */
static cairo_surface_t *load(const char *path) {
    cairo_surface_t *png = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(png) != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "canvas-imgdiff: cannot read %s: %s\n", path, cairo_status_to_string(cairo_surface_status(png)));
        cairo_surface_destroy(png);
        return NULL;
    }
    int w = cairo_image_surface_get_width(png), h = cairo_image_surface_get_height(png);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(s);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_set_source_surface(cr, png, 0, 0);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_destroy(png);
    cairo_surface_flush(s);
    return s;
}

int main(int argc, char **argv) {
    int tol = 16;
    double max_bad = 0.002;
    const char *diff_out = NULL, *files[2] = {0};
    int nf = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--tolerance") && i + 1 < argc) tol = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--max-bad") && i + 1 < argc) max_bad = atof(argv[++i]);
        else if (!strcmp(argv[i], "--diff") && i + 1 < argc) diff_out = argv[++i];
        else if (nf < 2 && argv[i][0] != '-') files[nf++] = argv[i];
        else { nf = 0; break; }
    }
    if (nf != 2) {
        fprintf(stderr, "usage: canvas-imgdiff [--tolerance T] [--max-bad FRACTION] [--diff OUT.png] EXPECTED ACTUAL\n");
        return 2;
    }
    cairo_surface_t *a = load(files[0]), *b = load(files[1]);
    if (!a || !b) { if (a) cairo_surface_destroy(a); if (b) cairo_surface_destroy(b); return 2; }
    int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
    if (w != cairo_image_surface_get_width(b) || h != cairo_image_surface_get_height(b)) {
        printf("size differs: %dx%d expected, %dx%d actual\n", w, h, cairo_image_surface_get_width(b), cairo_image_surface_get_height(b));
        cairo_surface_destroy(a);
        cairo_surface_destroy(b);
        return 1;
    }
    cairo_surface_t *d = diff_out ? cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h) : NULL;
    const unsigned char *pa = cairo_image_surface_get_data(a), *pb = cairo_image_surface_get_data(b);
    int sa = cairo_image_surface_get_stride(a), sb = cairo_image_surface_get_stride(b);
    long bad = 0;
    int worst = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t u, v;
            memcpy(&u, pa + y * sa + 4 * x, 4);
            memcpy(&v, pb + y * sb + 4 * x, 4);
            int m = 0;
            for (int k = 0; k < 32; k += 8) {
                int e = abs((int)(u >> k & 255) - (int)(v >> k & 255));
                if (e > m) m = e;
            }
            if (m > worst) worst = m;
            if (m > tol) bad++;
            if (d) {             /* differing pixels red, matching ones a faint copy */
                uint32_t out = m > tol ? 0xffff0000u : 0xff000000u | ((v >> 2) & 0x3f3f3f);
                memcpy(cairo_image_surface_get_data(d) + y * cairo_image_surface_get_stride(d) + 4 * x, &out, 4);
            }
        }
    if (d) { cairo_surface_mark_dirty(d); cairo_surface_write_to_png(d, diff_out); cairo_surface_destroy(d); }
    long allowed = (long)(max_bad * w * h);
    int match = bad <= allowed;
    printf("%s: %ld of %ld pixels differ by more than %d (allowed %ld), largest channel difference %d\n",
           match ? "match" : "DIFFER", bad, (long)w * h, tol, allowed, worst);
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    return match ? 0 : 1;
}
