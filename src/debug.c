/* debug.c — breakpoints, stepping, line/call/return hooks and stack
 * inspection (runtime.md §13).  Nothing here runs unless a hook or
 * breakpoint is installed: then every instruction passes vm_watch (vm.c),
 * which calls debug_instruction with the instruction about to run. */
#include "reload.h"
#include "debug.h"
#include "api.h"
#include "chunk.h"
#include <stdio.h>
#include <stdlib.h>

static void update_on(VM *vm) {
    Debugger *d = &vm->dbg;
    vm->debug_on = d->line || d->call || (d->brk && d->nbps) || d->step;
    vm->watch = vm->insn_limit || vm->mem_limit || vm->debug_on;
}

void writ_set_line_hook(writ_vm *vm, writ_line_hook fn, void *ud) {
    if (!vm) return;
    vm->dbg.line = fn;
    vm->dbg.line_ud = ud;
    update_on(vm);
}

void writ_set_call_hook(writ_vm *vm, writ_call_hook fn, void *ud) {
    if (!vm) return;
    vm->dbg.call = fn;
    vm->dbg.call_ud = ud;
    update_on(vm);
}

void writ_set_break_handler(writ_vm *vm, writ_break_fn fn, void *ud) {
    if (!vm) return;
    vm->dbg.brk = fn;
    vm->dbg.brk_ud = ud;
    update_on(vm);
}

/* A breakpoint's file matches a proto's file as given or by canonical path. */
static bool file_matches(VM *vm, const char *bp, const char *file) {
    (void)vm;
    if (!bp || !file) return false;
    if (strcmp(bp, file) == 0) return true;
    size_t a = strlen(bp), b = strlen(file);          /* "dir/x.writ" set as "x.writ" and vice versa */
    if (a > b && bp[a - b - 1] == '/' && strcmp(bp + a - b, file) == 0) return true;
    if (b > a && file[b - a - 1] == '/' && strcmp(file + b - a, bp) == 0) return true;
    return false;
}

static bool proto_has_line(Proto *p, uint32_t line) {
    for (uint32_t i = 0; i < p->ncode; i++) if (p->lines[i] == line) return true;
    return false;
}

bool writ_line_has_code(writ_vm *vm, const char *file, int line) {
    if (!vm || !file || line <= 0) return false;
    for (size_t m = 0; m < vm->nmodules; m++) {
        Module *mod = vm->modules[m];
        if (mod->replaced) continue;
        for (uint32_t i = 0; i < mod->nprotos; i++) {
            Proto *p = mod->all_protos[i];
            if (!p->hidden && file_matches(vm, file, p->file) && proto_has_line(p, (uint32_t)line) &&
                reload_compiles_newest(vm, mod, p->file)) return true;    /* not code a file reload replaced */
        }
    }
    return false;
}

static writ_status set_breakpoint_impl(writ_vm *vm, const char *file, int line, bool enabled) {
    if (!vm) return WRIT_ERROR_MISUSE;
    if (!file || line <= 0) return api_misuse(vm, "a breakpoint needs a file and a line");
    Debugger *d = &vm->dbg;
    for (size_t i = 0; i < d->nbps; i++)
        if (d->bps[i].line == (uint32_t)line && strcmp(d->bps[i].file, file) == 0) {
            if (!enabled) {
                mem_free(vm, d->bps[i].file, strlen(d->bps[i].file) + 1);
                d->bps[i] = d->bps[--d->nbps];
                update_on(vm);
            }
            return WRIT_OK;
        }
    if (enabled) {
        Breakpoint b = { mem_strndup(vm, file, strlen(file)), (uint32_t)line };
        VEC_PUSH(vm, d->bps, d->nbps, d->capbps, b);
    }
    update_on(vm);
    return WRIT_OK;
}

void debug_free(VM *vm) {
    Debugger *d = &vm->dbg;
    for (size_t i = 0; i < d->nbps; i++) mem_free(vm, d->bps[i].file, strlen(d->bps[i].file) + 1);
    VEC_FREE(vm, d->bps, d->capbps);
}

static const char *frame_name(Proto *p) { return p->is_lambda ? "<lambda>" : p->name ? p->name : "<script>"; }

bool debug_instruction(VM *vm, Proto *p, const uint32_t *pc) {
    Debugger *d = &vm->dbg;
    if (p->hidden) return true;
    size_t depth = vm->nframes + vm->depth_base;
    uint32_t at = (uint32_t)(pc - p->code);
    uint32_t line = at < p->ncode ? p->lines[at] : 0;
    const char *file = p->file ? p->file : "?";
    bool new_line = depth != d->last_depth || p != d->last_proto || line != d->last_line || at <= d->last_at;
    d->last_depth = depth;
    d->last_proto = p;
    d->last_at = at;
    if (!new_line) return true;
    d->last_line = line;
    if (d->line) d->line(vm, file, (int)line, d->line_ud);
    if (!d->brk) return true;
    bool stop = false;
    switch (d->step) {
    case STEP_INTO: stop = true; break;
    case STEP_OVER: stop = depth <= d->step_depth; break;
    case STEP_OUT: stop = depth < d->step_depth; break;
    default: break;
    }
    for (size_t i = 0; !stop && i < d->nbps; i++)
        stop = d->bps[i].line == line && file_matches(vm, d->bps[i].file, file);
    if (!stop) return true;
    d->step = STEP_NONE;
    d->in_handler = true;
    writ_debug_action a = d->brk(vm, file, (int)line, d->brk_ud);
    d->in_handler = false;
    switch (a) {
    case WRIT_DEBUG_STEP_INTO: d->step = STEP_INTO; break;
    case WRIT_DEBUG_STEP_OVER: d->step = STEP_OVER; d->step_depth = depth; break;
    case WRIT_DEBUG_STEP_OUT: d->step = STEP_OUT; d->step_depth = depth; break;
    case WRIT_DEBUG_ABORT:
        update_on(vm);
        rt_error(vm, "aborted by debugger");
        return false;
    default: break;
    }
    update_on(vm);
    return true;
}

void debug_event(VM *vm, Proto *p, bool is_return) {
    Debugger *d = &vm->dbg;
    if (p->hidden) return;
    Frame *f = &vm->frames[vm->nframes - 1];
    uint32_t at = f->pc > p->code ? (uint32_t)(f->pc - p->code) - 1 : 0;
    int line = at < p->ncode ? (int)p->lines[at] : 0;
    if (d->call) d->call(vm, frame_name(p), p->file ? p->file : "?", line, is_return, d->call_ud);
    if (!is_return) {                       /* the callee's first instruction starts a line */
        d->last_proto = NULL;
        return;
    }
    /* the caller goes on in the middle of its line: that is not a new line */
    d->last_depth = vm->nframes - 1 + vm->depth_base;
    d->last_proto = NULL;
    if (vm->nframes >= 2) {
        Frame *c = &vm->frames[vm->nframes - 2];
        Proto *cp = c->proto;
        uint32_t cat = c->pc > cp->code ? (uint32_t)(c->pc - cp->code) - 1 : 0;
        d->last_proto = cp;
        d->last_at = cat;
        d->last_line = cat < cp->ncode ? cp->lines[cat] : 0;
    }
}

/* ------------------------------------------------------------------ */
/* inspecting the running stack */

static Frame *frame_at(VM *vm, int level) {
    int k = 0;
    for (size_t i = vm->nframes; i-- > 0;) {
        Frame *f = &vm->frames[i];
        if (f->hidden || f->proto->hidden) continue;
        if (k++ == level) return f;
    }
    return NULL;
}

int writ_stack_depth(writ_vm *vm) {
    int n = 0;
    for (size_t i = 0; vm && i < vm->nframes; i++) if (!vm->frames[i].hidden && !vm->frames[i].proto->hidden) n++;
    return n;
}

static uint32_t frame_pc(Frame *f, bool innermost_live) {
    uint32_t at = (uint32_t)(f->pc - f->proto->code);
    (void)innermost_live;
    return at > 0 ? at - 1 : 0;
}

bool writ_stack_frame(writ_vm *vm, int level, writ_frame_info *out) {
    if (!vm || !out || level < 0) return false;
    Frame *f = frame_at(vm, level);
    if (!f) return false;
    Proto *p = f->proto;
    uint32_t at = frame_pc(f, level == 0);
    out->function = frame_name(p);
    out->file = p->file ? p->file : "?";
    out->line = at < p->ncode ? (int)p->lines[at] : 0;
    out->host = false;
    return true;
}

/* The locals live at the frame's pc, innermost declaration last. */
static LocalDebug *live_local(Frame *f, int index) {
    Proto *p = f->proto;
    uint32_t at = frame_pc(f, false);
    int k = 0;
    for (uint32_t i = 0; i < p->ndlocals; i++) {
        LocalDebug *l = &p->dlocals[i];
        if (at < l->start || at >= l->end) continue;
        if (k++ == index) return l;
    }
    return NULL;
}

int writ_local_count(writ_vm *vm, int level) {
    if (!vm) return 0;
    Frame *f = frame_at(vm, level);
    int n = 0;
    while (f && live_local(f, n)) n++;
    return n;
}

static bool local_impl(writ_vm *vm, int level, int index, const char **name, writ_value *value) {
    if (!vm) return false;
    Frame *f = frame_at(vm, level);
    LocalDebug *l = f ? live_local(f, index) : NULL;
    if (!l) return false;
    if (name) *name = l->name;
    if (value) {
        Value v = vm->stack[f->base + l->reg];
        if (l->in_cell) v = ((Cell *)v.p)->v;
        *value = api_to_writ(vm, l->type, v, true);
    }
    return true;
}

int writ_trace_depth(writ_vm *vm) { return vm ? (int)vm->ntrace : 0; }

bool writ_trace_frame(writ_vm *vm, int i, writ_frame_info *out) {
    if (!vm || !out || i < 0 || (size_t)i >= vm->ntrace) return false;
    TraceFrame *t = &vm->trace[i];
    out->function = t->fn;
    out->file = t->file ? t->file : "";
    out->line = (int)t->line;
    out->host = t->host;
    return true;
}

/* ---- public entry points: each runs inside API_PROTECT (api.h) ---- */

writ_status writ_set_breakpoint(writ_vm *vm, const char *file, int line, bool enabled) {
    API_GUARDED(writ_status, WRIT_ERROR_LIMIT, set_breakpoint_impl(vm, file, line, enabled));
}

bool writ_local(writ_vm *vm, int level, int index, const char **name, writ_value *value) {
    API_GUARDED(bool, false, local_impl(vm, level, index, name, value));
}
