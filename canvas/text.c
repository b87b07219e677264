/* text.c — text with Pango: the font (family, pixel size, weight), the
 * anchor (horizontal align, vertical baseline), drawing and measuring.
 * One PangoLayout is reused for every call; it follows the current
 * transform (pango_cairo_update_layout). */
#include "canvas.h"
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>

#define METHOD(name) static writ_status name(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud)

enum { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };
enum { BASE_TOP, BASE_MIDDLE, BASE_ALPHABETIC, BASE_BOTTOM };

#define DEFAULT_FAMILY "DejaVu Sans"
#define DEFAULT_SIZE 14.0

typedef struct SavedText { PangoFontDescription *font; int align, baseline; } SavedText;

typedef struct TextState {
    PangoFontDescription *font;
    PangoLayout *layout;             /* created on first use */
    int align, baseline;
    SavedText *saved;                /* save()/restore() stack */
    size_t nsaved, capsaved;
} TextState;

TextState *text_state_new(void) {
    TextState *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->font = pango_font_description_new();
    text_reset(t);
    return t;
}

void text_reset(TextState *t) {
    pango_font_description_set_family(t->font, DEFAULT_FAMILY);
    pango_font_description_set_absolute_size(t->font, DEFAULT_SIZE * PANGO_SCALE);
    pango_font_description_set_weight(t->font, PANGO_WEIGHT_NORMAL);
    t->align = ALIGN_LEFT;
    t->baseline = BASE_ALPHABETIC;
}

bool text_push(TextState *t) {
    if (t->nsaved == t->capsaved) {
        size_t nc = t->capsaved ? t->capsaved * 2 : 8;
        SavedText *ns = realloc(t->saved, nc * sizeof *ns);
        if (!ns) return false;
        t->saved = ns;
        t->capsaved = nc;
    }
    t->saved[t->nsaved++] = (SavedText){ pango_font_description_copy(t->font), t->align, t->baseline };
    return true;
}

void text_pop(TextState *t) {
    if (!t->nsaved) return;
    SavedText *s = &t->saved[--t->nsaved];
    pango_font_description_free(t->font);
    t->font = s->font;
    t->align = s->align;
    t->baseline = s->baseline;
}

void text_state_free(TextState *t) {
    while (t->nsaved) text_pop(t);
    free(t->saved);
    if (t->layout) g_object_unref(t->layout);
    pango_font_description_free(t->font);
    free(t);
}

/* The layout holding s with the current font, for this cr's transform. */
static PangoLayout *layout_for(Canvas *c, writ_value s) {
    TextState *t = c->text;
    if (!t->layout) t->layout = pango_cairo_create_layout(c->cr);
    else pango_cairo_update_layout(c->cr, t->layout);
    size_t n;
    const char *text = writ_string_data(s, &n);
    pango_layout_set_font_description(t->layout, t->font);
    pango_layout_set_text(t->layout, text ? text : "", (int)n);
    return t->layout;
}

/* setFont(family, size, weight = 400): CSS-like weights 100..1000 */
METHOD(m_set_font) {
    TextState *t = CANVAS(args)->text;
    const char *family = writ_string_data(args[1], NULL);
    if (!(F(2) > 0 && F(2) < 10000)) return writ_fail(vm, "setFont: size %g is out of range (0, 10000)", F(2));
    if (args[3].as.i < 100 || args[3].as.i > 1000) return writ_fail(vm, "setFont: weight %lld is out of range 100..1000", (long long)args[3].as.i);
    pango_font_description_set_family(t->font, family && *family ? family : DEFAULT_FAMILY);
    pango_font_description_set_absolute_size(t->font, F(2) * PANGO_SCALE);
    pango_font_description_set_weight(t->font, (PangoWeight)args[3].as.i);
    return WRIT_OK;
}

static int pick(writ_value s, const char *const *names) {
    const char *t = writ_string_data(s, NULL);
    for (int i = 0; t && names[i]; i++) if (strcmp(t, names[i]) == 0) return i;
    return -1;
}

METHOD(m_set_align) {
    static const char *const names[] = {"left", "center", "right", NULL};
    int k = pick(args[1], names);
    if (k < 0) return writ_fail(vm, "setTextAlign(\"%s\"): expected \"left\", \"center\" or \"right\"", writ_string_data(args[1], NULL));
    CANVAS(args)->text->align = k;
    return WRIT_OK;
}

METHOD(m_set_baseline) {
    static const char *const names[] = {"top", "middle", "alphabetic", "bottom", NULL};
    int k = pick(args[1], names);
    if (k < 0) return writ_fail(vm, "setTextBaseline(\"%s\"): expected \"top\", \"middle\", \"alphabetic\" or \"bottom\"", writ_string_data(args[1], NULL));
    CANVAS(args)->text->baseline = k;
    return WRIT_OK;
}

/* The box of the layout l anchored at (x, y) by align and baseline. */
static void anchored_box(Canvas *c, PangoLayout *l, double x, double y, double box[4]) {
    int w, h;
    pango_layout_get_size(l, &w, &h);
    box[2] = (double)w / PANGO_SCALE;
    box[3] = (double)h / PANGO_SCALE;
    if (c->text->align == ALIGN_CENTER) x -= box[2] / 2;
    else if (c->text->align == ALIGN_RIGHT) x -= box[2];
    switch (c->text->baseline) {
    case BASE_MIDDLE: y -= box[3] / 2; break;
    case BASE_ALPHABETIC: y -= (double)pango_layout_get_baseline(l) / PANGO_SCALE; break;
    case BASE_BOTTOM: y -= box[3]; break;
    default: break;
    }
    box[0] = x;
    box[1] = y;
}

/* text(s, x, y, color): (x, y) is the anchor given by align and baseline */
METHOD(m_text) {
    Canvas *c = CANVAS(args);
    PangoLayout *l = layout_for(c, args[1]);
    double box[4];
    anchored_box(c, l, F(2), F(3), box);
    canvas_set_color(c->cr, args[4]);
    cairo_move_to(c->cr, box[0], box[1]);
    pango_cairo_show_layout(c->cr, l);
    cairo_new_path(c->cr);
    return WRIT_OK;
}

/* textBounds(s, x, y) -> Rectangle: where text(s, x, y, ...) would draw */
METHOD(m_text_bounds) {
    Canvas *c = CANVAS(args);
    double box[4];
    anchored_box(c, layout_for(c, args[1]), F(2), F(3), box);
    return writ_struct_from_floats(vm, c->rectangle, box, 4, ret);
}

/* measureText(s) -> Vector2(width, height) of its logical box */
METHOD(m_measure) {
    Canvas *c = CANVAS(args);
    PangoLayout *l = layout_for(c, args[1]);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    double v[2] = { (double)w / PANGO_SCALE, (double)h / PANGO_SCALE };
    return writ_struct_from_floats(vm, c->vector2, v, 2, ret);
}

bool text_register(writ_vm *vm, CanvasTypes *types) {
    writ_host_type *c = types->canvas;
    return writ_type_method(vm, c, "setFont", "(family: string, size: float, weight: int = 400)", m_set_font, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "setTextAlign", "(align: string)", m_set_align, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "setTextBaseline", "(baseline: string)", m_set_baseline, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "text", "(s: string, x: float, y: float, color: Color)", m_text, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "measureText", "(s: string) -> Vector2", m_measure, NULL) == WRIT_OK &&
           writ_type_method(vm, c, "textBounds", "(s: string, x: float, y: float) -> Rectangle", m_text_bounds, NULL) == WRIT_OK;
}
