/* sched.h — the coroutine scheduler (runtime.md §10). */
#ifndef WRIT_SCHED_H
#define WRIT_SCHED_H

#include "vm.h"

struct Proto;
/* A new running task whose bottom frame will run `entry` (the caller fills
 * the stack and frame); joins the scheduler's list.  owner may be NULL. */
Task *sched_new_task(VM *vm, struct Proto *entry, Instance *owner);
/* The wait a yielding task suspends on (NULL: the next tick). */
void sched_set_wait(VM *vm, Task *t, WaitObj *w);
/* Ends a task that is not installed: releases its frames, parameters and
 * owner, and leaves the list.  how: DONE, CANCELLED or FAILED. */
void sched_end(VM *vm, Task *t, TaskState how);
void sched_free_task(VM *vm, Task *t);   /* rc reached 0 */
/* Cancels t (a running task stops at its next suspension). */
void sched_cancel(VM *vm, Task *t);
void sched_cancel_owner(VM *vm, Instance *owner);
void sched_cancel_all(VM *vm);
/* One tick of dt seconds (runtime.md §10).  false on a runtime error
 * (error text set); tasks not yet visited resume on the next tick. */
bool sched_tick(VM *vm, double dt);
size_t sched_live(VM *vm);
void sched_host_wait_cancelled(VM *vm, WaitObj *w);   /* its waiting tasks are cancelled */
void sched_free(VM *vm);                 /* VM teardown: cancels everything */

/* vm.c */
bool vm_resume(VM *vm, Task *t);
Task *vm_spawn(VM *vm, struct Proto *entry, Value *args, uint32_t nargs, Instance *owner);
size_t vm_unwind_frames(VM *vm, Frame *frames, size_t n, Value *stack, size_t lo);
bool vm_execute(VM *vm, struct Proto *entry, Closure *cl, Value *args, uint32_t nargs, Value *result);

#endif
