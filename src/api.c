#define _DEFAULT_SOURCE 1
/* api.c — writ.h implemented: VM lifetime, loading (lex → parse → check →
 * compile → run), error text.  Validates every argument: misuse returns a
 * status, never crashes. */
#include "api.h"
#include <ctype.h>
#include "vm.h"
#include "sched.h"
#include "host.h"
#include "reload.h"
#include "debug.h"
#include "iface.h"
#include "../lib/random.h"
#include "chunk.h"
#include "lex.h"
#include "parse.h"
#include "check.h"
#include "compile.h"
#include "rt.h"
#include <stdio.h>
#include <time.h>
#include <stdarg.h>
#include <stdlib.h>
#include <errno.h>
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

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

static void drop_diagnostics(VM *vm);

void writ_config_init(writ_config *cfg) {
    if (cfg) memset(cfg, 0, sizeof *cfg);
}

const char *writ_version(void) { return WRIT_VERSION; }

static void vm_init(VM *vm, const writ_config *cfg);

/* vm_init, or NULL (and nothing left allocated) if the allocator fails. */
static VM *vm_guarded_init(VM *vm, const writ_config *cfg) {
    MemGuard g;
    if (MEM_PROTECT(vm, &g)) {
        mem_free_all(vm);
        vm->alloc(vm->alloc_ud, vm, sizeof(VM), 0);
        return NULL;
    }
    vm_init(vm, cfg);
    mem_unprotect(vm, &g);
    return vm;
}

/* The allocating part of writ_vm_new. */
static void vm_init(VM *vm, const writ_config *cfg) {
    for (uint32_t m = 0; lib_modules[m].name; m++)
        if (lib_modules[m].embedded_default) vm->lib_on |= (uint64_t)1 << m;
    ty_init(vm, &vm->types);
    lib_random_init(vm);
    if (cfg->seed_random) rng_seed(&vm->rng, cfg->random_seed);
    vm->read = cfg->read;
    vm->read_ud = cfg->read_ud;
    if (cfg->root_dir && *cfg->root_dir) vm->root_dir = mem_strndup(vm, cfg->root_dir, strlen(cfg->root_dir));
}

writ_vm *writ_vm_new(const writ_config *cfg) {
    writ_config def;
    if (!cfg) { writ_config_init(&def); cfg = &def; }
    writ_alloc_fn af = cfg->alloc ? cfg->alloc : default_alloc;
    VM *vm = af(cfg->alloc_ud, NULL, 0, sizeof(VM));
    if (!vm) return NULL;
    memset(vm, 0, sizeof *vm);
    vm->alloc = af;
    vm->alloc_is_libc = !cfg->alloc;
    vm->alloc_ud = cfg->alloc_ud;
    vm->bytes = sizeof(VM);
    vm->write = cfg->write ? cfg->write : default_write;
    vm->write_ud = cfg->write_ud;
    vm->depth_limit = cfg->call_depth_limit ? cfg->call_depth_limit : 10000;
    vm->insn_limit = cfg->instruction_limit;
    vm->mem_limit = cfg->memory_limit;
    return vm_guarded_init(vm, cfg);
}

static char oom_text[] = "error: out of memory\n";

void api_entry_save(VM *vm, ApiEntry *e) {
    e->nframes = vm->nframes;
    e->installed = vm->installed;
    e->running = vm->running;
    e->entry_depth = vm->entry_depth;
    e->host_nesting = vm->host_nesting;
    e->depth_base = vm->depth_base;
    e->in_destructor = vm->in_destructor;
    e->draining = vm->draining;
    e->ticking = vm->ticking;
    e->in_handler = vm->dbg.in_handler;
    e->reload = vm->reload;
    e->g.prev = vm->guard;
    vm->guard = &e->g;
}

void api_recover(VM *vm, ApiEntry *e) {
    vm->guard = e->g.prev;
    vm->draining = e->draining;
    vm->mem_failed = false;
    vm_recover(vm, e->nframes, e->installed);
    vm->running = e->running;
    vm->depth_base = e->depth_base;
    vm->entry_depth = e->entry_depth;
    vm->host_nesting = e->host_nesting;
    vm->in_destructor = e->in_destructor;
    vm->ticking = e->ticking;
    vm->dbg.in_handler = e->in_handler;
    vm->reload = e->reload;
}

/* Takes s (size bytes, or NULL when memory ran out: the static text). */
void api_set_error_text_owned(VM *vm, char *s, size_t size) {
    if (vm->error_text && vm->error_text_size) mem_free(vm, vm->error_text, vm->error_text_size);
    vm->error_text = s ? s : oom_text;
    vm->error_text_size = s ? size : 0;
}

void api_set_error_text(VM *vm, const char *s, size_t n) {
    api_set_error_text_owned(vm, mem_try_strndup(vm, s, n), n + 1);
}

static void vm_teardown(writ_vm *vm);

void writ_vm_free(writ_vm *vm) {
    if (!vm) return;
    if (vm->entry_depth || vm->host_nesting || vm->in_destructor || vm->guard) {    /* the VM is running */
        api_misuse(vm, "writ_vm_free while the VM runs (from a host function, hook or destructor): ignored");
        return;
    }
    vm->closing = true;
    MemGuard g;
    if (!MEM_PROTECT(vm, &g)) {             /* teardown may allocate (cancelling tasks); if that fails, */
        vm_teardown(vm);                    /* every block still registered is freed below anyway */
        mem_unprotect(vm, &g);
    }
    mem_free_all(vm);
    MemHook af = vm->alloc;
    void *ud = vm->alloc_ud;
    af(ud, vm, sizeof(VM), 0);
}

static void vm_teardown(writ_vm *vm) {
    sched_free(vm);                 /* tasks first: their frames run module code */
    api_free_fn_handles(vm);
    for (size_t i = vm->nmodules; i-- > 0;) module_free(vm, vm->modules[i]);
    VEC_FREE(vm, vm->modules, vm->cap_modules);
    reload_free_stamps(vm);
    host_free_all(vm);
    debug_free(vm);
    for (uint32_t i = 0; i < vm->g.nglobals; i++)        /* slots a hot reload retired */
        if (vm->g.gnames[i]) { mem_free(vm, vm->g.gnames[i], strlen(vm->g.gnames[i]) + 1); vm->g.gnames[i] = NULL; }
    Globals *g = &vm->g;
    if (g->cap) {
        mem_free(vm, g->globals, sizeof(Value) * g->cap);
        mem_free(vm, g->ginit, sizeof(bool) * g->cap);
        mem_free(vm, g->gtypes, sizeof(Type *) * g->cap);
        mem_free(vm, g->gnames, sizeof(char *) * g->cap);
        mem_free(vm, g->gfiles, sizeof(char *) * g->cap);
    }
    for (size_t i = 0; i < vm->nresults; i++) {
        if (!vm->results[i]) continue;
        chk_result_free(vm, (CheckResult *)vm->results[i]);
        mem_free(vm, vm->results[i], sizeof(CheckResult));
    }
    VEC_FREE(vm, vm->results, vm->cap_results);
    for (size_t i = 0; i < vm->narenas; i++) {
        if (!vm->arenas[i]) continue;            /* freed by a hot reload */
        arena_free(vm->arenas[i]);
        mem_free(vm, vm->arenas[i], sizeof(Arena));
    }
    VEC_FREE(vm, vm->arenas, vm->cap_arenas);
    arena_cache_free(vm);
    for (size_t i = 0; i < vm->nfiles; i++) mem_free(vm, vm->files[i], strlen(vm->files[i]) + 1);
    VEC_FREE(vm, vm->files, vm->capfiles);
    for (size_t i = 0; i < vm->nloaded; i++) mem_free(vm, vm->loaded[i].path, strlen(vm->loaded[i].path) + 1);
    VEC_FREE(vm, vm->loaded, vm->cap_loaded);
    obj_free_tracked(vm);           /* whatever cycles kept alive */
    instance_pool_free(vm);
    mem_free(vm, vm->stack, sizeof(Value) * vm->stack_cap);
    mem_free(vm, vm->frames, sizeof(Frame) * vm->cap_frames);
    if (vm->error_msg) mem_free(vm, vm->error_msg, vm->error_msg_size);
    if (vm->error_text && vm->error_text_size) mem_free(vm, vm->error_text, vm->error_text_size);
    VEC_FREE(vm, vm->trace, vm->cap_trace);
    drop_diagnostics(vm);
    if (vm->gdead) mem_free(vm, vm->gdead, vm->capgdead);
    if (vm->display_text) mem_free(vm, vm->display_text, vm->display_size);
    if (vm->in_buf) mem_free(vm, vm->in_buf, vm->in_cap);
    if (vm->root_dir) mem_free(vm, vm->root_dir, strlen(vm->root_dir) + 1);
    VEC_FREE(vm, vm->freeing, vm->capfreeing);
    ty_free(vm, &vm->types);
    lib_noise_free(vm);
}

writ_status writ_enable_module(writ_vm *vm, const char *name, bool on) {
    if (!vm || !name) return WRIT_ERROR_MISUSE;
    bool all = strcmp(name, "*") == 0;
    bool found = false;
    for (uint32_t m = 0; lib_modules[m].name; m++) {
        if (!all && strcmp(lib_modules[m].name, name) != 0) continue;
        found = true;
        if (on) vm->lib_on |= (uint64_t)1 << m;
        else vm->lib_on &= ~((uint64_t)1 << m);
    }
    if (!found) {
        char buf[200];
        int n = snprintf(buf, sizeof buf, "unknown library module '%s'", name);
        api_set_error_text(vm, buf, (size_t)n);
        return WRIT_ERROR_MISUSE;
    }
    return WRIT_OK;
}

/* A host entry (runtime.md §1): the outermost one starts a fresh
 * instruction budget; nested ones share it. */
void api_entry_begin(VM *vm) {
    vm->watch = vm->insn_limit || vm->mem_limit || vm->debug_on;
    if (vm->entry_depth++ == 0) {
        vm->insn_count = 0;
        vm->mem_failed = false;
        if (vm->tick_source && !vm->ticking) {      /* tick source mode: the clock moved, one tick first */
            double t = vm->tick_source(vm->tick_ud);
            double d = t - vm->tick_last;
            if (!vm->tick_have) { vm->tick_have = true; vm->tick_last = t; }
            else if (d > 0) {
                vm->tick_last = t;
                sched_tick(vm, d);                   /* its error, if any, stays in writ_error_text */
                vm->insn_count = 0;
            }
        }
    }
}

static double wall_clock(void *ud) {
    (void)ud;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void writ_set_tick_source(writ_vm *vm, writ_clock_fn fn, void *ud) {
    if (!vm) return;
    vm->tick_source = fn;
    vm->tick_ud = ud;
    vm->tick_have = false;
}

void writ_use_wall_clock(writ_vm *vm) { writ_set_tick_source(vm, wall_clock, NULL); }

static writ_value wait_new_impl(writ_vm *vm) {
    writ_value w;
    memset(&w, 0, sizeof w);
    if (!vm) return w;
    WaitObj *o = mem_calloc(vm, sizeof(WaitObj));
    o->h.rc = 1;
    o->h.kind = OBJ_WAIT;
    o->kind = WAIT_HOST;
    w.kind = WRIT_WAIT;
    w.type = (const writ_type *)vm->types.t_wait;
    w.as.ref = o;
    return w;
}

static WaitObj *host_wait(writ_value w) {
    WaitObj *o = w.kind == WRIT_WAIT && w.as.ref && ((Obj *)w.as.ref)->kind == OBJ_WAIT ? w.as.ref : NULL;
    return o && o->kind == WAIT_HOST ? o : NULL;
}

static writ_status wait_complete_impl(writ_vm *vm, writ_value wait) {
    if (!vm) return WRIT_ERROR_MISUSE;
    WaitObj *o = host_wait(wait);
    if (!o) return api_misuse(vm, "not a host wait");
    if (o->host_state == 0) { o->host_state = 1; o->done_frame = vm->frame_count; }
    return WRIT_OK;
}

static writ_status wait_cancel_impl(writ_vm *vm, writ_value wait) {
    if (!vm) return WRIT_ERROR_MISUSE;
    WaitObj *o = host_wait(wait);
    if (!o) return api_misuse(vm, "not a host wait");
    if (o->host_state == 0) { o->host_state = 2; sched_host_wait_cancelled(vm, o); }
    return WRIT_OK;
}

writ_status api_entry_end(VM *vm, bool ok) {
    vm->entry_depth--;
    if (ok) return WRIT_OK;
    return vm->error_is_limit ? WRIT_ERROR_LIMIT : WRIT_ERROR_RUNTIME;
}

writ_status writ_set_limits(writ_vm *vm, uint64_t instructions, size_t memory_bytes, uint32_t call_depth) {
    if (!vm) return WRIT_ERROR_MISUSE;
    vm->insn_limit = instructions;
    vm->mem_limit = memory_bytes;
    vm->depth_limit = call_depth ? call_depth : 10000;
    return WRIT_OK;
}

static writ_status tick_impl(writ_vm *vm, double dt) {
    if (!vm) return WRIT_ERROR_MISUSE;
    api_entry_begin(vm);
    return api_entry_end(vm, sched_tick(vm, dt));
}

size_t writ_task_count(writ_vm *vm) { return vm ? sched_live(vm) : 0; }

writ_status api_misuse(VM *vm, const char *fmt, ...) {
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n > sizeof buf - 3) n = (int)sizeof buf - 3;
    char out[620];
    int k = snprintf(out, sizeof out, "error: %.*s\n", n, buf);
    api_set_error_text(vm, out, (size_t)k);
    return WRIT_ERROR_MISUSE;
}

const char *writ_error_text(writ_vm *vm) {
    if (!vm || !vm->error_text) return "";
    return vm->error_text;
}

/* ---- loading: the module graph ---- */

typedef struct Unit {
    char *name;          /* file as given (main) or joined import path */
    char *text;
    size_t len;
    Source src;
    Program *prog;
    int state;           /* 0 new, 1 on the DFS stack, 2 done */
    bool from_string;    /* the main unit of a string load */
    uint64_t fp;         /* interface fingerprint (iface.c) */
} Unit;

typedef struct Loader {
    VM *vm;
    uint64_t want;       /* library modules (bit = index in lib_modules) whose prelude names the sources mention */
    Arena *arena;
    Diags *diags;
    Unit **units; uint32_t nunits, capunits;     /* every file seen */
    Program **order; uint32_t norder, caporder;  /* imports first */
    Unit **stack; uint32_t nstack, capstack;
    Module **against; uint32_t nagainst, capagainst;   /* earlier loads imported from */
} Loader;


/* The file's identity in this VM: its canonical path, or the name as given
 * (string modules, the library prelude). */
static char *module_key(Arena *a, const char *name) {
    char buf[4096];
    if (name[0] != '<' && realpath(name, buf)) return arena_strndup(a, buf, strlen(buf));
    return arena_strndup(a, name, strlen(name));
}

LoadedFile *api_loaded(VM *vm, const char *key) {
    for (size_t i = vm->nloaded; i-- > 0;) if (strcmp(vm->loaded[i].path, key) == 0) return &vm->loaded[i];
    return NULL;
}

static LoadedFile *find_loaded_file(VM *vm, const char *key) {
    if (vm->reload && reload_skips(vm, key)) return NULL;      /* recompiled by this reload */
    return api_loaded(vm, key);
}

static Program *find_loaded(VM *vm, const char *key) {
    LoadedFile *lf = find_loaded_file(vm, key);
    return lf ? lf->prog : NULL;
}

char *api_module_key(VM *vm, const char *name) {
    char buf[4096];
    const char *k = name[0] != '<' && realpath(name, buf) ? buf : name;
    return mem_strndup(vm, k, strlen(k));
}

/* dir of `from` + rel + ".writ", with "." and ".." segments resolved. */
static char *join_path(Arena *a, const char *from, const char *rel) {
    char buf[4096];
    const char *slash = strrchr(from, '/');
    size_t dl = slash ? (size_t)(slash - from + 1) : 0;
    snprintf(buf, sizeof buf, "%.*s%s.writ", (int)dl, from, rel);
    /* normalise */
    char *segs[256];
    int n = 0;
    bool abs = buf[0] == '/';
    char *save = NULL;
    for (char *t = strtok_r(buf, "/", &save); t && n < 256; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0) continue;
        if (strcmp(t, "..") == 0 && n > 0 && strcmp(segs[n - 1], "..") != 0) { n--; continue; }
        segs[n++] = t;
    }
    char out[4096];
    size_t off = 0;
    if (abs) out[off++] = '/';
    for (int i = 0; i < n && off < sizeof out - 2; i++)
        off += (size_t)snprintf(out + off, sizeof out - off, "%s%s", i ? "/" : "", segs[i]);
    return arena_strndup(a, out, off);
}

/* ---- library preludes, compiled into a VM on first use ----
 * A prelude is wanted when an identifier of the load's sources is one of its
 * exported names (`Vector2`, `Easing`, `shuffle`, ...); its dependencies come
 * with it.  The scan is one pass over the identifier tokens against a small
 * static table, so a script that uses no prelude type pays nothing else. */

/* want plus the preludes that export or are triggered by identifier t. */
static uint64_t prelude_wanting(const char *t, uint64_t want) {
    for (uint32_t m = 0; m < lib_nmodules && m < 64; m++) {
        const char *const *ex = lib_modules[m].exports;
        if (!lib_modules[m].prelude || (want >> m & 1)) continue;
        for (; ex && *ex; ex++)
            if ((*ex)[0] == t[0] && strcmp(*ex, t) == 0) { want |= 1ULL << m; break; }
        for (ex = lib_modules[m].triggers; ex && *ex && !(want >> m & 1); ex++)
            if ((*ex)[0] == t[0] && strcmp(*ex, t) == 0) want |= 1ULL << m;
    }
    return want;
}

/* Which preludes a unit's identifiers name (an export or a trigger).  The
 * names are bucketed by first character, so most identifiers cost one
 * table look-up instead of a scan of every module's lists. */
static uint64_t prelude_names_used(const Token *toks, size_t n) {
    enum { MAXNAMES = 256 };
    const char *names[MAXNAMES];
    uint8_t mod[MAXNAMES];
    int16_t next[MAXNAMES], head[256];
    int count = 0;
    memset(head, -1, sizeof head);
    for (uint32_t m = 0; m < lib_nmodules && m < 64; m++) {
        if (!lib_modules[m].prelude) continue;
        for (int list = 0; list < 2; list++)
            for (const char *const *ex = list ? lib_modules[m].triggers : lib_modules[m].exports; ex && *ex; ex++) {
                if (count == MAXNAMES) break;
                uint8_t c = (uint8_t)(*ex)[0];
                names[count] = *ex;
                mod[count] = (uint8_t)m;
                next[count] = head[c];
                head[c] = (int16_t)count++;
            }
    }
    uint64_t want = 0;
    for (size_t i = 0; i < n; i++) {
        if (toks[i].kind != TK_IDENT) continue;
        const char *t = toks[i].text;
        for (int k = head[(uint8_t)t[0]]; k >= 0; k = next[k])
            if (!(want >> mod[k] & 1) && strcmp(names[k], t) == 0) want |= 1ULL << mod[k];
    }
    return want;
}

/* Host bound variables may have library types ("Vector2"): their preludes
 * come with every load, as if the script named them. */
static uint64_t prelude_names_bound(VM *vm) {
    uint64_t want = 0;
    for (size_t i = 0; i < vm->nhostglobals; i++) {
        const char *s = vm->hostglobals[i]->ptr ? vm->hostglobals[i]->type_spelling : NULL;
        while (s && *s) {
            size_t n = 0;
            while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_') n++;
            if (n && n < 64) {
                char id[64];
                memcpy(id, s, n);
                id[n] = 0;
                want = prelude_wanting(id, want);
            }
            s += n ? n : 1;
        }
    }
    return want;
}

static uint32_t module_index(const char *name) {
    for (uint32_t m = 0; m < lib_nmodules; m++) if (strcmp(lib_modules[m].name, name) == 0) return m;
    return UINT32_MAX;
}

static Unit *parse_unit(Loader *L, const char *name, char *text, size_t len);

/* Module m is enabled in this VM, and so are the modules its prelude needs
 * (a tween without interpolation is treated as disabled). */
static bool prelude_usable(VM *vm, uint32_t m) {
    if (m >= 64 || !(vm->lib_on >> m & 1)) return false;
    for (const char *const *d = lib_modules[m].deps; d && *d; d++) {
        uint32_t k = module_index(*d);
        if (k == UINT32_MAX || !prelude_usable(vm, k)) return false;
    }
    return true;
}

static bool prelude_loaded(VM *vm, uint32_t m) {
    char key[128];
    lib_prelude_name(&lib_modules[m], key, sizeof key);
    if (!find_loaded(vm, key)) return false;
    for (const char *const *d = lib_modules[m].deps; d && *d; d++) {
        uint32_t k = module_index(*d);
        if (k != UINT32_MAX && !prelude_loaded(vm, k)) return false;
    }
    return true;
}

/* Adds module m's prelude (after its dependencies) to `pre` unless the VM has it. */
static void add_prelude(Loader *L, uint32_t m, uint64_t *added, Program ***pre, uint32_t *npre, uint32_t *cappre) {
    if (*added >> m & 1) return;
    *added |= 1ULL << m;
    const LibModule *lm = &lib_modules[m];
    for (const char *const *d = lm->deps; d && *d; d++) {
        uint32_t k = module_index(*d);
        if (k != UINT32_MAX) add_prelude(L, k, added, pre, npre, cappre);
    }
    char key[128];
    lib_prelude_name(lm, key, sizeof key);
    if (find_loaded(L->vm, key)) return;
    size_t plen = strlen(lm->prelude);
    Unit *u = parse_unit(L, key, mem_strndup(L->vm, lm->prelude, plen), plen);
    u->state = 2;
    VEC_PUSH(L->vm, *pre, *npre, *cappre, u->prog);
}

static Unit *parse_unit(Loader *L, const char *name, char *text, size_t len) {
    Unit *u = arena_alloc(L->arena, sizeof *u);
    u->name = arena_strndup(L->arena, name, strlen(name));
    u->text = text;
    u->len = len;
    u->src.name = u->name;
    u->src.text = text;
    u->src.len = len;
    size_t ntoks;
    Token *toks = lex_source(L->arena, L->diags, &u->src, &ntoks);
    if (name[0] != '<' || !lib_module_of_prelude(name)) L->want |= prelude_names_used(toks, ntoks);
    u->prog = parse_program(L->arena, L->diags, &u->src, toks, ntoks);
    if (name[0] != '<') u->fp = iface_fingerprint(L->arena, toks, ntoks, u->prog);
    VEC_PUSH(L->vm, L->units, L->nunits, L->capunits, u);
    return u;
}

/* Did-you-mean among the .writ files of the directory the import points into. */
static void suggest_module(Loader *L, const char *path, const char *written, Diag *g) {
    const char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    const char *base = slash ? slash + 1 : path;
    char want[512];
    snprintf(want, sizeof want, "%.*s", (int)(strlen(base) > 5 ? strlen(base) - 5 : strlen(base)), base);
    DIR *d = opendir(dir);
    if (!d) return;
    const char *cands[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".writ") == 0)
            cands[n++] = arena_strndup(L->arena, de->d_name, l - 5);
    }
    closedir(d);
    const char *s = diag_suggest(want, cands, n);
    if (!s) return;
    const char *wslash = strrchr(written, '/');
    diag_help(L->diags, g, "did you mean \"%.*s%s\"?", wslash ? (int)(wslash - written + 1) : 0, written, s);
}

/* What a unit's relative imports start from: its own path, or for a string
 * module its name under the root directory (docs/decisions.md). */
static const char *import_base(Loader *L, Unit *u) {
    const char *root = L->vm->root_dir;
    if (!u->from_string || !root || u->name[0] == '/') return u->name;
    return arena_printf(L->arena, "%s/%s", root, u->name);
}

/* This load's syntax trees will point into mod's (imported symbols,
 * default values, generic bodies): mod's compile data stays while this
 * load's does (reload.c). */
static void compiled_against(Loader *L, Module *mod) {
    if (!mod) return;
    for (uint32_t i = 0; i < L->nagainst; i++) if (L->against[i] == mod) return;
    VEC_PUSH(L->vm, L->against, L->nagainst, L->capagainst, mod);
}

static void visit(Loader *L, Unit *u) {
    u->state = 1;
    VEC_PUSH(L->vm, L->stack, L->nstack, L->capstack, u);
    Program *prog = u->prog;
    for (uint32_t i = 0; prog && i < prog->n; i++) {
        Stmt *s = prog->items[i];
        if (s->kind != S_IMPORT) continue;
        ImportDecl *imp = s->imp;
        char *path = join_path(L->arena, import_base(L, u), imp->path);
        imp->key = module_key(L->arena, path);
        LoadedFile *done = find_loaded_file(L->vm, imp->key);
        if (done) {                                       /* loaded by an earlier load: shared */
            imp->target = done->prog;
            compiled_against(L, done->mod);
            continue;
        }
        Unit *t = NULL;
        for (uint32_t k = 0; k < L->nunits; k++) if (strcmp(L->units[k]->name, path) == 0) t = L->units[k];
        if (!t) {
            char *text;
            size_t len;
            struct stat st;
            if (stat(path, &st) != 0 || S_ISDIR(st.st_mode) || api_read_file(L->vm, path, &text, &len) != WRIT_OK) {
                Diag *g = diag_error(L->diags, &u->src, imp->path_span, "module not found: \"%s\"", imp->path);
                suggest_module(L, path, imp->path, g);
                continue;
            }
            t = parse_unit(L, path, text, len);
        }
        if (t->state == 1) {
            char buf[2048];
            size_t off = 0;
            uint32_t from = 0;
            while (L->stack[from] != t) from++;
            for (uint32_t k = from; k < L->nstack && off < sizeof buf - 256; k++) {
                const char *nm = strrchr(L->stack[k]->name, '/');
                off += (size_t)snprintf(buf + off, sizeof buf - off, "%s -> ", nm ? nm + 1 : L->stack[k]->name);
            }
            const char *nm = strrchr(t->name, '/');
            snprintf(buf + off, sizeof buf - off, "%s", nm ? nm + 1 : t->name);
            diag_error(L->diags, &u->src, imp->path_span, "import cycle: %s", buf);
            continue;
        }
        if (t->state == 0) visit(L, t);
        imp->target = t->prog;
    }
    L->nstack--;
    u->state = 2;
    if (prog) VEC_PUSH(L->vm, L->order, L->norder, L->caporder, prog);
}

/* Compiles (and with run, executes) a file and its imports; takes ownership of text. */
static char *dup_opt(VM *vm, const char *s) { return s ? mem_strndup(vm, s, strlen(s)) : NULL; }
static void free_opt(VM *vm, const char *s) { if (s) mem_free(vm, (void *)s, strlen(s) + 1); }

static void drop_diagnostics(VM *vm) {
    for (size_t i = 0; i < vm->ndiags; i++) {
        writ_diagnostic *g = &vm->diags[i];
        free_opt(vm, g->file); free_opt(vm, g->message); free_opt(vm, g->label); free_opt(vm, g->help); free_opt(vm, g->note);
    }
    if (vm->diags) mem_free(vm, vm->diags, sizeof(writ_diagnostic) * vm->ndiags);
    vm->diags = NULL;
    vm->ndiags = 0;
}

/* A copy of the (sorted) diagnostics for writ_diagnostic_get. */
static void keep_diagnostics(VM *vm, Diags *d) {
    drop_diagnostics(vm);
    vm->diags = mem_calloc(vm, sizeof(writ_diagnostic) * d->n);
    vm->ndiags = d->n;
    for (size_t i = 0; i < d->n; i++) {
        Diag *x = &d->items[i];
        writ_diagnostic *g = &vm->diags[i];
        g->file = dup_opt(vm, x->src ? x->src->name : "");
        g->line = (int)x->span.line;
        g->column = (int)x->span.col;
        g->end_line = (int)x->span.end_line;
        g->end_column = (int)x->span.end_col;
        g->message = dup_opt(vm, x->msg);
        g->label = dup_opt(vm, x->label);
        g->help = dup_opt(vm, x->help);
        g->note = dup_opt(vm, x->note);
    }
}

int writ_diagnostic_count(writ_vm *vm) { return vm ? (int)vm->ndiags : 0; }

bool writ_diagnostic_get(writ_vm *vm, int index, writ_diagnostic *out) {
    if (!vm || !out || index < 0 || (size_t)index >= vm->ndiags) return false;
    *out = vm->diags[index];
    return true;
}

static writ_status load_units(VM *vm, const char *name, char *text, size_t len, bool run, bool from_string,
                              LoadHooks *h, uint64_t library);

/* Compiles and runs the preludes of the modules in `need` (and the preludes
 * they need) as a load of their own ("<library>"), so they belong to no
 * script's load: a failed or reloaded script never takes them along. */
static writ_status load_library(VM *vm, uint64_t need) {
    struct ReloadCtx *saved = vm->reload;
    vm->reload = NULL;
    writ_status st = load_units(vm, "<library>", mem_strndup(vm, "", 0), 0, true, false, NULL, need);
    vm->reload = saved;
    return st;
}

/* Host signatures and type spellings may name library types (Color,
 * Vector2, ...) before any script did: their preludes are compiled first,
 * so "(c: Color) -> Vector2" resolves at registration.  Not while script
 * code runs (the prelude's top-level code would nest in it). */
writ_status api_want_preludes(VM *vm, const char *text) {
    if (!text || vm->entry_depth) return WRIT_OK;
    uint64_t need = 0;
    for (const char *s = text; *s;) {
        if (!(isalpha((unsigned char)*s) || *s == '_')) { s++; continue; }
        const char *b = s;
        while (isalnum((unsigned char)*s) || *s == '_') s++;
        size_t n = (size_t)(s - b);
        for (uint32_t m = 0; m < lib_nmodules && m < 64; m++) {
            if (!lib_modules[m].prelude || (need >> m & 1)) continue;
            for (const char *const *ex = lib_modules[m].exports; ex && *ex; ex++)
                if (strlen(*ex) == n && strncmp(*ex, b, n) == 0) { need |= 1ULL << m; break; }
        }
    }
    for (uint32_t m = 0; m < lib_nmodules && m < 64; m++)
        if ((need >> m & 1) && (!prelude_usable(vm, m) || prelude_loaded(vm, m))) need &= ~(1ULL << m);
    return need ? load_library(vm, need) : WRIT_OK;
}

/* Hot reload (runtime.md §11): every live load importing the reloaded
 * files, directly or not, is checked again against the new exports (the new
 * programs are visible to imports meanwhile).  On an error its diagnostics
 * stand and the reload is refused. */
static writ_status recheck_dependents(VM *vm, Loader *L) {
    uint32_t nd;
    Module **deps = reload_dependents(vm, &nd);
    if (!nd) return WRIT_OK;
    size_t base = vm->nloaded;
    for (uint32_t i = 0; i < L->nunits; i++) {
        LoadedFile lf = {0};
        char *key = module_key(L->arena, L->units[i]->name);
        lf.path = mem_strndup(vm, key, strlen(key));
        lf.prog = L->units[i]->prog;
        VEC_PUSH(vm, vm->loaded, vm->nloaded, vm->cap_loaded, lf);
    }
    struct ReloadCtx *saved = vm->reload;
    vm->reload = NULL;                    /* a plain check: no types or globals taken over */
    writ_status st = WRIT_OK;
    for (uint32_t i = 0; i < nd && st == WRIT_OK; i++) {   /* each file of theirs, as its newest code is */
        Module *m = deps[i];
        for (uint32_t k = 0; k <= m->nfiles && st == WRIT_OK; k++) {
            const char *f = k == 0 ? m->name : m->files[k - 1];
            if ((k > 0 && lib_module_of_prelude(f)) || !reload_compiles_newest(vm, m, f)) continue;
            const char *text = k == 0 ? m->text : m->texts[k - 1];
            size_t len = k == 0 ? m->src.len : m->textlens[k - 1];
            st = load_units(vm, f, mem_strndup(vm, text, len), len, false, k == 0 && m->from_string, NULL, 0);
        }
    }
    vm->reload = saved;
    for (size_t i = base; i < vm->nloaded; i++) mem_free(vm, vm->loaded[i].path, strlen(vm->loaded[i].path) + 1);
    vm->nloaded = base;
    return st;
}

writ_status api_load(VM *vm, const char *name, char *text, size_t len, bool run, bool from_string, LoadHooks *h) {
    drop_diagnostics(vm);
    vm->mem_failed = false;
    return load_units(vm, name, text, len, run, from_string, h, 0);
}

static writ_status load_body(VM *vm, const char *name, char *text, size_t len, bool run, bool from_string,
                             LoadHooks *h, uint64_t library);

/* library != 0: the load of those modules' preludes (load_library).  An
 * allocation failure while compiling frees the load's arena and is the
 * error "out of memory" (WRIT_ERROR_LIMIT, like the memory limit); while
 * its top-level code runs, a runtime error of that kind. */
static writ_status load_units(VM *vm, const char *name, char *text, size_t len, bool run, bool from_string,
                              LoadHooks *h, uint64_t library) {
    Arena *outer = vm->loading_arena;
    ApiEntry e;
    if (API_PROTECT(vm, &e)) {
        if (vm->loading_arena && vm->loading_arena != outer) {
            arena_free(vm->loading_arena);
            mem_free(vm, vm->loading_arena, sizeof(Arena));
        }
        vm->loading_arena = outer;
        return WRIT_ERROR_LIMIT;
    }
    writ_status st = load_body(vm, name, text, len, run, from_string, h, library);
    API_UNPROTECT(vm, &e);
    vm->loading_arena = outer;
    return st;
}

/* The types a load that is dropped (a failed or check-only compile) made
 * outlive it (types live as long as the VM), but not its code: their method
 * tables would point at freed protos. */
static void forget_new_types(VM *vm, CheckResult *cr) {
    for (uint32_t i = 0; i < cr->ntypes + cr->ninst_types; i++) {
        TypeInfo *ti = i < cr->ntypes ? cr->types[i] : cr->inst_types[i - cr->ntypes];
        Type *t = ti ? ti->type : NULL;
        if (!t || t->decl != ti || reload_reused(vm, t)) continue;    /* reused ones are rolled back */
        ty_nom_free(vm, t->nom);
        t->nom = mem_calloc(vm, sizeof(NominalInfo));
        t->decl = NULL;
    }
}

static writ_status load_body(VM *vm, const char *name, char *text, size_t len, bool run, bool from_string,
                             LoadHooks *h, uint64_t library) {
    /* the arena outlives a successful load: later loads import its symbols */
    Arena *arenap = mem_alloc(vm, sizeof(Arena));
    arena_init(arenap, vm);
    vm->loading_arena = arenap;
    Diags d;
    diags_init(&d, arenap);
    Loader L;
    memset(&L, 0, sizeof L);
    L.vm = vm;
    L.arena = arenap;
    L.diags = &d;
    Unit *main_unit = parse_unit(&L, name, text, len);
    main_unit->from_string = from_string;
    struct ReloadCtx *rc = vm->reload;
    if (rc && rc->only_file && main_unit->fp != rc->want_fp) rc->abort_file = true;   /* its interface changed */
    bool go = !(rc && rc->abort_file);
    if (!library) L.want |= prelude_names_bound(vm);
    if (!d.syntax_error && go) visit(&L, main_unit);
    writ_status lib_st = WRIT_OK;
    if (library) {                        /* the library load: the preludes, dependencies first */
        Program **pre = NULL;
        uint32_t npre = 0, cappre = 0;
        uint64_t added = 0;
        for (uint32_t m = 0; m < lib_nmodules && m < 64; m++)
            if (library >> m & 1) add_prelude(&L, m, &added, &pre, &npre, &cappre);
        for (uint32_t i = 0; i < L.norder; i++) VEC_PUSH(vm, pre, npre, cappre, L.order[i]);
        VEC_FREE(vm, L.order, L.caporder);
        L.order = pre;
        L.norder = npre;
        L.caporder = cappre;
    } else {                              /* preludes the sources name and the VM lacks: compiled first */
        uint64_t need = 0;
        for (uint32_t m = 0; m < lib_nmodules && m < 64; m++)
            if ((L.want >> m & 1) && prelude_usable(vm, m) && !prelude_loaded(vm, m)) need |= 1ULL << m;
        if (need && !d.syntax_error && go) lib_st = load_library(vm, need);
    }
    Program **earlier = NULL;         /* preludes compiled by earlier loads (enabled modules only) */
    const LibModule *lm;
    uint32_t nearlier = 0, capearlier = 0;
    for (size_t i = 0; i < vm->nloaded; i++)
        if ((lm = lib_module_of_prelude(vm->loaded[i].path)) && prelude_usable(vm, (uint32_t)(lm - lib_modules))) {
            VEC_PUSH(vm, earlier, nearlier, capearlier, vm->loaded[i].prog);
            compiled_against(&L, vm->loaded[i].mod);
        }
    CheckResult cr;
    memset(&cr, 0, sizeof cr);
    if (!d.syntax_error && !d.n && lib_st == WRIT_OK && go)
        chk_modules(vm, arenap, &d, L.order, L.norder, &cr, earlier, nearlier, h ? h->session : NULL);
    VEC_FREE(vm, earlier, capearlier);
    Type *value_type = NULL;
    if (h && h->display && !d.n && lib_st == WRIT_OK && main_unit->prog && main_unit->prog->n == 1 && cr.nscripts) {
        Stmt *s = main_unit->prog->items[0];      /* the entry's value: returned by its top-level code */
        Type *t = s->kind == S_EXPR && s->value ? s->value->type : NULL;
        if (t && t->kind != T_VOID && t->kind != T_ERROR) {
            s->kind = S_RETURN;
            cr.scripts[cr.nscripts - 1]->ret = t;
            value_type = t;
        }
    }
    Module *m = mem_calloc(vm, sizeof *m);
    m->name = mem_strndup(vm, name, strlen(name));
    m->from_string = from_string;
    m->text = text;
    m->src.name = m->name;
    m->src.text = text;
    m->src.len = len;
    m->fp = main_unit->fp;
    /* the module keeps every file's name and text: traces and protos refer to them */
    for (uint32_t i = 1; i < L.nunits; i++) {
        Unit *u = L.units[i];
        if (m->nfiles == m->capfiles) {
            uint32_t nc = m->capfiles ? m->capfiles * 2 : 4;
            size_t *lens = mem_alloc(vm, sizeof(size_t) * nc);
            uint64_t *fps = mem_alloc(vm, sizeof(uint64_t) * nc);
            mem_grow_pair(vm, &m->files, sizeof(char *), &m->texts, sizeof(char *), m->capfiles, nc);
            if (m->capfiles) {
                memcpy(lens, m->textlens, sizeof(size_t) * m->capfiles);
                memcpy(fps, m->fps, sizeof(uint64_t) * m->capfiles);
                mem_free(vm, m->textlens, sizeof(size_t) * m->capfiles);
                mem_free(vm, m->fps, sizeof(uint64_t) * m->capfiles);
            }
            m->textlens = lens;
            m->fps = fps;
            m->capfiles = nc;
        }
        m->files[m->nfiles] = mem_strndup(vm, u->name, strlen(u->name));
        m->texts[m->nfiles] = u->text;
        m->textlens[m->nfiles] = u->len;
        m->fps[m->nfiles] = u->fp;
        m->nfiles++;
        u->src.name = m->files[m->nfiles - 1];
    }
    main_unit->src.name = m->name;
    if (!d.n && lib_st == WRIT_OK && go) cg_modules(vm, m, L.order, L.norder, &cr, &d);   /* check mode compiles too, then drops the code */
    vm->loading_arena = NULL;    /* from here on hot reload and the registry of loaded files may point into it */
    bool mem_over = vm->mem_failed;          /* compiling went over the memory limit */
    vm->mem_failed = false;
    bool ok = !d.n && !mem_over && lib_st == WRIT_OK && go;
    if (ok && rc && !rc->only_file) lib_st = recheck_dependents(vm, &L);   /* its error text stands */
    ok = ok && lib_st == WRIT_OK;
    if (ok && rc) ok = reload_commit(vm, m, &d, &main_unit->src);       /* hot reload: install, or refuse */
    if (ok && run)                        /* every file of this load is now shared with later loads */
        for (uint32_t i = 0; i < L.nunits; i++) {
            LoadedFile lf = {0};
            char *key = module_key(arenap, L.units[i]->name);
            lf.path = mem_strndup(vm, key, strlen(key));
            lf.prog = L.units[i]->prog;
            lf.mod = m;
            VEC_PUSH(vm, vm->loaded, vm->nloaded, vm->cap_loaded, lf);
        }
    if (ok && run && L.nagainst) {
        m->against = mem_alloc(vm, sizeof(Module *) * L.nagainst);
        memcpy(m->against, L.against, sizeof(Module *) * L.nagainst);
        m->nagainst = L.nagainst;
    }
    VEC_FREE(vm, L.against, L.capagainst);
    VEC_FREE(vm, L.units, L.capunits);
    VEC_FREE(vm, L.order, L.caporder);
    VEC_FREE(vm, L.stack, L.capstack);
    if (!ok || !run) {                    /* (a file reload given up leaves d empty: the caller goes on) */
        writ_status st = WRIT_OK;
        if (lib_st != WRIT_OK) {
            st = lib_st;                  /* the library load's error text stands */
        } else if (mem_over && !d.n) {
            char buf[128];
            int k = snprintf(buf, sizeof buf, "error: memory limit exceeded (%zu bytes)\n", vm->mem_limit);
            api_set_error_text(vm, buf, (size_t)k);
            st = WRIT_ERROR_LIMIT;
        } else if (d.n) {
            Buf b;
            buf_init(&b, vm);
            diags_render(&d, &b);
            keep_diagnostics(vm, &d);
            api_set_error_text(vm, b.data ? b.data : "", b.len);
            buf_free(&b);
            st = WRIT_ERROR_COMPILE;
        }
        forget_new_types(vm, &cr);
        chk_result_free(vm, &cr);
        diags_free(&d, vm);
        arena_free(arenap);
        mem_free(vm, arenap, sizeof(Arena));
        uint32_t first = m->first_global, n = m->nglobals;
        module_free(vm, m);
        if (n && first + n == vm->g.nglobals) vm->g.nglobals = first;   /* roll back its slots */
        return st;
    }
    if (h) {                            /* the REPL session keeps this load's names */
        h->compiled = true;
        h->ntop = cr.ntop;
        h->top = cr.ntop ? mem_alloc(vm, sizeof(Sym *) * cr.ntop) : NULL;
        if (cr.ntop) memcpy(h->top, cr.top, sizeof(Sym *) * cr.ntop);
    }
    /* kept: later loads use this load's types and functions (freed with the VM); the three
     * lists stay index-aligned (hot reload), so they all grow before any is appended to */
    VEC_GROW(vm, vm->results, vm->nresults, vm->cap_results, 1);
    VEC_GROW(vm, vm->arenas, vm->narenas, vm->cap_arenas, 1);
    VEC_GROW(vm, vm->modules, vm->nmodules, vm->cap_modules, 1);
    CheckResult *kept = mem_alloc(vm, sizeof cr);
    *kept = cr;
    VEC_PUSH(vm, vm->results, vm->nresults, vm->cap_results, (void *)kept);
    diags_free(&d, vm);
    VEC_PUSH(vm, vm->arenas, vm->narenas, vm->cap_arenas, arenap);
    VEC_PUSH(vm, vm->modules, vm->nmodules, vm->cap_modules, m);
    if (getenv("WRIT_DUMP"))
        for (uint32_t i = 0; i < m->nprotos; i++) dis_proto(m->all_protos[i], stderr);
    vm->has_error = false;
    Value result = {0};
    api_entry_begin(vm);
    ok = true;
    for (uint32_t i = 0; i < m->nscripts && ok; i++)     /* imported modules first */
        ok = vm_execute(vm, m->scripts[i], NULL, NULL, 0, &result);
    if (ok && value_type) {
        h->has_value = true;
        h->value_type = value_type;
        h->value = result;
    }
    return api_entry_end(vm, ok);
}

/* One open, fstat and read for the usual file (a reload reads every file
 * of its load to find the changed one). */
writ_status api_read_file(VM *vm, const char *path, char **out, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) { close(fd); fd = -1; errno = EISDIR; }
    if (fd < 0) {
        char buf[1024];
        snprintf(buf, sizeof buf, "error: cannot read '%s': %s\n", path, strerror(errno));
        api_set_error_text(vm, buf, strlen(buf));
        return WRIT_ERROR_IO;
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
    char *data = mem_alloc(vm, cap);
    for (;;) {
        if (n + 1 >= cap) { data = mem_realloc(vm, data, cap, cap * 2); cap *= 2; }
        ssize_t r = read(fd, data + n, cap - n - 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
        if (n + 1 == cap && (size_t)st.st_size == n) break;    /* all of it: no read of the end */
    }
    close(fd);
    if (cap != n + 1) data = mem_realloc(vm, data, cap, n + 1);
    data[n] = 0;
    *out = data;
    *len = n;
    return WRIT_OK;
}

static writ_status load_file_impl(writ_vm *vm, const char *path) {
    if (!vm || !path) return WRIT_ERROR_MISUSE;
    char *text;
    size_t len;
    writ_status st = api_read_file(vm, path, &text, &len);
    if (st != WRIT_OK) return st;
    return api_load(vm, path, text, len, true, false, NULL);
}

static writ_status load_string_impl(writ_vm *vm, const char *name, const char *source, size_t len) {
    if (!vm || !name || !source) return WRIT_ERROR_MISUSE;
    return api_load(vm, name, mem_strndup(vm, source, len), len, true, true, NULL);
}

const char *writ_loaded_file(writ_vm *vm, size_t index) {
    if (!vm) return NULL;
    for (size_t i = 0; i < vm->nloaded; i++)      /* files have absolute keys (realpath); others are names */
        if (vm->loaded[i].path[0] == '/' && index-- == 0) return vm->loaded[i].path;
    return NULL;
}

static writ_status check_file_impl(writ_vm *vm, const char *path) {
    if (!vm || !path) return WRIT_ERROR_MISUSE;
    char *text;
    size_t len;
    writ_status st = api_read_file(vm, path, &text, &len);
    if (st != WRIT_OK) return st;
    return api_load(vm, path, text, len, false, false, NULL);
}

/* ---- public entry points: each runs inside API_PROTECT (api.h) ---- */

writ_status writ_load_file(writ_vm *vm, const char *path) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, load_file_impl(vm, path));
}

writ_status writ_load_string(writ_vm *vm, const char *name, const char *source, size_t len) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, load_string_impl(vm, name, source, len));
}

writ_status writ_check_file(writ_vm *vm, const char *path) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, check_file_impl(vm, path));
}

writ_status writ_tick(writ_vm *vm, double dt) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, tick_impl(vm, dt));
}

writ_value writ_wait_new(writ_vm *vm) {
    API_GUARDED(writ_value, api_no_value(), wait_new_impl(vm));
}

writ_status writ_wait_complete(writ_vm *vm, writ_value wait) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, wait_complete_impl(vm, wait));
}

writ_status writ_wait_cancel(writ_vm *vm, writ_value wait) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, wait_cancel_impl(vm, wait));
}
