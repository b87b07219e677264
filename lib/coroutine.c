/* coroutine.c — the `coroutine`, `time` and `time.clock` library modules
 * (stdlib.md §2, §9): Wait values, owner cancellation, tick time. */
#include "rt.h"
#include "sched.h"
#include <time.h>

static WaitObj *wait_new(VM *vm, WaitKind k) {
    WaitObj *w = mem_calloc(vm, sizeof(WaitObj));
    w->h.rc = 1;
    w->h.kind = OBJ_WAIT;
    w->kind = (uint8_t)k;
    return w;
}

static bool wait_seconds(VM *vm, Value *a, Value *ret) {
    WaitObj *w = wait_new(vm, WAIT_SECONDS);
    w->secs = a[0].f;
    ret->p = w;
    return true;
}

static bool wait_frames(VM *vm, Value *a, Value *ret) {
    WaitObj *w = wait_new(vm, WAIT_FRAMES);
    w->frames = a[0].i;
    ret->p = w;
    return true;
}

static bool wait_until(VM *vm, Value *a, Value *ret) {
    WaitObj *w = wait_new(vm, WAIT_UNTIL);
    w->cond = (Closure *)a[0].p;
    obj_retain(&w->cond->h);
    ret->p = w;
    return true;
}

/* `any` arguments arrive boxed with their static type (AnyBox); only a
 * class or trait value (or a non-null Optional of one) owns tasks. */
static bool cancel_coroutines(VM *vm, Value *a, Value *ret) {
    (void)ret;
    AnyBox *b = (AnyBox *)a[0].p;
    Type *t = b->type;
    Value v = b->v;
    if (t->kind == T_OPTIONAL && !opt_is_null(t->a, v)) { v = opt_payload(t->a, v); t = t->a; }
    if ((t->kind == T_CLASS || t->kind == T_TRAIT) && v.p) sched_cancel_owner(vm, (Instance *)v.p);
    return true;
}

static bool game_time(VM *vm, Value *a, Value *ret) { (void)a; ret->f = vm->game_time; return true; }
static bool frame_count(VM *vm, Value *a, Value *ret) { (void)a; ret->i = vm->frame_count; return true; }

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static bool now_fn(VM *vm, Value *a, Value *ret) { (void)vm; (void)a; ret->f = wall_now(); return true; }
static bool elapsed_fn(VM *vm, Value *a, Value *ret) { (void)vm; ret->f = wall_now() - a[0].f; return true; }

const LibFn lib_coroutine_functions[] = {
    { "waitForSeconds", "(seconds: float) -> Wait", wait_seconds },
    { "waitForFrames", "(frames: int) -> Wait", wait_frames },
    { "waitUntil", "(condition: () -> bool) -> Wait", wait_until },
    { "cancelCoroutines", "(owner: any)", cancel_coroutines },
    { NULL, NULL, NULL },
};

const LibFn lib_time_functions[] = {
    { "gameTime", "() -> float", game_time },
    { "frameCount", "() -> int", frame_count },
    { NULL, NULL, NULL },
};

const LibFn lib_clock_functions[] = {
    { "now", "() -> float", now_fn },
    { "elapsed", "(start: float) -> float", elapsed_fn },
    { NULL, NULL, NULL },
};
