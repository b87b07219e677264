/* api.c — writ.h implemented: VM lifetime, loading (lex → parse → check →
 * compile → run), error text.  Validates every argument: misuse returns a
 * status, never crashes. */
#include "../include/writ.h"
#include "vm.h"
#include "chunk.h"
#include "lex.h"
#include "parse.h"
#include "check.h"
#include "compile.h"
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <sys/stat.h>

void dis_proto(struct Proto *p, FILE *out);
bool vm_execute(VM *vm, struct Proto *entry, Closure *cl, Value *args, uint32_t nargs, Value *result);

static void *default_alloc(void *ud, void *p, size_t o, size_t n) {
    (void)ud; (void)o;
    if (n == 0) { free(p); return NULL; }
    return realloc(p, n);
}

static void default_write(void *ud, const char *s, size_t n) {
    (void)ud;
    fwrite(s, 1, n, stdout);
}

void writ_config_init(writ_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
}

const char *writ_version(void) { return WRIT_VERSION; }

writ_vm *writ_vm_new(const writ_config *cfg) {
    writ_config def;
    if (!cfg) { writ_config_init(&def); cfg = &def; }
    writ_alloc_fn af = cfg->alloc ? cfg->alloc : default_alloc;
    VM *vm = af(cfg->alloc_ud, NULL, 0, sizeof(VM));
    if (!vm) return NULL;
    memset(vm, 0, sizeof *vm);
    vm->alloc = af;
    vm->alloc_ud = cfg->alloc_ud;
    vm->bytes = sizeof(VM);
    vm->write = cfg->write ? cfg->write : default_write;
    vm->write_ud = cfg->write_ud;
    vm->depth_limit = cfg->call_depth_limit ? cfg->call_depth_limit : 10000;
    ty_init(vm, &vm->types);
    return vm;
}

static void set_error_text(VM *vm, const char *s, size_t n) {
    if (vm->error_text) mem_free(vm, vm->error_text, vm->error_text_size);
    vm->error_text = mem_strndup(vm, s, n);
    vm->error_text_size = n + 1;
}

void writ_vm_free(writ_vm *vm) {
    if (!vm) return;
    for (size_t i = vm->nmodules; i-- > 0;) module_free(vm, vm->modules[i]);
    VEC_FREE(vm, vm->modules, vm->cap_modules);
    obj_free_tracked(vm);           /* whatever cycles kept alive */
    mem_free(vm, vm->stack, sizeof(Value) * vm->stack_cap);
    mem_free(vm, vm->frames, sizeof(Frame) * vm->cap_frames);
    if (vm->error_msg) mem_free(vm, vm->error_msg, vm->error_msg_size);
    if (vm->error_text) mem_free(vm, vm->error_text, vm->error_text_size);
    VEC_FREE(vm, vm->freeing, vm->capfreeing);
    ty_free(vm, &vm->types);
    MemHook af = vm->alloc;
    void *ud = vm->alloc_ud;
    af(ud, vm, sizeof(VM), 0);
}

const char *writ_error_text(writ_vm *vm) {
    if (!vm || !vm->error_text) return "";
    return vm->error_text;
}

/* Compiles (and with run, executes) one module; takes ownership of text. */
static writ_status load(VM *vm, const char *name, char *text, size_t len, bool run) {
    Module *m = mem_calloc(vm, sizeof *m);
    m->name = mem_strndup(vm, name, strlen(name));
    m->text = text;
    m->src.name = m->name;
    m->src.text = text;
    m->src.len = len;
    Arena arena;
    arena_init(&arena, vm);
    Diags d;
    diags_init(&d, &arena);
    size_t ntoks;
    Token *toks = lex_source(&arena, &d, &m->src, &ntoks);
    Program *prog = parse_program(&arena, &d, &m->src, toks, ntoks);
    CheckResult cr;
    memset(&cr, 0, sizeof cr);
    if (!d.syntax_error && prog) chk_program(vm, &arena, &d, prog, &cr);
    if (!d.n) cg_program(vm, m, prog, &cr, &d);   /* check mode compiles too, then drops the code */
    if (d.n) {
        Buf b;
        buf_init(&b, vm);
        diags_render(&d, &b);
        set_error_text(vm, b.data ? b.data : "", b.len);
        buf_free(&b);
        chk_result_free(vm, &cr);
        diags_free(&d, vm);
        arena_free(&arena);
        module_free(vm, m);
        return WRIT_ERROR_COMPILE;
    }
    if (!run) {
        chk_result_free(vm, &cr);
        diags_free(&d, vm);
        arena_free(&arena);
        module_free(vm, m);
        return WRIT_OK;
    }
    chk_result_free(vm, &cr);
    diags_free(&d, vm);
    arena_free(&arena);
    VEC_PUSH(vm, vm->modules, vm->nmodules, vm->cap_modules, m);
    if (getenv("WRIT_DUMP"))
        for (uint32_t i = 0; i < m->nprotos; i++) dis_proto(m->all_protos[i], stderr);
    vm->has_error = false;
    Value result;
    if (!vm_execute(vm, m->script, NULL, NULL, 0, &result)) return WRIT_ERROR_RUNTIME;
    return WRIT_OK;
}

static writ_status read_file(VM *vm, const char *path, char **out, size_t *len) {
    struct stat st;
    FILE *f = NULL;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) { errno = EISDIR; }
    else f = fopen(path, "rb");
    if (!f) {
        char buf[1024];
        snprintf(buf, sizeof buf, "error: cannot read '%s': %s\n", path, strerror(errno));
        set_error_text(vm, buf, strlen(buf));
        return WRIT_ERROR_IO;
    }
    size_t cap = 4096, n = 0;
    char *data = mem_alloc(vm, cap);
    for (;;) {
        if (n + 1 >= cap) { data = mem_realloc(vm, data, cap, cap * 2); cap *= 2; }
        size_t r = fread(data + n, 1, cap - n - 1, f);
        if (r == 0) break;
        n += r;
    }
    fclose(f);
    data = mem_realloc(vm, data, cap, n + 1);
    data[n] = 0;
    *out = data;
    *len = n;
    return WRIT_OK;
}

writ_status writ_load_file(writ_vm *vm, const char *path) {
    if (!vm || !path) return WRIT_ERROR_MISUSE;
    char *text;
    size_t len;
    writ_status st = read_file(vm, path, &text, &len);
    if (st != WRIT_OK) return st;
    return load(vm, path, text, len, true);
}

writ_status writ_load_string(writ_vm *vm, const char *name, const char *source, size_t len) {
    if (!vm || !name || !source) return WRIT_ERROR_MISUSE;
    return load(vm, name, mem_strndup(vm, source, len), len, true);
}

writ_status writ_check_file(writ_vm *vm, const char *path) {
    if (!vm || !path) return WRIT_ERROR_MISUSE;
    char *text;
    size_t len;
    writ_status st = read_file(vm, path, &text, &len);
    if (st != WRIT_OK) return st;
    return load(vm, path, text, len, false);
}
