/* vm.c — the interpreter loop.  Registers are untagged 8-byte slots on a
 * VM-managed stack; frames live in vm->frames, so script calls never recurse
 * on the C stack.  Every instruction is typed by the compiler: no type tests
 * here.  Reference registers own their value (release on overwrite);
 * parameters are borrowed.  On a runtime error the trace is built from the
 * frames and each frame's owned reference registers are released. */
#include "vm.h"
#include "chunk.h"
#include "opcodes.h"
#include "rt.h"
#include "sched.h"
#include "debug.h"
#include "reload.h"
#include "host.h"
#include "api.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#if (defined(__GNUC__) || defined(__clang__)) && !defined(WRIT_NO_COMPUTED_GOTO)
#define WRIT_COMPUTED_GOTO 1
#endif

#define DEFAULT_DEPTH 10000

/* ------------------------------------------------------------------ */
/* errors */

void rt_error(VM *vm, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t n = strlen(buf) + 1;
    if (vm->error_msg) mem_free(vm, vm->error_msg, vm->error_msg_size);
    vm->error_msg = mem_try_strndup(vm, buf, n - 1);   /* reporting never jumps: NULL renders "out of memory" */
    vm->error_msg_size = n;
    vm->has_error = true;
    vm->error_is_limit = false;
    vm->ntrace = 0;
}

static uint32_t frame_line(Frame *f) {
    Proto *p = f->proto;
    size_t at = (size_t)(f->pc - p->code);
    if (at > 0) at--;
    return at < p->ncode ? p->lines[at] : 0;
}

/* Room for one more trace frame (false when memory is out: the trace is cut). */
static bool trace_room(VM *vm) {
    if (vm->ntrace < vm->cap_trace) return true;
    size_t nc = vm->cap_trace ? vm->cap_trace * 2 : 32;
    TraceFrame *t = mem_try_realloc(vm, vm->trace, sizeof(TraceFrame) * vm->cap_trace, sizeof(TraceFrame) * nc);
    if (!t) return false;
    vm->trace = t;
    vm->cap_trace = nc;
    return true;
}

/* Appends the frames [lo, nframes) of the running context to the trace,
 * innermost first.  An error crossing task switches appends each context. */
static void trace_add(VM *vm, size_t lo) {
    for (size_t i = vm->nframes; i-- > lo;) {
        Frame *f = &vm->frames[i];
        Proto *p = f->proto;
        if (f->hidden || p->hidden) continue;      /* library frames (preludes) are not shown */
        if (!trace_room(vm)) return;
        TraceFrame *t = &vm->trace[vm->ntrace++];
        t->fn = p->is_lambda ? "<lambda>" : p->name ? p->name : "<script>";
        t->file = p->file ? p->file : p->module && p->module->name ? p->module->name : "?";
        t->line = frame_line(f);
        t->host = false;
    }
}

/* A host function's frame: "at NAME (host)". */
static void trace_host(VM *vm, const char *name) {
    if (!trace_room(vm)) return;
    TraceFrame *t = &vm->trace[vm->ntrace++];
    t->fn = name;
    t->file = NULL;
    t->line = 0;
    t->host = true;
}

/* Calls a host function with its converted arguments: the re-entry cap,
 * an invalidated receiver, and a failure become runtime errors with a
 * host frame in the trace.  *r is the host's (owned) result. */
static bool host_invoke(VM *vm, HostFn *h, writ_value *args, uint32_t nargs, writ_value *r) {
    memset(r, 0, sizeof *r);
    if (unlikely(vm->host_nesting >= 200)) {
        rt_error(vm, "stack overflow: host call nesting limit (200) exceeded");
        vm->error_is_limit = true;
        return false;
    }
    if (h->owner && !((HostObj *)args[0].as.ref)->valid) {
        rt_error(vm, "%s object is no longer valid", h->owner->name);
        return false;
    }
    vm->has_error = false;
    vm->host_nesting++;
    writ_status st = h->fn(vm, args, (int)nargs, r, h->ud);
    vm->host_nesting--;
    if (likely(st == WRIT_OK)) return true;
    if (!vm->has_error) rt_error(vm, "host function '%s' failed", h->lib.name);
    trace_host(vm, h->trace_name ? h->trace_name : h->lib.name);
    writ_release(vm, *r);
    return false;
}

/* A host result as a slot of the declared type (owned); the host's
 * reference is dropped either way. */
static bool host_result(VM *vm, HostFn *h, writ_value r, Value *out) {
    char why[200];
    bool ok = api_from_writ(vm, h->ftype->a, r, out, why, sizeof why);
    writ_release(vm, r);
    if (ok) return true;
    rt_error(vm, "host function '%s' returned a wrong value: %s", h->lib.name, why);
    trace_host(vm, h->trace_name ? h->trace_name : h->lib.name);
    return false;
}

/* Renders "error: msg" and the trace into vm->error_text (§24: above 50
 * frames, the first and last 25 around an omission line). */
static void trace_render(VM *vm) {
    size_t n = vm->ntrace, len = 0, cap = 256;
    char *s = NULL;
    for (int pass = 0; pass < 2; pass++) {      /* measure, then write (no jumping allocation) */
        len = (size_t)snprintf(s, s ? cap : 0, "error: %s\n", vm->error_msg ? vm->error_msg : "out of memory");
        for (size_t k = 0; k < n; k++) {
            if (n > 50 && k == 25) len += (size_t)snprintf(s ? s + len : NULL, s ? cap - len : 0, "  ... %zu frames omitted ...\n", n - 50);
            if (n > 50 && k >= 25 && k < n - 25) continue;
            TraceFrame *t = &vm->trace[k];
            if (t->host) len += (size_t)snprintf(s ? s + len : NULL, s ? cap - len : 0, "  at %s (host)\n", t->fn);
            else len += (size_t)snprintf(s ? s + len : NULL, s ? cap - len : 0, "  at %s (%s:%u)\n", t->fn, t->file, t->line);
        }
        if (pass == 0) {
            cap = len + 1;
            s = mem_try_realloc(vm, NULL, 0, cap);
            if (!s) break;
        }
    }
    api_set_error_text_owned(vm, s, cap);
}

/* Releases the owned references of frames[lo, n) and returns lo (the new
 * frame count).  Works on any stack: the running one or a suspended task's. */
size_t vm_unwind_frames(VM *vm, Frame *frames, size_t n, Value *stack, size_t lo) {
    while (n > lo) {
        Frame *f = &frames[--n];
        Value *R = stack + f->base;
        Proto *p = f->proto;
        for (uint32_t i = 0; i < p->nrefregs; i++) {
            Obj *o = R[p->refregs[i]].o;
            R[p->refregs[i]].o = NULL;
            obj_release(vm, o);
        }
        if (f->closure) obj_release(vm, &f->closure->h);
    }
    return lo;
}

static void unwind(VM *vm, size_t lo) {
    vm->nframes = vm_unwind_frames(vm, vm->frames, vm->nframes, vm->stack, lo);
}

void vm_globals_reserve(VM *vm, uint32_t need) {
    Globals *g = &vm->g;
    if (need <= g->cap) return;
    uint32_t nc = g->cap ? g->cap : 64;
    while (nc < need) nc *= 2;
    Value *globals = mem_alloc(vm, sizeof(Value) * nc);
    bool *ginit = mem_alloc(vm, sizeof(bool) * nc);
    Type **gtypes = mem_alloc(vm, sizeof(Type *) * nc);
    char **gnames = mem_alloc(vm, sizeof(char *) * nc);
    const char **gfiles = mem_alloc(vm, sizeof(char *) * nc);
    if (g->cap) {
        memcpy(globals, g->globals, sizeof(Value) * g->nglobals);
        memcpy(ginit, g->ginit, sizeof(bool) * g->nglobals);
        memcpy(gtypes, g->gtypes, sizeof(Type *) * g->nglobals);
        memcpy(gnames, g->gnames, sizeof(char *) * g->nglobals);
        memcpy(gfiles, g->gfiles, sizeof(char *) * g->nglobals);
        mem_free(vm, g->globals, sizeof(Value) * g->cap);
        mem_free(vm, g->ginit, sizeof(bool) * g->cap);
        mem_free(vm, g->gtypes, sizeof(Type *) * g->cap);
        mem_free(vm, g->gnames, sizeof(char *) * g->cap);
        mem_free(vm, (void *)g->gfiles, sizeof(char *) * g->cap);
    }
    g->globals = globals; g->ginit = ginit; g->gtypes = gtypes; g->gnames = gnames; g->gfiles = gfiles;
    g->cap = nc;
}

/* ------------------------------------------------------------------ */
/* stack and frames */

static void ensure_stack(VM *vm, size_t need) {
    if (need <= vm->stack_cap) return;
    size_t nc = vm->stack_cap ? vm->stack_cap * 2 : 1024;
    while (nc < need) nc *= 2;
    vm->stack = mem_realloc(vm, vm->stack, sizeof(Value) * vm->stack_cap, sizeof(Value) * nc);
    memset(vm->stack + vm->stack_cap, 0, sizeof(Value) * (nc - vm->stack_cap));
    vm->stack_cap = nc;
}

static Frame *push_frame(VM *vm) {
    if (vm->nframes == vm->cap_frames) {
        size_t nc = vm->cap_frames ? vm->cap_frames * 2 : 64;
        vm->frames = mem_realloc(vm, vm->frames, sizeof(Frame) * vm->cap_frames, sizeof(Frame) * nc);
        vm->cap_frames = nc;
    }
    return &vm->frames[vm->nframes++];
}

static inline void null_refregs(Proto *q, Value *NR) {
    for (uint32_t i = 0; i < q->nrefnull; i++) NR[q->refregs[i]].o = NULL;
}

/* ------------------------------------------------------------------ */
/* helpers for instructions with error paths */

static const char *float_text(double d, char *buf) { fmt_float(buf, d); return buf; }

static bool f2i(VM *vm, double d, int64_t *out) {
    char b[40];
    if (isnan(d)) { rt_error(vm, "cannot convert nan to int"); return false; }
    if (isinf(d)) { rt_error(vm, "cannot convert %s to int", d > 0 ? "inf" : "-inf"); return false; }
    if (d >= 9223372036854775808.0 || d < -9223372036854775808.0) {
        rt_error(vm, "float %s is out of range for int", float_text(d, b));
        return false;
    }
    *out = (int64_t)d;
    return true;
}

static void write_out(VM *vm, const char *s, size_t n) { vm->write(vm->write_ud, s, n); }

static Tuple *tuple_copy(VM *vm, Tuple *t) {
    Tuple *c = tuple_new(vm, t->type);
    for (uint32_t i = 0; i < t->type->n; i++) {
        c->v[i] = t->v[i];
        if (t->type->args[i]->is_ref) obj_retain(c->v[i].o);
    }
    return c;
}

/* ------------------------------------------------------------------ */
/* the loop */

#define ARGREG(w, k) (((w) >> (8 * (k))) & 0xff)

/* ------------------------------------------------------------------ */
/* limits (runtime.md §12), checked before each instruction when installed */

static bool vm_watch(VM *vm, Proto *P, uint32_t *pc) {
    if (vm->debug_on) {
        vm->frames[vm->nframes - 1].pc = pc;   /* hooks read the frame's current line and locals */
        if (!debug_instruction(vm, P, pc - 1)) return false;
    }
    if (vm->insn_limit && ++vm->insn_count > vm->insn_limit) {
        rt_error(vm, "instruction limit exceeded (%llu instructions)", (unsigned long long)vm->insn_limit);
        vm->error_is_limit = true;
        return false;
    }
    if (vm->mem_failed) {
        vm->mem_failed = false;
        rt_error(vm, "memory limit exceeded (%zu bytes)", vm->mem_limit);
        vm->error_is_limit = true;
        return false;
    }
    return true;
}

static void global_unset(VM *vm, uint32_t g) {
    if (g / 8 < vm->capgdead && (vm->gdead[g / 8] & (1u << (g % 8))))
        rt_error(vm, "global '%s' was changed by hot reload", vm->g.gnames[g] ? vm->g.gnames[g] : "?");
    else rt_error(vm, "global '%s' is read before it is initialised", vm->g.gnames[g]);
}

static void depth_error(VM *vm) {
    rt_error(vm, "stack overflow: call depth limit (%u) exceeded", vm->depth_limit);
    vm->error_is_limit = true;
}

/* ------------------------------------------------------------------ */
/* task switching (the scheduler itself is sched.c) */

static void ctx_swap(VM *vm, Task *t) {
    Value *st = vm->stack; vm->stack = t->stack; t->stack = st;
    size_t sc = vm->stack_cap; vm->stack_cap = t->stack_cap; t->stack_cap = sc;
    Frame *fr = vm->frames; vm->frames = t->frames; t->frames = fr;
    size_t nf = vm->nframes; vm->nframes = t->nframes; t->nframes = nf;
    size_t cf = vm->cap_frames; vm->cap_frames = t->cap_frames; t->cap_frames = cf;
}

/* A new task's bottom frame: the first nset parameters are in its stack;
 * the rest (an omitted-defaults mask) are zero.  The task owns its
 * parameters and closure for as long as it lives. */
static void task_bottom_frame(Task *t, Proto *q, Closure *ccl, uint32_t nset) {
    Value *NR = t->stack;
    for (uint32_t i = nset; i < q->nparams; i++) NR[i].i = 0;
    for (uint32_t i = 0; i < q->nparams; i++) if (q->param_is_ref[i]) obj_retain(NR[i].o);
    null_refregs(q, NR);
    if (ccl) obj_retain(&ccl->h);
    Frame *f = &t->frames[0];
    t->nframes = 1;
    f->proto = q;
    f->closure = ccl;
    f->base = 0;
    f->pc = q->entry;
    f->ret_reg = 0;
    f->inout_reg = -1;
    f->hidden = false;
}

/* Installs t's stack over the running context (cur, whose bottom frame
 * count is stop). */
static void task_enter(VM *vm, Task *t, Task *cur, size_t stop, bool host) {
    t->outer = vm->installed;
    vm->installed = t;
    t->resumer = cur;
    t->resumer_stop = stop;
    t->host_resumed = host;
    t->saved_depth_base = vm->depth_base;
    vm->depth_base += (uint32_t)vm->nframes;
    ctx_swap(vm, t);
    t->state = TASK_RUNNING;
    vm->running = t;
}

/* Gives t its stack back and reinstalls the resumer's. */
static void task_leave(VM *vm, Task *t) {
    vm->installed = t->outer;
    ctx_swap(vm, t);
    vm->depth_base = (uint32_t)t->saved_depth_base;
    vm->running = t->resumer;
}

static bool run(VM *vm, size_t stop_at, Task *cur_task, Value *result);

/* Runs proto `entry` as a new frame on top of the stack and returns when it
 * returns.  false on a runtime error (vm->error_text set). */
bool vm_execute(VM *vm, Proto *entry, Closure *cl, Value *args, uint32_t nargs, Value *result) {
    size_t entry_frames = vm->nframes;
    size_t base0 = 0;
    if (vm->nframes) {
        Frame *top = &vm->frames[vm->nframes - 1];
        base0 = top->base + top->proto->nregs;
    }
    if (vm->nframes + vm->depth_base >= vm->depth_limit) {
        depth_error(vm);
        trace_add(vm, entry_frames);
        trace_render(vm);
        return false;
    }
    ensure_stack(vm, base0 + entry->nregs + 1);
    Value *R = vm->stack + base0;
    uint32_t self = cl && (cl->h.flags & CLOSURE_BOUND) ? 1 : 0;
    if (self) R[0] = cl->cap[0];
    for (uint32_t i = 0; i < nargs; i++) R[self + i] = args[i];
    for (uint32_t i = self + nargs; i < entry->nparams; i++) R[i].i = 0;   /* omitted-defaults mask: none */
    null_refregs(entry, R);
    Frame *fr = push_frame(vm);
    fr->proto = entry;
    fr->closure = cl;
    if (cl) obj_retain(&cl->h);
    fr->base = base0;
    fr->pc = entry->entry;
    fr->hidden = false;
    fr->ret_reg = 0;
    fr->inout_reg = -1;
    if (vm->debug_on) debug_event(vm, entry, false);
    return run(vm, entry_frames, NULL, result);
}

/* Resumes a suspended task until it suspends again or ends (sched.c).
 * false on a runtime error, which also ended the task. */
bool vm_resume(VM *vm, Task *t) {
    task_enter(vm, t, vm->running, 0, true);
    if (vm->debug_on) debug_event(vm, vm->frames[vm->nframes - 1].proto, false);   /* resuming counts as a call */
    return run(vm, 0, t, NULL);
}

/* Starts a task for the host (writ_call of a coroutine, writ_start): its
 * bottom frame runs `entry` with args (borrowed; the task retains its
 * own), at once until the first suspension.  Returns the task with a
 * reference for the caller, or NULL on a runtime error (the task failed). */
Task *vm_spawn(VM *vm, Proto *entry, Value *args, uint32_t nargs, Instance *owner) {
    if (vm->nframes + vm->depth_base >= vm->depth_limit) {
        depth_error(vm);
        trace_render(vm);
        return NULL;
    }
    Task *t = sched_new_task(vm, entry, owner);
    for (uint32_t i = 0; i < nargs; i++) t->stack[i] = args[i];
    task_bottom_frame(t, entry, NULL, nargs);
    obj_retain(&t->h);
    task_enter(vm, t, vm->running, 0, true);
    if (vm->debug_on) debug_event(vm, entry, false);
    if (!run(vm, 0, t, NULL)) { obj_release(vm, &t->h); return NULL; }
    return t;
}

/* The interpreter loop: runs the top frame of the installed stack until
 * the frame count drops to stop_at.  cur_task: the task whose stack is
 * installed, or NULL for a host context. */
static bool run(VM *vm, size_t stop_at, Task *cur_task, Value *result) {
    Frame *top = &vm->frames[vm->nframes - 1];
    Proto *P = top->proto;
    Value *R = vm->stack + top->base;
    uint32_t *pc = top->pc;
    Value *K = P->consts;
    Value ret;
    ret.u = 0;
    bool starting = false;     /* START ran: the next call creates a task */
    Instance *start_owner = NULL;

#ifdef WRIT_COMPUTED_GOTO
    static const void *const labels[256] = {
#define OP(name, fmt, extra, meaning) [OP_##name] = &&L_##name,
        WRIT_OPCODES(OP)
#undef OP
        [OP__COUNT ... 255] = &&L_BAD,
    };
    /* With a limit or a debug hook installed every instruction first passes
     * through L_WATCH; without, dispatch pays nothing for them. */
    static const void *const watched[256] = { [0 ... 255] = &&L_WATCH };
    const void *const *disp = vm->watch ? watched : labels;
#define DISPATCH() do { ins = *pc++; goto *disp[INS_OP(ins)]; } while (0)
#define CASE(name) L_##name:
#define NEXT() DISPATCH()
#else
#define DISPATCH() goto dispatch
#define CASE(name) case OP_##name:
#define NEXT() goto dispatch
#endif

#define A INS_A(ins)
#define B INS_B(ins)
#define C INS_C(ins)
#define RA R[INS_A(ins)]
#define RB R[INS_B(ins)]
#define RC R[INS_C(ins)]
#define SAVE() (vm->frames[vm->nframes - 1].pc = pc)
#define THROW() do { SAVE(); goto error; } while (0)
#define SETREF(dst, val) do { Obj *old_ = (dst).o; (dst).o = (Obj *)(val); obj_release(vm, old_); } while (0)
#define JUMP() do { int32_t off_ = (int32_t)*pc++; pc += off_; } while (0)
#define SKIPJ() (pc++)

    uint32_t ins;
    Proto *cq;                 /* call_enter's callee, closure (or NULL) and argument count */
    Closure *ccl;
    uint32_t cnargs;
    uint32_t *argw;            /* its argument words */
#ifdef WRIT_COMPUTED_GOTO
    DISPATCH();
L_WATCH:
    if (unlikely(!vm_watch(vm, P, pc))) THROW();
    goto *labels[INS_OP(ins)];
#else
    bool watching = vm->watch;
dispatch:
    ins = *pc++;
    if (unlikely(watching) && !vm_watch(vm, P, pc)) THROW();
    switch ((OpCode)INS_OP(ins)) {
#endif

    CASE(NOP) NEXT();
    CASE(MOVE) RA = RB; NEXT();
    CASE(MOVE_REF) { Obj *o = RB.o; obj_retain(o); SETREF(RA, o); NEXT(); }
    CASE(MOVE_OWN) { Obj *o = RB.o; RB.o = NULL; SETREF(RA, o); NEXT(); }
    CASE(CLEAR) { Obj *o = RA.o; RA.o = NULL; obj_release(vm, o); NEXT(); }
    CASE(LOADI) RA.i = INS_sBx(ins); NEXT();
    CASE(LOADK) RA = K[INS_Bx(ins)]; NEXT();
    CASE(LOADSTR) { Obj *o = K[INS_Bx(ins)].o; obj_retain(o); SETREF(RA, o); NEXT(); }
    CASE(LOADNULL) SETREF(RA, NULL); NEXT();

    CASE(ADD_INT) RA.u = RB.u + RC.u; NEXT();
    CASE(SUB_INT) RA.u = RB.u - RC.u; NEXT();
    CASE(MUL_INT) RA.u = RB.u * RC.u; NEXT();
    CASE(DIV_INT) {
        int64_t d = RC.i;
        if (unlikely(d == 0)) { rt_error(vm, "division by zero"); THROW(); }
        if (unlikely(d == -1)) RA.u = 0 - RB.u; else RA.i = RB.i / d;
        NEXT();
    }
    CASE(MOD_INT) {
        int64_t d = RC.i;
        if (unlikely(d == 0)) { rt_error(vm, "division by zero"); THROW(); }
        if (unlikely(d == -1)) RA.i = 0; else RA.i = RB.i % d;
        NEXT();
    }
    CASE(ADDI_INT) RA.u = RB.u + (uint64_t)(int64_t)(int8_t)C; NEXT();
    CASE(NEG_INT) RA.u = 0 - RB.u; NEXT();
    CASE(BAND) RA.i = RB.i & RC.i; NEXT();
    CASE(BOR) RA.i = RB.i | RC.i; NEXT();
    CASE(BXOR) RA.i = RB.i ^ RC.i; NEXT();
    CASE(SHL) {
        int64_t n = RC.i;
        if (unlikely(n < 0 || n > 63)) { rt_error(vm, "shift count %lld out of range 0..63", (long long)n); THROW(); }
        RA.u = RB.u << n; NEXT();
    }
    CASE(SHR) {
        int64_t n = RC.i;
        if (unlikely(n < 0 || n > 63)) { rt_error(vm, "shift count %lld out of range 0..63", (long long)n); THROW(); }
        RA.i = RB.i < 0 ? (int64_t)~(~RB.u >> n) : (int64_t)(RB.u >> n); NEXT();
    }
    CASE(USHR) {
        int64_t n = RC.i;
        if (unlikely(n < 0 || n > 63)) { rt_error(vm, "shift count %lld out of range 0..63", (long long)n); THROW(); }
        RA.u = RB.u >> n; NEXT();
    }
    CASE(BNOT) RA.i = ~RB.i; NEXT();
    CASE(ADD_FLOAT) RA.f = RB.f + RC.f; NEXT();
    CASE(SUB_FLOAT) RA.f = RB.f - RC.f; NEXT();
    CASE(MUL_FLOAT) RA.f = RB.f * RC.f; NEXT();
    CASE(DIV_FLOAT) RA.f = RB.f / RC.f; NEXT();
    CASE(MOD_FLOAT) RA.f = fmod(RB.f, RC.f); NEXT();
    CASE(NEG_FLOAT) RA.f = -RB.f; NEXT();
    CASE(I2F) RA.f = (double)RB.i; NEXT();
    CASE(MATHF) {
        double x = RB.f;
        switch (C) {
        case 0: x = sqrt(x); break;
        case 1: x = floor(x); break;
        case 2: x = ceil(x); break;
        case 3: x = trunc(x); break;
        case 4: x = round(x); break;
        case 5: x = fabs(x); break;
        case 6: x = sin(x); break;
        case 7: x = cos(x); break;
        case 8: x = tan(x); break;
        case 9: x = exp(x); break;
        default: x = log(x); break;
        }
        RA.f = x;
        NEXT();
    }
    CASE(F2I) { int64_t v; if (!f2i(vm, RB.f, &v)) THROW(); RA.i = v; NEXT(); }

    CASE(EQ_INT) RA.i = RB.i == RC.i; NEXT();
    CASE(NE_INT) RA.i = RB.i != RC.i; NEXT();
    CASE(LT_INT) RA.i = RB.i < RC.i; NEXT();
    CASE(LE_INT) RA.i = RB.i <= RC.i; NEXT();
    CASE(EQ_FLOAT) RA.i = RB.f == RC.f; NEXT();
    CASE(NE_FLOAT) RA.i = RB.f != RC.f; NEXT();
    CASE(LT_FLOAT) RA.i = RB.f < RC.f; NEXT();
    CASE(LE_FLOAT) RA.i = RB.f <= RC.f; NEXT();
    CASE(EQ_STR) RA.i = str_eq((Str *)RB.p, (Str *)RC.p); NEXT();
    CASE(LT_STR) RA.i = str_cmp((Str *)RB.p, (Str *)RC.p) < 0; NEXT();
    CASE(LE_STR) RA.i = str_cmp((Str *)RB.p, (Str *)RC.p) <= 0; NEXT();
    CASE(EQ_DEEP) { Type *t = P->types[*pc++]; RA.i = val_equal(vm, t, RB, RC); NEXT(); }
    CASE(EQ_REF) RA.i = RB.p == RC.p; NEXT();
    CASE(NOT) RA.i = !RB.i; NEXT();

    CASE(JMP) JUMP(); NEXT();
    CASE(LOOP) JUMP(); NEXT();
    CASE(JT) if (RA.i) JUMP(); else SKIPJ(); NEXT();
    CASE(JF) if (!RA.i) JUMP(); else SKIPJ(); NEXT();
    CASE(JLT_INT) if (RA.i < RB.i) JUMP(); else SKIPJ(); NEXT();
    CASE(JGE_INT) if (RA.i >= RB.i) JUMP(); else SKIPJ(); NEXT();
    CASE(JNULL) if (!RA.p) JUMP(); else SKIPJ(); NEXT();
    CASE(JNOTNULL) if (RA.p) JUMP(); else SKIPJ(); NEXT();
    CASE(FORLOOP) if (++RA.i < RB.i) JUMP(); else SKIPJ(); NEXT();

    CASE(CONCAT) {
        if (A == B && A != C) {           /* s = s + x: append in place when s is unshared */
            RA.p = str_append(vm, (Str *)RA.p, (Str *)RC.p);
            NEXT();
        }
        Str *s = str_concat(vm, (Str *)RB.p, (Str *)RC.p);
        SETREF(RA, s);
        NEXT();
    }
    CASE(GAPPEND) {
        Globals *m = &vm->g;
        uint32_t g = INS_Bx(ins);
        if (unlikely(!m->ginit[g])) { global_unset(vm, g); THROW(); }
        m->globals[g].p = str_append(vm, (Str *)m->globals[g].p, (Str *)RA.p);
        NEXT();
    }
    CASE(CONCATN) {
        Str *parts[256];
        for (uint32_t i = 0; i < C; i++) parts[i] = (Str *)R[B + i].p;
        Str *s = str_concat_n(vm, parts, C);
        SETREF(RA, s);
        NEXT();
    }
    CASE(TOSTR) {
        Type *t = P->types[*pc++];
        Str *s = t->kind == T_NULL ? str_cstr(vm, "null") : display_to_str(vm, t, RB);
        SETREF(RA, s);
        NEXT();
    }
    CASE(PRINT) {
        Type *t = P->types[*pc++];
        if (t->kind == T_STRING) {
            Str *s = (Str *)RA.p;
            write_out(vm, s->data, (size_t)s->len);
        } else if (t->kind == T_NULL) {
            write_out(vm, "null", 4);
        } else {
            Buf b;
            buf_init(&b, vm);
            display_value(vm, &b, t, RA, false);
            write_out(vm, b.data ? b.data : "", b.len);
            buf_free(&b);
        }
        write_out(vm, "\n", 1);
        NEXT();
    }
    CASE(TYPEOF) {
        Type *t = P->types[*pc++];
        Str *s = str_cstr(vm, t->kind == T_NULL ? "null" : val_typeof(vm, t, RB));
        SETREF(RA, s);
        NEXT();
    }
    CASE(ASSERT) {
        if (!RA.i) {
            if (B != 255 && ((Str *)RB.p)->len > 0) rt_error(vm, "assertion failed: %s", ((Str *)RB.p)->data);
            else rt_error(vm, "assertion failed");
            THROW();
        }
        NEXT();
    }

    CASE(BOXINT) { IntBox *b = intbox_new(vm, RB.i); SETREF(RA, b); NEXT(); }
    CASE(UNBOXINT) RA.i = ((IntBox *)RB.p)->v; NEXT();
    CASE(ISNULL) { Type *t = P->types[*pc++]; RA.i = opt_is_null(t->a, RB); NEXT(); }
    CASE(UNWRAP) {
        Type *t = P->types[*pc++];
        if (opt_is_null(t->a, RA)) { rt_error(vm, "'!!' on a null %s", t->name); THROW(); }
        NEXT();
    }
    CASE(LOADNULLV) { Type *t = P->types[*pc++]; RA = opt_none(t->a); NEXT(); }

    CASE(GETG) {
        Globals *m = &vm->g;
        uint32_t g = INS_Bx(ins);
        if (unlikely(!m->ginit[g])) { global_unset(vm, g); THROW(); }
        RA = m->globals[g];
        NEXT();
    }
    CASE(GETG_REF) {
        Globals *m = &vm->g;
        uint32_t g = INS_Bx(ins);
        if (unlikely(!m->ginit[g])) { global_unset(vm, g); THROW(); }
        Obj *o = m->globals[g].o;
        obj_retain(o);
        SETREF(RA, o);
        NEXT();
    }
    CASE(SETG) { Globals *m = &vm->g; uint32_t g = INS_Bx(ins); m->globals[g] = RA; m->ginit[g] = true; NEXT(); }
    CASE(SETG_REF) {
        Globals *m = &vm->g;
        uint32_t g = INS_Bx(ins);
        Obj *o = RA.o;
        obj_retain(o);
        Obj *old = m->ginit[g] ? m->globals[g].o : NULL;
        m->globals[g].o = o;
        m->ginit[g] = true;
        obj_release(vm, old);
        NEXT();
    }

    CASE(CLOSURE) {
        Proto *q = P->protos[INS_Bx(ins)];
        uint32_t li = *pc++;
        CapSrc *cs = P->caplists[li];
        uint32_t n = P->caplens[li];
        Closure *c;
        if (q->is_toplevel && q->cached) {
            c = q->cached;
            obj_retain(&c->h);
        } else {
            c = closure_new(vm, q, n, 0);
            Closure *self = vm->frames[vm->nframes - 1].closure;
            for (uint32_t i = 0; i < n; i++) {
                Value v;
                if (cs[i].from_cap == 0) v = R[cs[i].index];
                else if (cs[i].from_cap == 1) v = self->cap[cs[i].index];
                else v.o = &self->h;
                if (q->cap_is_ref[i]) obj_retain(v.o);
                c->cap[i] = v;
            }
            if (q->is_toplevel) { q->cached = c; obj_retain(&c->h); }
        }
        SETREF(RA, c);
        NEXT();
    }
    CASE(SELFCLOS) { Closure *c = vm->frames[vm->nframes - 1].closure; obj_retain(&c->h); SETREF(RA, c); NEXT(); }
    CASE(GETCAP) RA = vm->frames[vm->nframes - 1].closure->cap[B]; NEXT();
    CASE(GETCAP_REF) { Obj *o = vm->frames[vm->nframes - 1].closure->cap[B].o; obj_retain(o); SETREF(RA, o); NEXT(); }
    CASE(NEWCELL) {
        Cell *c = cell_new(vm, B != 0);
        c->v = RC;
        if (B) obj_retain(c->v.o);
        SETREF(RA, c);
        NEXT();
    }
    CASE(GETCELL) RA = ((Cell *)RB.p)->v; NEXT();
    CASE(GETCELL_REF) { Obj *o = ((Cell *)RB.p)->v.o; obj_retain(o); SETREF(RA, o); NEXT(); }
    CASE(SETCELL) ((Cell *)RA.p)->v = RB; NEXT();
    CASE(SETCELL_REF) { Cell *c = (Cell *)RA.p; Obj *o = RB.o; obj_retain(o); SETREF(c->v, o); NEXT(); }

    CASE(BINDM) {
        uint32_t w = *pc++;
        Instance *recv = (Instance *)RB.p;
        Proto *q;
        if (C == 2) {                           /* a trait method: the class's implementation */
            NominalInfo *n = recv->type->nom;
            Type *tr = P->types[w & 0xffff];
            uint32_t k = 0;
            while (n->traits[k] != tr) k++;
            q = n->itables[k][w >> 16];
        } else q = C ? recv->type->nom->vtable[w >> 16] : P->protos[w];
        Closure *c = closure_new(vm, q, 1, CLOSURE_BOUND);
        c->cap[0].o = &recv->h;
        obj_retain(&recv->h);
        SETREF(RA, c);
        NEXT();
    }
    /* The calls differ in how they find the callee; entering it is shared
     * (call_enter below): arguments are copied from the registers listed in
     * the words after the instruction into the new frame above this one. */
    CASE(CALL) {
        cnargs = B;
        cq = P->protos[*pc++];
        ccl = NULL;
        goto call_enter;
    }
    CASE(CALLT)
    CASE(CALLM) {
        cnargs = B;
        uint32_t slot = *pc++;
        Instance *recv = (Instance *)R[ARGREG(pc[0], 0)].p;
        if (INS_OP(ins) == OP_CALLT) {          /* find the trait's method table in the class */
            NominalInfo *n = recv->type->nom;
            Type *tr = P->types[slot & 0xffff];
            uint32_t k = 0;
            while (n->traits[k] != tr) k++;
            cq = n->itables[k][slot >> 16];
        } else {
            cq = recv->type->nom->vtable[slot >> 16];
        }
        ccl = NULL;
        goto call_enter;
    }
    CASE(CALLV) {
        cnargs = B;
        ccl = (Closure *)R[*pc++ & 0xff].p;
        cq = ccl->proto;
        goto call_enter;
    }
call_enter: {
        argw = pc;
        pc += (cnargs + 3) / 4;
        if (unlikely(starting)) goto start_task;
        if (unlikely(vm->nframes + vm->depth_base >= vm->depth_limit)) {
            depth_error(vm);
            THROW();
        }
        Proto *q = cq;
        Frame *cur = &vm->frames[vm->nframes - 1];
        cur->pc = pc;
        size_t nb = cur->base + P->nregs;
        if (unlikely(nb + q->nregs > vm->stack_cap)) { ensure_stack(vm, nb + q->nregs); R = vm->stack + cur->base; }
        Value *NR = vm->stack + nb;
        int32_t inout = -1;
        if (ccl) {
            uint32_t self = (ccl->h.flags & CLOSURE_BOUND) ? 1 : 0;
            if (self) NR[0] = ccl->cap[0];            /* a bound method: the receiver goes first */
            for (uint32_t i = 0; i < cnargs; i++) NR[self + i] = R[ARGREG(argw[i >> 2], i & 3)];
            for (uint32_t i = self + cnargs; i < q->nparams; i++) NR[i].i = 0;   /* omitted-defaults mask: none */
            obj_retain(&ccl->h);                      /* the frame keeps its closure alive */
        } else {
            for (uint32_t i = 0; i < cnargs; i++) NR[i] = R[ARGREG(argw[i >> 2], i & 3)];
            if (q->inout_self) {                      /* the receiver's reference moves into the callee */
                inout = (int32_t)ARGREG(argw[0], 0);
                R[inout].o = NULL;
            }
        }
        null_refregs(q, NR);
        Frame *f = push_frame(vm);
        f->proto = q;
        f->closure = ccl;
        f->base = nb;
        f->ret_reg = A | ((uint32_t)C << 8);
        f->inout_reg = inout;
        f->hidden = false;
        P = q; R = NR; K = q->consts; pc = q->entry;
        if (unlikely(vm->debug_on)) { f->pc = pc; debug_event(vm, q, false); }
        NEXT();
    }
    CASE(CALLN) {
        uint32_t nargs = B;
        const LibFn *fn = P->natives[*pc++];
        Value args[64];
        for (uint32_t i = 0; i < nargs; i++) args[i] = R[ARGREG(pc[i >> 2], i & 3)];
        pc += (nargs + 3) / 4;
        Value r;
        r.u = 0;
        SAVE();
        if (!fn->fn(vm, args, &r)) goto error;
        R = vm->stack + vm->frames[vm->nframes - 1].base;   /* a native may have re-entered the VM */
        if (C == 1) SETREF(RA, r.o); else if (C == 0) RA = r;
        NEXT();
    }
    CASE(CALLH) {
        /* a host function (runtime.md §6): arguments arrive with the kinds of
         * its signature; the result's kind is checked */
        uint32_t nargs = B;
        HostFn *h = (HostFn *)P->natives[*pc++];
        writ_value args[64], r;
        for (uint32_t i = 0; i < nargs; i++) {
            Value x = R[ARGREG(pc[i >> 2], i & 3)];
            if (likely(h->direct)) {              /* the slot is the payload, the static type is exact */
                args[i].kind = (writ_kind)h->kinds[i];
                args[i].type = (const writ_type *)h->ftype->args[i];
                args[i].as.i = x.i;
            } else args[i] = api_to_writ(vm, h->ftype->args[i], x, false);
        }
        pc += (nargs + 3) / 4;
        SAVE();
        bool ok = host_invoke(vm, h, args, nargs, &r);
        R = vm->stack + vm->frames[vm->nframes - 1].base;   /* the host may have re-entered the VM */
        if (unlikely(!ok)) THROW();
        if (C == 2) { writ_release(vm, r); NEXT(); }
        if (likely(h->scalar_ret) && r.kind == (writ_kind)h->rkind) {
            RA.i = h->rkind == WRIT_BOOL ? (int64_t)r.as.b : r.as.i;
            NEXT();
        }
        Value v;
        if (!host_result(vm, h, r, &v)) THROW();
        if (C == 1) SETREF(RA, v.o); else RA = v;
        NEXT();
    }
    /* hot reload (reload.c): a replaced function's entry */
    CASE(FORWARD) {
        Proto *q = P->protos[INS_Bx(ins)];
        Frame *f = &vm->frames[vm->nframes - 1];
        if (unlikely(f->base + q->nregs > vm->stack_cap)) ensure_stack(vm, f->base + q->nregs);
        R = vm->stack + f->base;
        null_refregs(q, R);
        f->proto = q;
        P = q; K = q->consts; pc = q->entry;
        NEXT();
    }
    CASE(GETF_OLD) {
        Instance *o = (Instance *)RB.p;
        int s = reload_old_slot(vm, o->type, P->gen, C);
        if (s < 0) THROW();
        RA = o->f[s];
        NEXT();
    }
    CASE(GETF_REF_OLD) {
        Instance *o = (Instance *)RB.p;
        int s = reload_old_slot(vm, o->type, P->gen, C);
        if (s < 0) THROW();
        Obj *v = o->f[s].o;
        obj_retain(v);
        SETREF(RA, v);
        NEXT();
    }
    CASE(SETF_OLD) {
        Instance *o = (Instance *)RA.p;
        int s = reload_old_slot(vm, o->type, P->gen, B);
        if (s < 0) THROW();
        if (o->type->nom->field_types[s]->is_ref) { Obj *v = RC.o; obj_retain(v); SETREF(o->f[s], v); }
        else o->f[s] = RC;
        NEXT();
    }
    CASE(NEWOBJ_OLD) {
        Instance *o = instance_new(vm, P->types[INS_Bx(ins)]);
        if (!reload_fill_new_fields(vm, o, P->gen)) { obj_release(vm, &o->h); THROW(); }
        SETREF(RA, o);
        NEXT();
    }
    CASE(FWDFAIL) { rt_error(vm, "%s", ((Str *)K[INS_Bx(ins)].p)->data); THROW(); }
    CASE(HGET) { Value v; if (!host_get_field(vm, (HostObj *)RB.p, C, &v)) THROW(); RA = v; NEXT(); }
    CASE(HGET_REF) { Value v; if (!host_get_field(vm, (HostObj *)RB.p, C, &v)) THROW(); SETREF(RA, v.o); NEXT(); }
    CASE(HSET) { if (!host_set_field(vm, (HostObj *)RA.p, B, RC)) THROW(); NEXT(); }
    CASE(BGET) { host_var_get(vm, INS_Bx(ins), &RA); NEXT(); }
    CASE(BGET_REF) { Value v; host_var_get(vm, INS_Bx(ins), &v); SETREF(RA, v.o); NEXT(); }
    CASE(BSET) { if (!host_var_set(vm, INS_Bx(ins), RA)) THROW(); NEXT(); }
    CASE(RET) {
        if (unlikely(vm->debug_on)) { SAVE(); debug_event(vm, P, true); }
        Value v = RA;
        if (P->ret_is_ref) obj_retain(v.o);
        Frame *f = &vm->frames[vm->nframes - 1];
        Obj *self_back = NULL;
        if (f->inout_reg >= 0) { self_back = R[0].o; R[0].o = NULL; }
        for (uint32_t i = 0; i < P->nrefregs; i++) obj_release(vm, R[P->refregs[i]].o);
        if (f->closure) obj_release(vm, &f->closure->h);
        uint32_t rr = f->ret_reg;
        int32_t io = f->inout_reg;
        vm->nframes--;
        if (vm->nframes == stop_at) { ret = v; if (cur_task) goto task_return; goto done; }
        Frame *cf = &vm->frames[vm->nframes - 1];
        P = cf->proto; R = vm->stack + cf->base; K = P->consts; pc = cf->pc;
        if (io >= 0) SETREF(R[io], self_back);
        if (rr >> 8) SETREF(R[rr & 0xff], v.o); else R[rr & 0xff] = v;
        NEXT();
    }
    CASE(RET0) {
        if (unlikely(vm->debug_on)) { SAVE(); debug_event(vm, P, true); }
        Frame *f = &vm->frames[vm->nframes - 1];
        Obj *self_back = NULL;
        if (f->inout_reg >= 0) { self_back = R[0].o; R[0].o = NULL; }
        for (uint32_t i = 0; i < P->nrefregs; i++) obj_release(vm, R[P->refregs[i]].o);
        if (f->closure) obj_release(vm, &f->closure->h);
        int32_t io = f->inout_reg;
        vm->nframes--;
        if (vm->nframes == stop_at) { ret.u = 0; if (cur_task) goto task_return; goto done; }
        Frame *cf = &vm->frames[vm->nframes - 1];
        P = cf->proto; R = vm->stack + cf->base; K = P->consts; pc = cf->pc;
        if (io >= 0) SETREF(R[io], self_back);
        NEXT();
    }

    CASE(NEWARR) { Arr *a = arr_new(vm, P->types[INS_Bx(ins)], 0); SETREF(RA, a); NEXT(); }
    CASE(APUSH) {
        Arr *a = (Arr *)RA.p;
        Value v = RB;
        if (a->type->a->is_ref) obj_retain(v.o);
        arr_push(vm, a, v);
        NEXT();
    }
    CASE(ASPREAD) {
        Arr *a = (Arr *)RA.p, *b = (Arr *)RB.p;
        bool ref = a->type->a->is_ref;
        int64_t n = b->len;
        arr_reserve(vm, a, a->len + n);
        for (int64_t i = 0; i < n; i++) {
            Value v = b->data[i];
            if (ref) obj_retain(v.o);
            arr_push(vm, a, v);
        }
        NEXT();
    }
    CASE(AGET) {
        Arr *a = (Arr *)RB.p;
        int64_t i = RC.i;
        if (unlikely((uint64_t)i >= (uint64_t)a->len)) {
            rt_error(vm, "index %lld out of bounds for length %lld", (long long)i, (long long)a->len);
            THROW();
        }
        RA = a->data[i];
        NEXT();
    }
    CASE(AGET_REF) {
        Arr *a = (Arr *)RB.p;
        int64_t i = RC.i;
        if (unlikely((uint64_t)i >= (uint64_t)a->len)) {
            rt_error(vm, "index %lld out of bounds for length %lld", (long long)i, (long long)a->len);
            THROW();
        }
        Obj *o = a->data[i].o;
        obj_retain(o);
        SETREF(RA, o);
        NEXT();
    }
    CASE(ASET) {
        Arr *a = (Arr *)RA.p;
        int64_t i = RB.i;
        if (unlikely((uint64_t)i >= (uint64_t)a->len)) {
            rt_error(vm, "index %lld out of bounds for length %lld", (long long)i, (long long)a->len);
            THROW();
        }
        if (a->type->a->is_ref) { Obj *o = RC.o; obj_retain(o); SETREF(a->data[i], o); }
        else a->data[i] = RC;
        NEXT();
    }
    CASE(ALEN) RA.i = ((Arr *)RB.p)->len; NEXT();
    CASE(ACOPY) {
        Arr *a = (Arr *)RA.p, *b = (Arr *)RB.p;
        bool ref = a->type->a->is_ref;
        int64_t n = a->len < b->len ? a->len : b->len;
        for (int64_t i = 0; i < n; i++) {
            if (ref) { Obj *o = b->data[i].o; obj_retain(o); SETREF(a->data[i], o); }
            else a->data[i] = b->data[i];
        }
        NEXT();
    }

    CASE(NEWDICT) { Dict *d = dict_new(vm, P->types[INS_Bx(ins)]); SETREF(RA, d); NEXT(); }
    CASE(DSET) {
        Dict *d = (Dict *)RA.p;
        Value k = RB, v = RC;
        if (d->type->a->is_ref) obj_retain(k.o);
        if (d->type->b->is_ref) obj_retain(v.o);
        dict_set(vm, d, k, v);
        NEXT();
    }
    CASE(DGET) {
        Dict *d = (Dict *)RB.p;
        Value v;
        if (unlikely(!dict_get(vm, d, RC, &v))) {
            Buf b;
            buf_init(&b, vm);
            display_value(vm, &b, d->type->a, RC, true);
            rt_error(vm, "key not found: %s", b.data ? b.data : "");
            buf_free(&b);
            THROW();
        }
        if (d->type->b->is_ref) { obj_retain(v.o); SETREF(RA, v.o); }
        else RA = v;
        NEXT();
    }
    CASE(DGETOR) {
        Dict *d = (Dict *)RB.p;
        Value v;
        if (!dict_get(vm, d, RC, &v)) { JUMP(); NEXT(); }
        if (d->type->b->is_ref) { obj_retain(v.o); SETREF(RA, v.o); }
        else RA = v;
        SKIPJ();
        NEXT();
    }
    CASE(DSPREAD) {
        Dict *d = (Dict *)RA.p, *s = (Dict *)RB.p;
        bool kr = d->type->a->is_ref, vr = d->type->b->is_ref;
        for (int64_t i = 0; i < s->used; i++) {
            DictEntry *e = &s->entries[i];
            if (e->hash == DICT_DEAD) continue;
            if (kr) obj_retain(e->key.o);
            if (vr) obj_retain(e->val.o);
            dict_set(vm, d, e->key, e->val);
        }
        NEXT();
    }
    CASE(DVERSION) RA.i = (int64_t)((Dict *)RB.p)->version; NEXT();
    CASE(DITER) {
        Dict *d = (Dict *)RA.p;
        uint32_t w = *pc++;
        if (unlikely((int64_t)d->version != RC.i)) { rt_error(vm, "dictionary modified during iteration"); THROW(); }
        int64_t pos = RB.i;
        while (pos < d->used && d->entries[pos].hash == DICT_DEAD) pos++;
        if (pos >= d->used) { RB.i = pos; JUMP(); NEXT(); }
        DictEntry *e = &d->entries[pos];
        RB.i = pos + 1;
        uint32_t kr = w & 0xff, vr = (w >> 8) & 0xff, fl = w >> 16;
        if (d->type->a->is_ref) { obj_retain(e->key.o); SETREF(R[kr], e->key.o); } else R[kr] = e->key;
        if (fl & 2) {
            if (d->type->b->is_ref) { obj_retain(e->val.o); SETREF(R[vr], e->val.o); } else R[vr] = e->val;
        }
        SKIPJ();
        NEXT();
    }

    CASE(NEWTUPLE) { Tuple *t = tuple_new(vm, P->types[INS_Bx(ins)]); SETREF(RA, t); NEXT(); }
    CASE(TSET) {
        Tuple *t = (Tuple *)RA.p;
        if (t->type->args[B]->is_ref) { Obj *o = RC.o; obj_retain(o); SETREF(t->v[B], o); }
        else t->v[B] = RC;
        NEXT();
    }
    CASE(TGET) RA = ((Tuple *)RB.p)->v[C]; NEXT();
    CASE(TGET_REF) { Obj *o = ((Tuple *)RB.p)->v[C].o; obj_retain(o); SETREF(RA, o); NEXT(); }
    CASE(TUNIQUE) {
        Tuple *t = (Tuple *)RA.p;
        if (t->h.rc > 1) { Tuple *c = tuple_copy(vm, t); SETREF(RA, c); }
        NEXT();
    }
    CASE(NEWOBJ) { Instance *o = instance_new(vm, P->types[INS_Bx(ins)]); SETREF(RA, o); NEXT(); }
    CASE(GETF) RA = ((Instance *)RB.p)->f[C]; NEXT();
    CASE(GETF_REF) { Obj *o = ((Instance *)RB.p)->f[C].o; obj_retain(o); SETREF(RA, o); NEXT(); }
    CASE(SETF) {
        Instance *o = (Instance *)RA.p;
        if (o->type->nom->field_types[B]->is_ref) { Obj *v = RC.o; obj_retain(v); SETREF(o->f[B], v); }
        else o->f[B] = RC;
        NEXT();
    }
    CASE(SUNIQUE) {
        Instance *o = (Instance *)RA.p;
        if (o->h.rc > 1) { Instance *c = instance_copy(vm, o); SETREF(RA, c); }
        NEXT();
    }
    CASE(ISTYPE) {
        Type *t = P->types[*pc++];
        Instance *o = (Instance *)RB.p;
        RA.i = o && ty_is_subtype(o->type, t);
        NEXT();
    }
    CASE(CASTTYPE) {
        Type *t = P->types[*pc++];
        Instance *o = (Instance *)RA.p;
        if (o && !ty_is_subtype(o->type, t)) { rt_error(vm, "cannot cast %s to %s", o->type->name, t->name); THROW(); }
        NEXT();
    }
    CASE(TOANY) {
        Type *t = P->types[*pc++];
        AnyBox *b = any_box(vm, t, RB);
        SETREF(RA, b);
        NEXT();
    }
    CASE(ANYCAST) {
        Type *t = P->types[*pc++];
        AnyBox *b = (AnyBox *)RB.p;
        Value v;
        if (!any_unbox(vm, b, t, &v)) { rt_error(vm, "cannot cast %s to %s", val_typeof(vm, b->type, b->v), t->name); THROW(); }
        if (t->is_ref) SETREF(RA, v.o); else RA = v;
        NEXT();
    }
    CASE(ANYIS) {
        Type *t = P->types[*pc++];
        RA.i = any_is(vm, (AnyBox *)RB.p, t);
        NEXT();
    }
    CASE(LOADTYPE) { RA.p = P->types[INS_Bx(ins)]; NEXT(); }
    CASE(ENUMF) {
        uint32_t w = *pc++;
        Type *t = P->types[w & 0xffff];
        NominalInfo *n = t->nom;
        uint32_t fi = w >> 16;
        Value v = n->enum_values[fi * n->nvariants + (uint32_t)RB.i];
        if (n->enum_field_types[fi]->is_ref) { obj_retain(v.o); SETREF(RA, v.o); }
        else RA = v;
        NEXT();
    }
    CASE(ENUMVALS) {
        Type *at = P->types[INS_Bx(ins)];
        uint32_t nv = at->a->nom->nvariants;
        Arr *a = arr_new(vm, at, nv);
        for (uint32_t i = 0; i < nv; i++) { Value v; v.i = ty_enum_at(at->a, i); arr_push(vm, a, v); }
        SETREF(RA, a);
        NEXT();
    }
    CASE(ENUMORD) { Type *t = P->types[*pc++]; RA.i = ty_enum_ordinal(t, RB.i); NEXT(); }
    CASE(WEAKNEW) { WeakRef *w = weak_of(vm, (Instance *)RB.p); SETREF(RA, w); NEXT(); }
    CASE(WEAKGET) { Obj *o = ((WeakRef *)RB.p)->target; obj_retain(o); SETREF(RA, o); NEXT(); }
    CASE(RESOK) {
        Type *t = P->types[*pc++];
        Value v;
        v.u = 0;
        if (B != 255) { v = RB; if (t->a->is_ref) obj_retain(v.o); }
        ResultObj *r = result_new(vm, t, NULL, v);
        SETREF(RA, r);
        NEXT();
    }
    CASE(RESERR) {
        Type *t = P->types[*pc++];
        Value z;
        z.u = 0;
        obj_retain(RB.o);
        ResultObj *r = result_new(vm, t, (Str *)RB.p, z);
        SETREF(RA, r);
        NEXT();
    }
    CASE(RESISOK) RA.i = ((ResultObj *)RB.p)->err == NULL; NEXT();
    CASE(RESVAL) {
        Value v = ((ResultObj *)RB.p)->payload;
        if (C) { obj_retain(v.o); SETREF(RA, v.o); } else RA = v;
        NEXT();
    }
    CASE(RESMSG) { Obj *o = &((ResultObj *)RB.p)->err->h; obj_retain(o); SETREF(RA, o); NEXT(); }
    CASE(HALT) goto done;
    CASE(ERROR_STR) { rt_error(vm, "%s", ((Str *)RA.p)->data); THROW(); }
    CASE(START) { starting = true; start_owner = A == 255 ? NULL : (Instance *)RA.p; NEXT(); }
    CASE(YIELD) {
        Task *t = cur_task;
        SAVE();
        if (unlikely(!t)) { rt_error(vm, "'yield' outside of a task"); goto error; }
        if (unlikely(vm->debug_on)) debug_event(vm, P, true);      /* suspending counts as a return */
        sched_set_wait(vm, t, A == 255 ? NULL : (WaitObj *)RA.p);
        task_leave(vm, t);
        bool host = t->host_resumed;           /* read before sched_end may free t */
        cur_task = t->resumer;
        stop_at = t->resumer_stop;
        if (t->cancel_requested) sched_end(vm, t, TASK_CANCELLED);
        else t->state = TASK_SUSPENDED;
        if (host) return true;
        goto reload;
    }
#ifdef WRIT_COMPUTED_GOTO
    L_BAD:
#else
    default:
#endif
    rt_error(vm, "invalid instruction %u", INS_OP(ins));
    THROW();
#ifndef WRIT_COMPUTED_GOTO
    }
#endif

    /* START then a call: the callee becomes the bottom frame of a new task,
     * which runs at once until its first suspension or its end. */
start_task: {
        starting = false;
        Frame *cur = &vm->frames[vm->nframes - 1];
        cur->pc = pc;
        if (unlikely(vm->nframes + vm->depth_base >= vm->depth_limit)) {
            depth_error(vm);
            THROW();
        }
        Proto *q = cq;
        Task *t = sched_new_task(vm, q, start_owner);
        Value *NR = t->stack;
        uint32_t self = ccl && (ccl->h.flags & CLOSURE_BOUND) ? 1 : 0;
        if (self) NR[0] = ccl->cap[0];
        for (uint32_t i = 0; i < cnargs; i++) NR[self + i] = R[ARGREG(argw[i >> 2], i & 3)];
        task_bottom_frame(t, q, ccl, self + cnargs);
        task_enter(vm, t, cur_task, stop_at, false);
        cur_task = t;
        stop_at = 0;
        if (unlikely(vm->debug_on)) debug_event(vm, q, false);
        goto reload;
    }

    /* the bottom frame of the running task returned: the task is done */
task_return: {
        Task *t = cur_task;
        t->result = ret;
        t->result_is_ref = P->ret_is_ref;
        t->has_result = true;
        task_leave(vm, t);
        bool host = t->host_resumed;
        cur_task = t->resumer;
        stop_at = t->resumer_stop;
        sched_end(vm, t, TASK_DONE);
        if (host) return true;
        goto reload;
    }

    /* continue the context now installed at its top frame */
reload: {
        Frame *tf = &vm->frames[vm->nframes - 1];
        P = tf->proto; R = vm->stack + tf->base; K = P->consts; pc = tf->pc;
        NEXT();
    }

done:
    if (result) *result = ret;
    return true;

    /* a runtime error ends the running context; inside a task it ends the
     * task and continues in the context that started or resumed it */
error:
    trace_add(vm, stop_at);
    unwind(vm, stop_at);
    starting = false;
    if (cur_task) {
        Task *t = cur_task;
        task_leave(vm, t);
        bool host = t->host_resumed;
        cur_task = t->resumer;
        stop_at = t->resumer_stop;
        sched_end(vm, t, TASK_FAILED);
        if (!host) goto error;
    }
    trace_render(vm);
    return false;
}

/* After an allocation failure cut an entry short (api.c): ends the tasks
 * entered since (failed), releases the frames above nframes, and reports
 * "out of memory" with the trace of what was running, like a limit. */
void vm_recover(VM *vm, size_t nframes, Task *installed) {
    if (vm->error_msg) mem_free(vm, vm->error_msg, vm->error_msg_size);
    vm->error_msg = mem_try_strndup(vm, "out of memory", 13);
    vm->error_msg_size = 14;
    vm->has_error = true;
    vm->error_is_limit = true;
    vm->ntrace = 0;
    while (vm->installed != installed && vm->installed) {
        Task *t = vm->installed;
        trace_add(vm, 0);
        unwind(vm, 0);
        task_leave(vm, t);
        sched_end(vm, t, TASK_FAILED);
    }
    if (vm->nframes > nframes) {
        trace_add(vm, nframes);
        unwind(vm, nframes);
    }
    trace_render(vm);
}

bool rt_call(VM *vm, struct Proto *p, Value *args, uint32_t nargs, Value *result) {
    Value r;
    r.u = 0;
    bool ok = vm_execute(vm, p, NULL, args, nargs, &r);
    if (result) *result = r;
    return ok;
}
