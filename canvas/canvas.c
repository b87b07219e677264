/* canvas.c — the Canvas host type: frame state, transforms, immediate
 * shapes (fillRect, strokeCircle, ...), path building (moveTo ... close)
 * and painting the path (fill, stroke, clip).  Every method takes scalars
 * and Color/Vector2 structs, read in place through writ_struct_floats:
 * no allocation per call.  Frame, the per-frame facts, is registered here
 * too (offset fields only). */
#include "canvas.h"
#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include <stddef.h>
#include <stdlib.h>

#define METHOD(name) static writ_status name(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud)

/* ---- frame lifetime ---- */

bool canvas_resize(Canvas *c, int w, int h) {
    if (w < 1) w = 1;
    if (h < 1) h = 1;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) { cairo_surface_destroy(s); return false; }
    if (c->cr) cairo_destroy(c->cr);
    if (c->surface) cairo_surface_destroy(c->surface);
    c->surface = s;
    c->cr = cairo_create(s);
    c->width = w;
    c->height = h;
    return true;
}

void canvas_begin_frame(Canvas *c) {
    cairo_t *cr = c->cr;
    cairo_identity_matrix(cr);
    cairo_reset_clip(cr);
    cairo_new_path(cr);
    cairo_set_line_width(cr, 1.0);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    text_reset(c->text);
}

/* Cairo's error states are sticky (one NaN in a path or matrix and nothing
 * draws again), so a broken context is replaced and the reason returned. */
const char *canvas_end_frame(Canvas *c) {
    for (; c->saves > 0; c->saves--) { cairo_restore(c->cr); text_pop(c->text); }
    cairo_status_t st = cairo_status(c->cr);
    if (st != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(c->cr);
        c->cr = cairo_create(c->surface);
    }
    cairo_surface_flush(c->surface);
    return st == CAIRO_STATUS_SUCCESS ? NULL : cairo_status_to_string(st);
}

void canvas_free(Canvas *c) {
    if (c->cr) cairo_destroy(c->cr);
    if (c->surface) cairo_surface_destroy(c->surface);
    if (c->text) text_state_free(c->text);
    c->cr = NULL;
    c->surface = NULL;
    c->text = NULL;
}

/* ---- state and transforms ---- */

METHOD(m_clear) {
    cairo_t *cr = CANVAS(args)->cr;
    cairo_save(cr);
    cairo_identity_matrix(cr);
    cairo_reset_clip(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    canvas_set_color(cr, args[1]);
    cairo_paint(cr);
    cairo_restore(cr);
    return WRIT_OK;
}
METHOD(m_save) {
    Canvas *c = CANVAS(args);
    if (c->saves >= 1000) return writ_fail(vm, "save() nested more than 1000 deep (a missing restore()?)");
    if (!text_push(c->text)) return writ_fail(vm, "%s", "out of memory");
    cairo_save(c->cr);
    c->saves++;
    return WRIT_OK;
}
METHOD(m_restore) {
    Canvas *c = CANVAS(args);
    if (c->saves == 0) return writ_fail(vm, "restore() without a matching save()");
    cairo_restore(c->cr);
    text_pop(c->text);
    c->saves--;
    return WRIT_OK;
}
METHOD(m_translate) {
    if (!isfinite(F(1)) || !isfinite(F(2))) return writ_fail(vm, "translate(%g, %g): offsets must be finite", F(1), F(2));
    cairo_translate(CANVAS(args)->cr, F(1), F(2));
    return WRIT_OK;
}
METHOD(m_rotate) {
    if (!isfinite(F(1))) return writ_fail(vm, "rotate(%g): the angle must be finite", F(1));
    cairo_rotate(CANVAS(args)->cr, F(1));
    return WRIT_OK;
}
METHOD(m_scale) {
    if (F(1) == 0 || F(2) == 0 || !isfinite(F(1)) || !isfinite(F(2)))
        return writ_fail(vm, "scale(%g, %g): factors must be finite and non-zero", F(1), F(2));
    cairo_scale(CANVAS(args)->cr, F(1), F(2));
    return WRIT_OK;
}
METHOD(m_reset_transform) { cairo_identity_matrix(CANVAS(args)->cr); return WRIT_OK; }

/* ---- path building ---- */

static void round_rect_path(cairo_t *cr, double x, double y, double w, double h, double r) {
    double m = fmin(fabs(w), fabs(h)) / 2;
    if (r > m) r = m;
    if (r <= 0) { cairo_rectangle(cr, x, y, w, h); return; }
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
    cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
    cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
    cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
}

static void ellipse_path(cairo_t *cr, double x, double y, double rx, double ry) {
    if (rx <= 0 || ry <= 0) return;
    cairo_new_sub_path(cr);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, rx, ry);
    cairo_arc(cr, 0, 0, 1, 0, 2 * M_PI);
    cairo_restore(cr);
    cairo_close_path(cr);
}

static void circle_path(cairo_t *cr, double x, double y, double r) {
    if (r <= 0) return;
    cairo_new_sub_path(cr);
    cairo_arc(cr, x, y, r, 0, 2 * M_PI);
    cairo_close_path(cr);
}

METHOD(m_begin_path) { cairo_new_path(CANVAS(args)->cr); return WRIT_OK; }
METHOD(m_move_to) { cairo_move_to(CANVAS(args)->cr, F(1), F(2)); return WRIT_OK; }
METHOD(m_line_to) { cairo_line_to(CANVAS(args)->cr, F(1), F(2)); return WRIT_OK; }
METHOD(m_curve_to) { cairo_curve_to(CANVAS(args)->cr, F(1), F(2), F(3), F(4), F(5), F(6)); return WRIT_OK; }
METHOD(m_quad_to) {        /* a quadratic Bézier as the equivalent cubic */
    cairo_t *cr = CANVAS(args)->cr;
    double x0, y0;
    if (!cairo_has_current_point(cr)) cairo_move_to(cr, F(1), F(2));
    cairo_get_current_point(cr, &x0, &y0);
    double cx = F(1), cy = F(2), x = F(3), y = F(4);
    cairo_curve_to(cr, x0 + 2.0 / 3 * (cx - x0), y0 + 2.0 / 3 * (cy - y0),
                   x + 2.0 / 3 * (cx - x), y + 2.0 / 3 * (cy - y), x, y);
    return WRIT_OK;
}
METHOD(m_arc) {
    cairo_t *cr = CANVAS(args)->cr;
    if (args[6].as.b) cairo_arc_negative(cr, F(1), F(2), F(3), F(4), F(5));
    else cairo_arc(cr, F(1), F(2), F(3), F(4), F(5));
    return WRIT_OK;
}
METHOD(m_close_path) { cairo_close_path(CANVAS(args)->cr); return WRIT_OK; }
METHOD(m_rect) { cairo_rectangle(CANVAS(args)->cr, F(1), F(2), F(3), F(4)); return WRIT_OK; }
METHOD(m_round_rect) { round_rect_path(CANVAS(args)->cr, F(1), F(2), F(3), F(4), F(5)); return WRIT_OK; }
METHOD(m_circle) { circle_path(CANVAS(args)->cr, F(1), F(2), F(3)); return WRIT_OK; }
METHOD(m_ellipse) { ellipse_path(CANVAS(args)->cr, F(1), F(2), F(3), F(4)); return WRIT_OK; }

/* ---- painting the path: fill/stroke(color, keep = false) ---- */

METHOD(m_fill) {
    cairo_t *cr = CANVAS(args)->cr;
    canvas_set_color(cr, args[1]);
    if (args[2].as.b) cairo_fill_preserve(cr); else cairo_fill(cr);
    return WRIT_OK;
}
METHOD(m_stroke) {
    cairo_t *cr = CANVAS(args)->cr;
    canvas_set_color(cr, args[1]);
    if (args[2].as.b) cairo_stroke_preserve(cr); else cairo_stroke(cr);
    return WRIT_OK;
}
METHOD(m_clip) { cairo_clip(CANVAS(args)->cr); return WRIT_OK; }
METHOD(m_clip_rect) {
    cairo_t *cr = CANVAS(args)->cr;
    cairo_new_path(cr);
    cairo_rectangle(cr, F(1), F(2), F(3), F(4));
    cairo_clip(cr);
    return WRIT_OK;
}
METHOD(m_reset_clip) { cairo_reset_clip(CANVAS(args)->cr); return WRIT_OK; }

/* ---- immediate shapes: a fresh path, painted at once ---- */

static writ_status paint_now(cairo_t *cr, writ_value color, bool fill) {
    canvas_set_color(cr, color);
    if (fill) cairo_fill(cr); else cairo_stroke(cr);
    return WRIT_OK;
}
#define SHAPE(name, fill, build, color_arg) \
    METHOD(name) { cairo_t *cr = CANVAS(args)->cr; cairo_new_path(cr); build; return paint_now(cr, args[color_arg], fill); }

SHAPE(m_fill_rect, true, cairo_rectangle(cr, F(1), F(2), F(3), F(4)), 5)
SHAPE(m_stroke_rect, false, cairo_rectangle(cr, F(1), F(2), F(3), F(4)), 5)
SHAPE(m_fill_round_rect, true, round_rect_path(cr, F(1), F(2), F(3), F(4), F(5)), 6)
SHAPE(m_stroke_round_rect, false, round_rect_path(cr, F(1), F(2), F(3), F(4), F(5)), 6)
SHAPE(m_fill_circle, true, circle_path(cr, F(1), F(2), F(3)), 4)
SHAPE(m_stroke_circle, false, circle_path(cr, F(1), F(2), F(3)), 4)
SHAPE(m_fill_ellipse, true, ellipse_path(cr, F(1), F(2), F(3), F(4)), 5)
SHAPE(m_stroke_ellipse, false, ellipse_path(cr, F(1), F(2), F(3), F(4)), 5)
SHAPE(m_line, false, (cairo_move_to(cr, F(1), F(2)), cairo_line_to(cr, F(3), F(4))), 5)

/* points: Array<Vector2>; elements are read one by one (owned, released) */
static writ_status points_path(writ_vm *vm, cairo_t *cr, writ_value points, bool close) {
    int64_t n = writ_array_len(points);
    for (int64_t i = 0; i < n; i++) {
        writ_value p;
        if (writ_array_get(vm, points, i, &p) != WRIT_OK) return writ_fail(vm, "%s", "cannot read a point");
        const double *v = writ_struct_floats(p, NULL);
        if (v) { if (i == 0) cairo_move_to(cr, v[0], v[1]); else cairo_line_to(cr, v[0], v[1]); }
        writ_release(vm, p);
    }
    if (close && n > 0) cairo_close_path(cr);
    return WRIT_OK;
}
METHOD(m_polyline) {
    cairo_t *cr = CANVAS(args)->cr;
    cairo_new_path(cr);
    if (points_path(vm, cr, args[1], args[3].as.b) != WRIT_OK) return WRIT_ERROR_RUNTIME;
    return paint_now(cr, args[2], false);
}
METHOD(m_fill_polygon) {
    cairo_t *cr = CANVAS(args)->cr;
    cairo_new_path(cr);
    if (points_path(vm, cr, args[1], true) != WRIT_OK) return WRIT_ERROR_RUNTIME;
    return paint_now(cr, args[2], true);
}
METHOD(m_poly_path) {          /* adds the points to the path (no painting) */
    return points_path(vm, CANVAS(args)->cr, args[1], args[2].as.b);
}

/* ---- registration ---- */

typedef struct MethodDef { const char *name, *sig; writ_host_fn fn; } MethodDef;

static const MethodDef methods[] = {
    {"clear", "(color: Color)", m_clear},
    {"save", "()", m_save},
    {"restore", "()", m_restore},
    {"translate", "(x: float, y: float)", m_translate},
    {"rotate", "(radians: float)", m_rotate},
    {"scale", "(sx: float, sy: float)", m_scale},
    {"resetTransform", "()", m_reset_transform},

    {"fillRect", "(x: float, y: float, w: float, h: float, color: Color)", m_fill_rect},
    {"strokeRect", "(x: float, y: float, w: float, h: float, color: Color)", m_stroke_rect},
    {"fillRoundRect", "(x: float, y: float, w: float, h: float, radius: float, color: Color)", m_fill_round_rect},
    {"strokeRoundRect", "(x: float, y: float, w: float, h: float, radius: float, color: Color)", m_stroke_round_rect},
    {"fillCircle", "(x: float, y: float, radius: float, color: Color)", m_fill_circle},
    {"strokeCircle", "(x: float, y: float, radius: float, color: Color)", m_stroke_circle},
    {"fillEllipse", "(x: float, y: float, rx: float, ry: float, color: Color)", m_fill_ellipse},
    {"strokeEllipse", "(x: float, y: float, rx: float, ry: float, color: Color)", m_stroke_ellipse},
    {"line", "(x1: float, y1: float, x2: float, y2: float, color: Color)", m_line},
    {"polyline", "(points: Array<Vector2>, color: Color, closed: bool = false)", m_polyline},
    {"fillPolygon", "(points: Array<Vector2>, color: Color)", m_fill_polygon},

    {"beginPath", "()", m_begin_path},
    {"moveTo", "(x: float, y: float)", m_move_to},
    {"lineTo", "(x: float, y: float)", m_line_to},
    {"curveTo", "(c1x: float, c1y: float, c2x: float, c2y: float, x: float, y: float)", m_curve_to},
    {"quadTo", "(cx: float, cy: float, x: float, y: float)", m_quad_to},
    {"arc", "(cx: float, cy: float, radius: float, start: float, end: float, counterclockwise: bool = false)", m_arc},
    {"closePath", "()", m_close_path},
    {"rect", "(x: float, y: float, w: float, h: float)", m_rect},
    {"roundRect", "(x: float, y: float, w: float, h: float, radius: float)", m_round_rect},
    {"circle", "(x: float, y: float, radius: float)", m_circle},
    {"ellipse", "(x: float, y: float, rx: float, ry: float)", m_ellipse},
    {"points", "(points: Array<Vector2>, closed: bool = false)", m_poly_path},
    {"fill", "(color: Color, keep: bool = false)", m_fill},
    {"stroke", "(color: Color, keep: bool = false)", m_stroke},
    {"clip", "()", m_clip},
    {"clipRect", "(x: float, y: float, w: float, h: float)", m_clip_rect},
    {"resetClip", "()", m_reset_clip},
};

bool canvas_register(writ_vm *vm, CanvasTypes *types) {
    writ_host_type *c = writ_define_type(vm, "Canvas");
    writ_host_type *f = writ_define_type(vm, "Frame");
    if (!c || !f) return false;
    types->canvas = c;
    types->frame = f;
    bool ok = writ_type_field(vm, c, "width", "int", WRIT_STORE_I32, offsetof(Canvas, width), true) == WRIT_OK &&
              writ_type_field(vm, c, "height", "int", WRIT_STORE_I32, offsetof(Canvas, height), true) == WRIT_OK;
    for (size_t i = 0; ok && i < sizeof methods / sizeof methods[0]; i++)
        ok = writ_type_method(vm, c, methods[i].name, methods[i].sig, methods[i].fn, NULL) == WRIT_OK;
    ok = ok && writ_type_field(vm, f, "width", "int", WRIT_STORE_I32, offsetof(Frame, width), true) == WRIT_OK &&
         writ_type_field(vm, f, "height", "int", WRIT_STORE_I32, offsetof(Frame, height), true) == WRIT_OK &&
         writ_type_field(vm, f, "time", "float", WRIT_STORE_F64, offsetof(Frame, time), true) == WRIT_OK &&
         writ_type_field(vm, f, "dt", "float", WRIT_STORE_F64, offsetof(Frame, dt), true) == WRIT_OK &&
         writ_type_field(vm, f, "clock", "float", WRIT_STORE_F64, offsetof(Frame, clock), true) == WRIT_OK &&
         writ_type_field(vm, f, "number", "int", WRIT_STORE_I64, offsetof(Frame, number), true) == WRIT_OK &&
         writ_type_field(vm, f, "mouse", "Vector2", WRIT_STORE_FLOATS64, offsetof(Frame, mouse), true) == WRIT_OK &&
         writ_type_field(vm, f, "mouseDown", "bool", WRIT_STORE_BOOL, offsetof(Frame, mouseDown), true) == WRIT_OK;
    return ok;
}
