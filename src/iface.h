/* iface.h — the interface fingerprint of a module (hot reload: a file whose
 * fingerprint did not change is recompiled alone).  See iface.c. */
#ifndef WRIT_IFACE_H
#define WRIT_IFACE_H

#include "ast.h"
#include "token.h"
#include "mem.h"

/* toks: the module's tokens; prog: its syntax tree (scratch from a). */
uint64_t iface_fingerprint(Arena *a, const Token *toks, size_t n, const Program *prog);

#endif
