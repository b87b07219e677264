/* debug.h — the debugger state of a VM (debug.c, runtime.md §13). */
#ifndef WRIT_DEBUG_H
#define WRIT_DEBUG_H

#include "vm.h"

struct Proto;
/* Called before each instruction while a hook or breakpoint is installed;
 * false after rt_error (the debugger aborted). */
bool debug_instruction(VM *vm, struct Proto *p, const uint32_t *pc);
void debug_free(VM *vm);
/* A function entered (or a coroutine resumed), or left (or suspended):
 * the call hook, and the line state of the frame that goes on. */
void debug_event(VM *vm, struct Proto *p, bool is_return);

#endif
