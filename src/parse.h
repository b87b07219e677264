/* parse.h — tokens to AST: recursive descent with the precedence table of
 * language.md §2.5, the disambiguation rules of §2.6, and panic-mode
 * recovery (skip to the next line that can start a statement). */
#ifndef WRIT_PARSE_H
#define WRIT_PARSE_H

#include "ast.h"
#include "diag.h"

/* Parses a whole module.  Syntax errors go to diags (syntax_error set).
 * Returns the program (possibly partial on errors). */
Program *parse_program(Arena *arena, Diags *diags, const Source *src,
                       Token *toks, size_t ntoks);

/* Parses a standalone type (host signatures, prelude templates). NULL on error. */
TypeExpr *parse_type_string(Arena *arena, Diags *diags, const Source *src,
                            Token *toks, size_t ntoks);

#endif
