/* io.c — module `io` (stdlib.md §8): files and standard input.  It touches
 * the OS, so it has its own table: embedded VMs leave it off. */
#include "rt.h"
#include "vm.h"
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

static Type *res_type(VM *vm, Type *payload) { return ty_result(vm, payload); }

static bool io_error(VM *vm, Value *ret, Type *payload, const char *fmt, const char *path, const char *reason) {
    /* fmt: "cannot read '%s': %s" or "'%s' is not valid UTF-8" */
    size_t need = strlen(fmt) + strlen(path) + (reason ? strlen(reason) : 0) + 1;
    char *msg = mem_alloc(vm, need);
    snprintf(msg, need, fmt, path, reason ? reason : "");
    Str *m = str_cstr(vm, msg);
    mem_free(vm, msg, need);
    ret->p = result_new(vm, res_type(vm, payload), m, (Value){ .u = 0 });
    return true;
}

/* A script's path as the OS sees it: relative paths start at the VM's root
 * directory when the host configured one (runtime.md §2). */
static FILE *open_path(VM *vm, const char *path, const char *mode) {
    if (!vm->root_dir || path[0] == '/') return fopen(path, mode);
    Buf b;
    buf_init(&b, vm);
    buf_printf(&b, "%s/%s", vm->root_dir, path);
    FILE *f = fopen(b.data, mode);
    int e = errno;
    buf_free(&b);
    errno = e;
    return f;
}

static bool n_readFile(VM *vm, Value *args, Value *ret) {
    Str *path = (Str *)args[0].p;
    Type *st = vm->types.t_string;
    FILE *f = open_path(vm, path->data, "rb");
    struct stat sb;
    if (f && fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) { fclose(f); f = NULL; errno = EISDIR; }
    if (!f) return io_error(vm, ret, st, "cannot read '%s': %s", path->data, strerror(errno));
    Buf b;
    buf_init(&b, vm);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_put(&b, chunk, n);
    bool bad = ferror(f);
    int e = errno;
    fclose(f);
    if (bad) { buf_free(&b); return io_error(vm, ret, st, "cannot read '%s': %s", path->data, strerror(e)); }
    if (!utf8_valid(b.data ? b.data : "", b.len)) { buf_free(&b); return io_error(vm, ret, st, "'%s' is not valid UTF-8", path->data, NULL); }
    Str *s = str_new(vm, b.data ? b.data : "", b.len);
    buf_free(&b);
    ret->p = result_new(vm, res_type(vm, st), NULL, (Value){ .p = s });
    return true;
}

static bool write_common(VM *vm, Value *args, Value *ret, const char *mode) {
    Str *path = (Str *)args[0].p, *text = (Str *)args[1].p;
    Type *vt = vm->types.t_void;
    FILE *f = open_path(vm, path->data, mode);
    struct stat sb;
    if (f && fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) { fclose(f); f = NULL; errno = EISDIR; }
    if (!f) return io_error(vm, ret, vt, "cannot write '%s': %s", path->data, strerror(errno));
    bool ok = fwrite(text->data, 1, (size_t)text->len, f) == (size_t)text->len;
    int e = errno;
    if (fclose(f) != 0 && ok) { ok = false; e = errno; }
    if (!ok) return io_error(vm, ret, vt, "cannot write '%s': %s", path->data, strerror(e));
    ret->p = result_new(vm, res_type(vm, vt), NULL, (Value){ .u = 0 });
    return true;
}

static bool n_writeFile(VM *vm, Value *args, Value *ret) { return write_common(vm, args, ret, "wb"); }
static bool n_appendFile(VM *vm, Value *args, Value *ret) { return write_common(vm, args, ret, "ab"); }

static bool n_fileExists(VM *vm, Value *args, Value *ret) {
    const char *path = ((Str *)args[0].p)->data;
    struct stat sb;
    if (vm->root_dir && path[0] != '/') {
        Buf b;
        buf_init(&b, vm);
        buf_printf(&b, "%s/%s", vm->root_dir, path);
        ret->i = stat(b.data, &sb) == 0 && S_ISREG(sb.st_mode);
        buf_free(&b);
        return true;
    }
    ret->i = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    return true;
}

/* The next byte of the host's input (writ_config.read, else stdin), or EOF. */
static int next_input(VM *vm) {
    if (!vm->read) return getchar();
    if (vm->in_pos == vm->in_len) {
        if (!vm->in_buf) { vm->in_cap = 4096; vm->in_buf = mem_alloc(vm, vm->in_cap); }
        vm->in_len = vm->read(vm->read_ud, vm->in_buf, vm->in_cap);
        vm->in_pos = 0;
        if (vm->in_len == 0 || vm->in_len > vm->in_cap) { vm->in_len = 0; return EOF; }
    }
    return (unsigned char)vm->in_buf[vm->in_pos++];
}

static bool n_readLine(VM *vm, Value *args, Value *ret) {
    (void)args;
    Buf b;
    buf_init(&b, vm);
    int c;
    bool any = false;
    while ((c = next_input(vm)) != EOF) {
        any = true;
        if (c == '\n') break;
        buf_putc(&b, (char)c);
    }
    if (!any) { buf_free(&b); ret->p = NULL; return true; }
    size_t n = b.len;
    if (n && b.data[n - 1] == '\r') n--;
    const char *d = b.data ? b.data : "";
    if (!utf8_valid(d, n)) { buf_free(&b); rt_error(vm, "readLine: input is not valid UTF-8"); return false; }
    ret->p = str_new(vm, d, n);
    buf_free(&b);
    return true;
}

const LibFn lib_io_functions[] = {
    {"readFile", "(path: string) -> Result<string>", n_readFile},
    {"writeFile", "(path: string, content: string) -> Result<void>", n_writeFile},
    {"appendFile", "(path: string, content: string) -> Result<void>", n_appendFile},
    {"fileExists", "(path: string) -> bool", n_fileExists},
    {"readLine", "() -> Optional<string>", n_readLine},
    {NULL, NULL, NULL},
};
