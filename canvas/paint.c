/* paint.c — stroke style (width, caps, joins, dashes) and the Gradient
 * type: linear and radial Cairo patterns with color stops, painted over
 * the current path or a rectangle. */
#include "canvas.h"
#include <stdlib.h>
#include <string.h>

#define METHOD(name) static writ_status name(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud)

/* ---- stroke style ---- */

METHOD(m_line_width) {
    if (!(F(1) >= 0)) return writ_fail(vm, "setLineWidth(%g): the width must be >= 0", F(1));
    cairo_set_line_width(CANVAS(args)->cr, F(1));
    return WRIT_OK;
}

/* One of the names, or -1. */
static int pick(writ_value s, const char *const *names) {
    const char *t = writ_string_data(s, NULL);
    for (int i = 0; t && names[i]; i++) if (strcmp(t, names[i]) == 0) return i;
    return -1;
}

METHOD(m_line_cap) {
    static const char *const names[] = {"butt", "round", "square", NULL};
    static const cairo_line_cap_t caps[] = {CAIRO_LINE_CAP_BUTT, CAIRO_LINE_CAP_ROUND, CAIRO_LINE_CAP_SQUARE};
    int k = pick(args[1], names);
    if (k < 0) return writ_fail(vm, "setLineCap(\"%s\"): expected \"butt\", \"round\" or \"square\"", writ_string_data(args[1], NULL));
    cairo_set_line_cap(CANVAS(args)->cr, caps[k]);
    return WRIT_OK;
}

METHOD(m_line_join) {
    static const char *const names[] = {"miter", "round", "bevel", NULL};
    static const cairo_line_join_t joins[] = {CAIRO_LINE_JOIN_MITER, CAIRO_LINE_JOIN_ROUND, CAIRO_LINE_JOIN_BEVEL};
    int k = pick(args[1], names);
    if (k < 0) return writ_fail(vm, "setLineJoin(\"%s\"): expected \"miter\", \"round\" or \"bevel\"", writ_string_data(args[1], NULL));
    cairo_set_line_join(CANVAS(args)->cr, joins[k]);
    return WRIT_OK;
}

METHOD(m_fill_rule) {
    static const char *const names[] = {"nonzero", "evenodd", NULL};
    int k = pick(args[1], names);
    if (k < 0) return writ_fail(vm, "setFillRule(\"%s\"): expected \"nonzero\" or \"evenodd\"", writ_string_data(args[1], NULL));
    cairo_set_fill_rule(CANVAS(args)->cr, k ? CAIRO_FILL_RULE_EVEN_ODD : CAIRO_FILL_RULE_WINDING);
    return WRIT_OK;
}

/* setDash(pattern: Array<float>, offset = 0.0); an empty pattern is solid */
METHOD(m_dash) {
    int64_t n = writ_array_len(args[1]);
    double d[64];
    if (n > 64) return writ_fail(vm, "setDash: at most 64 dash lengths (got %lld)", (long long)n);
    double total = 0;
    for (int64_t i = 0; i < n; i++) {
        writ_value v;
        writ_array_get(vm, args[1], i, &v);
        d[i] = v.as.f;
        if (!(d[i] >= 0)) return writ_fail(vm, "setDash: dash lengths must be >= 0 (got %g)", d[i]);
        total += d[i];
    }
    if (n > 0 && total <= 0) return writ_fail(vm, "setDash: the dash lengths are all 0");
    cairo_set_dash(CANVAS(args)->cr, d, (int)n, F(2));
    return WRIT_OK;
}

/* ---- gradients ---- */

typedef struct Gradient { cairo_pattern_t *pattern; } Gradient;

static void gradient_free(void *obj, void *ud) {
    (void)ud;
    Gradient *g = obj;
    cairo_pattern_destroy(g->pattern);
    free(g);
}

/* type: the Gradient host type (the statics' ud) */
static writ_status new_gradient(writ_vm *vm, writ_host_type *type, cairo_pattern_t *p, writ_value *ret) {
    Gradient *g = malloc(sizeof *g);
    if (!g || cairo_pattern_status(p) != CAIRO_STATUS_SUCCESS) {
        free(g);
        cairo_pattern_destroy(p);
        return writ_fail(vm, "%s", "cannot create the gradient");
    }
    g->pattern = p;
    *ret = writ_host_object(vm, type, g, true);
    return WRIT_OK;
}

/* Gradient.linear(x0, y0, x1, y1) */
METHOD(s_linear) { return new_gradient(vm, ud, cairo_pattern_create_linear(F(0), F(1), F(2), F(3)), ret); }
/* Gradient.radial(cx, cy, radius, innerRadius = 0.0) */
METHOD(s_radial) {
    if (!(F(2) >= 0 && F(3) >= 0)) return writ_fail(vm, "Gradient.radial: radii must be >= 0");
    return new_gradient(vm, ud, cairo_pattern_create_radial(F(0), F(1), F(3), F(0), F(1), F(2)), ret);
}
/* g.addStop(offset, color) -> Gradient (itself, for chaining) */
METHOD(m_add_stop) {
    Gradient *g = writ_host_ptr(args[0]);
    const double *k = writ_struct_floats(args[2], NULL);
    if (!k) return writ_fail(vm, "addStop: not a Color");
    if (!(F(1) >= 0 && F(1) <= 1)) return writ_fail(vm, "addStop(%g, ...): the offset must be in [0, 1]", F(1));
    cairo_pattern_add_color_stop_rgba(g->pattern, F(1), k[0], k[1], k[2], k[3]);
    writ_retain(args[0]);
    *ret = args[0];
    return WRIT_OK;
}

static void set_gradient(cairo_t *cr, writ_value g) { cairo_set_source(cr, ((Gradient *)writ_host_ptr(g))->pattern); }

/* c.fillGradient(g, keep = false), c.strokeGradient(g, keep = false): the current path */
METHOD(m_fill_gradient) {
    cairo_t *cr = CANVAS(args)->cr;
    set_gradient(cr, args[1]);
    if (args[2].as.b) cairo_fill_preserve(cr); else cairo_fill(cr);
    return WRIT_OK;
}
METHOD(m_stroke_gradient) {
    cairo_t *cr = CANVAS(args)->cr;
    set_gradient(cr, args[1]);
    if (args[2].as.b) cairo_stroke_preserve(cr); else cairo_stroke(cr);
    return WRIT_OK;
}
/* c.fillRectGradient(x, y, w, h, g) */
METHOD(m_fill_rect_gradient) {
    cairo_t *cr = CANVAS(args)->cr;
    cairo_new_path(cr);
    cairo_rectangle(cr, F(1), F(2), F(3), F(4));
    set_gradient(cr, args[5]);
    cairo_fill(cr);
    return WRIT_OK;
}

bool paint_register(writ_vm *vm, CanvasTypes *types) {
    writ_host_type *c = types->canvas;
    writ_host_type *g = writ_define_type(vm, "Gradient");
    if (!g) return false;
    types->gradient = g;
    return writ_type_destructor(vm, g, gradient_free, NULL) == WRIT_OK &&
           writ_type_static(vm, g, "linear", "(x0: float, y0: float, x1: float, y1: float) -> Gradient", s_linear, g) == WRIT_OK &&
           writ_type_static(vm, g, "radial", "(cx: float, cy: float, radius: float, innerRadius: float = 0.0) -> Gradient", s_radial, g) == WRIT_OK &&
           writ_type_method(vm, g, "addStop", "(offset: float, color: Color) -> Gradient", m_add_stop, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "setLineWidth", "(width: float)", m_line_width, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "setLineCap", "(cap: string)", m_line_cap, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "setLineJoin", "(join: string)", m_line_join, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "setFillRule", "(rule: string)", m_fill_rule, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "setDash", "(pattern: Array<float>, offset: float = 0.0)", m_dash, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "fillGradient", "(g: Gradient, keep: bool = false)", m_fill_gradient, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "strokeGradient", "(g: Gradient, keep: bool = false)", m_stroke_gradient, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "fillRectGradient", "(x: float, y: float, w: float, h: float, g: Gradient)", m_fill_rect_gradient, NULL) == WRIT_OK;
}
