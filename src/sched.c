/* sched.c — the coroutine scheduler (runtime.md §10): tasks in start order,
 * waits, ticks, cancellation.  Switching stacks and running code is the
 * VM's (vm.c: START, YIELD, vm_resume); this file decides when. */
#include "sched.h"
#include "chunk.h"
#include <math.h>

#define TASK_FRAMES0 4

Task *sched_new_task(VM *vm, Proto *entry, Instance *owner) {
    if (vm->ntasks == vm->cap_tasks) {      /* first: a failure below leaves nothing half-registered */
        size_t nc = vm->cap_tasks ? vm->cap_tasks * 2 : 16;
        vm->tasks = mem_realloc(vm, vm->tasks, sizeof(Task *) * vm->cap_tasks, sizeof(Task *) * nc);
        vm->cap_tasks = nc;
    }
    Task *t = mem_calloc(vm, sizeof(Task));
    t->h.rc = 1;                       /* the scheduler's reference */
    t->h.kind = OBJ_TASK;
    t->stack_cap = entry->nregs + 8;
    t->stack = mem_calloc(vm, sizeof(Value) * t->stack_cap);
    t->cap_frames = TASK_FRAMES0;
    t->frames = mem_alloc(vm, sizeof(Frame) * t->cap_frames);
    t->entry = entry;
    t->owner = owner;
    if (owner) obj_retain(&owner->h);
    t->state = TASK_RUNNING;
    t->slot = vm->ntasks;
    vm->tasks[vm->ntasks++] = t;
    vm->nlive_tasks++;
    return t;
}

void sched_set_wait(VM *vm, Task *t, WaitObj *w) {
    if (t->wait_cond) { obj_release(vm, &t->wait_cond->h); t->wait_cond = NULL; }
    if (t->wait_host) { obj_release(vm, &t->wait_host->h); t->wait_host = NULL; }
    t->wait_acc = 0;
    if (!w) { t->wait_kind = WAIT_NEXT; return; }
    t->wait_kind = w->kind;
    switch ((WaitKind)w->kind) {
    case WAIT_SECONDS:
        t->wait_secs = w->secs;
        if (!(w->secs > 0)) t->wait_kind = WAIT_NEXT;
        break;
    case WAIT_FRAMES: t->wait_frames = w->frames < 1 ? 1 : w->frames; break;
    case WAIT_UNTIL: t->wait_cond = w->cond; obj_retain(&w->cond->h); break;
    case WAIT_HOST: t->wait_host = w; obj_retain(&w->h); break;
    case WAIT_NEXT: break;
    }
}

/* Drops the task's stack arrays (its frames are already released). */
static void free_stack(VM *vm, Task *t) {
    if (t->stack) mem_free(vm, t->stack, sizeof(Value) * t->stack_cap);
    if (t->frames) mem_free(vm, t->frames, sizeof(Frame) * t->cap_frames);
    t->stack = NULL; t->frames = NULL;
    t->stack_cap = t->cap_frames = 0;
}

void sched_end(VM *vm, Task *t, TaskState how) {
    if (t->nframes) t->nframes = vm_unwind_frames(vm, t->frames, t->nframes, t->stack, 0);
    Proto *q = t->entry;
    if (t->stack)
        for (uint32_t i = 0; i < q->nparams; i++) {
            if (!q->param_is_ref[i] || (i == 0 && q->inout_self)) continue;
            Obj *o = t->stack[i].o;
            t->stack[i].o = NULL;
            obj_release(vm, o);
        }
    free_stack(vm, t);
    if (t->wait_cond) { obj_release(vm, &t->wait_cond->h); t->wait_cond = NULL; }
    if (t->wait_host) { obj_release(vm, &t->wait_host->h); t->wait_host = NULL; }
    Instance *owner = t->owner;
    t->owner = NULL;
    t->state = (uint8_t)how;
    vm->tasks[t->slot] = NULL;
    vm->nlive_tasks--;
    obj_release(vm, owner ? &owner->h : NULL);
    obj_release(vm, &t->h);           /* the scheduler's reference */
}

void sched_free_task(VM *vm, Task *t) {
    free_stack(vm, t);
    if (t->has_result && t->result_is_ref) obj_release(vm, t->result.o);
    mem_free(vm, t, sizeof(Task));
}

/* Removes ended tasks from the list (never while a tick walks it). */
static void compact(VM *vm) {
    size_t k = 0;
    for (size_t i = 0; i < vm->ntasks; i++) {
        Task *t = vm->tasks[i];
        if (!t) continue;
        t->slot = k;
        vm->tasks[k++] = t;
    }
    vm->ntasks = k;
}

void sched_cancel(VM *vm, Task *t) {
    if (t->state == TASK_RUNNING) { t->cancel_requested = true; return; }
    if (t->state == TASK_SUSPENDED) sched_end(vm, t, TASK_CANCELLED);
}

void sched_cancel_owner(VM *vm, Instance *owner) {
    for (size_t i = 0; i < vm->ntasks; i++) {
        Task *t = vm->tasks[i];
        if (t && t->owner == owner) sched_cancel(vm, t);
    }
}

void sched_cancel_all(VM *vm) {
    for (size_t i = 0; i < vm->ntasks; i++)
        if (vm->tasks[i]) sched_cancel(vm, vm->tasks[i]);
    if (!vm->ticking) compact(vm);
}

/* Whether a suspended task's wait is over in this tick (its time and frame
 * counts were advanced at the start of the tick).  A waitUntil condition
 * runs here; false with *failed on its error. */
static bool wait_over(VM *vm, Task *t, bool *failed) {
    switch ((WaitKind)t->wait_kind) {
    case WAIT_NEXT: return true;
    case WAIT_SECONDS: return t->wait_acc >= t->wait_secs - 1e-9;
    case WAIT_FRAMES: return t->wait_frames <= 0;
    case WAIT_UNTIL: {
        Value r;
        r.u = 0;
        Closure *c = t->wait_cond;
        obj_retain(&c->h);
        bool ok = vm_execute(vm, c->proto, c, NULL, 0, &r);
        obj_release(vm, &c->h);
        if (!ok) { *failed = true; return false; }
        return r.i != 0;
    }
    case WAIT_HOST: return t->wait_host->host_state == 1 && t->wait_host->done_frame < vm->frame_count;
    }
    return false;
}

bool sched_tick(VM *vm, double dt) {
    if (!(dt > 0)) dt = 0;              /* negative (and nan) count as 0 */
    vm->frame_count++;
    vm->game_time += dt;
    size_t n0 = vm->ntasks;             /* tasks started during this tick wait for the next */
    for (size_t i = 0; i < n0; i++) {
        Task *t = vm->tasks[i];
        if (!t || t->state != TASK_SUSPENDED) continue;
        if (t->wait_kind == WAIT_SECONDS) t->wait_acc += dt;
        else if (t->wait_kind == WAIT_FRAMES) t->wait_frames--;
    }
    bool was = vm->ticking;
    vm->ticking = true;
    bool ok = true;
    for (size_t i = 0; i < n0 && ok; i++) {
        Task *t = vm->tasks[i];
        if (!t || t->state != TASK_SUSPENDED) continue;
        bool failed = false;
        obj_retain(&t->h);
        if (wait_over(vm, t, &failed)) {
            if (t->state == TASK_SUSPENDED) ok = vm_resume(vm, t);   /* the condition may have cancelled it */
        }
        else if (failed) {
            if (t->state == TASK_SUSPENDED) sched_end(vm, t, TASK_FAILED);
            ok = false;
        }
        obj_release(vm, &t->h);
    }
    vm->ticking = was;
    if (!was && vm->ntasks > 2 * vm->nlive_tasks + 8) compact(vm);
    return ok;
}

size_t sched_live(VM *vm) { return vm->nlive_tasks; }

void sched_host_wait_cancelled(VM *vm, WaitObj *w) {
    for (size_t i = 0; i < vm->ntasks; i++) {
        Task *t = vm->tasks[i];
        if (t && t->state == TASK_SUSPENDED && t->wait_kind == WAIT_HOST && t->wait_host == w) sched_cancel(vm, t);
    }
}

void sched_free(VM *vm) {
    sched_cancel_all(vm);
    /* tasks still marked running cannot be here: no script code runs at teardown */
    for (size_t i = 0; i < vm->ntasks; i++)
        if (vm->tasks[i]) sched_end(vm, vm->tasks[i], TASK_CANCELLED);
    mem_free(vm, vm->tasks, sizeof(Task *) * vm->cap_tasks);
    vm->tasks = NULL;
    vm->ntasks = vm->cap_tasks = 0;
}
