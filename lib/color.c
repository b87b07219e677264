/* lib/color.c — natives of the color module (stdlib.md §16) used by its Writ
 * prelude (lib/prelude/color.writ): hex text to channels and back. */
#include "rt.h"
#include "vm.h"
#include <math.h>
#include <stdio.h>

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* hexChannels(hex) -> [r, g, b, a], each value / 255. */
static bool hex_channels(VM *vm, Value *args, Value *ret) {
    Str *s = (Str *)args[0].p;
    const char *p = s->data;
    int64_t n = s->len;
    if (n > 0 && p[0] == '#') { p++; n--; }
    int v[8];
    bool ok = n == 3 || n == 4 || n == 6 || n == 8;
    for (int64_t i = 0; ok && i < n; i++) if ((v[i] = hexval(p[i])) < 0) ok = false;
    if (!ok) {
        rt_error(vm, "invalid hex color \"%.*s\"", (int)s->len, s->data);
        return false;
    }
    int ch[4] = { 255, 255, 255, 255 };
    int nch = n <= 4 ? (int)n : (int)n / 2;
    for (int k = 0; k < nch; k++) ch[k] = n <= 4 ? v[k] * 17 : v[2 * k] * 16 + v[2 * k + 1];
    Arr *a = arr_new(vm, ty_array(vm, vm->types.t_float), 4);
    for (int k = 0; k < 4; k++) arr_push(vm, a, (Value){ .f = ch[k] / 255.0 });
    ret->p = a;
    return true;
}

static int channel_byte(double x) {
    if (!(x > 0.0)) return 0;          /* also NaN */
    if (x > 1.0) x = 1.0;
    return (int)round(x * 255.0);      /* half away from zero */
}

/* hexText(r, g, b, a) -> "#RRGGBB" or "#RRGGBBAA" when alpha is not 255. */
static bool hex_text(VM *vm, Value *args, Value *ret) {
    int c[4];
    for (int k = 0; k < 4; k++) c[k] = channel_byte(args[k].f);
    char buf[16];
    if (c[3] == 255) snprintf(buf, sizeof buf, "#%02X%02X%02X", c[0], c[1], c[2]);
    else snprintf(buf, sizeof buf, "#%02X%02X%02X%02X", c[0], c[1], c[2], c[3]);
    ret->p = str_cstr(vm, buf);
    return true;
}

const LibFn lib_color_internal[] = {
    { "hexChannels", "(hex: string) -> Array<float>", hex_channels },
    { "hexText", "(r: float, g: float, b: float, a: float) -> string", hex_text },
    { NULL, NULL, NULL },
};
