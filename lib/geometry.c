/* lib/geometry.c — natives of the geometry module (stdlib.md §15) that its
 * Writ prelude (lib/prelude/geometry.writ) uses, and the matrix display form
 * `Matrix3([1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0])`.
 * Matrices are structs with private fields m00, m01, ... in row-major order. */
#include "rt.h"
#include "vm.h"
#include <inttypes.h>

static void display_matrix(VM *vm, Buf *out, Type *t, Value v, int n) {
    (void)vm;
    Instance *o = (Instance *)v.p;
    char num[40];
    buf_puts(out, t->name);
    buf_putc(out, '(');
    for (int r = 0; r < n; r++) {
        buf_puts(out, r ? ", [" : "[");
        for (int c = 0; c < n; c++) {
            if (c) buf_puts(out, ", ");
            fmt_float(num, o->f[r * n + c].f);
            buf_puts(out, num);
        }
        buf_putc(out, ']');
    }
    buf_putc(out, ')');
}

static void display_matrix3(VM *vm, Buf *out, Type *t, Value v) { display_matrix(vm, out, t, v, 3); }
static void display_matrix4(VM *vm, Buf *out, Type *t, Value v) { display_matrix(vm, out, t, v, 4); }

const LibDisplay lib_geometry_displays[] = {
    { "Matrix3", display_matrix3 },
    { "Matrix4", display_matrix4 },
    { NULL, NULL },
};

/* checkIndex(index, length): the array index error for a matrix row or column. */
static bool check_index(VM *vm, Value *args, Value *ret) {
    (void)ret;
    if (args[0].i < 0 || args[0].i >= args[1].i) {
        rt_error(vm, "index %" PRId64 " out of bounds for length %" PRId64, args[0].i, args[1].i);
        return false;
    }
    return true;
}

const LibFn lib_geometry_internal[] = {
    { "fail", "(message: string)", lib_fail },
    { "checkIndex", "(index: int, length: int)", check_index },
    { NULL, NULL, NULL },
};
