/* compile.h — checked AST to bytecode (one Proto per function). */
#ifndef WRIT_COMPILE_H
#define WRIT_COMPILE_H

#include "check.h"
#include "chunk.h"

/* Compiles a checked program into module m (m->script and its protos,
 * m->globals sized to the program's globals). */
void cg_program(VM *vm, Module *m, Program *prog, CheckResult *cr);

#endif
