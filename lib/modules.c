/* lib/modules.c — the library's module table (stdlib.md §0).  Each entry
 * names a module's natives and native types (each module keeps them in its
 * own file and tables: lib/json.c, lib/regex.c, lib/random.c, ...), whether
 * an embedding VM has it on by default, and optionally its prelude (Writ
 * source embedded from lib/prelude/NAME.writ at build time), the names the
 * prelude exports (the loader compiles a prelude into a VM only when a load
 * mentions one of them or of its `triggers`), the preludes it needs, its
 * prelude-private natives and its display forms.  A module that a VM disables
 * is simply not declared.  Regex is built only with PCRE2 (Makefile:
 * WRIT_HAVE_PCRE2); without it `Regex` is simply an unknown name. */
#include "rt.h"
#include "vm.h"
#include <stdio.h>

static const char prelude_interpolation[] =
#include "prelude_interpolation.inc"
    ;
static const char prelude_geometry[] =
#include "prelude_geometry.inc"
    ;
static const char prelude_geometry_transforms[] =
#include "prelude_geometry_transforms.inc"
    ;
static const char prelude_geometry_shapes[] =
#include "prelude_geometry_shapes.inc"
    ;
static const char prelude_color[] =
#include "prelude_color.inc"
    ;
static const char prelude_tween[] =
#include "prelude_tween.inc"
    ;
static const char prelude_timer[] =
#include "prelude_timer.inc"
    ;
static const char prelude_json[] =
#include "prelude_json.inc"
    ;

extern const LibFn lib_coroutine_functions[], lib_time_functions[], lib_clock_functions[];
extern const LibFn lib_json_functions[], lib_reflect_functions[], lib_io_functions[];
extern const NativeType *const lib_json_types[];
const char *lib_json_type_arg_ok(const LibFn *f, Type *t);
#ifdef WRIT_HAVE_PCRE2
extern const NativeType *const lib_regex_types[];
#endif
static const LibFn no_natives[] = { { NULL, NULL, NULL } };

extern const LibFn lib_coroutine_functions[], lib_time_functions[], lib_clock_functions[];
extern const LibFn lib_random_functions[];
extern const LibFn lib_noise_functions[];
extern const LibFn lib_geometry_internal[];
extern const LibDisplay lib_geometry_displays[];
extern const LibFn lib_color_internal[];

/* `<Name>`: classes of the library whose state is private (Timer, Tween). */
static void display_opaque(VM *vm, Buf *out, Type *t, Value v) {
    (void)vm; (void)v;
    buf_putc(out, '<');
    buf_puts(out, t->name);
    buf_putc(out, '>');
}

static const LibDisplay tween_displays[] = { { "Tween", display_opaque }, { NULL, NULL } };
static const LibDisplay timer_displays[] = { { "Timer", display_opaque }, { NULL, NULL } };

static const char *const interpolation_exports[] = { "Easing", "ease", NULL };
static const char *const geometry_exports[] = { "Vector2", "Vector3", "Vector4", NULL };
static const char *const transforms_exports[] = { "Matrix3", "Matrix4", "Quaternion", "Transform2D", "Transform3D", NULL };
static const char *const shapes_exports[] = { "Rectangle", "BoundingBox", NULL };
static const char *const geometry_deps[] = { "geometry", NULL };       /* the vectors part */
static const char *const color_exports[] = { "Color", NULL };
static const char *const tween_exports[] = { "Tween", "TweenLoop", NULL };
static const char *const timer_exports[] = { "Timer", NULL };
static const char *const color_deps[] = { "geometry", NULL };          /* toHSV() -> Vector3 */
static const char *const tween_deps[] = { "interpolation", NULL };     /* Easing, ease */
static const char *const json_exports[] = { "JsonKind", NULL };
/* Json.kind() returns a JsonKind: any json name (or a .kind() call) brings the enum in */
static const char *const json_triggers[] = { "Json", "parseJson", "toJson", "fromJson", "kind", NULL };

/* A module whose prelude is large may be split into parts: entries with the same name (so
 * writ_enable_module switches them together) and a `part` each; a part is compiled only when
 * one of its own exports is named.  Dependencies name a module's first entry. */
const LibModule lib_modules[] = {
    { .name = "math", .fns = lib_functions, .embedded_default = true },   /* also lerp & co. of interpolation */
    { .name = "coroutine", .fns = lib_coroutine_functions, .embedded_default = true },
    { .name = "time", .fns = lib_time_functions, .embedded_default = true },
    { .name = "time.clock", .fns = lib_clock_functions, .embedded_default = false },
    { .name = "interpolation", .fns = no_natives, .embedded_default = true,
      .prelude = prelude_interpolation, .exports = interpolation_exports },
    { .name = "random", .fns = lib_random_functions, .embedded_default = true },
    { .name = "noise", .fns = lib_noise_functions, .embedded_default = true },
    { .name = "json", .fns = lib_json_functions, .embedded_default = true, .types = lib_json_types,
      .type_arg_ok = lib_json_type_arg_ok, .prelude = prelude_json, .exports = json_exports, .triggers = json_triggers },
#ifdef WRIT_HAVE_PCRE2
    { .name = "regex", .fns = no_natives, .embedded_default = true, .types = lib_regex_types },
#endif
    { .name = "reflect", .fns = lib_reflect_functions, .embedded_default = true },
    { .name = "io", .fns = lib_io_functions, .embedded_default = false },
    { .name = "geometry", .fns = no_natives, .embedded_default = true, .prelude = prelude_geometry, .exports = geometry_exports },
    { .name = "geometry", .fns = no_natives, .embedded_default = true, .prelude = prelude_geometry_transforms,
      .exports = transforms_exports, .deps = geometry_deps, .internal = lib_geometry_internal,
      .displays = lib_geometry_displays, .part = "transforms" },
    { .name = "geometry", .fns = no_natives, .embedded_default = true, .prelude = prelude_geometry_shapes,
      .exports = shapes_exports, .deps = geometry_deps, .part = "shapes" },
    { .name = "color", .fns = no_natives, .embedded_default = true, .prelude = prelude_color, .exports = color_exports,
      .deps = color_deps, .internal = lib_color_internal },
    { .name = "tween", .fns = no_natives, .embedded_default = true, .prelude = prelude_tween, .exports = tween_exports,
      .deps = tween_deps, .displays = tween_displays },
    { .name = "timer", .fns = no_natives, .embedded_default = true, .prelude = prelude_timer, .exports = timer_exports,
      .displays = timer_displays },
    { .name = NULL },
};

const uint32_t lib_nmodules = sizeof lib_modules / sizeof lib_modules[0] - 1;

/* "<library:NAME>" or "<library:NAME/PART>" */
const LibModule *lib_module_of_prelude(const char *name) {
    size_t pl = sizeof LIB_PRELUDE_PREFIX - 1;
    if (strncmp(name, LIB_PRELUDE_PREFIX, pl) != 0) return NULL;
    name += pl;
    for (const LibModule *m = lib_modules; m->name; m++) {
        if (!m->prelude) continue;
        size_t n = strlen(m->name);
        if (strncmp(name, m->name, n) != 0) continue;
        const char *rest = name + n;
        if (m->part) {
            size_t k = strlen(m->part);
            if (rest[0] != '/' || strncmp(rest + 1, m->part, k) != 0) continue;
            rest += 1 + k;
        }
        if (rest[0] == '>' && rest[1] == 0) return m;
    }
    return NULL;
}

/* The file name of module m's prelude: "<library:NAME>" or "<library:NAME/PART>". */
void lib_prelude_name(const LibModule *m, char *buf, size_t size) {
    if (m->part) snprintf(buf, size, LIB_PRELUDE_PREFIX "%s/%s>", m->name, m->part);
    else snprintf(buf, size, LIB_PRELUDE_PREFIX "%s>", m->name);
}

/* fail(message): a runtime error raised by prelude code (internal native). */
bool lib_fail(VM *vm, Value *args, Value *ret) {
    (void)ret;
    Str *s = (Str *)args[0].p;
    rt_error(vm, "%.*s", (int)s->len, s->data);
    return false;
}
