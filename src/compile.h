/* compile.h — checked AST to bytecode (one Proto per function). */
#ifndef WRIT_COMPILE_H
#define WRIT_COMPILE_H

#include "check.h"
#include "chunk.h"

/* Compiles a checked program into module m (m->script and its protos,
 * m->globals sized to the program's globals).  A function too complex for
 * the register file is reported into diags; returns false then. */
bool cg_modules(VM *vm, Module *m, Program **progs, uint32_t n, CheckResult *cr, Diags *diags);

#endif
